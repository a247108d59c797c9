// Argument checks shared by every store, so each refuses the same input with
// the same message: the option's path, what is allowed, what was received.
// Stores run them before opening a transaction, so a refused call writes nothing.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { PRIORITY_NAMES } from '../priorities.js';
import { checkJson } from './json.js';
import {
  EXECUTION_OUTCOMES, MISFIRE_POLICIES, SCHEDULE_KINDS, type SlotKey, TASK_STATUSES, type TaskPatch, type TaskRecord,
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

type Check = (value: unknown, path: string) => void;

const string: Check = (v, p) => {
  if (typeof v !== 'string') throw invalid(p, 'a string', v);
};
const nonEmpty: Check = (v, p) => {
  if (typeof v !== 'string' || v.length === 0) throw invalid(p, 'a non-empty string', v);
};
const orNull = (check: Check): Check => (v, p) => {
  if (v !== null) check(v, p);
};
const finite: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(p, 'a finite number of ms', v);
};
const nonNegative: Check = (v, p) => {
  if (typeof v !== 'number' || !(v >= 0) || v === Number.POSITIVE_INFINITY) throw invalid(p, 'a finite number of ms >= 0', v);
};
const positive: Check = (v, p) => {
  if (typeof v !== 'number' || !(v > 0) || v === Number.POSITIVE_INFINITY) throw invalid(p, 'a finite number of ms > 0', v);
};
const integerAtLeast = (min: number): Check => (v, p) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw invalid(p, `an integer >= ${min}`, v);
};
/** Nominal times are slot identities: exact integers. */
export const checkNominalMs: Check = (v, p) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw invalid(p, 'an integer number of ms since the epoch', v);
};
const oneOf = (values: readonly string[]): Check => (v, p) => {
  if (typeof v !== 'string' || !values.includes(v)) throw invalid(p, `one of ${values.map((x) => `'${x}'`).join(', ')}`, v);
};
const json: Check = (v, p) => checkJson(v, p);

const checkMisfire: Check = (v, p) => {
  checkObject(v, p);
  for (const key of Object.keys(v)) {
    if (!['policy', 'graceMs', 'catchUpWindowMs', 'catchUpMax'].includes(key)) {
      throw new InvalidArgumentError(`${p}.${key} is not a misfire field (known: policy, graceMs, catchUpWindowMs, catchUpMax)`);
    }
  }
  oneOf(MISFIRE_POLICIES)(v.policy, `${p}.policy`);
  nonNegative(v.graceMs, `${p}.graceMs`);
  orNull(nonNegative)(v.catchUpWindowMs, `${p}.catchUpWindowMs`);
  orNull(integerAtLeast(1))(v.catchUpMax, `${p}.catchUpMax`);
};

/** One check per TaskRecord field; the keys are also the list of known fields. */
const TASK_FIELDS: Readonly<Record<keyof TaskRecord, Check>> = {
  id: checkId,
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
  scheduleVersion: integerAtLeast(1),
  highWaterMarkMs: orNull(checkNominalMs),
};
const KNOWN_FIELDS = Object.keys(TASK_FIELDS).join(', ');
const NOT_PATCHABLE: ReadonlySet<string> = new Set(['id', 'createdAtMs', 'scheduleVersion', 'highWaterMarkMs']);

/** What each schedule kind cannot do without. */
function checkScheduleShape(record: TaskRecord, path: string): void {
  if (record.scheduleKind === 'cron' && record.cronExpression === null) {
    throw new InvalidArgumentError(`${path}.cronExpression must be set for scheduleKind 'cron', received null`);
  }
  if ((record.scheduleKind === 'fixed-rate' || record.scheduleKind === 'fixed-delay') && record.periodMs === null) {
    throw new InvalidArgumentError(`${path}.periodMs must be set for scheduleKind '${record.scheduleKind}', received null`);
  }
}

/** Throws InvalidArgumentError or UnstorablePayloadError unless `value` is a complete, storable TaskRecord. */
export function checkTaskRecord(value: unknown, path: string): asserts value is TaskRecord {
  checkObject(value, path);
  for (const key of Object.keys(value)) {
    if (!Object.hasOwn(TASK_FIELDS, key)) throw new InvalidArgumentError(`${path}.${key} is not a task record field (known: ${KNOWN_FIELDS})`);
  }
  for (const [key, check] of Object.entries(TASK_FIELDS)) {
    if (!Object.hasOwn(value, key)) throw new InvalidArgumentError(`${path}.${key} is missing (taskRecord() fills the defaults)`);
    check(value[key], `${path}.${key}`);
  }
  checkScheduleShape(value as unknown as TaskRecord, path);
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
    check(value[key], `${path}.${key}`);
  }
}

/** Re-checks a merged record's schedule shape (a patch may set cron kind without an expression). */
export function checkMergedSchedule(record: TaskRecord, path: string): void {
  checkScheduleShape(record, path);
}

export function checkSlot(value: unknown, path: string): asserts value is SlotKey {
  checkObject(value, path);
  checkId(value.taskId, `${path}.taskId`);
  integerAtLeast(1)(value.scheduleVersion, `${path}.scheduleVersion`);
  checkNominalMs(value.nominalMs, `${path}.nominalMs`);
}

export function checkTimeMs(value: unknown, path: string): asserts value is number {
  finite(value, path);
}

export function checkNonEmptyString(value: unknown, path: string): asserts value is string {
  nonEmpty(value, path);
}

export function checkFencingToken(value: unknown, path: string): asserts value is number {
  integerAtLeast(1)(value, path);
}

export function checkIntegerInRange(value: unknown, path: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw invalid(path, `an integer from ${min} to ${max}`, value);
  }
}

const ENDING_OUTCOMES = EXECUTION_OUTCOMES.filter((o) => o !== 'running' && o !== 'skipped');

/** complete() outcomes: how an attempt can end. */
export function checkEndingOutcome(value: unknown, path: string): void {
  oneOf(ENDING_OUTCOMES)(value, path);
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
  checkNominalMs(options.before.nominalMs, 'options.before.nominalMs');
  integerAtLeast(1)(options.before.scheduleVersion, 'options.before.scheduleVersion');
  return { limit, before: { nominalMs: options.before.nominalMs as number, scheduleVersion: options.before.scheduleVersion as number } };
}

export function resolveBatchSize(options: unknown): number {
  if (options === undefined) return 5000;
  checkObject(options, 'options');
  for (const key of Object.keys(options)) {
    if (key !== 'batchSize') throw new InvalidArgumentError(`options.${key} is not a loadTasks option (known: batchSize)`);
  }
  const batchSize = options.batchSize ?? 5000;
  checkIntegerInRange(batchSize, 'options.batchSize', 1, 100_000);
  return batchSize;
}
