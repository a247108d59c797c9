import { describe, expect, it } from 'vitest';
import { slotOfHandle } from '../../bindings/index.js';
import { releaseCore } from '../helpers/core.js';

describe('task table growth', () => {
  it('holds 1,000,000 live tasks and pops them all in key order', () => {
    const core = releaseCore();
    const wasm = core.exports;
    const n = 1_000_000;
    const views = core.views();
    for (let i = 0; i < n; i++) {
      // Delays cycle so that due times are not inserted in order.
      const h = wasm.register(0, i % 5, 0, 0, 1 + ((i * 7919) % 100_000), 0);
      if (!(h > 0)) throw new Error(`register ${i} returned ${h}`);
    }
    expect(core.counters().live).toBe(n);
    expect(core.counters().waiting).toBe(n);
    // The memory grew, so the views the bindings hold must have been rebuilt.
    expect(views.f64.length).toBe(0); // detached by memory.grow
    expect(core.views().f64.length * 8).toBe(core.memoryBytes);
    expect(wasm.checkInvariants()).toBe(0);
    expect(core.advance(200_000)).toBe(n);
    expect(wasm.checkInvariants()).toBe(0);
    let previousDue = -1;
    let count = 0;
    for (let h = core.pop(200_000); h !== 0; h = core.pop(200_000)) {
      if (count % 50_000 === 0) {
        // Under the deadline policy the key is due + class deadline; check a sample.
        const snap = core.snapshot(h);
        expect(snap.state).toBe('running');
        expect(snap.dueMs + [0, 250, 1000, 10000, 60000][snap.priorityClass]!).toBeGreaterThanOrEqual(previousDue);
        previousDue = snap.dueMs + [0, 250, 1000, 10000, 60000][snap.priorityClass]!;
      }
      wasm.complete(h, 200_000, 0);
      count++;
    }
    expect(count).toBe(n);
    expect(core.counters().live).toBe(0);
    // Freed slots are reused: the next task takes a low slot again.
    expect(slotOfHandle(core.register(0))).toBeLessThan(n);
  });
});
