// Missed runs across a restart: the scheduler is down for a while, and on
// start each task's policy decides; every slot not run is recorded as skipped
// with its reason and reported by a 'slotskip' event. The policies run over
// MemoryStore, SqliteStore and PostgresStore; the crash and the failed write,
// which need a MemoryDatabase, over MemoryStore.
import { describe, expect, it } from 'vitest';
import type { MissedRunOptions } from '../../src/index.js';
import { Scheduler } from '../../src/index.js';
import { StoreFullError } from '../../src/store/errors.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, afterMissedCatchUpTicks, harness, outcomes, WALL_START_MS } from './helpers.js';
import { type OpenStore, restartStores } from './restart-stores.js';

const stores = restartStores(['MemoryStore', 'SqliteStore', 'PostgresStore']);

/**
 * A task every 10 s that ran its 10 s slot, a process down for `downMs` from
 * 15 s, and a restart: what ran, what was reported skipped, and the records,
 * oldest first (as history() reads them, the same way on every store).
 */
async function downFor(openStore: OpenStore, downMs: number, missed: MissedRunOptions) {
  const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
  const scheduler = () => new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false });
  const runs: number[] = [];
  const first = scheduler();
  first.define('tick', () => {});
  await first.schedule({ id: 't', fn: 'tick', every: '10s', missed });
  first.start();
  await advanceWithIo(clock, 15_000, 1000);
  await first.stop();
  // Nothing runs while the process is down.
  await clock.advance(downMs);
  const second = scheduler();
  const skipped: Array<[number, string]> = [];
  second.events.addEventListener('slotskip', (e) => skipped.push([e.detail.nominalMs - WALL_START_MS, e.detail.reason]));
  second.define('tick', (_params, ctx) => {
    runs.push(ctx.nominalMs - WALL_START_MS);
  });
  second.start();
  await second.ready;
  await advanceWithIo(clock, 0);
  const records = (await second.history('t', { limit: 100 })).executions.map((e) => [e.nominalMs - WALL_START_MS, e.outcome]).reverse();
  await second.stop();
  return { runs, skipped, records };
}

describe.each(stores)('missed runs after a restart over %s', (_kind, prepare) => {
  it("'skip' (grace 30 s by default): late slots are recorded as skipped, those within the grace window run", async () => {
    const { runs, skipped, records } = await downFor(await prepare(), 60_000, { policy: 'skip' });
    expect(runs).toEqual([50_000, 60_000, 70_000]);
    expect(skipped.map(([ms]) => ms)).toEqual([20_000, 30_000, 40_000]);
    expect(skipped[0]?.[1]).toContain('policy skip');
    expect(records).toEqual([
      [10_000, 'succeeded'], [20_000, 'skipped'], [30_000, 'skipped'], [40_000, 'skipped'],
      [50_000, 'succeeded'], [60_000, 'succeeded'], [70_000, 'succeeded'],
    ]);
  });

  it("'run-once' (the default) with a short grace: one run for all the missed slots", async () => {
    const { runs, skipped, records } = await downFor(await prepare(), 60_000, { graceMs: 1000 });
    expect(runs).toEqual([70_000]);
    expect(skipped.map(([ms]) => ms)).toEqual([20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(records.map(([, outcome]) => outcome)).toEqual(['succeeded', 'skipped', 'skipped', 'skipped', 'skipped', 'skipped', 'succeeded']);
  });

  it("'catch-up' with a cap: the newest missed slots run, in order, the older are skipped", async () => {
    const { runs, skipped } = await downFor(await prepare(), 60_000, { policy: 'catch-up', graceMs: 1000, catchUpMax: 3 });
    expect(runs).toEqual([50_000, 60_000, 70_000]);
    expect(skipped).toEqual([
      [20_000, expect.stringContaining('cap')], [30_000, expect.stringContaining('cap')], [40_000, expect.stringContaining('cap')],
    ]);
  });

  it('a one-off task missed beyond its grace window under skip is recorded as skipped and ends', async () => {
    const openStore = await prepare();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const scheduler = () => new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false });
    const first = scheduler();
    first.define('once', () => {});
    await first.schedule({ id: 'o', fn: 'once', after: 1000, missed: { policy: 'skip', graceMs: '5s' } });
    await first.stop();
    await clock.advance(10_000);
    const second = scheduler();
    let ran = false;
    second.define('once', () => {
      ran = true;
    });
    second.start();
    await second.ready;
    await advanceWithIo(clock, 0);
    expect(ran).toBe(false);
    expect(await second.getTask('o')).toMatchObject({ status: 'completed' });
    const history = (await second.history('o')).executions;
    expect(history.map((e) => [e.nominalMs - WALL_START_MS, e.outcome])).toEqual([[1000, 'skipped']]);
    expect(history[0]?.skipReason).toContain('policy skip');
    await second.stop();
  });
});

describe('missed runs after a restart', () => {
  it("'catch-up' slots still queued when the process dies run after the restart: none is lost", async () => {
    const h = await afterMissedCatchUpTicks();
    // Restart: 20..60 are queued for catch-up; each run takes 1 s; the process dies after two of them.
    const second = h.scheduler();
    const runs: number[] = [];
    second.define('tick', async (_params, ctx) => {
      runs.push(ctx.nominalMs - WALL_START_MS);
      await ctx.sleep(1000);
    });
    second.start();
    await second.ready;
    await h.clock.advance(1500);
    await h.crash(second);
    const third = h.scheduler();
    third.define('tick', (_params, ctx) => {
      runs.push(ctx.nominalMs - WALL_START_MS);
    });
    third.start();
    await third.ready;
    await h.clock.advance(0);
    await third.stop();
    // 30 was cut short by the crash and runs again; 40, 50, 60 were still queued.
    expect(runs).toEqual([20_000, 30_000, 30_000, 40_000, 50_000, 60_000]);
    expect(outcomes(h.database, 't').map(([ms]) => ms)).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
  });

  it('a skip record that fails to write (a full disk) is written again after a backoff', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('tick', () => {});
    await first.schedule({ id: 't', fn: 'tick', every: '10s', missed: { policy: 'skip', graceMs: '1s' } });
    await first.stop();
    await h.clock.advance(35_000);
    class FullOnce extends MemoryStore {
      failures = 1;
      override async recordSkipped(skips: Parameters<MemoryStore['recordSkipped']>[0]) {
        if (this.failures-- > 0) throw new StoreFullError('memory');
        return super.recordSkipped(skips);
      }
    }
    const second = new Scheduler({ clock: h.clock, store: new FullOnce({ database: h.database }), clockWatch: false, retention: false });
    const errors: Array<[string, number]> = [];
    second.events.addEventListener('storeerror', (e) => errors.push([e.detail.operation, e.detail.retryInMs]));
    second.define('tick', () => {});
    second.start();
    await second.ready;
    await h.clock.advance(0);
    // Wall 35 s: 10, 20 and 30 are late; their one batch failed, reported once for the task.
    expect(errors).toEqual([['recordSkipped', 1000]]);
    expect(outcomes(h.database, 't')).toEqual([]);
    await h.clock.advance(1000);
    expect(outcomes(h.database, 't')).toEqual([[10_000, 'skipped'], [20_000, 'skipped'], [30_000, 'skipped']]);
    await second.stop();
  });
});
