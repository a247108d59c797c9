// Argument checks shared by every store, so each refuses the same input with
// the same message: the option's path, what is allowed, what was received.
// Stores run them before opening a transaction, so a refused call writes nothing.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { checkConstraintsRecord } from '../constraints/slot-constraints.js';
import { parseCalendarPeriodText } from '../time/calendar-period.js';
import { MAX_DURATION_MS } from '../time/duration.js';
import { PRIORITY_NAMES } from '../tasks/priorities.js';
import type { InvalidTaskRecordError } from './errors.js';
import { checkJson } from './json.js';
import {
  DST_GAP_POLICIES, DST_OVERLAP_POLICIES, EXECUTION_OUTCOMES, MISFIRE_POLICIES, SCHEDULE_KINDS, type SlotKey, TASK_STATUSES, type TaskPatch, type TaskRecord,
} from './records.js';

/** Ids (task ids) longer than this are refused: they are keys in every index. */
export const MAX_ID_LENGTH = 1024;

export function invalid(path: string, allowed: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${path} must be ${allowed}, received ${describeValue(value)}`);
}

export function checkObject(value: unknown, path: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'an object', value);
}

export function checkArray(value: unknown, path: string): asserts value is readonly unknown[] {
  if (!Array.isArray(value)) throw invalid(path, 'an array', value);
}

export function checkId(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw invalid(path, `a string of 1 to ${MAX_ID_LENGTH} characters`, value);
  }
}

/**
 * A field check: `base` and `key` make the path (`tasks[3]` and `params`),
 * joined only when the check fails, so a valid record costs no string work.
 */
type Check = (value: unknown, base: string, key: string) => void;

const at = (base: string, key: string) => (key === '' ? base : `${base}.${key}`);

/** A Check from a predicate and the words for what it allows. */
const rule = (test: (v: unknown) => boolean, allowed: string): Check => (v, base, key) => {
  if (!test(v)) throw invalid(at(base, key), allowed, v);
};
const orNull = (check: Check): Check => (v, base, key) => {
  if (v !== null) check(v, base, key);
};
const isString = (v: unknown) => typeof v === 'string';
const isNonEmpty = (v: unknown) => typeof v === 'string' && v.length > 0;
const isFiniteNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const string = rule(isString, 'a string');
const nonEmpty = rule(isNonEmpty, 'a non-empty string');
const finite = rule(isFiniteNumber, 'a finite number of ms');
/** Durations (delays, periods, windows) are bounded as the options that set them are (src/time/duration.ts). */
const nonNegative = rule((v) => isFiniteNumber(v) && (v as number) >= 0 && (v as number) <= MAX_DURATION_MS, 'a number of ms from 0 to 1e15');
const positive = rule((v) => isFiniteNumber(v) && (v as number) > 0 && (v as number) <= MAX_DURATION_MS, 'a number of ms > 0 and at most 1e15');
const integerAtLeast = (min: number) => rule((v) => Number.isSafeInteger(v) && (v as number) >= min, `an integer >= ${min}`);
/** Nominal times are slot identities: exact integers. */
const nominalMs = rule(Number.isSafeInteger, 'an integer number of ms since the epoch');
const oneOf = (values: readonly string[]) => {
  const allowed = new Set(values);
  return rule((v) => typeof v === 'string' && allowed.has(v), `one of ${values.map((x) => `'${x}'`).join(', ')}`);
};
const json: Check = (v, base, key) => {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return;
  checkJson(v, at(base, key));
};
const id: Check = rule((v) => typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH, `a string of 1 to ${MAX_ID_LENGTH} characters`);

export function checkNominalMs(value: unknown, path: string): asserts value is number {
  nominalMs(value, path, '');
}

const MISFIRE_KEYS = new Set(['policy', 'graceMs', 'catchUpWindowMs', 'catchUpMax']);
const misfirePolicy = oneOf(MISFIRE_POLICIES);
const catchUpMax = orNull(integerAtLeast(1));
const catchUpWindow = orNull(nonNegative);

const checkMisfire: Check = (v, base, key) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalid(at(base, key), 'an object', v);
  for (const k in v) {
    if (!MISFIRE_KEYS.has(k)) throw new InvalidArgumentError(`${at(base, key)}.${k} is not a misfire field (known: ${[...MISFIRE_KEYS].join(', ')})`);
  }
  const m = v as Record<string, unknown>;
  const path = at(base, key);
  misfirePolicy(m.policy, path, 'policy');
  nonNegative(m.graceMs, path, 'graceMs');
  catchUpWindow(m.catchUpWindowMs, path, 'catchUpWindowMs');
  catchUpMax(m.catchUpMax, path, 'catchUpMax');
};

/** One check per TaskRecord field; the keys are also the list of known fields. */
const TASK_FIELDS: Readonly<Record<keyof TaskRecord, Check>> = {
  id,
  name: nonEmpty,
  description: orNull(string),
  ownerModule: orNull(string),
  functionName: nonEmpty,
  params: json,
  scheduleKind: oneOf(SCHEDULE_KINDS),
  delayMs: orNull(nonNegative),
  periodMs: orNull(positive),
  atMs: orNull(finite),
  cronExpression: orNull(nonEmpty),
  timeZone: orNull(nonEmpty),
  dstGap: orNull(oneOf(DST_GAP_POLICIES)),
  dstOverlap: orNull(oneOf(DST_OVERLAP_POLICIES)),
  priority: oneOf(PRIORITY_NAMES),
  misfire: checkMisfire,
  retry: json,
  createdAtMs: finite,
  updatedAtMs: finite,
  lastExecutionMs: orNull(finite),
  nextExecutionMs: orNull(finite),
  executionCount: integerAtLeast(0),
  maxExecutions: orNull(integerAtLeast(1)),
  status: oneOf(TASK_STATUSES),
  lastError: orNull(string),
  metadata: json,
  // Absent (a record made before the field, or by hand) means null.
  timeoutMs: (v, base, key) => {
    if (v !== undefined && v !== null) positive(v, base, key);
  },
  constraints: (v, base, key) => {
    if (v !== undefined && v !== null) checkConstraintsRecord(v, at(base, key));
  },
  calendarPeriod: (v, base, key) => {
    if (v !== undefined && v !== null && (typeof v !== 'string' || parseCalendarPeriodText(v) === undefined)) {
      throw invalid(`${base}.${key}`, "null or a calendar period like 'P1D', 'P2W' or 'P1M'", v);
    }
  },
  startAtMs: (v, base, key) => {
    if (v !== undefined && v !== null) nominalMs(v, base, key);
  },
  endAtMs: (v, base, key) => {
    if (v !== undefined && v !== null) nominalMs(v, base, key);
  },
  scheduleVersion: integerAtLeast(1),
  highWaterMarkMs: orNull(nominalMs),
};
const FIELD_CHECKS = Object.entries(TASK_FIELDS) as ReadonlyArray<[string, Check]>;
const KNOWN_FIELDS = Object.keys(TASK_FIELDS).join(', ');
const NOT_PATCHABLE: ReadonlySet<string> = new Set(['id', 'createdAtMs', 'scheduleVersion', 'highWaterMarkMs']);

/** What each schedule kind cannot do without. */
function checkScheduleShape(record: TaskRecord, path: string): void {
  if (record.scheduleKind === 'cron' && record.cronExpression === null) {
    throw new InvalidArgumentError(`${path}.cronExpression must be set for scheduleKind 'cron', received null`);
  }
  const calendar = record.calendarPeriod ?? null;
  if (calendar !== null && (record.scheduleKind !== 'fixed-rate' || record.atMs === null || record.periodMs !== null)) {
    throw new InvalidArgumentError(`${path}.calendarPeriod is for scheduleKind 'fixed-rate', with atMs (its anchor) set and periodMs null`);
  }
  if ((record.scheduleKind === 'fixed-rate' || record.scheduleKind === 'fixed-delay') && record.periodMs === null && calendar === null) {
    throw new InvalidArgumentError(`${path}.periodMs must be set for scheduleKind '${record.scheduleKind}', received null`);
  }
  const startAtMs = record.startAtMs ?? null;
  const endAtMs = record.endAtMs ?? null;
  if (startAtMs !== null && endAtMs !== null && endAtMs < startAtMs) {
    throw new InvalidArgumentError(`${path}.endAtMs must not be before startAtMs, received ${endAtMs} before ${startAtMs}`);
  }
}

/** Records exempt from checkTaskRecord while withVouchedRecords() writes them. */
const vouched = new WeakSet<object>();

/**
 * Runs `write` with `records` exempt from checkTaskRecord(): for records the
 * scheduler built from options it has checked (durable/task-options.ts),
 * valid by construction, so a store does not check them again. Only while
 * `write` runs: afterwards they are checked like any other.
 */
export async function withVouchedRecords<T>(records: readonly TaskRecord[], write: () => Promise<T>): Promise<T> {
  for (const record of records) vouched.add(record);
  try {
    return await write();
  } finally {
    for (const record of records) vouched.delete(record);
  }
}

/** Throws InvalidArgumentError or UnstorablePayloadError unless `value` is a complete, storable TaskRecord. */
export function checkTaskRecord(value: unknown, path: string): asserts value is TaskRecord {
  if (typeof value === 'object' && value !== null && vouched.has(value)) return;
  checkObject(value, path);
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(TASK_FIELDS, key)) throw new InvalidArgumentError(`${path}.${key} is not a task record field (known: ${KNOWN_FIELDS})`);
    count++;
  }
  if (count !== FIELD_CHECKS.length) {
    const missing = FIELD_CHECKS.find(([key]) => !Object.hasOwn(value, key))?.[0];
    throw new InvalidArgumentError(`${path}.${missing} is missing (taskRecord() fills the defaults)`);
  }
  for (const [key, check] of FIELD_CHECKS) check(value[key], path, key);
  checkScheduleShape(value as unknown as TaskRecord, path);
}

/** The checks of a record read back from a store: its JSON fields came out of JSON.parse, so they are not walked again. */
const LOADED_FIELD_CHECKS = FIELD_CHECKS.filter(([key]) => key !== 'params' && key !== 'retry' && key !== 'metadata');

/**
 * Throws InvalidArgumentError unless a record read back from a store holds
 * values a task can run with (a row edited by hand into `period_ms = -5` or
 * `at_ms = 'abc'` does not).
 */
export function checkLoadedTask(record: TaskRecord, path: string): void {
  for (const [key, check] of LOADED_FIELD_CHECKS) check((record as unknown as Record<string, unknown>)[key], path, key);
  checkScheduleShape(record, path);
}

/** Throws unless `value` is a valid TaskPatch (only mutable fields, each valid). */
export function checkTaskPatch(value: unknown, path: string): asserts value is TaskPatch {
  checkObject(value, path);
  for (const key of Object.keys(value)) {
    if (NOT_PATCHABLE.has(key)) {
      throw new InvalidArgumentError(`${path}.${key} cannot be changed by an update (the store keeps id, createdAtMs, scheduleVersion and highWaterMarkMs)`);
    }
    const check = (TASK_FIELDS as Record<string, Check>)[key];
    if (check === undefined) throw new InvalidArgumentError(`${path}.${key} is not a task record field (known: ${KNOWN_FIELDS})`);
    check(value[key], path, key);
  }
}

/** Re-checks a merged record's schedule shape (a patch may set cron kind without an expression). */
export function checkMergedSchedule(record: TaskRecord, path: string): void {
  checkScheduleShape(record, path);
}

const version = integerAtLeast(1);
const slotVersion = integerAtLeast(0);

/** Checks a slot key; `manual` allows the manual runs' schedule version 0 (a claim may name one, a skip may not). */
export function checkSlot(value: unknown, path: string, manual = false): asserts value is SlotKey {
  checkObject(value, path);
  id(value.taskId, path, 'taskId');
  (manual ? slotVersion : version)(value.scheduleVersion, path, 'scheduleVersion');
  nominalMs(value.nominalMs, path, 'nominalMs');
}

/** Checks `value[key]` is a finite time in ms; the path is `${path}.${key}` (key '' for the value itself). */
export function checkTimeMs(value: unknown, path: string, key = ''): asserts value is number {
  finite(value, path, key);
}

/** Checks pruneEndedTasks()' arguments (the store contract). */
export function checkPruneTasksArguments(olderThanMs: unknown, after: unknown, limit: unknown): asserts after is string | null {
  checkTimeMs(olderThanMs, 'olderThanMs');
  if (after !== null && typeof after !== 'string') throw invalid('after', 'a cursor string or null', after);
  checkIntegerInRange(limit, 'limit', 1, 10_000);
}

export function checkNonEmptyString(value: unknown, path: string, key = ''): asserts value is string {
  nonEmpty(value, path, key);
}

export function checkFencingToken(value: unknown, path: string): asserts value is number {
  version(value, path, '');
}

export function checkIntegerInRange(value: unknown, path: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(path, `an integer from ${min} to ${max}`, value);
  }
}

const ENDING_OUTCOMES = EXECUTION_OUTCOMES.filter((o) => o !== 'running' && o !== 'skipped');

/** complete() outcomes: how an attempt can end. */
const endingOutcome = oneOf(ENDING_OUTCOMES);
export function checkEndingOutcome(value: unknown, path: string): void {
  endingOutcome(value, path, '');
}

/** History options with defaults applied. */
export interface ResolvedHistoryOptions {
  limit: number;
  before: { nominalMs: number; scheduleVersion: number } | null;
}

export function resolveHistoryOptions(taskId: unknown, options: unknown): ResolvedHistoryOptions {
  checkId(taskId, 'taskId');
  if (options === undefined) return { limit: 100, before: null };
  checkObject(options, 'options');
  for (const key of Object.keys(options)) {
    if (key !== 'limit' && key !== 'before') throw new InvalidArgumentError(`options.${key} is not a history option (known: limit, before)`);
  }
  const limit = options.limit ?? 100;
  checkIntegerInRange(limit, 'options.limit', 1, 10_000);
  if (options.before === undefined) return { limit, before: null };
  checkObject(options.before, 'options.before');
  nominalMs(options.before.nominalMs, 'options.before', 'nominalMs');
  version(options.before.scheduleVersion, 'options.before', 'scheduleVersion');
  return { limit, before: { nominalMs: options.before.nominalMs as number, scheduleVersion: options.before.scheduleVersion as number } };
}

export interface ResolvedLoadOptions {
  batchSize: number;
  /** Where invalid rows go; undefined: loadTasks() rejects at the first. */
  onInvalid: ((error: InvalidTaskRecordError) => void) | undefined;
}

export function resolveLoadOptions(options: unknown): ResolvedLoadOptions {
  if (options === undefined) return { batchSize: 5000, onInvalid: undefined };
  checkObject(options, 'options');
  for (const key of Object.keys(options)) {
    if (key !== 'batchSize' && key !== 'onInvalid') throw new InvalidArgumentError(`options.${key} is not a loadTasks option (known: batchSize, onInvalid)`);
  }
  const batchSize = options.batchSize ?? 5000;
  checkIntegerInRange(batchSize, 'options.batchSize', 1, 100_000);
  const onInvalid = options.onInvalid;
  if (onInvalid !== undefined && typeof onInvalid !== 'function') throw invalid('options.onInvalid', 'a function', onInvalid);
  return { batchSize, onInvalid: onInvalid as ResolvedLoadOptions['onInvalid'] };
}

const TRACE_ID = /^(?!0{32})[0-9a-f]{32}$/;
const SPAN_ID = /^(?!0{16})[0-9a-f]{16}$/;

/** A completion's span: W3C trace context ids (lowercase hex, not all zero), as OpenTelemetry makes them. */
export function checkTrace(value: unknown, path: string): void {
  checkObject(value, path);
  if (typeof value.traceId !== 'string' || !TRACE_ID.test(value.traceId)) throw invalid(`${path}.traceId`, '32 lowercase hex digits, not all zero', value.traceId);
  if (typeof value.spanId !== 'string' || !SPAN_ID.test(value.spanId)) throw invalid(`${path}.spanId`, '16 lowercase hex digits, not all zero', value.spanId);
}

/**
 * pruneEndedTasks()' cursor for a store that scans its ended tasks in (status,
 * id) order: the status, a space, the id (a status has no space).
 */
export function encodeEndedCursor(status: string, id: string): string {
  return `${status} ${id}`;
}

export function decodeEndedCursor(cursor: string): { status: string; id: string } {
  const space = cursor.indexOf(' ');
  if (space < 0) throw invalid('after', 'a cursor from pruneEndedTasks()', cursor);
  return { status: cursor.slice(0, space), id: cursor.slice(space + 1) };
}
