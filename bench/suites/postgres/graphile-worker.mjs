// graphile-worker 0.18 as its users run it: `run()` with a task list, LISTEN
// on job inserts (a trigger NOTIFYs), jobs deleted when they complete.
//   perjob   its defaults: each worker locks one job (getJob), runs it, and
//            commits its completion alone (completeJobBatchDelay -1)
//   batched  a local queue of 100 jobs locked per fetch and completions
//            batched (completeJobBatchDelay 0: the ones that end in the same
//            tick commit together), the configuration its performance page
//            recommends for throughput; 2,254-4,352 jobs/s measured here on
//            2026-12-06 (research/pgpeers/bench.mjs)
import { Logger, makeWorkerUtils, run } from 'graphile-worker';

const silent = new Logger(() => () => {});
const CHUNK = 1000;

const PRESETS = {
  perjob: { worker: {} },
  batched: { worker: { localQueue: { size: 100 }, completeJobBatchDelay: 0, failJobBatchDelay: 0 } },
};

export const graphileWorker = {
  name: 'graphile-worker',
  modes: ['perjob', 'batched'],
  describe: (mode) =>
    mode === 'perjob'
      ? 'run({ concurrency }), defaults: one job locked per fetch, each completion its own commit; LISTEN on inserts, pollInterval 2 s'
      : 'run({ concurrency, preset.worker: { localQueue: { size: 100 }, completeJobBatchDelay: 0 } }); LISTEN on inserts',
  /** The count of jobs not yet completed (a completed job's row is deleted; none fail here). */
  remainingSql: 'SELECT count(*)::int AS n FROM graphile_worker._private_jobs',

  /** Its schema, and `n` jobs {i} added 1,000 per addJobs() call. Untimed. */
  async prepare(connectionString, n) {
    const utils = await makeWorkerUtils({ connectionString, logger: silent });
    try {
      await utils.migrate();
      for (let i = 0; i < n; i += CHUNK) {
        const chunk = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => ({ identifier: 'noop', payload: { i: i + k } }));
        await utils.addJobs(chunk);
      }
    } finally {
      await utils.release();
    }
  },

  /** A stopped runner-to-be: `start()` runs it (timed), `add(i)` adds one job, `stop()` ends it. */
  async open({ connectionString, mode, workers, onRun }) {
    let runner;
    let utils;
    return {
      async start() {
        runner = await run({
          connectionString,
          concurrency: workers,
          noHandleSignals: true,
          logger: silent,
          maxPoolSize: workers + 4,
          preset: PRESETS[mode],
          taskList: {
            noop: async (payload) => {
              onRun(payload.i);
            },
          },
        });
      },
      async add(i) {
        utils ??= await makeWorkerUtils({ connectionString, logger: silent });
        await utils.addJob('noop', { i });
      },
      async stop() {
        await runner?.stop();
        await utils?.release();
      },
    };
  },
};
