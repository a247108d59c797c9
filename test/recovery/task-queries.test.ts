// scheduler.tasks(): durable tasks read back with their metadata and derived
// fields (created/updated times, next slot, count, last error, last
// execution), filtered and paged with an opaque cursor, over MemoryStore,
// SqliteStore and IndexedDbStore, on the VirtualClock; the fields stay right
// over a crash and a restart; bad queries are refused with typed errors.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { InvalidCursorError, Scheduler } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const LEASE = { ttlMs: 1000 };

const stores = restartStores(['MemoryStore', 'SqliteStore', 'IndexedDbStore', 'PostgresStore']);

const at = (offsetMs: number) => WALL_START_MS + offsetMs;

describe.each(stores)('scheduler.tasks() over %s', (_name, makeStores) => {
  it('reads tasks with their metadata and derived fields, filtered by status, owner module, name and next slot', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const scheduler = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: LEASE, onError: () => {} });
    scheduler.define('ok', () => 'done');
    scheduler.define('boom', () => {
      throw new Error('disk on fire');
    });
    await scheduler.schedule({ id: 'backup', fn: 'ok', every: '10s', ownerModule: 'core.settings', name: 'backup', description: 'Daily settings backup', metadata: { team: 'ops' } });
    await advanceWithIo(clock, 1000);
    await scheduler.schedule({ id: 'report', fn: 'boom', after: '5s', ownerModule: 'reports', name: 'report', retry: 1 });
    await scheduler.schedule({ id: 'later', fn: 'ok', after: '1h', ownerModule: 'reports', name: 'report' });
    scheduler.start();
    await scheduler.ready;
    await advanceWithIo(clock, 20_500);

    const { tasks, cursor } = await scheduler.tasks();
    expect(cursor).toBeNull();
    expect(tasks.map((t) => t.id)).toEqual(['backup', 'later', 'report']);
    const [backup, later, report] = tasks;
    expect(backup).toMatchObject({
      name: 'backup', description: 'Daily settings backup', ownerModule: 'core.settings', metadata: { team: 'ops' },
      status: 'pending', createdAtMs: at(0), executionCount: 2, nextExecutionMs: at(30_000), lastError: null,
      lastExecution: { nominalMs: at(20_000), outcome: 'succeeded' },
    });
    expect(backup!.updatedAtMs).toBeGreaterThanOrEqual(at(20_000));
    expect(backup!.lastExecution!.endedAtMs).toBeGreaterThanOrEqual(at(20_000));
    expect(later).toMatchObject({ status: 'pending', createdAtMs: at(1000), executionCount: 0, nextExecutionMs: at(3_601_000), lastExecution: null });
    expect(report).toMatchObject({
      status: 'failed', executionCount: 1, nextExecutionMs: null, lastError: 'disk on fire',
      lastExecution: { nominalMs: at(6000), outcome: 'failed' },
    });

    const ids = async (query: Parameters<Scheduler['tasks']>[0]) => (await scheduler.tasks(query)).tasks.map((t) => t.id);
    expect(await ids({ status: 'failed' })).toEqual(['report']);
    expect(await ids({ status: ['pending', 'failed'], ownerModule: 'reports' })).toEqual(['later', 'report']);
    expect(await ids({ name: 'report' })).toEqual(['later', 'report']);
    expect(await ids({ ownerModule: 'core.settings' })).toEqual(['backup']);
    expect(await ids({ nextBefore: new Date(at(60_000)) })).toEqual(['backup']);
    expect(await ids({ status: 'pending', nextBefore: at(3_601_001) })).toEqual(['backup', 'later']);
    expect(await ids({ status: 'cancelled' })).toEqual([]);
    await scheduler.unschedule('later');
    expect(await ids({ status: 'cancelled' })).toEqual(['later']);
    await scheduler.stop();
  }, 30_000);

  it('pages with an opaque cursor: each task once, in id order, while tasks are added and removed between pages', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const scheduler = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: LEASE });
    scheduler.define('ok', () => {});
    const id = (n: number) => `job-${String(n).padStart(3, '0')}`;
    await scheduler.scheduleMany(Array.from({ length: 25 }, (_, n) => ({ id: id(n * 2), fn: 'ok', after: '1h' })));
    const seen: string[] = [];
    let page = await scheduler.tasks({ limit: 4 });
    for (let round = 0; ; round++) {
      seen.push(...page.tasks.map((t) => t.id));
      if (page.cursor === null) break;
      expect(page.cursor).toMatch(/^t1\./);
      // Between pages: a task added before the cursor, one after it, and one not yet seen removed.
      await scheduler.schedule({ id: id(round * 4 + 1), fn: 'ok', after: '1h' });
      await scheduler.schedule({ id: id(99 - round), fn: 'ok', after: '1h' });
      if (round === 1) await scheduler.unschedule(id(40));
      page = await scheduler.tasks({ limit: 4, cursor: page.cursor });
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(seen);
    // Every original task is there once (the cancelled one too: no status filter).
    for (let n = 0; n < 25; n++) expect(seen).toContain(id(n * 2));
    await scheduler.stop();
  }, 30_000);

  it('keeps the derived fields right over a crash and a restart: running while cut short, then counted once its retry ends', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const firstStore = openStore();
    const first = new Scheduler({ clock, store: firstStore, clockWatch: false, retention: false, lease: LEASE });
    first.define('job', (_params, ctx) => (ctx.nominalMs === at(20_000) ? new Promise<void>(() => {}) : undefined));
    await first.schedule({ id: 'j', fn: 'job', every: '10s', retry: 2, ownerModule: 'm' });
    first.start();
    await advanceWithIo(clock, 21_000);
    expect((await first.tasks({ status: 'running' })).tasks).toMatchObject([
      { id: 'j', executionCount: 1, lastExecution: { nominalMs: at(10_000), outcome: 'succeeded' } },
    ]);
    // A crash mid-run: the store closed under the scheduler; its lease lapses.
    await firstStore.close();
    await first.stop({ drain: false }).catch(() => {});
    await advanceWithIo(clock, 1000);

    const second = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: LEASE });
    // Read before recovery: the store still says running (the slot is claimed, its attempt never ended).
    expect((await second.tasks({ ownerModule: 'm' })).tasks).toMatchObject([{ id: 'j', status: 'running', executionCount: 1 }]);
    second.define('job', () => {});
    second.start();
    await second.ready;
    await advanceWithIo(clock, 1000);
    const { tasks } = await second.tasks({ status: 'pending' });
    expect(tasks).toMatchObject([{
      id: 'j', executionCount: 2, nextExecutionMs: at(30_000), lastError: null,
      lastExecution: { nominalMs: at(20_000), outcome: 'succeeded' },
    }]);
    await second.stop();
  }, 30_000);
});

