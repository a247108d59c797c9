// timeslice through its public durable API over its PostgreSQL store
// (`timeslice/store/postgres`, built package): a Scheduler with
// `postgresStore({ connectionString })`, a function defined by name, one-off
// tasks due now added with scheduleMany()/schedule().
//
// timeslice has one mode, its defaults: each run's claim is committed before
// its body starts and its end is committed before the run is reported done
// (ends and claims falling in the same host turn share one transaction). It
// runs as is in the perjob and the batched cases, against the peers' two
// modes. The store today has one owner at a time (issue 13 phase 1): a second
// scheduler on the same schema waits as a standby, so the 4-process case
// waits for the cluster mode and timeslice has no row there.
import { Scheduler } from '../../../dist/index.js';
import { postgresStore } from '../../../dist/store/postgres.js';

const CHUNK = 1000;

/**
 * Clock watch and retention off: neither runs in these few seconds (as in the
 * durable suite). A store passed as an object is its caller's to close (the
 * scheduler closes only one it made): close() stops the scheduler, then ends
 * the store's pool, so no repetition leaves connections open.
 */
function makeScheduler(connectionString, concurrency) {
  const store = postgresStore({ connectionString });
  const scheduler = new Scheduler({ store, concurrency, clockWatch: false, retention: false });
  return { scheduler, close: () => scheduler.stop().finally(() => store.close()) };
}

const job = (i) => ({ id: `job-${i}`, fn: 'noop', params: { i }, after: 0 });

export const timeslice = {
  name: 'timeslice',
  modes: ['perjob', 'batched'],
  describe: () =>
    'Scheduler({ store: postgresStore({ connectionString }), concurrency }), defaults: a claim committed before each body, each end committed before the run is done (those in one host turn share a transaction); one mode, run in both cases',
  /** Topologies it cannot run yet, with the reason. */
  unsupported: { p4: 'timeslice not run in p4: its PostgreSQL store has one owner at a time until the cluster mode of issue 13 lands (a second process waits as a standby)' },
  /** A completed one-off's task row is kept with status 'completed' (retention is off). */
  remainingSql: "SELECT count(*)::int AS n FROM timeslice.tasks WHERE status <> 'completed'",

  /** The schema and `n` one-offs due now, 1,000 per scheduleMany() call, by a scheduler that is never started (nothing runs). Untimed. */
  async prepare(connectionString, n) {
    const { scheduler, close } = makeScheduler(connectionString, 1);
    scheduler.define('noop', () => {});
    try {
      for (let i = 0; i < n; i += CHUNK) {
        await scheduler.scheduleMany(Array.from({ length: Math.min(CHUNK, n - i) }, (_, k) => job(i + k)));
      }
    } finally {
      await close();
    }
  },

  /** A scheduler with `workers` concurrency; start() starts it and waits for `ready` (store open, stored tasks recovered). */
  async open({ connectionString, workers, onRun }) {
    const { scheduler, close } = makeScheduler(connectionString, workers);
    scheduler.define('noop', async (params) => {
      onRun(params.i);
    });
    return {
      async start() {
        scheduler.start();
        await scheduler.ready;
      },
      async add(i) {
        await scheduler.schedule(job(i));
      },
      stop: close,
    };
  },
};
