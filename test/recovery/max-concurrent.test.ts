// maxConcurrent: at most N durable executions at once. Runs beyond the limit
// wait unclaimed, none lost, and start as slots free up, the most urgent
// priority class first and in arrival order inside a class; describe() says
// they wait for a concurrency slot. On the VirtualClock, with sync and async
// bodies, runNow, unschedule, and over a crash and restart (MemoryStore,
// SqliteStore, IndexedDbStore).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { type PriorityName, Scheduler } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const LEASE = { ttlMs: 1000 };

/** A scheduler on a fresh MemoryStore whose 'work' body logs start and end and takes `bodyMs` of virtual time (0: synchronous). */
function setup(maxConcurrent: number | undefined, bodyMs: number) {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, store: new MemoryStore(), clockWatch: false, retention: false, onError: () => {}, ...(maxConcurrent === undefined ? {} : { maxConcurrent }) });
  const log: string[] = [];
  let running = 0;
  let most = 0;
  scheduler.define('work', async (_params, ctx) => {
    running++;
    most = Math.max(most, running);
    log.push(`start ${ctx.taskId}${ctx.manual ? "(manual)" : ""} @${clock.wallNow() - WALL_START_MS}`);
    if (bodyMs > 0) await ctx.sleep(bodyMs);
    running--;
    log.push(`end ${ctx.taskId}`);
  });
  return { clock, scheduler, log, most: () => most };
}

describe('maxConcurrent', () => {
  it('runs at most N durable executions at once; the others wait, unclaimed, and start by priority class, then arrival', async () => {
    const { clock, scheduler, log, most } = setup(2, 1000);
    const tasks: Array<[string, PriorityName]> = [['bg', 'background'], ['n1', 'normal'], ['low', 'low'], ['n2', 'normal'], ['hi', 'high'], ['crit', 'critical']];
    // The first two are due first and take the slots; the rest come due while both are held.
    await scheduler.schedule({ id: 'first', fn: 'work', after: '1s' });
    await scheduler.schedule({ id: 'second', fn: 'work', after: '1s' });
    for (const [id, priority] of tasks) await scheduler.schedule({ id, fn: 'work', after: '1500ms', priority });
    scheduler.start();
    await scheduler.ready;
    await clock.advance(1600);
    const description = scheduler.describe();
    expect(description.durable).toMatchObject({ running: 2, maxConcurrent: 2 });
    expect(description.durable?.waiting.map((w) => `${w.taskId}:${w.priority}`)).toEqual(['crit:critical', 'hi:high', 'n1:normal', 'n2:normal', 'low:low', 'bg:background']);
    expect(description.durable?.waiting[0]?.why).toBe('waiting for a concurrency slot (2 of 2 durable executions running, maxConcurrent)');
    expect(String(description)).toContain("durable 'crit' [critical] waiting for a concurrency slot");
    // Nothing claimed while waiting: no execution record yet.
    expect((await scheduler.history('crit')).executions).toEqual([]);
    expect((await scheduler.getTask('crit'))?.status).toBe('pending');
    await clock.advance(5000);
    expect(log.filter((l) => l.startsWith('start'))).toEqual([
      'start first @1000', 'start second @1000', 'start crit @2000', 'start hi @2000', 'start n1 @3000', 'start n2 @3000', 'start low @4000', 'start bg @4000',
    ]);
    expect(most()).toBe(2);
    expect(scheduler.describe().durable).toMatchObject({ running: 0, waiting: [] });
    for (const id of ['first', 'second', ...tasks.map(([id]) => id)]) expect((await scheduler.getTask(id))?.status).toBe('completed');
    await scheduler.stop();
  });

  it('with synchronous bodies, gives each slot back as its body returns: every run goes, N at a time', async () => {
    const { clock, scheduler, log, most } = setup(1, 0);
    await scheduler.scheduleMany(['a', 'b', 'c', 'd'].map((id) => ({ id, fn: 'work', after: '1s' })));
    scheduler.start();
    await scheduler.ready;
    await clock.advance(1010);
    expect(log).toEqual(['start a @1000', 'end a', 'start b @1000', 'end b', 'start c @1000', 'end c', 'start d @1000', 'end d']);
    expect(most()).toBe(1);
    await scheduler.stop();
  });

  it('defaults to 10 (seed 004), and Infinity lifts the limit', async () => {
    for (const [limit, expected] of [[undefined, 10], [Number.POSITIVE_INFINITY, 12]] as const) {
      const { clock, scheduler, most } = setup(limit, 1000);
      await scheduler.scheduleMany(Array.from({ length: 12 }, (_, i) => ({ id: `t${i}`, fn: 'work', after: '1s' })));
      scheduler.start();
      await scheduler.ready;
      await clock.advance(1500);
      expect(scheduler.describe().durable?.running).toBe(expected);
      expect(scheduler.describe().durable?.waiting).toHaveLength(12 - expected);
      await clock.advance(2000);
      expect(most()).toBe(expected);
      await scheduler.stop();
    }
  });

  it('a fixed-rate task waiting for a slot keeps its grid; runNow on a waiting task runs the manual run first; an unscheduled waiter never runs', async () => {
    const { clock, scheduler, log } = setup(1, 3000);
    await scheduler.schedule({ id: 'hog', fn: 'work', after: '1s' });
    await scheduler.schedule({ id: 'tick', fn: 'work', every: '2s' });
    await scheduler.schedule({ id: 'gone', fn: 'work', after: '2s' });
    scheduler.start();
    await scheduler.ready;
    await clock.advance(2500);
    expect(scheduler.describe().durable?.waiting.map((w) => w.taskId)).toEqual(['tick', 'gone']);
    const manual = scheduler.runNow('tick');
    await scheduler.unschedule('gone');
    expect(scheduler.describe().durable?.waiting.map((w) => w.taskId)).toEqual(['tick']);
    // The slot goes to tick when hog's body ends, at 4 s: its manual run goes first.
    await clock.advance(1600);
    expect(await manual).toMatchObject({ scheduleVersion: 0, nominalMs: WALL_START_MS + 2500 });
    await clock.advance(6000);
    const starts = log.filter((l) => l.startsWith('start'));
    expect(starts.slice(0, 3)).toEqual(['start hog @1000', 'start tick(manual) @4000', 'start tick @7000']);
    expect(starts.some((l) => l.includes('gone'))).toBe(false);
    const { executions } = await scheduler.history('tick');
    // The schedule's 2 s slot ran late, after the manual run, but as itself: the grid is kept.
    expect(executions.map((e) => [e.scheduleVersion, e.nominalMs - WALL_START_MS, e.outcome]).reverse().slice(0, 2)).toEqual([[1, 2000, 'succeeded'], [0, 2500, 'succeeded']]);
    expect((await scheduler.getTask('gone'))?.status).toBe('cancelled');
    // tick's run in progress would hold a drain until virtual time moves.
    await scheduler.stop({ drain: false });
  });

  it('refuses a maxConcurrent that is not an integer >= 1 or Infinity, and without a store', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '3', null]) {
      expect(() => new Scheduler({ store: new MemoryStore(), maxConcurrent: bad as never })).toThrow(/options\.maxConcurrent must be an integer >= 1 or Infinity/);
    }
    expect(() => new Scheduler({ maxConcurrent: 2 })).toThrow(/options\.maxConcurrent applies only with options\.store/);
  });
});


