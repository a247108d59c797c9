// Durable repeating tasks with a start, an end, and calendar intervals, over a
// restart, on SqliteStore (a file), IndexedDbStore (fake-indexeddb) and
// MemoryStore: the grid is kept (from its startAt, or its registration time
// for a calendar interval registered again at the next start), missed slots
// follow their policy only up to endAt, and the task completes after its last
// slot at or before endAt.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { type DurableTaskOptions, Scheduler } from '../../src/index.js';
import type { Store } from '../../src/store/store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo } from './helpers.js';
import { restartStores } from './restart-stores.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const stores = restartStores(['SqliteStore', 'IndexedDbStore', 'MemoryStore', 'PostgresStore']);

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? ms : new Date(ms).toISOString());

/** One process's life: a scheduler on `clock` over a fresh store object, the task defined (logging its slots) and registered. */
async function boot(clock: VirtualClock, openStore: () => Store, ran: string[], task: DurableTaskOptions): Promise<Scheduler> {
  // A lease of a day: heartbeats every few seconds over months of virtual time would be most of the work.
  const scheduler = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, lease: { ttlMs: '1d', heartbeatMs: '12h' } });
  scheduler.define('job', (_params, ctx) => {
    ran.push(iso(ctx.nominalMs) as string);
  });
  await scheduler.schedule(task);
  scheduler.start();
  await scheduler.ready;
  return scheduler;
}

/** The task's executions, oldest first: [nominal, outcome]. */
async function executionsOf(scheduler: Scheduler, id: string): Promise<Array<[string, string]>> {
  const { executions } = await scheduler.history(id, { limit: 100 });
  return executions.map((e) => [iso(e.nominalMs) as string, e.outcome] as [string, string]).reverse();
}

