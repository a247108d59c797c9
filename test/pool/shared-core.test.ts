// One core, many instances on one shared memory: the two pitfalls of
// instantiating a module on a memory that already holds live data.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attachSharedCore, createSharedCore, SHARED_INITIAL_PAGES, SHARED_MAXIMUM_PAGES } from '../../bindings/shared.js';
import * as L from '../../bindings/layout.generated.js';

const fullSharedBuild = () => new WebAssembly.Module(readFileSync(new URL('../../build/timeslice.shared.wasm', import.meta.url)));

function sharedMemoryOf(core: ReturnType<typeof createSharedCore>): WebAssembly.Memory {
  return core.exports.memory;
}

describe('the core on a shared memory', () => {
  it('lives in a shared, fixed-maximum memory', () => {
    const core = createSharedCore();
    expect(sharedMemoryOf(core).buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(SHARED_MAXIMUM_PAGES).toBeGreaterThan(SHARED_INITIAL_PAGES);
  });

  it('re-applying the data segments of the full build over live data wipes the core (the pitfall), attaching does not', () => {
    const first = createSharedCore();
    const memory = sharedMemoryOf(first);
    const handles = [first.register(0, 4), first.register(0, 0), first.register(0, 2)];
    const before = first.counters();
    expect(before.ready).toBe(3);
    // An instance of the build as compiled: its zero-filled static data
    // (counters, lane heads, heap sizes) is emitted as data segments, applied
    // again over the live words on instantiation.
    new WebAssembly.Instance(fullSharedBuild(), { env: { memory, abort() {} } });
    expect(first.counters().ready).toBe(0);
    expect(first.counters().registered).toBe(0);

    // The same with the module the pool attaches with (no data section): nothing changes.
    const second = createSharedCore();
    const live = [second.register(0, 4), second.register(0, 0), second.register(0, 2)];
    const counted = second.counters();
    attachSharedCore(sharedMemoryOf(second));
    attachSharedCore(sharedMemoryOf(second));
    expect(second.counters()).toEqual(counted);
    expect(second.pop(1)).toBe(live[1]);
    expect(handles).toHaveLength(3);
  });

  it('a second instance allocates from the same free lists and arena: no slot or row handed out twice, growth seen by both', () => {
    const main = createSharedCore();
    const worker = attachSharedCore(sharedMemoryOf(main));
    const seen = new Set<number>();
    // Past the initial capacity of every group (1024), so the arena grows and
    // moves columns, from both instances in turn.
    const n = 3000;
    for (let i = 0; i < n; i++) {
      const h = (i % 2 === 0 ? main : worker).register(i, i % 5);
      expect(seen.has(h)).toBe(false);
      seen.add(h);
    }
    expect(main.counters().registered).toBe(n);
    expect(worker.counters().registered).toBe(n);
    expect(main.slotCapacity).toBe(worker.slotCapacity);
    expect(main.slotCapacity).toBeGreaterThanOrEqual(n);
    // Stats rows are allocated at first start, by whichever instance takes the task.
    let taken = 0;
    for (;;) {
      const got = (taken % 2 === 0 ? worker : main).exports.poolTake(n, L.POOL_ANY_CLASS, 7);
      if (got <= 0) break;
      taken += got;
    }
    expect(taken).toBe(n);
    expect(main.counters().running).toBe(n);
    expect(main.exports.poolRunningCount()).toBe(n);
    expect(main.exports.checkInvariants()).toBe(0);
    for (const h of seen) {
      expect(main.state(h)).toBe('running');
      (h % 2 === 0 ? main : worker).complete(h, n + 1);
    }
    expect(worker.counters().live).toBe(0);
    expect(main.exports.poolRunningCount()).toBe(0);
  });
});
