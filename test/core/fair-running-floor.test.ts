import { describe, expect, it } from 'vitest';
import { debugCore } from '../helpers/core.js';

describe('the fair policy with several tasks running at once', () => {
  it('places a new task no later than the least vruntime of any running task', () => {
    const core = debugCore();
    core.setPolicy('fair');
    const behind = core.register(0, 2);
    const ahead = core.register(0, 2);
    expect(core.pop(0)).toBe(behind);
    expect(core.pop(0)).toBe(ahead);
    core.charge(behind, 2);
    // Only the charged task and the (empty) ready queue used to bound the floor:
    // charging `ahead` moved it to 50 while `behind` still ran at 2.
    core.charge(ahead, 50);
    const newcomer = core.register(50, 2);
    expect(core.snapshot(newcomer).vruntime).toBe(2);
    // Requeued behind it, `behind` (2, a later sequence number) still goes before `ahead` (50).
    core.requeue(behind, 50);
    core.requeue(ahead, 50);
    expect([core.pop(50), core.pop(50), core.pop(50)]).toEqual([newcomer, behind, ahead]);
  });

  it('still moves the floor forward once the running tasks have moved on', () => {
    const core = debugCore();
    core.setPolicy('fair');
    const a = core.register(0, 2);
    const b = core.register(0, 2);
    core.pop(0);
    core.pop(0);
    core.charge(a, 30);
    core.charge(b, 20);
    expect(core.snapshot(core.register(30, 2)).vruntime).toBe(20);
    core.complete(b, 30);
    core.charge(a, 1);
    // b ended; the floor follows a (31) and the ready newcomer (20): still 20.
    expect(core.snapshot(core.register(31, 2)).vruntime).toBe(20);
  });
});
