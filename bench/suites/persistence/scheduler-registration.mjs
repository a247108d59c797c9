// Durable registrations per second through the Scheduler (a SqliteStore with
// synchronous=FULL): what a user of `scheduler.schedule()` gets, validation,
// the record, the group commit and entering the task into the core included.
// The clock runs from the first call until the last promise has resolved
// (= committed). Implementations:
//   schedule-batched   n `scheduler.schedule(options)` calls in one tick: one
//                      transaction per tick (at most 10,000 records each)
//   scheduleMany       one `scheduler.scheduleMany(all n)`: one transaction per 10,000
//   schedule-one-at-a-time   `await scheduler.schedule(options)` n times: a
//                      transaction and an fsync per registration
// Tasks run hourly (nothing runs during the measurement); the scheduler is
// not started. The file is created and the store opened before the timed
// region; the stored count is checked after each repetition.
import '../../../scripts/current-dist.mjs';
import { Scheduler } from '../../../dist/index.js';
import { SqliteStore } from '../../../dist/store/sqlite.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';
import { Stopwatch } from '../../lib/stopwatch.mjs';
import { expectTaskCount, scratchDir } from './workload.mjs';

const UNITS = { registrationsPerSec: 'registrations/s', usPerRegistration: 'us/registration' };

/** The i-th registration: a named function, small JSON params, hourly. */
function registration(i) {
  return { id: `task-${String(i).padStart(7, '0')}`, fn: 'sendReport', params: { userId: i, kind: 'daily', channels: ['email'] }, every: '1h' };
}

const IMPLS = [
  { name: 'schedule-batched', register: (s, list) => Promise.all(list.map((options) => s.schedule(options))) },
  { name: 'scheduleMany', register: (s, list) => s.scheduleMany(list) },
  {
    name: 'schedule-one-at-a-time',
    async register(s, list) {
      for (const options of list) await s.schedule(options);
    },
  },
];

async function runOnce(impl, list, stopwatch = new Stopwatch()) {
  const scratch = scratchDir();
  const store = new SqliteStore(scratch.file('scheduler-register.db'));
  const scheduler = new Scheduler({ store, clockWatch: false, retention: false });
  scheduler.define('sendReport', () => {});
  try {
    await scheduler.getTask('warm-up'); // opens the store, untimed
    stopwatch.start();
    await impl.register(scheduler, list);
    stopwatch.stop();
    const elapsedMs = stopwatch.wallMs;
    await expectTaskCount(store, list.length, impl.name);
    return { registrationsPerSec: list.length / (elapsedMs / 1000), usPerRegistration: (elapsedMs * 1000) / list.length };
  } finally {
    await scheduler.stop();
    await store.close();
    scratch.remove();
  }
}

export async function schedulerRegistrationCase(plan, ctx) {
  const rows = [];
  for (const impl of IMPLS) {
    const n = impl.name === 'schedule-one-at-a-time' ? plan.oneAtATimeN : plan.batchedN;
    const list = Array.from({ length: n }, (_, i) => registration(i));
    await runOnce(impl, list.slice(0, Math.min(n, 1000))); // warm-up, untimed
    ctx.log(`scheduler ${impl.name}: n=${n} x ${plan.registrationReps} reps`);
    const samples = await interleaveAsync([impl], plan.registrationReps, (_impl, _rep, stopwatch) => runOnce(impl, list, stopwatch));
    rows.push(...toRows('scheduler-register-full', n, samples, UNITS), ...cpuRows('scheduler-register-full', n, samples, { per: 'registration' }));
  }
  return rows;
}
