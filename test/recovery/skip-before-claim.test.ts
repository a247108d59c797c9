// A slot recorded as skipped and a later slot of the same task claimed are
// two writes. If the claim (which moves the task's high-water mark past the
// skipped slot) commits and the process dies before the skip record does,
// nothing would ever record the skipped slot again: recovery plans from the
// high-water mark. So a task's claims wait until its earlier skip records are
// committed; these tests hold a skip write back and crash meanwhile.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import type { SkipRequest, SkipResult, TaskPatch, TaskRecord } from '../../src/store/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { harness, lapseLease, outcomes, WALL_START_MS } from './helpers.js';

/** A store whose skip records never commit: the process dies inside that transaction. */
class SkipsNeverCommit extends MemoryStore {
  override recordSkipped(_skips: readonly SkipRequest[]): Promise<SkipResult[]> {
    return new Promise(() => {});
  }
}

/** A store whose task updates never commit. */
class UpdatesNeverCommit extends MemoryStore {
  override updateTask(_id: string, _patch: TaskPatch): Promise<TaskRecord | undefined> {
    return new Promise(() => {});
  }
}

describe('a skipped slot and the claims after it', () => {
  it('a crash while the skip record of a missed slot is unwritten leaves that slot to be planned again, never without a record', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('tick', () => {});
    await first.schedule({ id: 't', fn: 'tick', every: '10s', missed: { policy: 'skip', graceMs: '5s' } });
    first.start();
    await h.clock.advance(15_000);
    await first.stop();
    // Down until 32 s: the 20 s slot is late beyond its grace (skipped), the 30 s one is within it (runs).
    await h.clock.advance(17_000);

    const store = new SkipsNeverCommit({ database: h.database });
    const second = new Scheduler({ clock: h.clock, store, clockWatch: false, retention: false });
    second.define('tick', () => {});
    second.start();
    await second.ready;
    await h.clock.advance(0);
    // The process dies with the skip of 20 s unwritten.
    // (stop() is not awaited: it would wait for the skip write, which never ends.)
    await store.close();
    void second.stop({ drain: false }).catch(() => {});
    lapseLease(h.database, h.clock);

    const third = h.scheduler();
    third.define('tick', () => {});
    third.start();
    await third.ready;
    await h.clock.advance(0);
    await third.stop();
    expect(outcomes(h.database, 't')).toEqual([
      [10_000, 'succeeded'], [20_000, 'skipped'], [30_000, 'succeeded'],
    ]);
  });

  it("a fixed-delay task whose skipped slot is recorded but whose next slot is not goes on a delay from the restart, not ended", async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('tick', () => {});
    await first.schedule({ id: 'd', fn: 'tick', recurring: '10s', missed: { policy: 'skip', graceMs: '1s' } });
    await first.stop();
    // Down until 20 s: the 10 s slot is missed beyond its grace.
    await h.clock.advance(20_000);
    const store = new UpdatesNeverCommit({ database: h.database });
    const second = new Scheduler({ clock: h.clock, store, clockWatch: false, retention: false });
    second.define('tick', () => {});
    second.start();
    await second.ready;
    await h.clock.advance(0);
    // The skip of 10 s is recorded; the process dies before the task's new next slot (30 s) is.
    expect(outcomes(h.database, 'd')).toEqual([[10_000, 'skipped']]);
    await store.close();
    void second.stop({ drain: false }).catch(() => {});
    lapseLease(h.database, h.clock);

    await h.clock.advance(5_000);
    const runs: number[] = [];
    const third = h.scheduler();
    third.define('tick', (_params, ctx) => {
      runs.push(ctx.nominalMs - WALL_START_MS);
    });
    third.start();
    await third.ready;
    await h.clock.advance(10_000);
    await third.stop();
    // Restarted at 25 s: the next run is a delay from then.
    expect(runs).toEqual([35_000]);
    expect(await third.getTask('d')).toMatchObject({ status: 'pending' });
  });
});
