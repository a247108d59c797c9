// JSON payloads (params, metadata, retry options, results, errors, saved
// states) are checked before anything is written, then stored as JSON text in
// every store, so a value reads back the same from memory, SQLite and
// IndexedDB. JSON.stringify would quietly drop or coerce what it cannot
// represent (undefined vanishes, NaN becomes null, a Date becomes a string, a
// Map becomes {}), and nothing may be silently coerced (C5): such values are
// refused with the path to the offending part. The one coercion left is JSON's
// own: -0 reads back as 0.
import { UnstorablePayloadError } from './errors.js';
import type { Json } from './records.js';

/** Deeper values are refused: JSON.parse and JSON.stringify recurse too. */
const MAX_DEPTH = 256;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Why `value` is not exactly representable in JSON, or undefined when it is (not looking inside). */
function refusal(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${value} is not a finite number`;
    case 'undefined':
      return 'undefined (use null, or leave the property out)';
    case 'function':
      return 'a function (persisted tasks name a function registered with define(name, fn))';
    case 'symbol':
      return 'a symbol';
    case 'bigint':
      return `a BigInt (${value}n; store it as a string)`;
    default:
      return undefined;
  }
}

function check(value: unknown, path: string, ancestors: Set<object>, depth: number): void {
  const why = refusal(value);
  if (why !== undefined) throw new UnstorablePayloadError(path, why);
  if (typeof value !== 'object' || value === null) return;
  if (depth > MAX_DEPTH) throw new UnstorablePayloadError(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.has(value)) throw new UnstorablePayloadError(path, 'a cycle (the value contains itself)');
  ancestors.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new UnstorablePayloadError(childPath(path, i), 'a hole in a sparse array');
      check(value[i], childPath(path, i), ancestors, depth + 1);
    }
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
      throw new UnstorablePayloadError(path, `a ${typeof name === 'string' && name !== '' ? name : 'non-plain'} object (only plain objects and arrays)`);
    }
    if (Object.getOwnPropertySymbols(value).length > 0) throw new UnstorablePayloadError(path, 'an object with symbol keys');
    for (const key of Object.keys(value)) check((value as Record<string, unknown>)[key], childPath(path, key), ancestors, depth + 1);
  }
  ancestors.delete(value);
}

/** Throws UnstorablePayloadError, naming `path` and where inside, unless `value` is exactly representable in JSON. */
export function checkJson(value: unknown, path: string): asserts value is Json {
  check(value, path, new Set(), 0);
}

/** `value` as JSON text, after checkJson(). */
export function toJsonText(value: unknown, path: string): string {
  checkJson(value, path);
  return JSON.stringify(value);
}

/** A JSON value back from its text. */
export function fromJsonText(text: string): Json {
  return JSON.parse(text) as Json;
}
