// JSON payloads (params, metadata, retry options, results, errors, saved
// states) are checked before anything is written, then stored as JSON text in
// every store, so a value reads back the same from memory, SQLite and
// IndexedDB. JSON.stringify would quietly drop or coerce what it cannot
// represent (undefined vanishes, NaN becomes null, a Date becomes a string, a
// Map becomes {}), and nothing may be silently coerced (C5): such values are
// refused with the path to the offending part. The one coercion left is JSON's
// own: -0 reads back as 0.
import { PayloadTooLargeError, UnstorablePayloadError } from './errors.js';
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

/**
 * A lower bound of the JSON text's length, counted during the walk (each
 * number as 1 character, strings without their escapes), so that a payload
 * far over the size limit is refused early, before the walk, the encoding and
 * the write each pass over megabytes.
 */
interface SizeBudget {
  /** What the lower bound may still grow by before the value is too large. */
  left: number;
  readonly maxBytes: number;
  readonly path: string;
}

function spend(budget: SizeBudget | undefined, chars: number): void {
  if (budget === undefined) return;
  budget.left -= chars;
  if (budget.left < 0) throw new PayloadTooLargeError(budget.path, budget.maxBytes);
}

function scalarChars(value: unknown): number {
  if (typeof value === 'string') return value.length + 2;
  if (typeof value === 'boolean') return value ? 4 : 5;
  return value === null ? 4 : 1;
}

// `trail` (the keys from the root) and `ancestors` (the objects on the way down)
// are stacks shared by the whole walk: nothing is allocated per value.
function check(value: unknown, base: string, trail: (string | number)[], ancestors: object[], budget?: SizeBudget): void {
  const why = refusal(value);
  if (why !== undefined) throw new UnstorablePayloadError(pathOf(base, trail), why);
  if (typeof value !== 'object' || value === null) {
    spend(budget, scalarChars(value));
    return;
  }
  try {
    checkObject(value, base, trail, ancestors, budget);
  } catch (error) {
    if (UnstorablePayloadError.is(error) || PayloadTooLargeError.is(error)) throw error;
    // A getter or a Proxy trap that throws: refused as unstorable, with the error as cause, not thrown raw mid-registration.
    throw new UnstorablePayloadError(pathOf(base, trail), `reading it threw (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

function checkObject(value: object, base: string, trail: (string | number)[], ancestors: object[], budget?: SizeBudget): void {
  if (ancestors.length >= MAX_DEPTH) throw new UnstorablePayloadError(pathOf(base, trail), `nested deeper than ${MAX_DEPTH} levels`);
  if (ancestors.includes(value)) throw new UnstorablePayloadError(pathOf(base, trail), 'a cycle (the value contains itself)');
  const notPlain = objectRefusal(value);
  if (notPlain !== undefined) throw new UnstorablePayloadError(pathOf(base, trail), notPlain);
  ancestors.push(value);
  spend(budget, 2);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      trail.push(i);
      if (!(i in value)) throw new UnstorablePayloadError(pathOf(base, trail), 'a hole in a sparse array');
      // A comma before every element but the first.
      if (i > 0) spend(budget, 1);
      check(value[i], base, trail, ancestors, budget);
      trail.pop();
    }
  } else {
    let first = true;
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      trail.push(key);
      // `"key":`, and a comma before every member but the first.
      spend(budget, key.length + (first ? 3 : 4));
      first = false;
      check((value as Record<string, unknown>)[key], base, trail, ancestors, budget);
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

/** The length of `text` in UTF-8 bytes. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) bytes += 1;
    // A surrogate pair (two units) is 4 bytes (JSON.stringify escapes a lone surrogate); any other unit above 0x7ff is 3.
    else if (code >= 0xd800 && code <= 0xdfff) bytes += 1;
    else bytes += 2;
  }
  return bytes;
}

/**
 * More than the most characters one number writes, 26 ('-0.0000012345678901234567':
 * 17 digits after six zeros), while the lower bound counts it as 1: a value
 * whose bound is under maxBytes / NUMBER_SLACK cannot exceed maxBytes.
 */
const NUMBER_SLACK = 32;

/**
 * checkJson(), and the size limit: throws PayloadTooLargeError unless the
 * value's JSON text is at most maxBytes UTF-8 bytes. The walk counts a lower
 * bound and stops as soon as it passes the limit (a 50 MB value costs only
 * the walk of its first megabyte); only a value whose bound comes near the
 * limit is encoded to be measured exactly.
 */
export function checkJsonSize(value: unknown, path: string, maxBytes: number): asserts value is Json {
  const budget: SizeBudget = { left: maxBytes, maxBytes, path };
  if (typeof value !== 'object' || value === null) {
    checkJson(value, path);
    spend(budget, scalarChars(value));
  } else {
    check(value, path, [], [], budget);
  }
  const lowerBound = maxBytes - budget.left;
  if (lowerBound * NUMBER_SLACK <= maxBytes) return;
  if (utf8Length(JSON.stringify(value)) > maxBytes) throw new PayloadTooLargeError(path, maxBytes);
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
