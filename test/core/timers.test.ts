import { describe, expect, it } from 'vitest';
import { StaleHandleError } from '../../bindings/index.js';
import { debugCore } from '../helpers/core.js';

describe('timers', () => {
  it('releases delayed tasks in due order when advance(now) reaches them, never early', () => {
    const core = debugCore();
    core.setPolicy('round-robin');
    const late = core.register(0, 2, 0, 'once', 30);
    const early = core.register(0, 2, 0, 'once', 10);
    const mid = core.register(0, 2, 0, 'once', 20);
    expect(core.nextDueMs()).toBe(10);
    expect(core.advance(9.999)).toBe(0);
    expect(core.pop(9.999)).toBe(0);
    expect(core.advance(25)).toBe(2);
    expect([core.pop(25), core.pop(25)]).toEqual([early, mid]);
    expect(core.nextDueMs()).toBe(30);
    expect(core.advance(30)).toBe(1);
    expect(core.pop(30)).toBe(late);
    expect(core.nextDueMs()).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts lateness as wait: a timer released late waited since its nominal time', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'once', 10);
    core.advance(15);
    core.pop(18);
    expect(core.snapshot(h).waitMs).toBe(8);
  });

  it('fixed rate keeps its cadence when runs are short', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'fixed-rate', 100, 100);
    const starts: number[] = [];
    for (let t = 0; t <= 500; t += 1) {
      core.advance(t);
      if (core.pop(t) === h) {
        starts.push(t);
        core.complete(h, t + 3);
      }
    }
    expect(starts).toEqual([100, 200, 300, 400, 500]);
    expect(core.snapshot(h).missedTicks).toBe(0);
  });

  it('fixed rate skips the ticks an overrun missed instead of bursting, and counts them', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'fixed-rate', 100, 100);
    core.advance(100);
    core.pop(100);
    core.complete(h, 350); // ran 250 ms: the ticks at 200 and 300 are missed
    expect(core.nextDueMs()).toBe(400);
    const snap = core.snapshot(h);
    expect(snap.missedTicks).toBe(2);
    expect(snap.overruns).toBe(1);
    expect(core.counters()).toMatchObject({ missedTicks: 2, overruns: 1 });
  });

  it('fixed rate: a run ending exactly on the next tick neither misses nor overruns it', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'fixed-rate', 100, 100);
    core.advance(100);
    core.pop(100);
    core.complete(h, 200);
    expect(core.nextDueMs()).toBe(200);
    expect(core.snapshot(h)).toMatchObject({ missedTicks: 0, overruns: 0 });
  });

  it('fixed rate: a run that starts more than a period late stands for the latest tick, skipping the rest', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'fixed-rate', 100, 100);
    core.advance(100);
    core.pop(340); // ticks 100 and 200 were due; 300 is the latest before the start
    expect(core.snapshot(h)).toMatchObject({ dueMs: 300, missedTicks: 2 });
    core.complete(h, 345);
    expect(core.nextDueMs()).toBe(400);
    expect(core.snapshot(h)).toMatchObject({ missedTicks: 2, overruns: 0 });
  });

  it('fixed delay measures the next start from completion', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'fixed-delay', 100, 100);
    core.advance(100);
    core.pop(100);
    core.complete(h, 170);
    expect(core.nextDueMs()).toBe(270);
  });

  it('retries a failed run after its delay and counts failure and retry', () => {
    const core = debugCore();
    const h = core.register(0);
    core.pop(0);
    core.retry(h, 5, 50);
    expect(core.state(h)).toBe('waiting');
    expect(core.nextDueMs()).toBe(55);
    core.advance(55);
    expect(core.pop(55)).toBe(h);
    core.complete(h, 56);
    expect(core.counters()).toMatchObject({ failures: 1, retries: 1, completed: 1, live: 0 });
    expect(() => core.state(h)).toThrow(StaleHandleError);
  });

  it('cancels a waiting timer from the middle of the heap', () => {
    const core = debugCore();
    const hs = [50, 10, 40, 20, 30].map((d) => core.register(0, 2, 0, 'once', d));
    core.cancel(hs[3]!); // due 20
    core.advance(100);
    const order: number[] = [];
    for (let h = core.pop(100); h !== 0; h = core.pop(100)) order.push(core.snapshot(h).dueMs);
    expect(order).toEqual([10, 30, 40, 50]);
  });

  it('pause keeps a timer out of the heaps; resume puts it back at its due time or runs it now', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'once', 100);
    core.pause(h);
    expect(core.advance(200)).toBe(0);
    expect(core.counters().paused).toBe(1);
    core.resume(h, 200);
    expect(core.state(h)).toBe('ready');
    const later = core.register(200, 2, 0, 'once', 100);
    core.pause(later);
    core.resume(later, 250);
    expect(core.state(later)).toBe('waiting');
    expect(core.nextDueMs()).toBe(300);
  });

  it('runNow makes a waiting task ready at once; a fixed-rate task keeps its cadence', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'fixed-rate', 100, 100);
    core.runNow(h, 30);
    expect(core.pop(30)).toBe(h);
    core.complete(h, 31);
    expect(core.nextDueMs()).toBe(200);
  });
});
