// Cluster mode over PostgreSQL: Schedulers with { store: PostgresStore,
// cluster: true } on one schema are processes sharing one durable schedule,
// each store with a pool of its own. The store's clock is the test-only
// `clock` option (a VirtualClock standing for the database server's), so
// time moves as in cluster-schedulers.test.ts, over real I/O (advanceWithIo
// lets each store call settle before virtual time moves on). The last case
// runs as deployed, on the host's clock and the database's now(), with no
// virtual time: it waits (bounded) for the runs themselves.
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import { type PostgresStore, postgresStore } from '../../src/store/postgres-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { type TestDatabase, usePostgresDatabase } from '../persistence/postgres-db.js';
import { advanceWithIo, trackStoreCalls, WALL_START_MS } from './helpers.js';

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
  it('runs each slot of a per-second task once across three schedulers, and lists them in cluster()', async () => {
    const schema = db.nextSchema();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const ran: Array<[number, number]> = [];
    const schedulers = [0, 1, 2].map(() => process(schema, clock, clock));
    for (const [i, s] of schedulers.entries()) s.define('tick', async (_params, ctx) => void ran.push([i, ctx.nominalMs - WALL_START_MS]));
    for (const s of schedulers) {
      s.start();
      await s.ready;
    }
    await schedulers[0]!.schedule({ id: 'every-second', fn: 'tick', every: '1s' });
    await advanceWithIo(clock, 30_000);
    expect(ran.map(([, nominalMs]) => nominalMs)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 1_000));
    expect(new Set(ran.map(([i]) => i)).size).toBeGreaterThan(1);
    const processes = await schedulers[2]!.cluster();
    expect(processes).toHaveLength(3);
    expect(processes.every((p) => p.expiresAtMs > clock.wallNow())).toBe(true);
    const page = await schedulers[1]!.history('every-second', { limit: 100 });
    expect(page.executions.filter((e) => e.outcome === 'succeeded')).toHaveLength(30);
  });

  it('runs a paused scheduler\'s slot on another within lease + heartbeat; the paused one\'s late end is refused and reported', async () => {
    const schema = db.nextSchema();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const ran: Array<[string, number, number]> = [];
    let releaseA!: () => void;
    const a = process(schema, clock, pausedClock);
    const fenced: unknown[] = [];
    a.events.addEventListener('writefenced', (event) => fenced.push((event as Event & { detail: unknown }).detail));
    a.define('job', (_params, ctx) => {
      ran.push(['a', ctx.attempt, clock.wallNow() - WALL_START_MS]);
      return new Promise<void>((resolve) => (releaseA = resolve));
    });
    a.start();
    await a.ready;
    await a.schedule({ id: 'job', fn: 'job', after: '1s' });
    // The database's clock first, as in cluster-schedulers.test.ts: a claims at its own 1 s only once the store says 1 s.
    await advanceWithIo(clock, 1_000);
    await advanceWithIo(pausedClock, 1_000);
    expect(ran).toEqual([['a', 1, 1_000]]);
    const b = process(schema, clock, clock);
    b.define('job', async (_params, ctx) => void ran.push(['b', ctx.attempt, clock.wallNow() - WALL_START_MS]));
    b.start();
    await b.ready;
    await advanceWithIo(clock, 40_000, 1_000);
    expect(ran).toHaveLength(2);
    const [who, attempt, atMs] = ran[1]!;
    expect([who, attempt]).toEqual(['b', 2]);
    expect(atMs).toBeLessThanOrEqual(1_000 + 30_000 + 10_000);
    releaseA();
    await advanceWithIo(pausedClock, 0);
    expect(fenced).toHaveLength(1);
    const [execution] = (await b.history('job')).executions;
    expect([execution?.outcome, execution?.attempt]).toEqual(['succeeded', 2]);
  });

  it('leaves the cluster on stop(), so cluster() no longer lists it', async () => {
    const schema = db.nextSchema();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const [a, b] = [process(schema, clock, clock), process(schema, clock, clock)];
    for (const s of [a!, b!]) {
      s.start();
      await s.ready;
    }
    expect(await b!.cluster()).toHaveLength(2);
    await a!.stop();
    expect(await b!.cluster()).toHaveLength(1);
  });

  it('runs every second of a per-second cron exactly once under catch-up when its slot holder stops', async () => {
    const schema = db.nextSchema();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const ran: Array<[string, number, number]> = [];
    const a = process(schema, clock, pausedClock);
    a.define('tick', (_params, ctx) => {
      ran.push(['a', ctx.nominalMs - WALL_START_MS, ctx.attempt]);
      return new Promise<void>(() => {});
    });
    a.start();
    await a.ready;
    await a.schedule({ id: 'cron', fn: 'tick', cron: '* * * * * *', missed: { policy: 'catch-up' } });
    await advanceWithIo(clock, 1_000);
    await advanceWithIo(pausedClock, 1_000);
    const b = process(schema, clock, clock);
    b.define('tick', async (_params, ctx) => void ran.push(['b', ctx.nominalMs - WALL_START_MS, ctx.attempt]));
    b.start();
    await b.ready;
    await advanceWithIo(clock, 60_000, 500);
    const seconds = ran.map(([, nominalMs]) => nominalMs);
    // a holds second 1 and stops; b rescues it after a's lease (30 s) at its next heartbeat, then catches up.
    expect(ran[0]).toEqual(['a', 1_000, 1]);
    expect(ran[1]).toEqual(['b', 1_000, 2]);
    expect(seconds.slice(1)).toEqual(Array.from({ length: seconds.length - 1 }, (_, i) => (i + 1) * 1_000));
    expect(seconds.at(-1)).toBeGreaterThanOrEqual(60_000);
    const skipped = (await b.history('cron', { limit: 200 })).executions.filter((e) => e.outcome === 'skipped');
    expect(skipped).toEqual([]);
  });

  it('claims nothing more while it drains: a row due meanwhile runs on another process', async () => {
    const schema = db.nextSchema();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const ran: Array<[string, string]> = [];
    let finishLong!: () => void;
    const a = process(schema, clock, clock);
    a.define('long', () => new Promise<void>((resolve) => (finishLong = resolve)));
    a.define('short', async (_params, ctx) => void ran.push(['a', ctx.taskId]));
    a.start();
    await a.ready;
    await a.schedule({ id: 'long', fn: 'long', after: '1s' });
    await a.schedule({ id: 'later', fn: 'short', after: '3s' });
    await advanceWithIo(clock, 1_000);
    const stopped = a.stop();
    const b = process(schema, clock, clock);
    b.define('short', async (_params, ctx) => void ran.push(['b', ctx.taskId]));
    b.start();
    await b.ready;
    await advanceWithIo(clock, 3_000);
    expect(ran).toEqual([['b', 'later']]);
    finishLong();
    await stopped;
    expect((await b.history('long')).executions.map((e) => [e.outcome, e.attempt])).toEqual([['succeeded', 1]]);
    expect((await b.cluster()).length).toBe(1);
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
});
