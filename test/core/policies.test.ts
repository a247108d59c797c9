import { describe, expect, it } from 'vitest';
import type { Core } from '../../bindings/index.js';
import { debugCore, drain } from '../helpers/core.js';

/** Registers named tasks (name -> class) at nowMs and returns a handle -> name map. */
function registerAll(core: Core, nowMs: number, tasks: Array<[string, number]>): Map<number, string> {
  return new Map(tasks.map(([name, cls]) => [core.register(nowMs, cls), name]));
}

const names = (order: number[], byHandle: Map<number, string>) => order.map((h) => byHandle.get(h));

describe('run-queue policies', () => {
  const mixed: Array<[string, number]> = [
    ['bg1', 4], ['n1', 2], ['c1', 0], ['n2', 2], ['h1', 1], ['c2', 0], ['bg2', 4],
  ];

  it('priority: strict classes, first come first served inside a class', () => {
    const core = debugCore();
    core.setPolicy('priority');
    const byHandle = registerAll(core, 0, mixed);
    expect(names(drain(core, 0), byHandle)).toEqual(['c1', 'c2', 'h1', 'n1', 'n2', 'bg1', 'bg2']);
  });

  it('round-robin: arrival order whatever the class', () => {
    const core = debugCore();
    core.setPolicy('round-robin');
    const byHandle = registerAll(core, 0, mixed);
    expect(names(drain(core, 0), byHandle)).toEqual(['bg1', 'n1', 'c1', 'n2', 'h1', 'c2', 'bg2']);
  });

  it('round-robin: a task requeued after its quantum goes to the back', () => {
    const core = debugCore();
    core.setPolicy('round-robin');
    const byHandle = registerAll(core, 0, [['a', 2], ['b', 2], ['c', 2]]);
    const log: string[] = [];
    for (let t = 0; t < 6; t++) {
      const h = core.pop(t);
      log.push(byHandle.get(h)!);
      core.charge(h, 1);
      core.requeue(h, t + 1, { preempted: true });
    }
    expect(log).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(core.counters().preemptions).toBe(6);
  });

  it('deadline (the default): urgent classes first when they arrive together', () => {
    const core = debugCore();
    expect(core.policy).toBe('deadline');
    const byHandle = registerAll(core, 0, mixed);
    expect(names(drain(core, 0), byHandle)).toEqual(['c1', 'c2', 'h1', 'n1', 'n2', 'bg1', 'bg2']);
  });

  it('deadline: a background task that has waited past its deadline beats fresh urgent work (nothing starves)', () => {
    const core = debugCore();
    core.setClassDeadline(4, 1000);
    const bg = core.register(0, 4);
    // A flood of critical work keeps arriving; each takes 10 ms.
    let nowMs = 0;
    let bgStartedAtMs = -1;
    while (bgStartedAtMs < 0) {
      core.register(nowMs, 0);
      const h = core.pop(nowMs);
      if (h === bg) bgStartedAtMs = nowMs;
      nowMs += 10;
      core.complete(h, nowMs);
    }
    // It ran once its key (0 + 1000) was older than the newest critical key.
    expect(bgStartedAtMs).toBeGreaterThanOrEqual(1000);
    expect(bgStartedAtMs).toBeLessThanOrEqual(1010);
  });

  it('changing a ready task class re-keys it in place', () => {
    const core = debugCore();
    core.setPolicy('priority');
    const byHandle = registerAll(core, 0, [['a', 3], ['b', 3], ['c', 3]]);
    const c = [...byHandle].find(([, n]) => n === 'c')![0];
    core.setClass(c, 0);
    expect(names(drain(core, 0), byHandle)).toEqual(['c', 'a', 'b']);
  });

  it('a yield keeps its place ahead of newer tasks of the same class; a plain requeue does not', () => {
    const core = debugCore();
    const byHandle = registerAll(core, 0, [['long', 2]]);
    const h = core.pop(0);
    byHandle.set(core.register(1, 2), 'newer');
    core.requeue(h, 2, { keepPlace: true });
    expect(names([core.pop(2)], byHandle)).toEqual(['long']);
    core.requeue(h, 3);
    expect(names([core.pop(3)], byHandle)).toEqual(['newer']);
  });

  it('switching policy re-keys the tasks already waiting', () => {
    const core = debugCore();
    const byHandle = registerAll(core, 0, [['bg', 4], ['c', 0]]);
    core.setPolicy('round-robin');
    expect(names(drain(core, 0), byHandle)).toEqual(['bg', 'c']);
  });

  it('reports how many ready tasks run before a given one', () => {
    const core = debugCore();
    core.setPolicy('priority');
    const low = core.register(0, 3);
    core.register(0, 0);
    core.register(0, 1);
    core.register(0, 4);
    expect(core.readyRank(low)).toBe(2);
  });
});
