import { describe, expect, it } from 'vitest';
import { generationOfHandle, InvalidHandleError, slotOfHandle, StaleHandleError } from '../../bindings/index.js';
import { debugCore } from '../helpers/core.js';

describe('handles', () => {
  it('refuses a handle whose task ended, even after its slot is reused by another task', () => {
    const core = debugCore();
    const first = core.register(0);
    core.cancel(first);
    const second = core.register(0);
    expect(slotOfHandle(second)).toBe(slotOfHandle(first));
    expect(generationOfHandle(second)).toBe(generationOfHandle(first) + 1);
    expect(() => core.setClass(first, 0)).toThrow(StaleHandleError);
    expect(() => core.cancel(first)).toThrow(StaleHandleError);
    // The new task was not touched by the stale calls.
    expect(core.snapshot(second).priorityClass).toBe(2);
    expect(core.state(second)).toBe('ready');
  });

  it('refuses a completed one-shot task handle', () => {
    const core = debugCore();
    const h = core.register(0);
    expect(core.pop(0)).toBe(h);
    core.complete(h, 1);
    expect(() => core.state(h)).toThrow(StaleHandleError);
  });

  it('refuses numbers that were never handles', () => {
    const core = debugCore();
    core.register(0);
    for (const bad of [2 ** 24 + 5, 2 ** 53, 3 * 2 ** 24 + 0.5]) {
      expect(() => core.cancel(bad)).toThrow(InvalidHandleError);
    }
    for (const bad of [Number.NaN, -1, 0, Number.POSITIVE_INFINITY, 1.5, '1' as unknown as number]) {
      expect(() => core.cancel(bad)).toThrow(InvalidHandleError);
    }
  });
});
