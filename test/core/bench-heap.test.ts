// The bare ready heap the benchmarks compare against other heaps: the same
// sift code tasks use, refused while any task is live.
import { describe, expect, it } from 'vitest';
import * as L from '../../bindings/layout.generated.js';
import { debugCore } from '../helpers/core.js';

describe('bare ready heap (benchmarks)', () => {
  it('pops keys in ascending order, growing past the initial capacity', () => {
    const { exports: w } = debugCore();
    const keys = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000);
    for (const [slot, key] of keys.entries()) expect(w.benchHeapPush(slot, key)).toBe(L.STATUS_OK);
    const popped: number[] = [];
    for (let key = w.benchHeapPop(); !Number.isNaN(key); key = w.benchHeapPop()) popped.push(key);
    expect(popped).toEqual([...keys].sort((a, b) => a - b));
  });

  it('pops negative, zero, tied and infinite keys in ascending order (the branch-free child choice falls back to the exact one)', () => {
    const { exports: w } = debugCore();
    const spread = Array.from({ length: 3000 }, (_, i) => ((i * 7919) % 3000) - 1000);
    const keys = [...spread, ...spread.slice(0, 500), -0, 0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.5, -0.5];
    for (const [slot, key] of keys.entries()) expect(w.benchHeapPush(slot, key)).toBe(L.STATUS_OK);
    expect(w.checkInvariants()).toBe(0);
    const popped: number[] = [];
    for (let key = w.benchHeapPop(); !Number.isNaN(key); key = w.benchHeapPop()) popped.push(key + 0);
    expect(popped).toEqual(keys.map((key) => key + 0).sort((a, b) => a - b));
  });

  it('refuses to run while tasks are live, and refuses NaN keys', () => {
    const { exports: w } = debugCore();
    expect(w.benchHeapPush(0, Number.NaN)).toBe(L.STATUS_BAD_ARGUMENT);
    w.register(0, 2, 0, L.KIND_ONCE, 0, 0);
    expect(w.benchHeapPush(1, 1)).toBe(L.STATUS_WRONG_STATE);
    expect(Number.isNaN(w.benchHeapPop())).toBe(true);
    expect(w.peek()).toBeGreaterThan(0);
  });
});
