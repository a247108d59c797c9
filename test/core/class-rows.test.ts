// Rows are dealt to each priority class a chunk (one 4 KiB page) at a time, so
// a class's tasks sit together in registration order and a class-by-class pop
// streams through memory (see assembly/table.ts). The dispatch benchmark
// measures what it buys; these tests pin the layout it depends on.
import { describe, expect, it } from 'vitest';
import { InvalidHandleError, slotOfHandle } from '../../bindings/index.js';
import { debugCore } from '../helpers/core.js';

const CHUNK_SLOTS = 64;

describe('task rows by class', () => {
  it('gives the tasks of one class consecutive rows, whatever the other classes register between them', () => {
    const core = debugCore();
    const slotsByClass: number[][] = [[], [], [], [], []];
    for (let i = 0; i < 200; i++) {
      const cls = (i * 7) % 5;
      slotsByClass[cls]!.push(slotOfHandle(core.register(0, cls)));
    }
    for (const slots of slotsByClass) {
      // Consecutive inside a chunk; a new chunk starts on a chunk boundary.
      for (let i = 1; i < slots.length; i++) {
        const slot = slots[i]!;
        if (slot !== slots[i - 1]! + 1) expect(slot % CHUNK_SLOTS).toBe(0);
      }
    }
    const all = slotsByClass.flat();
    expect(new Set(all).size).toBe(all.length);
  });

  it('reuses freed rows before dealing new ones, and deals from the first row again once the table empties', () => {
    const core = debugCore();
    const batch = () => Array.from({ length: 300 }, (_, i) => core.register(0, i % 5));
    const first = batch();
    const highest = Math.max(...first.map(slotOfHandle));
    // A freed row is reused by the next task of any class.
    core.cancel(first[7]!);
    expect(slotOfHandle(core.register(0, 4))).toBe(slotOfHandle(first[7]!));
    for (let h = core.pop(0); h !== 0; h = core.pop(0)) core.complete(h, 0);
    expect(core.counters().live).toBe(0);
    const second = batch();
    // The same rows again: the table did not grow across batches.
    expect(Math.max(...second.map(slotOfHandle))).toBe(highest);
    expect(Math.min(...second.map(slotOfHandle))).toBe(0);
  });

  it('refuses a handle naming a row dealt into a chunk but never handed out', () => {
    const core = debugCore();
    const h = core.register(0, 2);
    // The next row of class 2's chunk exists in memory but no task holds it.
    expect(() => core.cancel(h + 1)).toThrow(InvalidHandleError);
    expect(core.state(h)).toBe('ready');
  });
});
