// BullMQ on the suite's own redis-server (redis-server.mjs: AOF with
// appendfsync always, so each write Redis acknowledges is on disk): `addBulk()`
// of n jobs, a Worker with the given concurrency in this process, `completed`
// events (after the job was moved to the completed set) to see each
// completion. Completed jobs are kept, as the SQLite peers keep theirs. Redis
// runs in its own process: its CPU is reported apart (serverCpuMs), read from
// INFO before and after the timed region.
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';
import { expectEach } from './jobs.mjs';

async function serverCpuMs(client) {
  const info = await client.info('cpu');
  const field = (name) => Number(info.match(new RegExp(`^${name}:([0-9.]+)`, 'm'))?.[1] ?? Number.NaN);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

let prefixes = 0;

/** A queue under a fresh key prefix, and a client for INFO and the clean-up. */
async function openQueue(port) {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const admin = new IORedis(connection);
  const appendfsync = (await admin.config('GET', 'appendfsync'))[1];
  const appendonly = (await admin.config('GET', 'appendonly'))[1];
  if (appendonly !== 'yes' || appendfsync !== 'always') throw new Error(`bullmq: redis runs appendonly=${appendonly} appendfsync=${appendfsync}, expected yes/always`);
  const prefix = `bench${process.pid}-${++prefixes}`;
  const queue = new Queue('durable', { connection, prefix });
  await queue.waitUntilReady();
  const close = async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await admin.quit();
  };
  return { connection, prefix, admin, queue, close };
}

export const bullmq = {
  name: 'bullmq',
  durability: () => 'Redis AOF, appendfsync always',

  /** addBulk(n jobs); no worker. */
  async enqueue({ n, redisPort, stopwatch }) {
    const q = await openQueue(redisPort);
    try {
      const cpu0 = await serverCpuMs(q.admin);
      stopwatch.start();
      const list = [];
      for (let i = 0; i < n; i++) list.push({ name: 'noop', data: { i } });
      await q.queue.addBulk(list);
      stopwatch.stop();
      const serverMs = (await serverCpuMs(q.admin)) - cpu0;
      const waiting = await q.queue.getWaitingCount();
      if (waiting !== n) throw new Error(`bullmq enqueue: ${waiting} jobs waiting, expected ${n}`);
      return { serverCpuMs: serverMs };
    } finally {
      await q.close();
    }
  },

  /** A Worker waiting for jobs (started beforehand); timed: addBulk(n) until the n-th `completed`. */
  async endToEnd({ n, redisPort, concurrency, stopwatch }) {
    const q = await openQueue(redisPort);
    const runs = new Uint8Array(n);
    let completed = 0;
    let allDone;
    const done = new Promise((resolve) => {
      allDone = resolve;
    });
    const worker = new Worker(
      'durable',
      async (job) => {
        runs[job.data.i]++;
      },
      { connection: q.connection, prefix: q.prefix, concurrency },
    );
    worker.on('completed', () => ++completed === n && allDone());
    try {
      await worker.waitUntilReady();
      const cpu0 = await serverCpuMs(q.admin);
      stopwatch.start();
      const list = [];
      for (let i = 0; i < n; i++) list.push({ name: 'noop', data: { i } });
      await q.queue.addBulk(list);
      await done;
      stopwatch.stop();
      const serverMs = (await serverCpuMs(q.admin)) - cpu0;
      await worker.close();
      expectEach('bullmq', runs, 1);
      const stored = await q.queue.getCompletedCount();
      if (stored !== n) throw new Error(`bullmq end to end: ${stored} jobs completed in Redis, expected ${n}`);
      return { serverCpuMs: serverMs };
    } finally {
      await worker.close();
      await q.close();
    }
  },
};
