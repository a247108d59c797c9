// Cluster mode's wake-up on PostgreSQL, as deployed (the host's clock and the
// database's now(), real connections): a row offered by one process starts on
// another through LISTEN/NOTIFY, not at its poll. The workers poll every
// 10 minutes, so a run that happens at all was woken by a notice (or by the
// claim round after the listener reconnected): no case asserts a duration;
// a lost wake-up shows as the test's timeout.
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { notifyChannel } from '../../src/store/postgres/offer-listener.js';
import { type PostgresStore, postgresStore, type PostgresStoreOptions } from '../../src/store/postgres-store.js';
import { type TestDatabase, usePostgresDatabase } from '../persistence/postgres-db.js';

const db: TestDatabase = usePostgresDatabase('cluster_wake');
const running: Scheduler[] = [];
const stores: PostgresStore[] = [];
const clients: pg.Client[] = [];

afterEach(async () => {
  for (const scheduler of running.splice(0)) await scheduler.stop({ drain: false }).catch(() => {});
  for (const store of stores.splice(0)) await store.close();
  for (const client of clients.splice(0)) await client.end().catch(() => {});
});

/** A cluster-mode scheduler on `schema` that polls every 10 minutes; `onRun` is its `job` function. */
function process(schema: string, onRun: (taskId: string) => void = () => {}, storeOptions: PostgresStoreOptions = {}): Scheduler {
  const store = postgresStore({ connectionString: db.url }, { schema, ...storeOptions });
  stores.push(store);
  const scheduler = new Scheduler({ store, cluster: { pollMs: '10m' }, clockWatch: false, retention: false, onError: false });
  running.push(scheduler);
  scheduler.define('job', (_params, ctx) => onRun(ctx.taskId));
  return scheduler;
}

/** A worker that resolves ran(id) when it runs task `id`. */
function worker(schema: string, storeOptions: PostgresStoreOptions = {}) {
  const waiting = new Map<string, () => void>();
  const done = new Set<string>();
  const scheduler = process(schema, (id) => {
    done.add(id);
    waiting.get(id)?.();
  }, storeOptions);
  return {
    scheduler,
    ran: (id: string) => new Promise<void>((resolve) => (done.has(id) ? resolve() : waiting.set(id, resolve))),
  };
}

async function started(scheduler: Scheduler): Promise<Scheduler> {
  scheduler.start();
  await scheduler.ready;
  return scheduler;
}

/** The backends LISTENing on the schema's channel (their last statement was the LISTEN). */
async function listeners(schema: string): Promise<number[]> {
  const rows = await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query = $1', [`LISTEN ${notifyChannel(schema)}`]);
  return rows.map((r) => r.pid);
}

describe('cluster mode wakes up through LISTEN/NOTIFY on PostgreSQL', () => {
  it('starts a slot another process scheduled without waiting for its poll', async () => {
    const schema = db.nextSchema();
    const b = worker(schema);
    await started(b.scheduler);
    // The producer is never started: it only writes (as an API server would).
    await process(schema).schedule({ id: 'now', fn: 'job', after: 0 });
    await b.ran('now');
    expect(await listeners(schema)).toHaveLength(1);
  });

  it('sends one NOTIFY for a scheduleMany() of 1,000 one-offs', async () => {
    const schema = db.nextSchema();
    const channel = notifyChannel(schema);
    const heard: string[] = [];
    const client = new pg.Client({ connectionString: db.url });
    clients.push(client);
    await client.connect();
    let marker!: () => void;
    const markerHeard = new Promise<void>((resolve) => (marker = resolve));
    client.on('notification', (n) => (n.payload === 'marker' ? marker() : heard.push(n.payload ?? '')));
    await client.query(`LISTEN ${channel}`);
    const producer = process(schema);
    const wallBeforeMs = Date.now();
    await producer.scheduleMany(Array.from({ length: 1_000 }, (_, i) => ({ id: `one-${i}`, fn: 'job', after: 0 })));
    // Notifications reach a listener in commit order: once the marker is heard, every earlier one has been.
    await client.query(`NOTIFY ${channel}, 'marker'`);
    await markerHeard;
    expect(heard).toHaveLength(1);
    // Its payload is the earliest due time, by the database's clock (a ms count, near the host's).
    expect(Math.abs(Number(heard[0]) - wallBeforeMs)).toBeLessThan(60_000);
  });

  it('listens with the settings of a pool of yours, on a connection outside it', async () => {
    const schema = db.nextSchema();
    const pool = new pg.Pool({ connectionString: db.url, max: 1 });
    const store = postgresStore({ pool }, { schema });
    stores.push(store);
    try {
      await store.open();
      let heard!: (dueMs: number) => void;
      const notice = new Promise<number>((resolve) => (heard = resolve));
      const watch = await store.watchOffers({ offered: (dueMs) => heard(dueMs), interrupted: () => {}, resumed: () => {} });
      // The pool's one connection is free: the listener is not one of its.
      expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await process(schema).schedule({ id: 'heard', fn: 'job', after: 0 });
      expect(await notice).toBeTypeOf('number');
      await watch.close();
    } finally {
      await store.close();
      await pool.end();
    }
  });

  it('with listen: false holds no LISTEN connection, and finds the slot at its poll', async () => {
    const schema = db.nextSchema();
    const store = postgresStore({ connectionString: db.url }, { schema, listen: false });
    stores.push(store);
    let ran!: () => void;
    const done = new Promise<void>((resolve) => (ran = resolve));
    const b = new Scheduler({ store, cluster: { pollMs: 50 }, clockWatch: false, retention: false, onError: false });
    running.push(b);
    b.define('job', () => ran());
    await started(b);
    await process(schema).schedule({ id: 'polled', fn: 'job', after: 0 });
    await done;
    expect(await listeners(schema)).toEqual([]);
  });

  it('listens again after its connection is killed, claims what was offered meanwhile, and hears later offers', async () => {
    const schema = db.nextSchema();
    const b = worker(schema);
    const errors: string[] = [];
    let dropped!: () => void;
    const droppedOnce = new Promise<void>((resolve) => (dropped = resolve));
    b.scheduler.events.addEventListener('storeerror', (e) => {
      errors.push(e.detail.operation);
      dropped();
    });
    await started(b.scheduler);
    const [first] = await listeners(schema);
    expect(first).toBeTypeOf('number');
    await db.query('SELECT pg_terminate_backend($1)', [first]);
    await droppedOnce;
    expect(errors).toEqual(['watchOffers']);
    const producer = process(schema);
    // Offered while the listener is down (it connects again after its backoff): run by the round after it is back.
    await producer.schedule({ id: 'meanwhile', fn: 'job', after: 0 });
    await b.ran('meanwhile');
    await vi.waitFor(async () => expect((await listeners(schema)).filter((pid) => pid !== first)).toHaveLength(1), { timeout: 30_000, interval: 50 });
    await producer.schedule({ id: 'later', fn: 'job', after: 0 });
    await b.ran('later');
  });
});