describe('scheduler.tasks() arguments', () => {
  const scheduler = new Scheduler({ clock: new VirtualClock(), store: new MemoryStore(), clockWatch: false, retention: false });
  it.each([
    [{ status: 'done' }, 'status'],
    [{ status: [] }, 'status'],
    [{ ownerModule: '' }, 'ownerModule'],
    [{ name: 42 }, 'name'],
    [{ nextBefore: 'tomorrow' }, 'nextBefore'],
    [{ nextBefore: new Date(Number.NaN) }, 'nextBefore'],
    [{ limit: 0 }, 'limit'],
    [{ limit: 1001 }, 'limit'],
    [{ limit: 2.5 }, 'limit'],
    [{ module: 'billing' }, 'ownerModule'],
    ['pending', 'object'],
  ])('refuses %j with InvalidArgumentError naming %s', async (query, word) => {
    const error = await scheduler.tasks(query as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    expect(String((error as Error).message)).toContain(word);
  });

  // 't1._w' is the byte 0xFF: not UTF-8.
  it.each(['', 'abc', 't1.', 't1.!!', 't1._w', 't2.YQ', 't1.YQ=', 42])('refuses the cursor %j with InvalidCursorError', async (cursor) => {
    const error = await scheduler.tasks({ cursor: cursor as never }).catch((e: unknown) => e);
    expect(InvalidCursorError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_INVALID_CURSOR' });
  });

  it('accepts a cursor it gave, with any id (slashes, spaces, emoji)', async () => {
    const s = new Scheduler({ clock: new VirtualClock(), store: new MemoryStore(), clockWatch: false, retention: false });
    s.define('ok', () => {});
    const ids = ['a/b c', 'é', '😀', 'z'];
    await s.scheduleMany(ids.map((id) => ({ id, fn: 'ok', after: '1h' })));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await s.tasks({ limit: 1, cursor });
      seen.push(...page.tasks.map((t) => t.id));
      cursor = page.cursor;
    } while (cursor !== null);
    expect(seen).toEqual([...ids].sort());
    await s.stop();
  });

  it('rejects with NoStoreError without a store', async () => {
    await expect(new Scheduler({ clock: new VirtualClock() }).tasks()).rejects.toMatchObject({ code: 'ERR_NO_STORE' });
  });
});

describe('scheduler.tasks() over a store without queryTasks (one written for an older timeslice)', () => {
  it('reads every task and answers the same filters, pages and last executions', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore();
    // Shadow the method: the scheduler must fall back to loadTasks() and getExecution().
    Object.defineProperty(store, 'queryTasks', { value: undefined });
    const scheduler = new Scheduler({ clock, store, clockWatch: false, retention: false });
    scheduler.define('ok', () => {});
    await scheduler.scheduleMany([
      { id: 'c', fn: 'ok', every: '10s', ownerModule: 'm' },
      { id: 'a', fn: 'ok', after: '1h', ownerModule: 'm' },
      { id: 'b', fn: 'ok', after: '1h' },
    ]);
    scheduler.start();
    await scheduler.ready;
    await clock.advance(10_500);
    const first = await scheduler.tasks({ ownerModule: 'm', limit: 1 });
    expect(first.tasks.map((t) => t.id)).toEqual(['a']);
    const second = await scheduler.tasks({ ownerModule: 'm', limit: 1, cursor: first.cursor });
    expect(second).toMatchObject({ tasks: [{ id: 'c', executionCount: 1, lastExecution: { nominalMs: at(10_000), outcome: 'succeeded' } }], cursor: null });
    expect((await scheduler.tasks({ nextBefore: at(20_001) })).tasks.map((t) => t.id)).toEqual(['c']);
    await scheduler.stop();
  });
});
