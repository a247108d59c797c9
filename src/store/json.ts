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

/** The path of the value at `trail` under `base`: built only for an error, never on the fast path. */
function pathOf(base: string, trail: readonly (string | number)[]): string {
  return trail.reduce<string>(childPath, base);
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

/** Why an object is not a plain object or array JSON can hold, or undefined. */
function objectRefusal(value: object): string | undefined {
  if (Array.isArray(value)) return undefined;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return `a ${typeof name === 'string' && name !== '' ? name : 'non-plain'} object (only plain objects and arrays)`;
  }
  return Object.getOwnPropertySymbols(value).length > 0 ? 'an object with symbol keys' : undefined;
}

// `trail` (the keys from the root) and `ancestors` (the objects on the way down)
// are stacks shared by the whole walk: nothing is allocated per value.
function check(value: unknown, base: string, trail: (string | number)[], ancestors: object[]): void {
  const why = refusal(value);
  if (why !== undefined) throw new UnstorablePayloadError(pathOf(base, trail), why);
  if (typeof value !== 'object' || value === null) return;
  if (ancestors.length >= MAX_DEPTH) throw new UnstorablePayloadError(pathOf(base, trail), `nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.includes(value)) throw new UnstorablePayloadError(pathOf(base, trail), 'a cycle (the value contains itself)');
  const notPlain = objectRefusal(value);
  if (notPlain !== undefined) throw new UnstorablePayloadError(pathOf(base, trail), notPlain);
  ancestors.push(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      if (!(i in value)) throw new UnstorablePayloadError(pathOf(base, trail), 'a hole in a sparse array');
      check(value[i], base, trail, ancestors);
      trail.pop();
    }
  } else {
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      trail.push(key);
      check((value as Record<string, unknown>)[key], base, trail, ancestors);
      trail.pop();
    }
  }
  ancestors.pop();
}

/** Throws UnstorablePayloadError, naming `path` and where inside, unless `value` is exactly representable in JSON. */
export function checkJson(value: unknown, path: string): asserts value is Json {
  // Scalars, the common params, need no walk.
  if (typeof value !== 'object' || value === null) {
    const why = refusal(value);
    if (why !== undefined) throw new UnstorablePayloadError(path, why);
    return;
  }
  check(value, path, [], []);
}

/** `value` as JSON text, after checkJson(). */
export function toJsonText(value: unknown, path: string): string {
  checkJson(value, path);
  return JSON.stringify(value);
}

/** A JSON value back from its text. */
export function fromJsonText(text: string): Json {
  // Most retry options and metadata are null: skip the parser for them.
  return text === 'null' ? null : (JSON.parse(text) as Json);
}
