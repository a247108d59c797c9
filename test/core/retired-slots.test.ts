// A slot whose generations are spent (MAX_GENERATION, some 5e8 reuses of one
// slot) is retired rather than starting over at generation 1: a task id is
// never handed out twice, however long a core lives (assembly/table.ts).
import { describe, expect, it } from 'vitest';
import { generationOfHandle, layout as L, slotOfHandle, StaleHandleError } from '../../bindings/index.js';
import { debugCore } from '../helpers/core.js';

/** A core whose slots start two generations short of the last one. */
function nearlySpentCore() {
  const core = debugCore();
  expect(core.exports.setFirstGeneration(L.MAX_GENERATION - 2)).toBe(0);
  return core;
}

describe('a slot whose generations are spent', () => {
  it('is retired: the next task takes another slot, and no id repeats', () => {
    const core = nearlySpentCore();
    const keep = core.register(0);
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) {
      const h = core.register(0);
      ids.push(h);
      core.cancel(h);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => generationOfHandle(id) <= L.MAX_GENERATION)).toBe(true);
    // The first slot used past `keep` ran out of generations after three tasks, and the next took a new one.
    const slots = ids.map(slotOfHandle);
    expect(slots.slice(0, 3).every((s) => s === slots[0])).toBe(true);
    expect(slots[3]).not.toBe(slots[0]);
    for (const old of ids) expect(() => core.cancel(old)).toThrow(StaleHandleError);
    expect(core.state(keep)).toBe('ready');
    expect(core.exports.checkInvariants()).toBe(0);
  });

  it('is not dealt again once the table empties and deals its rows in address order', () => {
    const core = nearlySpentCore();
    const ids: number[] = [];
    for (let round = 0; round < 5; round++) {
      const batch = Array.from({ length: 3 }, () => core.register(0, round % 5));
      ids.push(...batch);
      for (const h of batch) core.cancel(h);
      expect(core.liveTasks).toBe(0);
    }
    expect(new Set(ids).size).toBe(ids.length);
    // Rounds 0-2 spent their slots' generations: rounds 3 and 4 had to take others.
    const spent = new Set(ids.slice(0, 9).map(slotOfHandle));
    expect(ids.slice(9).filter((id) => spent.has(slotOfHandle(id)))).toEqual([]);
    expect(core.exports.checkInvariants()).toBe(0);
  });

  it('keeps the core from being renewed: a fresh one could not start above every id handed out', () => {
    const core = nearlySpentCore();
    for (let i = 0; i < 3; i++) core.cancel(core.register(0));
    expect(core.exports.highestGeneration()).toBe(L.MAX_GENERATION);
    expect(core.renew()).toBe(false);
    const next = core.register(0);
    expect(generationOfHandle(next)).toBeLessThanOrEqual(L.MAX_GENERATION);
    core.cancel(next);
  });
});
