// The postgres suite's throughput cases alone (bench/suites/postgres/), for
// iterating on the claim/end path without the suite's ~19 minutes: timeslice,
// graphile-worker and pg-boss interleaved and rotated as the suite does them,
// a fresh database per repetition, then each one's median jobs/s (with min and
// max), CPU per job, and timeslice's ratio to the better peer of the case.
// Writes nothing to bench/results/.
// Usage: npm run build && node --expose-gc bench/ab/postgres-throughput-peers.mjs [--n 10000] [--reps 3]
//        [--topologies w4,p4] [--modes perjob,batched] [--only timeslice,graphile-worker]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { interleaveAsync } from '../lib/interleave-async.mjs';
import { availableImpls } from '../suites/postgres/impls.mjs';
import { throughputRepetition } from '../suites/postgres/throughput.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    reps: { type: 'string', default: '3' },
    topologies: { type: 'string', default: 'w4,p4' },
    modes: { type: 'string', default: 'perjob,batched' },
    only: { type: 'string' },
  },
});
const n = Number(values.n);
const reps = Number(values.reps);
const { impls: all } = await availableImpls();
const impls = values.only === undefined ? all : all.filter((impl) => values.only.split(',').includes(impl.name));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

for (const topology of values.topologies.split(',')) {
  for (const mode of values.modes.split(',')) {
    const caseName = `${topology}-${mode}`;
    const runnable = impls.filter((impl) => impl.unsupported?.[topology] === undefined);
    const loadBefore = loadavg()[0];
    const samples = await interleaveAsync(
      runnable, reps,
      (impl, _rep, stopwatch) => throughputRepetition(impl, { n, mode, topology, timeoutMs: 600_000, caseName }, stopwatch),
      { rotate: true },
    );
    const rows = new Map();
    for (const impl of runnable) {
      const s = samples.get(impl.name);
      const jobsPerSec = s.jobsPerSec.map((x) => x.value ?? x);
      rows.set(impl.name, {
        jobsPerSec: median(jobsPerSec), min: Math.min(...jobsPerSec), max: Math.max(...jobsPerSec),
        cpuUsPerJob: median(s.totalCpuNsPerJob.map((x) => x.value ?? x)) / 1000,
        duplicates: s.duplicateRuns.map((x) => x.value ?? x).reduce((a, b) => a + b, 0),
      });
    }
    process.stdout.write(`${caseName} n=${n} reps=${reps} (load ${loadBefore.toFixed(1)} -> ${loadavg()[0].toFixed(1)})\n`);
    for (const [name, r] of rows) {
      process.stdout.write(`  ${name.padEnd(16)} ${Math.round(r.jobsPerSec).toString().padStart(6)} jobs/s (${Math.round(r.min)}-${Math.round(r.max)}), CPU ${r.cpuUsPerJob.toFixed(0)} us/job, duplicates ${r.duplicates}\n`);
    }
    const ours = rows.get('timeslice');
    const peers = [...rows.entries()].filter(([name]) => name !== 'timeslice').map(([, r]) => r.jobsPerSec);
    if (ours !== undefined && peers.length > 0) {
      // Paired: repetition r of every implementation ran in the same round (interleaved, rotated).
      const rates = (name) => samples.get(name).jobsPerSec.map((x) => x.value ?? x);
      const others = runnable.filter((impl) => impl.name !== 'timeslice').map((impl) => rates(impl.name));
      const paired = rates('timeslice').map((rate, r) => rate / Math.max(...others.map((o) => o[r])));
      process.stdout.write(`  timeslice / better peer: ${(ours.jobsPerSec / Math.max(...peers)).toFixed(2)}x of the medians; paired by round ${paired.map((x) => x.toFixed(2)).join(' ')} (median ${median(paired).toFixed(2)}x)\n`);
    }
  }
}
