// A/B for the durable path: timeslice's and plainjob's cases of the durable
// suite (bench/suites/durable/), run interleaved in one process, printing wall
// jobs/s and process CPU per job for each repetition and the medians.
//   node bench/ab/durable-ab.mjs [enqueue|c1|c8] [full|normal] [n] [reps]
// PROFILE=1 runs timeslice only (for node --cpu-prof). BASE=<dir> adds a
// "timeslice-base" row: the same case against another checkout, whose
// bench/suites/durable/timeslice.mjs (and its dist/) is loaded from <dir>
// (e.g. `git archive main | tar -x -C <dir>`, a node_modules link, a build).
// ITERATIONS=1 also counts event-loop iterations per job (an immediate that
// re-queues itself: it keeps the loop from ever idling, so CPU is then moot).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';
import { Stopwatch } from '../lib/stopwatch.mjs';
import { plainjob } from '../suites/durable/plainjob.mjs';
import { timeslice } from '../suites/durable/timeslice.mjs';

const [kind = 'c1', sync = 'full', nText = '10000', repsText = '5'] = process.argv.slice(2);
const n = Number(nText);
const reps = Number(repsText);
if (process.env.BASE) requireCurrentDist(process.env.BASE);
const base = process.env.BASE
  ? { ...(await import(path.resolve(process.env.BASE, 'bench/suites/durable/timeslice.mjs'))).timeslice, name: 'timeslice-base' }
  : undefined;
const impls = process.env.PROFILE ? [timeslice] : [timeslice, ...(base ? [base] : []), plainjob];
const dir = mkdtempSync(path.join(tmpdir(), 'durable-ab-'));

/** Event-loop iterations while counting: one immediate per iteration, re-queued from itself, one chain per repetition. */
let iterations = 0;
let chain = 0;
function countIterations(mine) {
  if (mine !== chain) return;
  iterations++;
  setImmediate(countIterations, mine);
}

async function once(impl, rep, size) {
  const file = path.join(dir, `${impl.name}-${rep}.db`);
  const stopwatch = new Stopwatch();
  iterations = 0;
  if (process.env.ITERATIONS === '1') setImmediate(countIterations, ++chain);
  try {
    if (kind === 'enqueue') await impl.enqueue({ n: size, sync, file, stopwatch });
    else await impl.endToEnd({ n: size, sync, file, concurrency: Number(kind.slice(1)), stopwatch });
  } finally {
    chain++;
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
  }
  return { jobsPerSec: size / (stopwatch.wallMs / 1000), cpuUsPerJob: (stopwatch.cpuMs * 1000) / size, iterationsPerJob: iterations / size };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  for (const impl of impls) await once(impl, 'warm', Math.min(2000, n));
  const results = new Map(impls.map((i) => [i.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const impl of rep % 2 ? [...impls].reverse() : impls) {
      const r = await once(impl, rep, n);
      results.get(impl.name).push(r);
      const loop = process.env.ITERATIONS === '1' ? `, ${r.iterationsPerJob.toFixed(2)} loop iterations/job` : '';
      console.log(`${impl.name} rep ${rep}: ${r.jobsPerSec.toFixed(0)} jobs/s, ${r.cpuUsPerJob.toFixed(1)} us CPU/job${loop}`);
    }
  }
  for (const [name, rs] of results) {
    console.log(`${kind} ${sync} ${name}: median ${median(rs.map((r) => r.jobsPerSec)).toFixed(0)} jobs/s, ${median(rs.map((r) => r.cpuUsPerJob)).toFixed(1)} us CPU/job`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
