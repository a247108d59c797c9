// Durable fixed-delay tasks (schedule({ recurring, startAt, endAt })) over a
// restart, on SqliteStore (a file), IndexedDbStore (fake-indexeddb),
// MemoryStore and PostgresStore: the first slot is startAt (now when it is
// past), each next one a delay after the last run ended, none after endAt;
// the window is stored with the task, and the task completes after its last
// run, in the process that restarted. Times are ms from the clock's start.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { type DurableTaskOptions, Scheduler } from '../../src/index.js';
import type { Store } from '../../src/store/store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo } from './helpers.js';
import { restartStores } from './restart-stores.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

const stores = restartStores(['SqliteStore', 'IndexedDbStore', 'MemoryStore', 'PostgresStore']);

/**
 * One process's life: a scheduler on `clock` over a fresh store object, the
 * task defined (logging when each run started, then taking bodyMs of virtual
 * time) and registered.
 */
async function boot(clock: VirtualClock, openStore: () => Store, startedAtMs: number[], task: DurableTaskOptions, t0: number, bodyMs = 0): Promise<Scheduler> {
  const scheduler = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: { ttlMs: '1d', heartbeatMs: '12h' } });
  scheduler.define('job', async (_params, ctx) => {
    startedAtMs.push(clock.wallNow() - t0);
    if (bodyMs > 0) await ctx.sleep(bodyMs);
  });
  await scheduler.schedule(task);
  scheduler.start();
  await scheduler.ready;
  return scheduler;
}

describe.each(stores)('durable recurring with startAt and endAt over %s', (_name, makeStores) => {
  it('runs from startAt a delay after each run, keeps its window across a restart, and completes after the last run before endAt', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const t0 = clock.wallNow();
    const startedAtMs: number[] = [];
    const task: DurableTaskOptions = { id: 'poll', fn: 'job', recurring: '1h', startAt: t0 + 2 * HOUR_MS, endAt: t0 + 7.5 * HOUR_MS };
    const first = await boot(clock, openStore, startedAtMs, task, t0);
    expect(await first.getTask('poll')).toMatchObject({
      scheduleKind: 'fixed-delay', periodMs: HOUR_MS, startAtMs: t0 + 2 * HOUR_MS, endAtMs: t0 + 7.5 * HOUR_MS, nextExecutionMs: t0 + 2 * HOUR_MS,
    });
    await advanceWithIo(clock, 3.5 * HOUR_MS, 15 * MINUTE_MS);
    await first.stop();
    expect(startedAtMs).toEqual([2 * HOUR_MS, 3 * HOUR_MS]);

    // The same registration at the next start: unchanged, its window and next slot read back from the store.
    const second = await boot(clock, openStore, startedAtMs, task, t0);
    expect(await second.getTask('poll')).toMatchObject({ status: 'pending', nextExecutionMs: t0 + 4 * HOUR_MS, endAtMs: t0 + 7.5 * HOUR_MS, scheduleVersion: 1 });
    await advanceWithIo(clock, 10 * HOUR_MS, 15 * MINUTE_MS);
    // 7 h is the last run: the next would start at 8 h, after endAt.
    expect(startedAtMs).toEqual([2, 3, 4, 5, 6, 7].map((h) => h * HOUR_MS));
    expect(await second.getTask('poll')).toMatchObject({ status: 'completed', nextExecutionMs: null, executionCount: 6 });
    await second.stop();
  }, 30_000);

  it('counts each delay from the end of the run before it, across a restart, and starts none after endAt', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const t0 = clock.wallNow();
    const startedAtMs: number[] = [];
    // Runs of 4 min: each next one starts 1 h 4 min after the last started. Steps of a minute, so that a run due
    // on one starts then on every store (a claim on IndexedDB or PostgreSQL answers in real host turns, within a step).
    const task: DurableTaskOptions = { id: 'slow', fn: 'job', recurring: '1h', startAt: t0 + 2 * HOUR_MS, endAt: t0 + 6 * HOUR_MS };
    const first = await boot(clock, openStore, startedAtMs, task, t0, 4 * MINUTE_MS);
    await advanceWithIo(clock, 3.5 * HOUR_MS, MINUTE_MS);
    await first.stop();
    expect(startedAtMs).toEqual([120, 184].map((m) => m * MINUTE_MS));
    expect(await first.getTask('slow')).toMatchObject({ status: 'pending', nextExecutionMs: t0 + 248 * MINUTE_MS });

    const second = await boot(clock, openStore, startedAtMs, task, t0, 4 * MINUTE_MS);
    await advanceWithIo(clock, 6 * HOUR_MS, MINUTE_MS);
    // 312 min (5 h 12) ends at 316; the next would start at 376, after endAt (360).
    expect(startedAtMs).toEqual([120, 184, 248, 312].map((m) => m * MINUTE_MS));
    expect(await second.getTask('slow')).toMatchObject({ status: 'completed', nextExecutionMs: null, executionCount: 4 });
    await second.stop();
  }, 30_000);

  it('runs at once from a past startAt, and stops at maxExecutions before endAt', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const t0 = clock.wallNow();
    const startedAtMs: number[] = [];
    const task: DurableTaskOptions = { id: 'few', fn: 'job', recurring: '10m', startAt: t0 - 24 * HOUR_MS, endAt: t0 + 24 * HOUR_MS, maxExecutions: 3 };
    const scheduler = await boot(clock, openStore, startedAtMs, task, t0);
    // The run due now first: its claim on IndexedDB or PostgreSQL answers in real host turns, which a virtual step would not wait for.
    await advanceWithIo(clock, 0);
    await advanceWithIo(clock, 2 * HOUR_MS, 5 * MINUTE_MS);
    expect(startedAtMs).toEqual([0, 10 * MINUTE_MS, 20 * MINUTE_MS]);
    expect(await scheduler.getTask('few')).toMatchObject({ status: 'completed', nextExecutionMs: null, executionCount: 3, startAtMs: t0 - 24 * HOUR_MS });
    await scheduler.stop();
  }, 30_000);

  it('refuses a new task whose first run, a delay from now, is after endAt; one the store has may be registered again', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const t0 = clock.wallNow();
    const startedAtMs: number[] = [];
    const scheduler = await boot(clock, openStore, startedAtMs, { id: 'once-more', fn: 'job', recurring: '1h', endAt: t0 + 90 * MINUTE_MS }, t0);
    await expect(scheduler.schedule({ id: 'late', fn: 'job', recurring: '1h', endAt: t0 + 30 * MINUTE_MS })).rejects.toMatchObject({
      code: 'ERR_INVALID_SCHEDULE_WINDOW',
      message: expect.stringMatching(/no slot is left before endAt/),
    });
    await advanceWithIo(clock, 3 * HOUR_MS, 15 * MINUTE_MS);
    expect(startedAtMs).toEqual([HOUR_MS]);
    expect(await scheduler.getTask('once-more')).toMatchObject({ status: 'completed', executionCount: 1 });
    // Registered again after its end (the next start of an application): accepted, nothing runs.
    await expect(scheduler.schedule({ id: 'once-more', fn: 'job', recurring: '1h', endAt: t0 + 90 * MINUTE_MS })).resolves.toMatchObject({ status: 'completed' });
    await advanceWithIo(clock, 3 * HOUR_MS, 15 * MINUTE_MS);
    expect(startedAtMs).toEqual([HOUR_MS]);
    expect(await scheduler.getTask('late')).toBeUndefined();
    await scheduler.stop();
  }, 30_000);
});
