// Durable registrations per second in SQLite (WAL, synchronous=FULL: each
// commit fsynced). Every registration is a full task record written through a
// SqliteStore opened on a fresh file; the clock runs from the first request
// until the last promise has resolved (= committed). Implementations:
//   write-batcher   n concurrent `batcher.add(record)` calls: the group-commit
//                   path (one transaction per tick, at most 10,000 records each)
//   one-call        one `store.putTasks(all n records)`: a single transaction,
//                   the floor the batcher's overhead is measured against
//   one-at-a-time   `await store.putTasks([record])` n times: a transaction and
//                   an fsync per registration
// The file is created and opened before the timed region, and its task count
// is checked after each repetition.
import '../../../scripts/current-dist.mjs';
import { SqliteStore } from '../../../dist/store/sqlite.js';
import { WriteBatcher } from '../../../dist/store.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';
import { Stopwatch } from '../../lib/stopwatch.mjs';
import { benchTasks, expectTaskCount, scratchDir } from './workload.mjs';

const UNITS = { registrationsPerSec: 'registrations/s', usPerRegistration: 'us/registration' };

const IMPLS = [
  {
    name: 'write-batcher',
    async register(store, records) {
      const batcher = new WriteBatcher({ write: (tasks) => store.putTasks(tasks) });
      await Promise.all(records.map((record) => batcher.add(record)));
    },
  },
  {
    name: 'one-call',
    register: (store, records) => store.putTasks(records),
  },
  {
    name: 'one-at-a-time',
    async register(store, records) {
      for (const record of records) await store.putTasks([record]);
    },
  },
];

async function runOnce(impl, records, synchronous, stopwatch = new Stopwatch()) {
  const scratch = scratchDir();
  const store = new SqliteStore({ path: scratch.file('register.db'), synchronous });
  try {
    await store.open();
    stopwatch.start();
    await impl.register(store, records);
    stopwatch.stop();
    const elapsedMs = stopwatch.wallMs;
    await expectTaskCount(store, records.length, impl.name);
    return { registrationsPerSec: records.length / (elapsedMs / 1000), usPerRegistration: (elapsedMs * 1000) / records.length };
  } finally {
    await store.close();
    scratch.remove();
  }
}

export async function registrationCase(plan, ctx) {
  const rows = [];
  for (const synchronous of plan.synchronousLevels) {
    for (const impl of IMPLS) {
      const n = impl.name === 'one-at-a-time' ? plan.oneAtATimeN : plan.batchedN;
      const records = benchTasks(n);
      await runOnce(impl, benchTasks(Math.min(n, 1000)), synchronous); // warm-up, untimed
      ctx.log(`register ${impl.name}, synchronous=${synchronous}: n=${n} x ${plan.registrationReps} reps`);
      const samples = await interleaveAsync([impl], plan.registrationReps, (_impl, _rep, stopwatch) => runOnce(impl, records, synchronous, stopwatch));
      rows.push(...toRows(`register-durable-${synchronous}`, n, samples, UNITS), ...cpuRows(`register-durable-${synchronous}`, n, samples, { per: 'registration' }));
    }
  }
  return rows;
}
