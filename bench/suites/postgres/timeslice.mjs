// timeslice through its public durable API over its PostgreSQL store
// (`timeslice/store/postgres`, built package), in cluster mode: each worker
// is a Scheduler with `postgresStore({ connectionString })` and
// `cluster: true`, a function defined by name, one-off tasks due now.
//
// timeslice has one mode, its defaults: each process claims the due rows it
// has room for (maxConcurrent) and, once its runs are short, up to 100 more
// for its local queue (cluster.localQueue), with FOR UPDATE SKIP LOCKED,
// commits the claim before the bodies start, and commits each run's end
// before the run is reported done (ends of one host turn share a commit). It runs as is in the perjob and the batched cases, against
// the peers' two modes, and in every topology (4 processes share the rows).
// Jobs are added by a producer of their own (a cluster-mode Scheduler that is
// never started, its own store and pool), not by a worker: as the peers'
// addJob()/send() rows do. The producer's offer sends one NOTIFY with its
// commit; each worker LISTENs on a connection of its own (the store's default,
// `listen: true`) and claims at once, its poll (pollMs, default 1 s) behind it
// as the fallback.
import '../../../scripts/current-dist.mjs';
import { Scheduler } from '../../../dist/index.js';
import { postgresStore } from '../../../dist/store/postgres.js';

const CHUNK = 1000;

/**
 * Cluster mode with its defaults (pollMs 1 s, lease ttlMs 30 s, heartbeatMs
 * 10 s); maxConcurrent is what a process claims at once, so it is the
 * topology's worker count, as is concurrency. `noop` is the handler (the
 * producer's never runs: schedule() needs the name defined). Clock watch and retention off:
 * neither runs in these few seconds (as in the durable suite). A store passed
 * as an object is its caller's to close (the scheduler closes only one it
 * made): close() stops the scheduler, then ends the store's pool, so no
 * repetition leaves connections open.
 */
function makeScheduler(connectionString, workers, noop = () => {}, lease = undefined) {
  const store = postgresStore({ connectionString });
  const scheduler = new Scheduler({ store, cluster: true, concurrency: workers, maxConcurrent: workers, clockWatch: false, retention: false, ...(lease ? { lease } : {}) });
  scheduler.define('noop', noop);
  return { scheduler, close: () => scheduler.stop().finally(() => store.close()) };
}

const job = (i) => ({ id: `job-${i}`, fn: 'noop', params: { i }, after: 0 });

export const timeslice = {
  name: 'timeslice',
  modes: ['perjob', 'batched'],
  describe: () =>
    'Scheduler({ store: postgresStore({ connectionString }), cluster: true, concurrency, maxConcurrent }), defaults (LISTEN/NOTIFY wake-up, pollMs 1 s as its fallback, lease 30 s / heartbeat 10 s, local queue up to 100 rows once runs are short): due rows claimed with FOR UPDATE SKIP LOCKED up to maxConcurrent plus the local queue, the claim committed before the bodies start, each end committed before the run is done; jobs added by a separate, never-started Scheduler (one NOTIFY per offering transaction); one mode, run in both cases',
  /** A completed one-off's task row is kept with status 'completed' (retention is off). */
  remainingSql: "SELECT count(*)::int AS n FROM timeslice.tasks WHERE status <> 'completed'",
  /**
   * failover.mjs's check, in the database's clock: when a process's lease runs out (its
   * registration, by pid; gone once another process expired it), and when each slot's latest
   * attempt was claimed (a claim records the claiming transaction's now() as the start).
   */
  failoverSql: {
    leaseExpiresAtMs: 'SELECT expires_at_ms AS "expiresAtMs" FROM timeslice.processes WHERE pid = $1',
    attemptsStartedAtMs: 'SELECT started_at_ms AS "startedAtMs", attempt FROM timeslice.executions',
  },

  /** The schema and `n` one-offs due now, 1,000 per scheduleMany() call, by a scheduler that is never started (nothing runs). Untimed. */
  async prepare(connectionString, n) {
    const { scheduler, close } = makeScheduler(connectionString, 1);
    try {
      for (let i = 0; i < n; i += CHUNK) {
        await scheduler.scheduleMany(Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => job(i + k)));
      }
    } finally {
      await close();
    }
  },

  /**
   * A worker scheduler; start() starts it and waits for `ready`; add(i) goes
   * through a producer of its own, made on first use. failover.mjs passes
   * `holdMs` (each run holds its slot that long after marking) and `lease`.
   */
  async open({ connectionString, workers, onRun, holdMs = 0, lease }) {
    const worker = makeScheduler(
      connectionString,
      workers,
      async (params) => {
        onRun(params.i);
        if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
      },
      lease,
    );
    let producer;
    return {
      async start() {
        worker.scheduler.start();
        await worker.scheduler.ready;
      },
      async add(i) {
        producer ??= makeScheduler(connectionString, 1);
        await producer.scheduler.schedule(job(i));
      },
      async stop() {
        try {
          await worker.close();
        } finally {
          await producer?.close();
        }
      },
    };
  },
};
