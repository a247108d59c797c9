// Checks run before any number reaches the core: NaN turned into an integer
// traps wasm, and a silently coerced value is a bug report waiting to happen.
import { CLASS_COUNT, NICE_MAX, NICE_MIN } from './layout.generated.js';
import { describeValue, InvalidHandleError, mustBe } from './errors.js';

/** A finite number >= 0 (ms or a timestamp). */
export function requireTimeMs(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || value === Number.POSITIVE_INFINITY) {
    throw mustBe(name, 'a finite number of ms >= 0', value);
  }
  return value;
}

/** A finite number > 0. */
export function requirePositiveMs(name: string, value: unknown): number {
  if (typeof value !== 'number' || !(value > 0) || value === Number.POSITIVE_INFINITY) {
    throw mustBe(name, 'a finite number of ms > 0', value);
  }
  return value;
}

/** An integer in [min, max]. */
export function requireIntegerIn(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw mustBe(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

export function requireClass(name: string, value: unknown): number {
  return requireIntegerIn(name, value, 0, CLASS_COUNT - 1);
}

export function requireNice(name: string, value: unknown): number {
  return requireIntegerIn(name, value, NICE_MIN, NICE_MAX);
}

/** A handle is a positive integer; the core tells stale from valid. */
export function requireHandle(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidHandleError(`handle must be a task handle (a positive integer), received ${describeValue(value)}`);
  }
  return value;
}
