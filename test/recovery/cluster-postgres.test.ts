// Cluster mode over PostgreSQL: Schedulers with { store: PostgresStore,
// cluster: true } on one schema are processes sharing one durable schedule,
// each store with a pool of its own. The store's clock is the test-only
// `clock` option (a VirtualClock standing for the database server's), so the
// cases of cluster-scheduler-cases.ts run as on MemoryClusterStore. The last case
// runs as deployed, on the host's clock and the database's now(), with no
// virtual time: it waits (bounded) for the runs themselves.
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import { type PostgresStore, postgresStore } from '../../src/store/postgres-store.js';
import type { VirtualClock } from '../../src/testing/index.js';
import { type TestDatabase, usePostgresDatabase } from '../persistence/postgres-db.js';
import { clusterSchedulerCases } from './cluster-scheduler-cases.js';
import { trackStoreCalls } from './helpers.js';

const db: TestDatabase = usePostgresDatabase('cluster_runner');
const running: Scheduler[] = [];
const stores: PostgresStore[] = [];

/** A process: its own scheduler on `clock`, its own store and pool on the schema, the store reading `dbClock`. */
function process(schema: string, dbClock: VirtualClock, clock: VirtualClock, options: SchedulerOptions = {}): Scheduler {
  const store = postgresStore({ connectionString: db.url }, { schema, clock: dbClock });
  stores.push(store);
  const scheduler = new Scheduler({
    clock, store: trackStoreCalls(store), cluster: true, clockWatch: false, retention: false, onError: false, ...options,
  });
  running.push(scheduler);
  return scheduler;
}

afterEach(async () => {
  for (const scheduler of running.splice(0)) await scheduler.stop({ drain: false }).catch(() => {});
  for (const store of stores.splice(0)) await store.close();
});

describe('cluster mode on PostgreSQL (Scheduler with cluster: true)', () => {
  it('rejects ready with a StoreError when the server cannot be reached, and stop() then resolves, as with one owner', async () => {
    for (const cluster of [true, false]) {
      // Port 1: nothing listens there, so the connection is refused at once.
      const scheduler = new Scheduler({ store: postgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/none' }), cluster, clockWatch: false });
      scheduler.start();
      await expect(scheduler.ready, `cluster: ${cluster}`).rejects.toMatchObject({ name: 'StoreError', message: expect.stringMatching(/ECONNREFUSED/) });
      await expect(scheduler.stop(), `cluster: ${cluster}`).resolves.toBeUndefined();
    }
  });

  clusterSchedulerCases((dbClock) => {
    const schema = db.nextSchema();
    return (clock, options) => process(schema, dbClock, clock, options);
  });


  it('runs on the database\'s own clock as deployed (no injected clock): 40 one-offs due now, each once, across two schedulers', async () => {
    const schema = db.nextSchema();
    const ran: Array<[number, string]> = [];
    let allRan!: () => void;
    const done = new Promise<void>((resolve) => (allRan = resolve));
    const schedulers = [0, 1].map((i) => {
      const store = postgresStore({ connectionString: db.url }, { schema });
      stores.push(store);
      const scheduler = new Scheduler({ store, cluster: { pollMs: 50 }, clockWatch: false, retention: false, onError: false });
      running.push(scheduler);
      scheduler.define('job', async (_params, ctx) => {
        ran.push([i, ctx.taskId]);
        if (ran.length === 40) allRan();
      });
      return scheduler;
    });
    for (const s of schedulers) {
      s.start();
      await s.ready;
    }
    for (let k = 0; k < 40; k++) await schedulers[k % 2]!.schedule({ id: `job-${k}`, fn: 'job', after: 0 });
    await done;
    expect(ran.map(([, id]) => id).sort()).toEqual(Array.from({ length: 40 }, (_, k) => `job-${k}`).sort());
    for (const s of schedulers) await s.stop();
    const records = await Promise.all(ran.map(async ([, id]) => (await stores[0]!.history(id)).executions.map((e) => [e.outcome, e.attempt])));
    expect(records.filter((r) => JSON.stringify(r) !== '[["succeeded",1]]')).toEqual([]);
  }, 20_000);

  it('writes a registration of new tasks and their first rows in one transaction, and a start offers the rows only of pending tasks that have none', async () => {
    const schema = db.nextSchema();
    const make = (name: string, started: boolean) => {
      const store = postgresStore({ connectionString: db.url }, { schema });
      stores.push(store);
      const calls: string[] = [];
      for (const method of ['putTasks', 'offerSlots', 'registerTasks', 'loadTasks', 'unofferedTasks'] as const) {
        const original = (store[method] as (...args: unknown[]) => unknown).bind(store);
        (store as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
          calls.push(method);
          return original(...args);
        };
      }
      const ran: string[] = [];
      const scheduler = new Scheduler({ store, cluster: { pollMs: 50 }, clockWatch: false, retention: false, onError: false });
      running.push(scheduler);
      scheduler.define('job', (_params, ctx) => void ran.push(`${name} ${ctx.taskId}`));
      if (started) scheduler.start();
      return { scheduler, calls, ran };
    };
    const producer = make('producer', false);
    await producer.scheduler.scheduleMany([{ id: 'a', fn: 'job', after: 0 }, { id: 'b', fn: 'job', after: 0 }]);
    // Registration: one call, one transaction (one commit) for the records and their rows.
    expect(producer.calls).toEqual(['registerTasks']);
    expect((await db.query(`SELECT task_id FROM ${schema}.open_slots ORDER BY task_id`)).map((r) => r.task_id)).toEqual(['a', 'b']);
    // 'b' as if its registration had been cut between its record and its row (a crash; a merge offers in a second transaction).
    await db.query(`DELETE FROM ${schema}.open_slots WHERE task_id = 'b'`);
    const worker = make('worker', true);
    await worker.scheduler.ready;
    expect(worker.calls.filter((c) => c !== 'registerTasks')).toEqual(['unofferedTasks', 'offerSlots']);
    const until = Date.now() + 10_000;
    while (worker.ran.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.ran.sort()).toEqual(['worker a', 'worker b']);
  }, 20_000);
});
