// pg-boss 12 at its best honest configuration for each mode (its defaults,
// batchSize 1 and a 2 s poll, reached 2-8 jobs/s here: research/pgpeers):
//   perjob   batchSize 1 (each job fetched, run and completed in its own
//            statements), with burstWhenReadyExceeds 1 so a worker fetches
//            again at once while the cached ready count says jobs wait;
//            that count is refreshed by its monitor, so monitor, supervise
//            and queue cache run every 1 s (their minimum)
//   batched  batchSize 100 with burstWhenBatchFull (fetch again at once after
//            a full batch): the handler gets 100 jobs, their completion is
//            one statement; 2,447-3,765 jobs/s here on 2026-12-06
// Both: the queue is created with notify (pg-boss NOTIFYs on insert) and the
// workers' PgBoss has useListenNotify (it LISTENs; off by default); polls
// every 0.5 s (its minimum) otherwise.
import { PgBoss } from 'pg-boss';

const QUEUE = 'noop';
const CHUNK = 1000;

/** Constructor options: the monitor keeps readyCount fresh for the per-job burst. */
const BOSS = {
  perjob: { queueCacheIntervalSeconds: 1, monitorIntervalSeconds: 1, superviseIntervalSeconds: 1 },
  batched: {},
};
const POLL = { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5 };
const WORK = {
  perjob: { batchSize: 1, burstWhenReadyExceeds: 1, ...POLL },
  batched: { batchSize: 100, burstWhenBatchFull: true, ...POLL },
};

function open(connectionString, extra) {
  const boss = new PgBoss({ connectionString, ...extra });
  boss.on('error', (error) => process.stderr.write(`pg-boss error: ${error.message}\n`));
  return boss;
}

export const pgBoss = {
  name: 'pg-boss',
  modes: ['perjob', 'batched'],
  describe: (mode) =>
    mode === 'perjob'
      ? 'work({ batchSize: 1, burstWhenReadyExceeds: 1, localConcurrency }), monitor/supervise/queue cache every 1 s; useListenNotify, queue notify, polls 0.5 s'
      : 'work({ batchSize: 100, burstWhenBatchFull: true, localConcurrency }); useListenNotify, queue notify, polls 0.5 s',
  defaults: 'batchSize 1, pollingIntervalSeconds 2, no notify: 2-8 jobs/s here (research/pgpeers, 2026-12-06); not run by the suite',
  /** Completed jobs stay in pgboss.job as 'completed' until retention removes them. */
  remainingSql: `SELECT count(*)::int AS n FROM pgboss.job WHERE name = '${QUEUE}' AND state <> 'completed'`,

  /** Its schema, the queue (notify on), and `n` jobs {i} inserted 1,000 per insert(). Untimed. */
  async prepare(connectionString, n) {
    const boss = open(connectionString, { schedule: false, supervise: false });
    await boss.start();
    try {
      await boss.createQueue(QUEUE, { notify: true });
      for (let i = 0; i < n; i += CHUNK) {
        await boss.insert(QUEUE, Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => ({ data: { i: i + k } })));
      }
    } finally {
      await boss.stop({ graceful: false });
    }
  },

  /** A started PgBoss (pool, LISTEN; untimed); `start()` registers the workers (timed). */
  async open({ connectionString, mode, workers, onRun }) {
    const boss = open(connectionString, { max: workers + 4, useListenNotify: true, ...BOSS[mode] });
    await boss.start();
    return {
      async start() {
        await boss.work(QUEUE, { localConcurrency: workers, ...WORK[mode] }, async (jobs) => {
          for (const job of jobs) onRun(job.data.i);
        });
      },
      async add(i) {
        await boss.send(QUEUE, { i });
      },
      async stop() {
        await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
      },
    };
  },
};
