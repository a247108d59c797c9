// One owner: a crash after a failed attempt's end was committed, before its
// retry ran. The retry is not lost: after a restart it runs once, as the next
// attempt, after the backoff the live path would have waited, measured from
// the failure (not from the restart), so a crash during the backoff neither
// shortens the wait nor uses up an attempt. A crash after the retry's start
// was stored is a crash of that attempt: recorded as interrupted and retried
// by the policy, never retried twice. Over every store the contract suite
// covers; the crash is the store closed under the scheduler right after the
// write named (Harness.crash's way), then the scheduler dropped undrained.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import type { Store } from '../../src/store/store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const stores = restartStores(['MemoryStore', 'SqliteStore', 'IndexedDbStore', 'PostgresStore']);
const LEASE = { ttlMs: 1_000 };

/**
 * Closes `store` right after the first write `after` picks has committed
 * (its answer still returned): nothing the scheduler writes later lands, as
 * if the process died there. `after` sees each write's name and request.
 */
function crashAfter(store: Store, after: (write: string, request: unknown) => boolean): { crashed: () => boolean } {
  let crashed = false;
  const wrap = <K extends 'complete' | 'completeAndClaim' | 'retry'>(name: K) => {
    const real = store[name]?.bind(store) as ((...args: unknown[]) => Promise<unknown>) | undefined;
    if (real === undefined) return;
    (store as unknown as Record<K, unknown>)[name] = async (...args: unknown[]) => {
      const result = await real(...args);
      if (!crashed && after(name, args[0])) {
        crashed = true;
        await store.close();
      }
      return result;
    };
  };
  wrap('complete');
  wrap('completeAndClaim');
  wrap('retry');
  return { crashed: () => crashed };
}

/** Whether a complete() or completeAndClaim() request ends an attempt of `executionId` as failed. */
function endsFailed(write: string, request: unknown, executionId: string): boolean {
  const ends = (write === 'complete' ? [request] : write === 'completeAndClaim' ? (request as unknown[]) : []) as Array<{ executionId: string; outcome: string }>;
  return ends.some((end) => end.executionId === executionId && end.outcome !== 'succeeded');
}

interface Run {
  attempt: number;
  /** Virtual wall time the body started, from WALL_START_MS. */
  atMs: number;
}

function newScheduler(clock: VirtualClock, store: Store, runs: Run[], failUntil: number): Scheduler {
  const s = new Scheduler({ clock, store, clockWatch: false, retention: false, lease: LEASE });
  s.define('flaky', (_p, ctx) => {
    runs.push({ attempt: ctx.attempt, atMs: clock.wallNow() - WALL_START_MS });
    if (ctx.attempt <= failUntil) throw new Error(`boom ${ctx.attempt}`);
    return { attempt: ctx.attempt };
  });
  return s;
}

/** The crash's end: the scheduler dropped undrained, then 1 s, past its lease (LEASE), before anything restarts. */
async function crash(s: Scheduler, clock: VirtualClock): Promise<void> {
  await s.stop({ drain: false }).catch(() => {});
  await advanceWithIo(clock, 1_000);
}

const ID = `flaky/1/${WALL_START_MS + 10_000}`;

