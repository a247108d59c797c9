// Argument conversion as browsers do it for the Prioritized Task Scheduling
// API (WebIDL): every bad argument is a TypeError, as Chromium throws it. The
// callers decide when it surfaces: constructors and setPriority throw it,
// postTask() returns it as a rejected promise (WebIDL turns conversion errors of
// promise-returning operations into rejections).
import { describeValue } from '../../bindings/errors.js';

/** The three priorities of the Prioritized Task Scheduling API, most urgent first. */
export type TaskPriority = 'user-blocking' | 'user-visible' | 'background';

export const TASK_PRIORITIES: readonly TaskPriority[] = Object.freeze(['user-blocking', 'user-visible', 'background']);

/** The largest [EnforceRange] unsigned long long: 2^53 - 1. */
const MAX_UNSIGNED_LONG_LONG = Number.MAX_SAFE_INTEGER;

/** A TaskPriority enum value (converted with ToString first, as WebIDL enums are); TypeError otherwise. */
export function toTaskPriority(name: string, value: unknown): TaskPriority {
  // A Symbol cannot become a string: that is a TypeError too, as in WebIDL.
  const text = typeof value === 'string' ? value : typeof value === 'symbol' ? undefined : String(value);
  if (text !== undefined && (TASK_PRIORITIES as readonly string[]).includes(text)) return text as TaskPriority;
  throw new TypeError(`${name} must be one of ${TASK_PRIORITIES.map((p) => `'${p}'`).join(', ')}, received ${describeValue(value)}`);
}

/** An options dictionary: undefined and null read as {}, anything else that is not an object is a TypeError. */
export function toDictionary(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${name} must be an options object, received ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * A delay as an [EnforceRange] unsigned long long: converted with ToNumber
 * ('20' is 20), NaN and infinities refused, the fraction dropped, then
 * 0 <= ms <= 2^53 - 1 enforced.
 */
export function toDelayMs(name: string, value: unknown): number {
  const ms = typeof value === 'number' ? value : typeof value === 'bigint' || typeof value === 'symbol' ? Number.NaN : Number(value);
  const whole = Math.trunc(ms);
  if (!Number.isFinite(ms) || whole < 0 || whole > MAX_UNSIGNED_LONG_LONG) {
    throw new TypeError(`${name} must be a whole number of ms from 0 to 2^53 - 1, received ${describeValue(value)}`);
  }
  // Math.trunc(-0.5) is -0: a zero delay all the same.
  return whole + 0;
}

export function requireCallback(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function, received ${describeValue(value)}`);
}

export function requireAbortSignal(name: string, value: unknown): AbortSignal {
  if (!(value instanceof AbortSignal)) throw new TypeError(`${name} must be an AbortSignal, received ${describeValue(value)}`);
  return value;
}
