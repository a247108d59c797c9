// What a VirtualClock is made and run with: its options, their defaults, and
// the checks of the arguments its methods take. Apart from the clock
// (virtual-clock.ts) so that the public option types, and their TSDoc, read
// on their own.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';

export interface VirtualClockOptions {
  /**
   * What now() returns before any advance.
   * @default 0
   */
  startMs?: number;
  /**
   * What wallNow() returns before any advance or jumpWall.
   * @default Date.UTC(2026, 0, 1)
   * @example new VirtualClock({ wallStartMs: Date.UTC(2026, 2, 29, 0, 59) }) // just before a DST change
   */
  wallStartMs?: number;
  /**
   * How many callbacks advance() and flush() run at one instant, time not
   * moving, before they reject with VirtualClockNotIdleError.
   * @default 100_000
   */
  maxStepsPerInstant?: number;
}

export interface RunUntilIdleOptions {
  /**
   * How many callbacks (timers and macrotasks) to run before rejecting with
   * VirtualClockNotIdleError: what stops an endless periodic task.
   * @default 100_000
   */
  maxSteps?: number;
}

/** The step limit of advance(), flush() and runUntilIdle() unless one is given. */
export const DEFAULT_MAX_STEPS = 100_000;

export function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(`${name} must be a function, received ${describeValue(value)}`);
  }
}

export function requireStepCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`${name} must be an integer >= 1, received ${describeValue(value)}`);
  }
  return value;
}
