// An A/B of timeslice's add-to-start latency on PostgreSQL between two built
// checkouts, the peers in the same run: each round runs, in fresh processes
// and in a rotated order, bench/suites/postgres/smoke.mjs --n 0 (the suite's
// add-to-start repetition: w4, --samples adds, latency.mjs) of checkout A
// (timeslice), of checkout B (timeslice) and of B for each peer. Prints each
// one's median (min-max over the rounds) of p50, p99 and the add call's p50,
// and the p99 ratio B/A paired by round. Both checkouts need the same
// bench/suites/postgres/latency.mjs (what is measured) and a build.
// Usage: node bench/ab/postgres-latency-ab.mjs --a /path/to/base/checkout [--b .] [--rounds 5] [--samples 200]
//        [--mode perjob] [--peers graphile-worker,pg-boss]
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { summarize } from '../lib/stats.mjs';

const { values } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string', default: '.' },
    rounds: { type: 'string', default: '5' },
    samples: { type: 'string', default: '200' },
    mode: { type: 'string', default: 'perjob' },
    peers: { type: 'string', default: 'graphile-worker,pg-boss' },
  },
});
if (values.a === undefined) throw new Error('--a: the base checkout (built) is required');
const rounds = Number(values.rounds);
const runs = [
  { label: 'A timeslice', dir: resolve(values.a), impl: 'timeslice' },
  { label: 'B timeslice', dir: resolve(values.b), impl: 'timeslice' },
  ...values.peers.split(',').filter(Boolean).map((impl) => ({ label: impl, dir: resolve(values.b), impl })),
];

function once({ dir, impl }) {
  const out = execFileSync(process.execPath, ['bench/suites/postgres/smoke.mjs', '--impl', impl, '--mode', values.mode, '--n', '0', '--samples', values.samples], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 1 << 24,
  });
  const run = JSON.parse(out.trim().split('\n').at(-1)).runs.find((r) => r.kind === 'latency');
  if (run === undefined || run.addP50Ms === undefined) throw new Error(`${impl} in ${dir}: no latency run with addP50Ms (is latency.mjs the same in both checkouts?)`);
  return run;
}

const median = (xs) => summarize(xs).median;
const samples = new Map(runs.map((r) => [r.label, []]));
const loads = [loadavg()[0]];
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < runs.length; k++) {
    const run = runs[(round + k) % runs.length];
    const figures = once(run);
    if (figures.duplicateRuns !== 0) throw new Error(`${run.label}: ${figures.duplicateRuns} duplicate runs`);
    samples.get(run.label).push(figures);
    process.stderr.write(`round ${round + 1} ${run.label}: p50 ${figures.startP50Ms.toFixed(1)} p99 ${figures.startP99Ms.toFixed(1)} max ${figures.startMaxMs.toFixed(1)} add p50 ${figures.addP50Ms.toFixed(1)} ms\n`);
  }
  loads.push(loadavg()[0]);
}
const spread = (xs) => `${median(xs).toFixed(1)} (${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)})`;
process.stdout.write(`add-to-start, ${values.mode}, ${values.samples} samples a run, ${rounds} rounds; 1-min load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)} (median ${median(loads).toFixed(1)})\n`);
for (const [label, runsOf] of samples) {
  process.stdout.write(`  ${label.padEnd(16)} p50 ${spread(runsOf.map((r) => r.startP50Ms))}  p99 ${spread(runsOf.map((r) => r.startP99Ms))}  add p50 ${spread(runsOf.map((r) => r.addP50Ms))} ms\n`);
}
const paired = samples.get('B timeslice').map((b, i) => b.startP99Ms / samples.get('A timeslice')[i].startP99Ms);
const pairedP50 = samples.get('B timeslice').map((b, i) => b.startP50Ms / samples.get('A timeslice')[i].startP50Ms);
process.stdout.write(`  B/A paired by round: p50 ${pairedP50.map((x) => x.toFixed(2)).join(' ')} (median ${median(pairedP50).toFixed(2)}), p99 ${paired.map((x) => x.toFixed(2)).join(' ')} (median ${median(paired).toFixed(2)})\n`);
