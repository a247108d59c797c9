// Core.renew(): an emptied core is replaced by a fresh instance, giving its
// grown wasm memory back, with its settings, its counters, and task ids above
// every id the old instance handed out.
import { describe, expect, it } from 'vitest';
import { generationOfHandle, layout as L, slotOfHandle, StaleHandleError } from '../../bindings/index.js';
import { createSharedCore } from '../../bindings/shared.js';
import { debugCore, drain } from '../helpers/core.js';

describe('Core.renew', () => {
  it('gives grown memory back once the core is empty, keeping the exports object', () => {
    const core = debugCore();
    const fresh = core.memoryBytes;
    const exports = core.exports;
    const handles = Array.from({ length: 5e4 }, (_, i) => core.register(0, i % 5));
    expect(core.memoryBytes).toBeGreaterThan(fresh);
    expect(core.surplusBytes).toBe(core.memoryBytes - fresh);
    expect(core.renew()).toBe(false);
    for (const h of handles) core.cancel(h);
    expect(core.liveTasks).toBe(0);
    expect(core.renew()).toBe(true);
    expect(core.memoryBytes).toBe(fresh);
    expect(core.surplusBytes).toBe(0);
    expect(core.exports).toBe(exports);
    expect(core.exports.checkInvariants()).toBe(0);
  });

  it('makes the batch writer anew for the fresh instance, and it works there', () => {
    const core = debugCore();
    const before = core.batch();
    expect(core.batch()).toBe(before);
    core.cancel(core.register(0));
    expect(core.renew()).toBe(true);
    const batch = core.batch();
    expect(batch).not.toBe(before);
    const index = batch.register(L.CLASS_NORMAL);
    batch.run(0);
    expect(core.state(batch.result(index))).toBe('ready');
  });

  it('keeps the counters, the policy, the quantum and the class deadlines', () => {
    const core = debugCore();
    core.setPolicy('round-robin');
    core.setQuantum(7);
    core.setClassDeadline(L.CLASS_BACKGROUND, 3);
    const h = core.register(0);
    expect(core.pop(1)).toBe(h);
    core.complete(h, 2);
    core.cancel(core.register(2));
    const before = core.counters();
    expect(core.renew()).toBe(true);
    expect(core.counters()).toEqual(before);
    expect(core.policy).toBe('round-robin');
    // Round-robin runs in arrival order, whatever the class (deadline, the default, would not).
    const low = core.register(10, L.CLASS_BACKGROUND);
    const urgent = core.register(10, L.CLASS_CRITICAL);
    expect(drain(core, 11)).toEqual([low, urgent]);
    const slow = core.register(20);
    core.pop(20);
    expect(core.charge(slow, 6.9)).toBe(false);
    expect(core.charge(slow, 0.1)).toBe(true);
    core.complete(slow, 21);
    core.setPolicy('deadline');
    // Background's deadline of 3 ms (not the default 60 s) puts it before a normal task (1 s) made ready at the same time.
    const normal = core.register(30, L.CLASS_NORMAL);
    const background = core.register(30, L.CLASS_BACKGROUND);
    expect(drain(core, 31)).toEqual([background, normal]);
  });

  it('hands out ids above every id of the old instance, so old handles stay stale', () => {
    const core = debugCore();
    const first = core.register(0);
    core.cancel(first);
    const second = core.register(0);
    core.cancel(second);
    expect(generationOfHandle(second)).toBe(generationOfHandle(first) + 1);
    expect(core.renew()).toBe(true);
    const next = core.register(0);
    expect(slotOfHandle(next)).toBe(slotOfHandle(first));
    expect(generationOfHandle(next)).toBe(generationOfHandle(second) + 2);
    for (const old of [first, second]) expect(() => core.cancel(old)).toThrow(StaleHandleError);
    expect(core.state(next)).toBe('ready');
  });

  it('refuses a core on a shared memory (the pool)', () => {
    expect(() => createSharedCore().renew()).toThrow(/shared memory/);
  });
});
