// The durable suite: timeslice's durable tasks (a Scheduler over its
// SqliteStore, through the public API the README shows) against the durable
// job queues a Node user would pick instead, at equal durability:
//   full     SQLite WAL with synchronous=FULL (timeslice, plainjob) and BullMQ
//            on a Redis with AOF and appendfsync always: a job is on disk
//            (fsynced) when its enqueue or completion is acknowledged
//   normal   SQLite WAL with synchronous=NORMAL (timeslice, plainjob): safe
//            from a process crash, the last commits may be lost on power loss
// Parts live in ./durable/; bench/README.md ("The durable suite") explains
// each case.
//
// Cases (n = 10,000 no-op jobs, one process):
//   enqueue-<level>           one batched enqueue: scheduleMany, addMany, addBulk
//   end-to-end-c1-<level>     enqueue, then one job at a time until the n-th completion is durable
//   end-to-end-c8-<level>     the same, eight at a time
import { bullmq } from './durable/bullmq.mjs';
import { durableCases } from './durable/cases.mjs';
import { deriveDurableFigures } from './durable/derive.mjs';
import { durableHeadline } from './durable/headline.mjs';
import { plainjob } from './durable/plainjob.mjs';
import { startRedisServer } from './durable/redis-server.mjs';
import { timeslice } from './durable/timeslice.mjs';

const FULL = { n: 10_000, warmN: 2000, enqueueReps: 5, endToEndReps: 3, concurrencies: [1, 8], levels: ['full', 'normal'] };
// Only checks that every case runs and verifies its work (npm test runs it).
const QUICK = { n: 300, warmN: 50, enqueueReps: 1, endToEndReps: 1, concurrencies: [1, 8], levels: ['full', 'normal'] };

export default {
  name: 'durable',
  description: 'Durable jobs: timeslice (SqliteStore) vs plainjob and BullMQ (Redis, AOF fsync always) at equal durability: batched enqueue, end to end at concurrency 1 and 8',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    ctx.info.plan = plan;
    const redis = await startRedisServer({ fsync: 'always' });
    try {
      const durability = {};
      const rows = [];
      for (const level of plan.levels) {
        const impls = level === 'full' ? [timeslice, plainjob, bullmq] : [timeslice, plainjob];
        durability[level] = Object.fromEntries(impls.map((impl) => [impl.name, impl.durability(level)]));
        rows.push(...(await durableCases(plan, ctx, { level, impls, redisPort: redis.port })));
      }
      ctx.info.durability = durability;
      return rows;
    } finally {
      await redis.stop();
    }
  },
  derive: deriveDurableFigures,
  headline: durableHeadline,
};