describe.each(stores)('one owner over %s: a crash after a failed attempt ended', (_name, makeStores) => {
  it('before its retry: after a restart the retry runs once, as attempt 2, at the failure plus its backoff', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const runs: Run[] = [];
    const firstStore = openStore();
    const first = newScheduler(clock, firstStore, runs, 1);
    // Two attempts: a retry used up without running would leave none, and the slot would end failed.
    await first.schedule({ id: 'flaky', fn: 'flaky', after: '10s', retry: { attempts: 2, backoff: 'fixed', delayMs: 4_000, jitter: 0 } });
    const point = crashAfter(firstStore, (write, request) => endsFailed(write, request, ID));
    first.start();
    await first.ready;
    await advanceWithIo(clock, 11_000);
    expect(point.crashed()).toBe(true);
    await crash(first, clock);
    expect(runs).toEqual([{ attempt: 1, atMs: 10_000 }]);

    // Restarted 2 s after the failure: the retry waits the 2 s left of its backoff.
    const second = newScheduler(clock, openStore(), runs, 1);
    const interrupted: unknown[] = [];
    second.events.addEventListener('executioninterrupted', (e) => interrupted.push(e.detail));
    second.start();
    expect(await second.ready).toMatchObject({ tasks: 1, interrupted: 0, retried: 1, failed: 0 });
    await advanceWithIo(clock, 1_900);
    expect(runs).toEqual([{ attempt: 1, atMs: 10_000 }]);
    await advanceWithIo(clock, 10_000);
    expect(runs).toEqual([{ attempt: 1, atMs: 10_000 }, { attempt: 2, atMs: 14_000 }]);
    // Nothing was interrupted: the attempt failed, and its retry was due.
    expect(interrupted).toEqual([]);
    const { executions } = await second.history('flaky');
    expect(executions.map((e) => [e.id, e.attempt, e.outcome, e.result])).toEqual([[ID, 2, 'succeeded', { attempt: 2 }]]);
    expect(await second.getTask('flaky')).toMatchObject({ status: 'completed', executionCount: 1 });
    await second.stop();
  }, 30_000);

  it('restarted after its backoff: the retry runs at once; an exponential backoff is the policy\'s for that attempt', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const runs: Run[] = [];
    const firstStore = openStore();
    const first = newScheduler(clock, firstStore, runs, 2);
    await first.schedule({ id: 'flaky', fn: 'flaky', after: '10s', retry: { attempts: 3, backoff: 'exponential', delayMs: 1_000, jitter: 0 } });
    // Attempt 1 fails at 10 s, attempt 2 after 1 s; the crash follows attempt 2's failed end.
    let ends = 0;
    const point = crashAfter(firstStore, (write, request) => endsFailed(write, request, ID) && ++ends === 2);
    first.start();
    await first.ready;
    await advanceWithIo(clock, 11_500);
    expect(point.crashed()).toBe(true);
    await crash(first, clock);
    expect(runs).toEqual([{ attempt: 1, atMs: 10_000 }, { attempt: 2, atMs: 11_000 }]);

    // Attempt 3's backoff is 2 s (1 s doubled): due at 13 s. A restart at 12.5 s waits until then.
    const second = newScheduler(clock, openStore(), runs, 2);
    second.start();
    expect(await second.ready).toMatchObject({ interrupted: 0, retried: 1, failed: 0 });
    await advanceWithIo(clock, 400);
    expect(runs).toHaveLength(2);
    await advanceWithIo(clock, 5_000);
    expect(runs.slice(2)).toEqual([{ attempt: 3, atMs: 13_000 }]);
    await second.stop();

    // Once more, with the restart long after the backoff: it runs at once.
    const third = await makeStores();
    const clock3 = new VirtualClock({ wallStartMs: WALL_START_MS });
    const runs3: Run[] = [];
    const store3 = third();
    const s3 = newScheduler(clock3, store3, runs3, 1);
    await s3.schedule({ id: 'flaky', fn: 'flaky', after: '10s', retry: { attempts: 2, backoff: 'fixed', delayMs: 4_000, jitter: 0 } });
    crashAfter(store3, (write, request) => endsFailed(write, request, ID));
    s3.start();
    await s3.ready;
    await advanceWithIo(clock3, 11_000);
    await crash(s3, clock3);
    await advanceWithIo(clock3, 60_000, 1_000);
    const restartedAtMs = clock3.wallNow() - WALL_START_MS;
    const restarted = newScheduler(clock3, third(), runs3, 1);
    restarted.start();
    expect(await restarted.ready).toMatchObject({ retried: 1, failed: 0 });
    await advanceWithIo(clock3, 1_000);
    // At once: within the first 100 ms step of virtual time (an I/O store answers the retry() after that step), not 4 s after the restart.
    expect(runs3.map((r) => r.attempt)).toEqual([1, 2]);
    expect(runs3[1]!.atMs - restartedAtMs).toBeGreaterThanOrEqual(0);
    expect(runs3[1]!.atMs - restartedAtMs).toBeLessThanOrEqual(100);
    expect((await restarted.history('flaky')).executions.map((e) => [e.attempt, e.outcome])).toEqual([[2, 'succeeded']]);
    await restarted.stop();
  }, 30_000);

  it('after its retry was stored: that attempt is interrupted and retried once, never retried twice', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const runs: Run[] = [];
    const firstStore = openStore();
    const first = newScheduler(clock, firstStore, runs, 1);
    await first.schedule({ id: 'flaky', fn: 'flaky', after: '10s', retry: { attempts: 3, backoff: 'fixed', delayMs: 4_000, jitter: 0 } });
    const point = crashAfter(firstStore, (write) => write === 'retry');
    first.start();
    await first.ready;
    await advanceWithIo(clock, 20_000);
    expect(point.crashed()).toBe(true);
    await crash(first, clock);

    const second = newScheduler(clock, openStore(), runs, 1);
    second.start();
    // Attempt 2 was started in the store: whether its body ran is unknown, so it counts (C3: at least once).
    expect(await second.ready).toMatchObject({ interrupted: 1, retried: 1, failed: 0 });
    await advanceWithIo(clock, 10_000);
    expect(runs.map((r) => r.attempt).filter((a) => a === 3)).toEqual([3]);
    const { executions } = await second.history('flaky');
    expect(executions.map((e) => [e.id, e.attempt, e.outcome])).toEqual([[ID, 3, 'succeeded']]);
    expect(await second.getTask('flaky')).toMatchObject({ status: 'completed', executionCount: 1 });
    await second.stop();
  }, 30_000);
});
