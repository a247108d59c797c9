// Reading an options object once, safely.
//
// Options are validated field by field after being read, and a field read
// twice could answer differently (a getter, a Proxy). Worse, a getter or a
// Proxy trap that throws would surface its raw error from deep inside the
// validation. So each options object is first copied into a plain object:
// every enumerable key (own or inherited, as `for...in` sees them) and every
// known key (read directly, so a class instance's getters count) is read
// exactly once, and a throw becomes an InvalidArgumentError naming the option
// path, with the original error as its `cause`. Nested option objects named
// in `nested` (retry, dst, deadlinesMs...) are copied the same way; other
// values (a Store, a Clock, an AbortSignal, JSON params) are kept as given.
import { describeValue, InvalidArgumentError, mustBe } from '../../bindings/errors.js';

/** How a thrown value reads in a message. */
function thrownText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return describeValue(error);
}

function unreadable(path: string, how: string, error: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${path} could not be read: ${how} threw ${thrownText(error)}`, { cause: error });
}

/** True for an object whose fields are options, to copy; false for instances (a Store, a Clock, a Date...). */
function isPlainObject(value: object, path: string): boolean {
  let proto: object | null;
  try {
    proto = Object.getPrototypeOf(value);
  } catch (error) {
    throw unreadable(path, 'its prototype', error);
  }
  return proto === Object.prototype || proto === null;
}

/**
 * A plain copy of an options object (see the header). `known`: the keys read
 * even when not enumerable; `nested`: keys whose plain-object values are
 * copied too (their own known keys are whatever they enumerate).
 */
export function readOptions(value: object, path: string, known: Iterable<string> = [], nested: readonly string[] = []): Record<string, unknown> {
  const copy: Record<string, unknown> = Object.create(null);
  const source = value as Record<string, unknown>;
  const listed: string[] = [];
  try {
    for (const key in source) listed.push(key);
  } catch (error) {
    throw unreadable(path, 'listing its keys', error);
  }
  const keys = [...listed];
  for (const key of known) if (!listed.includes(key)) keys.push(key);
  for (const key of keys) {
    let field: unknown;
    try {
      field = source[key];
    } catch (error) {
      throw unreadable(`${path}.${key}`, 'its getter', error);
    }
    // A known key that is not there stays absent; a listed one is kept even if undefined.
    if (field === undefined && !listed.includes(key)) continue;
    if (nested.includes(key) && typeof field === 'object' && field !== null && isPlainObject(field, `${path}.${key}`)) {
      field = readOptions(field, `${path}.${key}`);
    }
    copy[key] = field;
  }
  return copy;
}

/** `value` as an options object: InvalidArgumentError naming `name` for anything else (an array, null, a revoked Proxy). */
export function requireObject(name: string, value: unknown): Record<string, unknown> {
  let isArray: boolean;
  try {
    isArray = Array.isArray(value);
  } catch (error) {
    // A revoked Proxy.
    throw new InvalidArgumentError(`${name} could not be read: Array.isArray threw ${String(error)}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || isArray) {
    throw mustBe(name, 'an options object', value);
  }
  return value as Record<string, unknown>;
}