describe.each(stores)('durable start, end and calendar intervals over %s', (_name, makeStores) => {
  it('runs the weekly maintenance from next Sunday at midnight (seed 004), across a restart, and completes at endAt', async () => {
    const openStore = await makeStores();
    // 2026-01-01 is a Thursday: next Sunday is 2026-01-04.
    const clock = new VirtualClock({ wallStartMs: Date.UTC(2026, 0, 1, 10) });
    const ran: string[] = [];
    const task: DurableTaskOptions = {
      id: 'maintenance', fn: 'job', every: '7d', startAt: new Date('2026-01-04T00:00:00Z'), endAt: new Date('2026-01-25T00:00:00Z'),
    };
    const first = await boot(clock, openStore, ran, task);
    expect(await first.getTask('maintenance')).toMatchObject({
      nextExecutionMs: Date.UTC(2026, 0, 4), startAtMs: Date.UTC(2026, 0, 4), endAtMs: Date.UTC(2026, 0, 25), periodMs: 7 * DAY_MS,
    });
    await advanceWithIo(clock, 12 * DAY_MS, 6 * HOUR_MS);
    await first.stop();
    expect(ran).toEqual(['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z']);

    const second = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, 30 * DAY_MS, 6 * HOUR_MS);
    expect(ran).toEqual(['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z', '2026-01-18T00:00:00.000Z', '2026-01-25T00:00:00.000Z']);
    expect(await second.getTask('maintenance')).toMatchObject({ status: 'completed', nextExecutionMs: null, executionCount: 4, scheduleVersion: 1 });
    await second.stop();
  }, 30_000);

  it('runs monthly from Jan 31 in Paris (Feb 28, Mar 31...), catches up the slot missed while down, and completes at endAt', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: Date.UTC(2026, 0, 1) });
    const ran: string[] = [];
    const task: DurableTaskOptions = {
      id: 'billing', fn: 'job', every: { months: 1 }, timezone: 'Europe/Paris', missed: { policy: 'catch-up' },
      startAt: Date.parse('2026-01-31T09:00:00+01:00'), endAt: Date.parse('2026-05-31T12:00:00+02:00'),
    };
    const first = await boot(clock, openStore, ran, task);
    expect(await first.getTask('billing')).toMatchObject({
      scheduleKind: 'fixed-rate', calendarPeriod: 'P1M', periodMs: null, timeZone: 'Europe/Paris', atMs: Date.parse('2026-01-31T08:00:00Z'),
    });
    await advanceWithIo(clock, 60 * DAY_MS, 12 * HOUR_MS); // to Mar 2
    await first.stop();
    await advanceWithIo(clock, 45 * DAY_MS, 12 * HOUR_MS); // down until Apr 16: Mar 31's slot is missed

    const second = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, 60 * DAY_MS, 12 * HOUR_MS); // to Jun 15
    // 09:00 in Paris: 08:00Z in winter, 07:00Z in summer (from Mar 29).
    const expected = ['2026-01-31T08:00:00.000Z', '2026-02-28T08:00:00.000Z', '2026-03-31T07:00:00.000Z', '2026-04-30T07:00:00.000Z', '2026-05-31T07:00:00.000Z'];
    expect(ran).toEqual(expected);
    expect(await executionsOf(second, 'billing')).toEqual(expected.map((nominal) => [nominal, 'succeeded']));
    expect(await second.getTask('billing')).toMatchObject({ status: 'completed', nextExecutionMs: null, executionCount: 5 });
    await second.stop();
  }, 30_000);

  it('keeps a calendar interval registered without startAt on the grid of its first registration when registered again', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: Date.parse('2026-03-27T08:00:00Z') }); // 09:00 in Paris
    const ran: string[] = [];
    const task: DurableTaskOptions = { id: 'daily', fn: 'job', every: { days: 1 }, timezone: 'Europe/Paris' };
    const first = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, 28 * HOUR_MS, 2 * HOUR_MS); // to Mar 28 12:00Z
    await first.stop();
    const second = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, 3 * DAY_MS, 2 * HOUR_MS);
    // Still 09:00 local, across the change of Mar 29: not 13:00, the time of the second registration.
    expect(ran).toEqual(['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z']);
    expect(await second.getTask('daily')).toMatchObject({ scheduleVersion: 1, atMs: Date.parse('2026-03-27T08:00:00Z'), startAtMs: null });
    await second.stop();
  }, 30_000);

  it.each([
    ['skip', [['2026-01-03T00:00:00.000Z', 'skipped'], ['2026-01-04T00:00:00.000Z', 'skipped']]],
    ['run-once', [['2026-01-03T00:00:00.000Z', 'skipped'], ['2026-01-04T00:00:00.000Z', 'succeeded']]],
  ] as const)('applies missed policy %s only to the slots up to endAt when it restarts after endAt, then completes', async (policy, missed) => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: Date.UTC(2026, 0, 1, 12) });
    const ran: string[] = [];
    const task: DurableTaskOptions = {
      id: 'bounded', fn: 'job', every: '1d', startAt: Date.UTC(2026, 0, 2), endAt: Date.UTC(2026, 0, 4, 12), missed: { policy },
    };
    const first = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, DAY_MS, 6 * HOUR_MS); // ran Jan 2
    await first.stop();
    await advanceWithIo(clock, 10 * DAY_MS, 12 * HOUR_MS); // down past endAt

    const second = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, 5 * DAY_MS, 12 * HOUR_MS);
    expect(await executionsOf(second, 'bounded')).toEqual([['2026-01-02T00:00:00.000Z', 'succeeded'], ...missed]);
    expect(await second.getTask('bounded')).toMatchObject({ status: 'completed', nextExecutionMs: null });
    await second.stop();
  }, 30_000);

  it('runs a cron task only between startAt and endAt, across a restart', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock({ wallStartMs: Date.UTC(2026, 0, 1) });
    const ran: string[] = [];
    const task: DurableTaskOptions = { id: 'noon', fn: 'job', cron: '0 12 * * *', startAt: Date.UTC(2026, 0, 3), endAt: Date.UTC(2026, 0, 5, 12) };
    const first = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, 3 * DAY_MS + HOUR_MS, 6 * HOUR_MS); // Jan 4 01:00
    await first.stop();
    const second = await boot(clock, openStore, ran, task);
    await advanceWithIo(clock, 5 * DAY_MS, 6 * HOUR_MS);
    expect(ran).toEqual(['2026-01-03T12:00:00.000Z', '2026-01-04T12:00:00.000Z', '2026-01-05T12:00:00.000Z']);
    expect(await second.getTask('noon')).toMatchObject({ status: 'completed', startAtMs: Date.UTC(2026, 0, 3), endAtMs: Date.UTC(2026, 0, 5, 12) });
    await second.stop();
  }, 30_000);
});
