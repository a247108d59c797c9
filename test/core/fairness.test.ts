import { describe, expect, it } from 'vitest';
import { releaseCore } from '../helpers/core.js';

describe('fair policy', () => {
  it('gives three always-ready tasks CPU shares within 1% of their nice weights', () => {
    const core = releaseCore();
    core.setPolicy('fair');
    core.setQuantum(4);
    const nices = [-5, 0, 5];
    const handles = nices.map((nice) => core.register(0, 2, nice));
    const weights = nices.map((nice) => core.niceWeight(nice));
    const runtimeMs = new Map(handles.map((h) => [h, 0]));
    let nowMs = 0;
    const sliceMs = 1;
    for (let i = 0; i < 60_000; i++) {
      const h = core.pop(nowMs);
      nowMs += sliceMs;
      core.charge(h, sliceMs);
      runtimeMs.set(h, (runtimeMs.get(h) ?? 0) + sliceMs);
      core.requeue(h, nowMs, { preempted: true });
    }
    const total = [...runtimeMs.values()].reduce((a, b) => a + b, 0);
    const weightSum = weights.reduce((a, b) => a + b, 0);
    handles.forEach((h, i) => {
      const share = (runtimeMs.get(h) ?? 0) / total;
      const target = (weights[i] ?? 0) / weightSum;
      expect(Math.abs(share - target) / target).toBeLessThan(0.01);
      // The core's own counters agree with what the loop charged.
      expect(core.snapshot(h).runtimeMs).toBe(runtimeMs.get(h));
    });
    expect(weights).toEqual([3121, 1024, 335]);
  });

  it('starts a newcomer at the queue minimum vruntime, so it neither starves others nor waits forever', () => {
    const core = releaseCore();
    core.setPolicy('fair');
    const old = core.register(0);
    for (let t = 0; t < 1000; t++) {
      const h = core.pop(t);
      core.charge(h, 1);
      core.requeue(h, t + 1);
    }
    const newcomer = core.register(1000);
    expect(core.snapshot(newcomer).vruntime).toBe(core.snapshot(old).vruntime);
    // Over the next 100 slices each gets about half, not the newcomer all of them.
    const ran = new Map([[old, 0], [newcomer, 0]]);
    for (let t = 1000; t < 1100; t++) {
      const h = core.pop(t);
      ran.set(h, (ran.get(h) ?? 0) + 1);
      core.charge(h, 1);
      core.requeue(h, t + 1);
    }
    expect(ran.get(newcomer)).toBeGreaterThanOrEqual(49);
    expect(ran.get(old)).toBeGreaterThanOrEqual(49);
  });
});
