// Slot constraints are kept with a durable task: after a restart over
// SqliteStore and IndexedDbStore (fake-indexeddb), the daily cap still counts
// the runs made before it (from the history), a deferral made before it still
// lands on the same admissible instant, and a task whose admit hook is not
// defined yet waits for defineAdmit() instead of running unjudged.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import type { Store } from '../../src/store/store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const HOUR_MS = 3_600_000;
const STEP_MS = 600_000;

const stores = restartStores(['SqliteStore', 'IndexedDbStore', 'PostgresStore']);

function open(clock: VirtualClock, store: Store): Scheduler {
  return new Scheduler({ clock, store, clockWatch: false, retention: false, lease: { ttlMs: HOUR_MS, heartbeatMs: STEP_MS } });
}

/** Oldest first: [hours after the wall start, outcome or skip reason]. */
async function history(scheduler: Scheduler, id: string): Promise<Array<[number, string]>> {
  const { executions } = await scheduler.history(id, { limit: 1000 });
  return executions.reverse().map((e) => [(e.nominalMs - WALL_START_MS) / HOUR_MS, e.skipReason ?? e.outcome]);
}

describe.each(stores)('slot constraints over a restart with %s', (_name, makeStores) => {
  it('keeps counting the daily cap from the runs made before the restart', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const first = open(clock, openStore());
    first.define('job', () => {});
    await first.schedule({ id: 'j', fn: 'job', every: '1h', constraints: { maxPerDay: 3, timezone: 'Asia/Tokyo' } });
    first.start();
    await advanceWithIo(clock, 2.5 * HOUR_MS, STEP_MS);
    await first.stop();

    const second = open(clock, openStore());
    second.define('job', () => {});
    second.start();
    await second.ready;
    expect((await second.getTask('j'))?.constraints).toMatchObject({ maxPerDay: 3, timeZone: 'Asia/Tokyo', inadmissible: 'skip' });
    await advanceWithIo(clock, 3 * HOUR_MS, STEP_MS);
    // Two runs before the restart, one after it: the fourth and fifth slots of the Tokyo day are refused.
    expect(await history(second, 'j')).toEqual([[1, 'succeeded'], [2, 'succeeded'], [3, 'succeeded'], [4, 'daily cap reached'], [5, 'daily cap reached']]);
    await second.stop();
  }, 30_000);

  it('runs a slot deferred before the restart at the instant it was deferred to, and waits for an undefined admit hook', async () => {
    const openStore = await makeStores();
    const clock = new VirtualClock();
    const first = open(clock, openStore());
    first.define('job', () => {});
    first.defineAdmit('always', () => true);
    await first.schedule({
      id: 'j', fn: 'job', every: '1h',
      constraints: { workingHours: { from: '09:00', to: '17:00' }, timezone: 'Europe/Berlin', inadmissible: 'defer', admit: 'always' },
    });
    first.start();
    await advanceWithIo(clock, 1.5 * HOUR_MS, STEP_MS);
    await first.stop();
    expect(await history(first, 'j')).toEqual([[1, 'deferred to 2026-01-01T08:00:00.000Z: outside working hours']]);

    const runs: number[] = [];
    const second = open(clock, openStore());
    second.define('job', () => {
      runs.push((clock.wallNow() - WALL_START_MS) / HOUR_MS);
    });
    second.start();
    await second.ready;
    await advanceWithIo(clock, HOUR_MS, STEP_MS);
    // The hook is not defined yet: nothing is judged, nothing recorded.
    expect(await history(second, 'j')).toHaveLength(1);
    second.defineAdmit('always', () => true);
    await advanceWithIo(clock, 7 * HOUR_MS, STEP_MS);
    expect(runs).toEqual([8, 9]);
    const rows = await history(second, 'j');
    expect(rows[0]).toEqual([1, 'deferred to 2026-01-01T08:00:00.000Z: outside working hours']);
    // The slot of 2 h, late once the hook is defined, is judged then and deferred again to the same instant: 8 h is that run.
    expect(rows.slice(1)).toEqual([[2, 'deferred to 2026-01-01T08:00:00.000Z: outside working hours'], [8, 'succeeded'], [9, 'succeeded']]);
    await second.stop();
  }, 30_000);
});
