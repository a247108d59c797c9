// cancel() is O(1) whatever the number of live tasks, `done` read or not.
// Checked by counting, not timing: the core calls a cancel makes, and the
// cancellation error it builds (no stack trace: capturing one cost 5-15 µs a
// cancel, and 1e6 of them kept alive slowed every later cancel).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CoreInstance } from '../../bindings/core-instance.js';
import type { CoreExports } from '../../bindings/load.js';
import { TaskCancelledError } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Counts every call into the core's exports made by schedulers created from now on (their engine's CoreInstance). */
function countCoreCalls(): { calls: number } {
  const counter = { calls: 0 };
  const descriptor = Object.getOwnPropertyDescriptor(CoreInstance.prototype, 'exports') as PropertyDescriptor;
  const original = descriptor.get as (this: CoreInstance) => CoreExports;
  vi.spyOn(CoreInstance.prototype, 'exports', 'get').mockImplementation(function (this: CoreInstance) {
    const exports = original.call(this);
    // The wasm exports object is frozen: a copy whose functions count their calls.
    const counting: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(exports)) {
      counting[key] = typeof value !== 'function' ? value : (...args: unknown[]) => {
        counter.calls++;
        return (value as (...a: unknown[]) => unknown)(...args);
      };
    }
    return counting as unknown as CoreExports;
  });
  return counter;
}

/** Core calls per cancel() when `live` tasks (done read) are pending and `cancels` of them are cancelled. */
async function coreCallsPerCancel(live: number, cancels: number): Promise<number> {
  const counter = countCoreCalls();
  const { scheduler } = virtualScheduler();
  const handles = [];
  for (let i = 0; i < live; i++) handles.push(scheduler.after(1000 + i, () => i));
  const dones = handles.map((h) => h.done.catch(() => {}));
  counter.calls = 0;
  for (let i = 0; i < cancels; i++) handles[i * Math.floor(live / cancels)]?.cancel();
  const perCancel = counter.calls / cancels;
  vi.restoreAllMocks();
  await Promise.all(dones.slice(0, 1));
  return perCancel;
}

describe('cancel() cost', () => {
  it('makes the same number of core calls with 100 or 20,000 live tasks', async () => {
    const small = await coreCallsPerCancel(100, 100);
    const large = await coreCallsPerCancel(20_000, 100);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThanOrEqual(4);
    expect(large).toBe(small);
  });

  it('crosses into the core once per cancel: the core refuses an ended task itself', async () => {
    expect(await coreCallsPerCancel(1000, 100)).toBe(1);
  });

  it('rejects a done read before the cancel with an error that captured no stack', async () => {
    const { scheduler } = virtualScheduler();
    const h = scheduler.after(1000, () => 1);
    const done = h.done;
    h.cancel();
    const error = await done.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TaskCancelledError);
    expect(TaskCancelledError.is(error)).toBe(true);
    expect((error as Error).message).toBe(`task ${h.id} was cancelled`);
    expect(String((error as Error).stack).split('\n').filter((line) => line.trimStart().startsWith('at '))).toEqual([]);
    // The global limit is restored.
    expect(Error.stackTraceLimit).toBeGreaterThan(0);
  });
});
