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
import pg from 'pg';

const silent = new Logger(() => () => {});
const CHUNK = 1000;

/**
 * A pool of our own, ended (awaited) by us. Given a connectionString,
 * graphile-worker's release removes its pool's error listeners and then calls
 * pool.end() without awaiting it: the harness's DROP DATABASE ... WITH (FORCE)
 * right after could terminate an idle connection that was still open, and the
 * pool's unhandled 'error' killed the process (the smoke failed so under load).
 */
function ownPool(connectionString, max) {
  const pool = new pg.Pool({ connectionString, max });
  // An idle connection's error: pg removes the client from the pool; a query's error reaches its caller.
  pool.on('error', () => {});
  return pool;
}

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
    const pgPool = ownPool(connectionString, 2);
    const utils = await makeWorkerUtils({ pgPool, logger: silent });
    try {
      await utils.migrate();
      for (let i = 0; i < n; i += CHUNK) {
        const chunk = Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => ({ identifier: 'noop', payload: { i: i + k } }));
        await utils.addJobs(chunk);
      }
    } finally {
      await utils.release();
      await pgPool.end();
    }
  },

  /** A stopped runner-to-be: `start()` runs it (timed), `add(i)` adds one job, `stop()` ends it. */
  async open({ connectionString, mode, workers, onRun }) {
    let runner;
    let utils;
    const runnerPool = ownPool(connectionString, workers + 4);
    const addPool = ownPool(connectionString, 2);
    return {
      async start() {
        runner = await run({
          pgPool: runnerPool,
          concurrency: workers,
          noHandleSignals: true,
          logger: silent,
          preset: PRESETS[mode],
          taskList: {
            noop: async (payload) => {
              onRun(payload.i);
            },
          },
        });
      },
      async add(i) {
        utils ??= await makeWorkerUtils({ pgPool: addPool, logger: silent });
        await utils.addJob('noop', { i });
      },
      async stop() {
        const [stopping, releasing] = [runner, utils];
        [runner, utils] = [undefined, undefined];
        await stopping?.stop();
        await releasing?.release();
        if (!runnerPool.ended) await runnerPool.end();
        if (!addPool.ended) await addPool.end();
      },
    };
  },
};
