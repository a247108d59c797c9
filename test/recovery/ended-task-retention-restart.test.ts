// Retention of ended tasks across a restart: a one-off that ran, a task past
// its maxExecutions, one that failed for good and one unscheduled before it
// ran are deleted with their records once they ended more than maxAgeMs ago;
// pending and recurring tasks stay. After the prune and a restart nothing runs
// again and nothing open is lost; a pruned id is free, so scheduling it again
// makes a new task (a past `at` refused as for any new task). Over SqliteStore
// and IndexedDbStore (fake-indexeddb), in minute steps of the virtual clock,
// each store call awaited before the next step (fake-indexeddb answers in real
// host turns).
import { describe, expect, it } from 'vitest';
import { PastScheduleError, Scheduler, TaskNotFoundError } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, trackStoreCalls, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ENDED = ['completed', 'failed', 'cancelled'] as const;

const stores = restartStores(['SqliteStore', 'IndexedDbStore']);

describe.each(stores)('ended tasks over %s', (_name, makeStores) => {
  it('are deleted with their records after maxAgeMs; after a restart nothing ran again and nothing open was lost', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const runs: string[] = [];
    const define = (s: Scheduler) => {
      s.define('job', (_params, ctx) => {
        runs.push(`${ctx.taskId}@${(ctx.nominalMs - WALL_START_MS) / MINUTE}m`);
      });
      s.define('broken', (_params, ctx) => {
        runs.push(`${ctx.taskId}@${(ctx.nominalMs - WALL_START_MS) / MINUTE}m`);
        throw new Error('broken');
      });
    };
    const retention = { maxAgeMs: '1h', intervalMs: '10m' } as const;
    const first = new Scheduler({ clock, store: trackStoreCalls(openStore()), clockWatch: false, retention, onError: false, lease: { ttlMs: '1d', heartbeatMs: '12h' } });
    define(first);
    await first.schedule({ id: 'one-off', fn: 'job', after: '1m' });
    await first.schedule({ id: 'capped', fn: 'job', every: '1m', maxExecutions: 2 });
    await first.schedule({ id: 'failing', fn: 'broken', after: '1m', retry: 1 });
    await first.schedule({ id: 'cancelled', fn: 'job', every: '1h' });
    await first.schedule({ id: 'later', fn: 'job', after: '3h' });
    await first.schedule({ id: 'ticker', fn: 'job', every: '20m' });
    first.start();
    await first.ready;
    expect(await first.unschedule('cancelled')).toBe(true);
    await advanceWithIo(clock, 3 * MINUTE, MINUTE);
    expect(runs).toEqual(['one-off@1m', 'capped@1m', 'failing@1m', 'capped@2m']);
    const ended = await first.tasks({ status: [...ENDED] });
    expect(ended.tasks.map((t) => [t.id, t.status])).toEqual([['cancelled', 'cancelled'], ['capped', 'completed'], ['failing', 'failed'], ['one-off', 'completed']]);

    // Past maxAgeMs and one interval more: the prune at 70 min keeps what ended after 10 min.
    await advanceWithIo(clock, 70 * MINUTE, MINUTE);
    expect((await first.tasks({ status: [...ENDED] })).tasks).toEqual([]);
    for (const id of ['one-off', 'capped', 'failing', 'cancelled']) {
      expect(await first.getTask(id)).toBeUndefined();
      expect((await first.history(id)).executions).toEqual([]);
    }
    await expect(first.runNow('one-off')).rejects.toBeInstanceOf(TaskNotFoundError);
    // describe() shows the live tasks (the core's, each a 'durableSlot'): 'later' and 'ticker'; an ended task left them when it ended.
    expect(first.describe().tasks).toHaveLength(2);
    expect((await first.tasks({ status: ['pending', 'running'] })).tasks.map((t) => t.id)).toEqual(['later', 'ticker']);
    // The ticker keeps its task; only its records older than an hour went.
    expect((await first.history('ticker')).executions.map((e) => (e.nominalMs - WALL_START_MS) / MINUTE)).toEqual([60, 40, 20]);
    await first.stop();

    const second = new Scheduler({ clock, store: trackStoreCalls(openStore()), clockWatch: false, retention, onError: false, lease: { ttlMs: '1d', heartbeatMs: '12h' } });
    define(second);
    second.start();
    expect(await second.ready).toMatchObject({ tasks: 2 });
    const before = runs.length;
    await advanceWithIo(clock, 110 * MINUTE, MINUTE);
    // 3 h 3 min: 'later' ran once at 3 h; the ticker went on; none of the pruned tasks ran again.
    expect(runs.slice(before)).toEqual(['ticker@80m', 'ticker@100m', 'ticker@120m', 'ticker@140m', 'ticker@160m', 'later@180m', 'ticker@180m']);
    expect(await second.getTask('later')).toMatchObject({ status: 'completed', executionCount: 1 });

    // A pruned id is free: scheduling it again is a new task, and a past `at` is refused as for any new one.
    await expect(second.schedule({ id: 'one-off', fn: 'job', at: WALL_START_MS + MINUTE })).rejects.toBeInstanceOf(PastScheduleError);
    await second.schedule({ id: 'one-off', fn: 'job', after: '1m' });
    expect(await second.getTask('one-off')).toMatchObject({ status: 'pending', scheduleVersion: 1, executionCount: 0, highWaterMarkMs: null });
    await advanceWithIo(clock, MINUTE, MINUTE);
    expect(runs.at(-1)).toBe('one-off@184m');
    await second.stop();
  }, 60_000);

  it('stay with retention: false', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const s = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: { ttlMs: '1d', heartbeatMs: '12h' } });
    s.define('job', () => {});
    await s.schedule({ id: 'one-off', fn: 'job', after: '1m' });
    s.start();
    await s.ready;
    await advanceWithIo(clock, 2 * HOUR, 10 * MINUTE);
    expect(await s.getTask('one-off')).toMatchObject({ status: 'completed', executionCount: 1 });
    expect((await s.history('one-off')).executions).toHaveLength(1);
    await s.stop();
  }, 60_000);
});
