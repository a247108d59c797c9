// Add-to-start latency: workers (w4) started on an empty queue and left idle,
// then one job at a time added through the implementation's own producer API
// (graphile-worker addJob, pg-boss send, timeslice schedule) a seeded random
// 20-40 ms after the previous job started.
//
// What is measured, the same for every implementation: from just before the
// add call (performance.now() in this process, before the producer is called)
// to the first line of the job's handler (its mark, in the same process). So
// the add's own transaction and commit are included, then the wake-up, the
// fetch or claim and the start: what a user who adds a job pays until it
// starts. The add call's own duration (until its promise resolves: the job is
// committed) is reported beside it (addP50Ms, addP99Ms), so a reader sees how
// much of the start is the producer's commit and how much the wake-up.
//
// The peers wake their workers with LISTEN/NOTIFY (graphile-worker's insert
// trigger, pg-boss's notify queue), their polls behind it as fallbacks;
// timeslice adds through a producer Scheduler of its own (its own pool),
// whose offer sends one NOTIFY with its commit; its cluster-mode workers
// LISTEN and claim at once (their poll, pollMs 1 s by default, is the
// fallback). One job is added untimed first (job `samples`, the last mark):
// the producer each implementation makes on its first add (a pool, its
// connections, a schema check) is set up outside the samples, as a
// long-lived producer is; otherwise the first sample carries it.
//
// Each repetition's p50 and p99 are over its own samples: with `samples` of
// 200 or more, p99 (percentile(): the element at floor(0.99 n)) is not the
// largest sample but the 2nd largest at 200, the 5th at 500; a repetition of
// 100 would make p99 its maximum, one stall. cases.mjs interleaves the
// repetitions of the implementations and reports the median and spread of
// each figure over them.
import { mulberry32 } from '../../lib/random.mjs';
import { percentile } from '../../lib/stats.mjs';
import { createDatabase } from './database.mjs';
import { RunMarks } from './run-marks.mjs';
import { openWorkers } from './workers.mjs';

const IDLE_MS = 500; // after start: whatever the workers do when they start is over
const SAMPLE_TIMEOUT_MS = 10_000;
/** The pause before each add, after the previous job started: a seeded random GAP_MS + GAP_SPREAD_MS * [0, 1). */
export const GAP_MS = 20;
export const GAP_SPREAD_MS = 20;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One repetition of `samples` adds; resolves to {startP50Ms, startP99Ms,
 * startMaxMs, addP50Ms, addP99Ms, duplicateRuns} and, with `keep`, the samples
 * themselves (startMs, addMs, in add order).
 */
export async function latencyRepetition(impl, { mode, topology, samples, seed, caseName, keep = false }) {
  const what = `${impl.name} ${caseName}`;
  const db = await createDatabase(`${impl.name}_${caseName}`);
  const marks = new RunMarks(samples + 1);
  const startedMs = new Float64Array(samples + 1);
  let workers;
  try {
    await impl.prepare(db.connectionString, 0);
    const onRun = (i) => {
      if (startedMs[i] === 0) startedMs[i] = performance.now();
      marks.mark(i);
    };
    workers = await openWorkers(impl, topology, { connectionString: db.connectionString, mode, onRun });
    if (workers.add === undefined) throw new Error(`${what}: topology ${topology} cannot add jobs`);
    await workers.start();
    await workers.add(samples);
    await marks.whenDistinct(1, SAMPLE_TIMEOUT_MS, `${what}, the untimed first job`);
    await sleep(IDLE_MS);
    const random = mulberry32(seed);
    const startMs = [];
    const addMs = [];
    for (let i = 0; i < samples; i++) {
      await sleep(GAP_MS + GAP_SPREAD_MS * random());
      const calledMs = performance.now();
      const started = marks.whenDistinct(i + 2, SAMPLE_TIMEOUT_MS, `${what}, job ${i}`);
      await workers.add(i);
      addMs.push(performance.now() - calledMs);
      await started;
      startMs.push(startedMs[i] - calledMs);
    }
    await workers.stop();
    const { lost, duplicateRuns } = marks.tally();
    if (lost > 0) throw new Error(`${what}: ${lost} jobs never ran`);
    const starts = [...startMs].sort((a, b) => a - b);
    const adds = [...addMs].sort((a, b) => a - b);
    return {
      startP50Ms: percentile(starts, 0.5),
      startP99Ms: percentile(starts, 0.99),
      startMaxMs: starts[starts.length - 1],
      addP50Ms: percentile(adds, 0.5),
      addP99Ms: percentile(adds, 0.99),
      duplicateRuns,
      ...(keep ? { startMs, addMs } : {}),
    };
  } finally {
    await workers?.stop().catch((error) => process.stderr.write(`${what}: stopping the workers failed: ${error.message}\n`));
    await db.drop();
  }
}
