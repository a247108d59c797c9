// Add-to-start latency: workers started on an empty queue and left idle, then
// one job at a time added through the implementation's own producer API
// (graphile-worker addJob, pg-boss send, timeslice schedule) on a seeded
// random 20-60 ms after the previous job started; the time from the add call
// to its handler starting. The peers wake their workers with LISTEN/NOTIFY
// (graphile-worker's insert trigger, pg-boss's notify queue), their polls
// behind it as fallbacks; timeslice adds through a producer Scheduler of its
// own (its own pool), whose offer sends one NOTIFY with its commit; its
// cluster-mode workers LISTEN and claim at once (their poll, pollMs 1 s by
// default, is the fallback). One job is added untimed first (job `samples`,
// the last mark): the producer each implementation makes on its first add
// (a pool, its connections, a schema check) is set up outside the samples, as
// a long-lived producer is; otherwise the first sample carries it and, with
// 100 samples, p99 is that one sample.
import { mulberry32 } from '../../lib/random.mjs';
import { percentile } from '../../lib/stats.mjs';
import { createDatabase } from './database.mjs';
import { RunMarks } from './run-marks.mjs';
import { openWorkers } from './workers.mjs';

const IDLE_MS = 500; // after start: whatever the workers do when they start is over
const SAMPLE_TIMEOUT_MS = 10_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One repetition of `samples` adds; resolves to {startP50Ms, startP99Ms, startMaxMs, duplicateRuns}. */
export async function latencyRepetition(impl, { mode, topology, samples, seed, caseName }) {
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
    const latencies = [];
    for (let i = 0; i < samples; i++) {
      await sleep(20 + 40 * random());
      const addedMs = performance.now();
      const started = marks.whenDistinct(i + 2, SAMPLE_TIMEOUT_MS, `${what}, job ${i}`);
      await workers.add(i);
      await started;
      latencies.push(startedMs[i] - addedMs);
    }
    await workers.stop();
    const { lost, duplicateRuns } = marks.tally();
    if (lost > 0) throw new Error(`${what}: ${lost} jobs never ran`);
    latencies.sort((a, b) => a - b);
    return {
      startP50Ms: percentile(latencies, 0.5),
      startP99Ms: percentile(latencies, 0.99),
      startMaxMs: latencies[latencies.length - 1],
      duplicateRuns,
    };
  } finally {
    await workers?.stop().catch((error) => process.stderr.write(`${what}: stopping the workers failed: ${error.message}\n`));
    await db.drop();
  }
}