const stores = restartStores(['MemoryStore', 'SqliteStore', 'IndexedDbStore', 'PostgresStore']);

describe.each(stores)('maxConcurrent over a crash and restart on %s', (_name, makeStores) => {
  it('loses nothing: the runs cut short are retried and the waiting ones run, still N at a time', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const firstStore = openStore();
    const first = new Scheduler({ clock, store: firstStore, clockWatch: false, retention: false, lease: LEASE, maxConcurrent: 2 });
    const started: string[] = [];
    first.define('work', (_params, ctx) => {
      started.push(`${ctx.taskId}#${ctx.attempt}`);
      return new Promise<void>(() => {}); // hangs until the crash
    });
    const ids = ['a', 'b', 'c', 'd', 'e'];
    await first.scheduleMany(ids.map((id) => ({ id, fn: 'work', after: '1s', retry: 3 })));
    first.start();
    await advanceWithIo(clock, 1500);
    expect(started).toEqual(['a#1', 'b#1']);
    expect(first.describe().durable?.waiting.map((w) => w.taskId)).toEqual(['c', 'd', 'e']);
    await firstStore.close();
    await first.stop({ drain: false }).catch(() => {});
    await advanceWithIo(clock, 1000);

    const second = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: LEASE, maxConcurrent: 2 });
    let running = 0;
    let most = 0;
    second.define('work', async (_params, ctx) => {
      running++;
      most = Math.max(most, running);
      started.push(`${ctx.taskId}#${ctx.attempt}`);
      await ctx.sleep(500);
      running--;
    });
    second.start();
    expect(await second.ready).toMatchObject({ tasks: 5, interrupted: 2, retried: 2 });
    await advanceWithIo(clock, 3000);
    expect(started.slice(2).sort()).toEqual(['a#2', 'b#2', 'c#1', 'd#1', 'e#1']);
    expect(most).toBe(2);
    for (const id of ids) expect(await second.getTask(id)).toMatchObject({ status: 'completed', executionCount: 1 });
    await second.stop();
  }, 30_000);
});
