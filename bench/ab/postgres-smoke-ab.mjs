// An A/B of timeslice's PostgreSQL throughput between two built checkouts,
// the peers in the same run: each repetition runs, in fresh processes and in
// a rotated order, bench/suites/postgres/smoke.mjs of checkout A (timeslice),
// of checkout B (timeslice), and of B for each peer (--peers), one throughput
// case each (--mode, --n jobs, 4 workers in one process, fresh database).
// Prints the medians (with min-max) of jobs/s and CPU per job (process +
// backends) and the ratios B/A and B / the better peer.
// Usage: node bench/ab/postgres-smoke-ab.mjs --a /path/to/base/checkout [--b .] [--reps 5] [--n 10000] [--mode batched]
//        [--peers graphile-worker,pg-boss]   (both checkouts built: npm run build; A may be a git worktree of main)
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarize } from '../lib/stats.mjs';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string', default: '.' },
    reps: { type: 'string', default: '5' },
    n: { type: 'string', default: '10000' },
    mode: { type: 'string', default: 'batched' },
    peers: { type: 'string', default: 'graphile-worker,pg-boss' },
  },
});
if (values.a === undefined) throw new Error('--a: the base checkout (built) is required');
const reps = Number(values.reps);
// Each checkout's dist/ is its sources' build (one from before the build record cannot be checked, and is let be).
for (const root of [values.a, values.b]) requireCurrentDist(resolve(root));
const runs = [
  { label: 'A timeslice', dir: resolve(values.a), impl: 'timeslice' },
  { label: 'B timeslice', dir: resolve(values.b), impl: 'timeslice' },
  ...values.peers.split(',').filter(Boolean).map((impl) => ({ label: impl, dir: resolve(values.b), impl })),
];

function once({ dir, impl }) {
  const out = execFileSync(process.execPath, ['bench/suites/postgres/smoke.mjs', '--impl', impl, '--mode', values.mode, '--n', values.n, '--samples', '0'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 24,
  });
  const run = JSON.parse(out.trim().split('\n').at(-1)).runs.find((r) => r.kind === 'throughput');
  if (run === undefined) throw new Error(`${impl} in ${dir}: no throughput run`);
  return run;
}

const median = (xs) => summarize(xs).median;
const samples = new Map(runs.map((r) => [r.label, []]));
const loads = [loadavg()[0]];
for (let rep = 0; rep < reps; rep++) {
  for (let k = 0; k < runs.length; k++) {
    const run = runs[(k + rep) % runs.length];
    const figures = once(run);
    if (figures.duplicateRuns > 0) process.stdout.write(`  ${run.label} rep ${rep}: ${figures.duplicateRuns} duplicate runs\n`);
    samples.get(run.label).push(figures);
    process.stderr.write(`rep ${rep + 1} ${run.label}: ${Math.round(figures.jobsPerSec)} jobs/s\n`);
  }
  loads.push(loadavg()[0]);
}
process.stdout.write(`w4 ${values.mode}, n=${values.n}, ${reps} reps in fresh processes, rotated (load average ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})\n`);
const row = new Map();
for (const [label, s] of samples) {
  const jobs = s.map((x) => x.jobsPerSec);
  const cpu = median(s.map((x) => x.totalCpuNsPerJob)) / 1000;
  const client = median(s.map((x) => x.clientCpuNsPerJob)) / 1000;
  const server = median(s.map((x) => x.serverCpuNsPerJob)) / 1000;
  row.set(label, { jobs: median(jobs), cpu });
  process.stdout.write(
    `  ${label.padEnd(16)} ${Math.round(median(jobs)).toString().padStart(6)} jobs/s (${Math.round(Math.min(...jobs))}-${Math.round(Math.max(...jobs))}), CPU/job ${cpu.toFixed(0)} us (process ${client.toFixed(0)} + backends ${server.toFixed(0)})\n`,
  );
}
const a = row.get('A timeslice');
const b = row.get('B timeslice');
process.stdout.write(`  B/A: jobs/s ${(b.jobs / a.jobs).toFixed(2)}x, CPU/job ${(b.cpu / a.cpu).toFixed(2)}x\n`);
// Paired: B's over A's in the same repetition (run back to back), for CPU per job (total, process, backends) and jobs/s.
for (const [what, key] of [['jobs/s', 'jobsPerSec'], ['CPU/job', 'totalCpuNsPerJob'], ['process CPU/job', 'clientCpuNsPerJob'], ['backends CPU/job', 'serverCpuNsPerJob']]) {
  const paired = samples.get('B timeslice').map((x, i) => x[key] / samples.get('A timeslice')[i][key]);
  process.stdout.write(`  B/A ${what}, paired by repetition: ${paired.map((x) => x.toFixed(2)).join(' ')} (median ${median(paired).toFixed(2)}x)\n`);
}
const peers = runs.filter((r) => r.impl !== 'timeslice').map((r) => row.get(r.label).jobs);
if (peers.length > 0) {
  const better = Math.max(...peers);
  process.stdout.write(`  timeslice / better peer: A ${(a.jobs / better).toFixed(2)}x, B ${(b.jobs / better).toFixed(2)}x\n`);
  // Paired: each repetition's rate over the better peer's in the same repetition (they ran back to back).
  const peerRates = runs.filter((r) => r.impl !== 'timeslice').map((r) => samples.get(r.label).map((x) => x.jobsPerSec));
  for (const label of ['A timeslice', 'B timeslice']) {
    const paired = samples.get(label).map((x, i) => x.jobsPerSec / Math.max(...peerRates.map((p) => p[i])));
    process.stdout.write(`  ${label} / better peer, paired by repetition: ${paired.map((x) => x.toFixed(2)).join(' ')} (median ${median(paired).toFixed(2)}x)\n`);
  }
}
