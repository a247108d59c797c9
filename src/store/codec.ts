// The stored form of the records, shared by every store: flat (the misfire
// policy spread into columns) with JSON fields as text. Encoding checks the
// record first (validate.ts), so a record that reaches a store is storable;
// decoding trusts what the store gave back. The merge rules of an upsert and
// of a patch live here too, so every store bumps the schedule version and
// keeps the high-water mark the same way.
import { fromJsonText } from './json.js';
import type { ConstraintsRecord } from '../constraints/slot-constraints.js';
import type { CronGapPolicy, CronOverlapPolicy } from '../time/cron.js';
import type { ExecutionOutcome, ExecutionRecord, MisfirePolicy, ScheduleKind, TaskPatch, TaskRecord, TaskStatus } from './records.js';
import { SCHEDULE_FIELDS } from './records.js';
import { InvalidTaskRecordError } from './errors.js';
import { checkLoadedTask, checkMergedSchedule, checkTaskPatch, checkTaskRecord } from './validate.js';
import type { PriorityName } from '../tasks/priorities.js';

export interface StoredTask {
  id: string;
  name: string;
  description: string | null;
  ownerModule: string | null;
  functionName: string;
  params: string;
  scheduleKind: ScheduleKind;
  delayMs: number | null;
  periodMs: number | null;
  atMs: number | null;
  cronExpression: string | null;
  timeZone: string | null;
  priority: PriorityName;
  /**
   * Absent from records written before the DST policy was stored (IndexedDB
   * keeps them as they were): read as null, the default.
   */
  dstGap?: CronGapPolicy | null;
  dstOverlap?: CronOverlapPolicy | null;
  /** Absent from records written before the attempt timeout was stored: read as null, the scheduler's default. */
  timeoutMs?: number | null;
  /** JSON text of the slot constraints, or null; absent from records written before they were stored: read as null. */
  constraints?: string | null;
  /** Absent from records written before calendar intervals and start/end were stored: read as null (none). */
  calendarPeriod?: string | null;
  startAtMs?: number | null;
  endAtMs?: number | null;
  misfirePolicy: MisfirePolicy;
  misfireGraceMs: number;
  catchUpWindowMs: number | null;
  catchUpMax: number | null;
  retry: string;
  createdAtMs: number;
  updatedAtMs: number;
  lastExecutionMs: number | null;
  nextExecutionMs: number | null;
  executionCount: number;
  maxExecutions: number | null;
  status: TaskStatus;
  lastError: string | null;
  metadata: string;
  scheduleVersion: number;
  highWaterMarkMs: number | null;
}

/** StoredTask's fields in column order (the SQLite schema and statements follow it). */
export const STORED_TASK_FIELDS: readonly (keyof StoredTask)[] = Object.freeze([
  'id', 'name', 'description', 'ownerModule', 'functionName', 'params', 'scheduleKind', 'delayMs', 'periodMs', 'atMs',
  'cronExpression', 'timeZone', 'priority', 'misfirePolicy', 'misfireGraceMs', 'catchUpWindowMs', 'catchUpMax', 'retry',
  'createdAtMs', 'updatedAtMs', 'lastExecutionMs', 'nextExecutionMs', 'executionCount', 'maxExecutions', 'status',
  'lastError', 'metadata', 'scheduleVersion', 'highWaterMarkMs', 'dstGap', 'dstOverlap', 'timeoutMs', 'constraints', 'calendarPeriod',
  'startAtMs', 'endAtMs',
]);

export interface StoredExecution {
  id: string;
  taskId: string;
  scheduleVersion: number;
  nominalMs: number;
  attempt: number;
  fencingToken: number;
  startedAtMs: number | null;
  endedAtMs: number | null;
  outcome: ExecutionOutcome;
  result: string;
  error: string;
  skipReason: string | null;
  state: string;
  /** Absent from IndexedDB records written before tracing: read as null. */
  traceId: string | null;
  spanId: string | null;
}

export const STORED_EXECUTION_FIELDS: readonly (keyof StoredExecution)[] = Object.freeze([
  'id', 'taskId', 'scheduleVersion', 'nominalMs', 'attempt', 'fencingToken', 'startedAtMs', 'endedAtMs', 'outcome',
  'result', 'error', 'skipReason', 'state', 'traceId', 'spanId',
]);

/** JSON null as text: what an empty result, error or state is stored as. */
export const NULL_JSON = 'null';

/** Checks `record` (InvalidArgumentError, UnstorablePayloadError naming `path`) and encodes it. */
export function encodeTask(record: unknown, path: string): StoredTask {
  checkTaskRecord(record, path);
  return encodeCheckedTask(record);
}

/**
 * Encodes a record that checkTaskRecord() has passed. Lets a store check a
 * whole batch first (refusing it before any write), then encode each record
 * just before writing it, so a large batch never holds all encoded copies.
 */
export function encodeCheckedTask(r: TaskRecord): StoredTask {
  return {
    id: r.id, name: r.name, description: r.description, ownerModule: r.ownerModule, functionName: r.functionName,
    params: JSON.stringify(r.params),
    scheduleKind: r.scheduleKind, delayMs: noNegativeZero(r.delayMs), periodMs: r.periodMs, atMs: noNegativeZero(r.atMs),
    cronExpression: r.cronExpression, timeZone: r.timeZone, priority: r.priority, dstGap: r.dstGap, dstOverlap: r.dstOverlap,
    misfirePolicy: r.misfire.policy, misfireGraceMs: noNegativeZero(r.misfire.graceMs),
    catchUpWindowMs: noNegativeZero(r.misfire.catchUpWindowMs), catchUpMax: r.misfire.catchUpMax,
    retry: JSON.stringify(r.retry),
    createdAtMs: noNegativeZero(r.createdAtMs), updatedAtMs: noNegativeZero(r.updatedAtMs),
    lastExecutionMs: noNegativeZero(r.lastExecutionMs), nextExecutionMs: noNegativeZero(r.nextExecutionMs),
    executionCount: noNegativeZero(r.executionCount), maxExecutions: r.maxExecutions,
    status: r.status, lastError: r.lastError,
    metadata: JSON.stringify(r.metadata),
    scheduleVersion: r.scheduleVersion, highWaterMarkMs: noNegativeZero(r.highWaterMarkMs), timeoutMs: r.timeoutMs ?? null,
    constraints: r.constraints == null ? null : JSON.stringify(r.constraints),
    calendarPeriod: r.calendarPeriod ?? null, startAtMs: noNegativeZero(r.startAtMs ?? null), endAtMs: noNegativeZero(r.endAtMs ?? null),
  };
}

/**
 * 0 for -0, anything else as it is. SQLite stores -0 as 0, so every store
 * does, and a record reads back the same from each (JSON payloads do the same).
 */
export function noNegativeZero<T extends number | null>(value: T): T {
  return (value === 0 ? 0 : value) as T;
}

export function decodeTask(s: StoredTask): TaskRecord {
  return {
    id: s.id, name: s.name, description: s.description, ownerModule: s.ownerModule, functionName: s.functionName,
    params: fromJsonText(s.params),
    scheduleKind: s.scheduleKind, delayMs: s.delayMs, periodMs: s.periodMs, atMs: s.atMs,
    cronExpression: s.cronExpression, timeZone: s.timeZone, dstGap: s.dstGap ?? null, dstOverlap: s.dstOverlap ?? null,
    priority: s.priority,
    misfire: { policy: s.misfirePolicy, graceMs: s.misfireGraceMs, catchUpWindowMs: s.catchUpWindowMs, catchUpMax: s.catchUpMax },
    retry: fromJsonText(s.retry),
    createdAtMs: s.createdAtMs, updatedAtMs: s.updatedAtMs, lastExecutionMs: s.lastExecutionMs,
    nextExecutionMs: s.nextExecutionMs, executionCount: s.executionCount, maxExecutions: s.maxExecutions,
    status: s.status, lastError: s.lastError,
    metadata: fromJsonText(s.metadata), timeoutMs: s.timeoutMs ?? null,
    constraints: s.constraints == null ? null : (fromJsonText(s.constraints) as unknown as ConstraintsRecord),
    calendarPeriod: s.calendarPeriod ?? null, startAtMs: s.startAtMs ?? null, endAtMs: s.endAtMs ?? null,
    scheduleVersion: s.scheduleVersion, highWaterMarkMs: s.highWaterMarkMs,
  };
}

/**
 * A record read back from a store, checked (malformed JSON, impossible
 * values): throws InvalidTaskRecordError naming the task, never a raw
 * SyntaxError. `decode` reads the store's row into a record.
 */
export function decodeLoaded(taskId: unknown, decode: () => TaskRecord): TaskRecord {
  try {
    const record = decode();
    checkLoadedTask(record, 'record');
    return record;
  } catch (error) {
    throw new InvalidTaskRecordError(typeof taskId === 'string' ? taskId : String(taskId), error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/**
 * The records of one loadTasks() batch: each row decoded and checked
 * (decodeLoaded); an invalid one goes to `onInvalid` and is left out, or,
 * without it, rejects the load.
 */
export function decodeLoadedBatch<Row>(
  rows: readonly Row[], idOf: (row: Row) => unknown, decode: (row: Row) => TaskRecord, onInvalid: ((error: InvalidTaskRecordError) => void) | undefined,
): TaskRecord[] {
  const batch: TaskRecord[] = [];
  for (const row of rows) {
    try {
      batch.push(decodeLoaded(idOf(row), () => decode(row)));
    } catch (error) {
      if (onInvalid === undefined || !InvalidTaskRecordError.is(error)) throw error;
      onInvalid(error as InvalidTaskRecordError);
    }
  }
  return batch;
}

export function decodeExecution(s: StoredExecution): ExecutionRecord {
  return {
    id: s.id, taskId: s.taskId, scheduleVersion: s.scheduleVersion, nominalMs: s.nominalMs,
    attempt: s.attempt, fencingToken: s.fencingToken, startedAtMs: s.startedAtMs, endedAtMs: s.endedAtMs,
    outcome: s.outcome, result: fromJsonText(s.result), error: fromJsonText(s.error),
    skipReason: s.skipReason, state: fromJsonText(s.state), traceId: s.traceId ?? null, spanId: s.spanId ?? null,
  };
}

/** The later of two optional times (null = none yet). */
export function laterMs(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}

function scheduleChanged(a: StoredTask, b: StoredTask): boolean {
  // `?? null`: a record stored before the DST fields existed has neither, which means null.
  return SCHEDULE_FIELDS.some((field) => (a[field] ?? null) !== (b[field] ?? null));
}

/**
 * What a registration (putTasks) did to a task: `created` it; found the same
 * definition and left the stored task `unchanged`; `updated` its definition
 * (function, params, priority, policies, names...) under the same schedule;
 * or `rescheduled` it (its timing changed: a new schedule version).
 */
export type PutStatus = 'created' | 'unchanged' | 'updated' | 'rescheduled';

/** The fields a registration defines besides its timing: a change to any of them is an update. */
const DEFINITION_FIELDS: readonly (keyof StoredTask)[] = Object.freeze([
  'name', 'description', 'ownerModule', 'functionName', 'params', 'priority', 'misfirePolicy', 'misfireGraceMs', 'catchUpWindowMs',
  'catchUpMax', 'retry', 'maxExecutions', 'metadata', 'timeoutMs', 'constraints',
]);

/**
 * Whether the timing a registration gave differs: kind, period (or calendar
 * period), cron, zone, DST policy, start and end, the delay of `after`, and
 * the instant of `at`. The instant an `after` computed from its call time is
 * not part of it (the same `after` registered again at the next start is the
 * same schedule), nor is the next slot a fixed-rate grid was anchored at, nor
 * a calendar interval's anchor taken from its registration time.
 */
function timingChanged(a: StoredTask, b: StoredTask): boolean {
  if (
    a.scheduleKind !== b.scheduleKind || a.delayMs !== b.delayMs || a.periodMs !== b.periodMs || a.cronExpression !== b.cronExpression ||
    a.timeZone !== b.timeZone || (a.dstGap ?? null) !== (b.dstGap ?? null) || (a.dstOverlap ?? null) !== (b.dstOverlap ?? null) ||
    (a.calendarPeriod ?? null) !== (b.calendarPeriod ?? null) || (a.startAtMs ?? null) !== (b.startAtMs ?? null) ||
    (a.endAtMs ?? null) !== (b.endAtMs ?? null)
  ) {
    return true;
  }
  return a.scheduleKind === 'once' && a.delayMs === null && a.atMs !== b.atMs;
}

export const ENDED_STATUSES: ReadonlySet<TaskStatus> = new Set<TaskStatus>(['completed', 'failed', 'cancelled']);

/**
 * What putTasks() writes over an existing record, and what that was. A task
 * registered again with the same definition keeps everything it had (its
 * next slot, grid, count, status, last error): re-registering at every start
 * loses nothing. A changed definition under the same timing replaces the
 * definition and keeps the rest (an ended task is pending again). Changed
 * timing starts a new schedule version: count from zero, pending, the next
 * slot from the new record. createdAtMs always stays; the high-water mark
 * never goes back.
 */
export function mergeUpsert(existing: StoredTask | undefined, incoming: StoredTask): { task: StoredTask; status: PutStatus } {
  if (existing === undefined) return { task: incoming, status: 'created' };
  const highWaterMarkMs = laterMs(existing.highWaterMarkMs, incoming.highWaterMarkMs);
  if (timingChanged(existing, incoming)) {
    return {
      task: {
        ...incoming, createdAtMs: existing.createdAtMs, scheduleVersion: Math.max(existing.scheduleVersion + 1, incoming.scheduleVersion),
        highWaterMarkMs, lastExecutionMs: existing.lastExecutionMs,
      },
      status: 'rescheduled',
    };
  }
  const scheduleVersion = Math.max(existing.scheduleVersion, incoming.scheduleVersion);
  if (DEFINITION_FIELDS.every((field) => existing[field] === incoming[field])) {
    return { task: { ...existing, highWaterMarkMs, scheduleVersion }, status: 'unchanged' };
  }
  const task: StoredTask = { ...existing, highWaterMarkMs, scheduleVersion, updatedAtMs: incoming.updatedAtMs };
  for (const field of DEFINITION_FIELDS) (task as unknown as Record<string, unknown>)[field] = incoming[field];
  if (ENDED_STATUSES.has(task.status)) task.status = 'pending';
  return { task, status: 'updated' };
}

/** Checks a patch (throwing as encodeTask does) and applies it: the schedule version is bumped when a schedule field changes. */
export function applyPatch(existing: StoredTask, patch: unknown, path: string): StoredTask {
  checkTaskPatch(patch, path);
  if (Object.keys(patch).every((key) => PLAIN_PATCH_FIELDS.has(key))) return patchStored(existing, patch, path);
  const merged = { ...decodeTask(existing), ...patch } as TaskRecord;
  checkMergedSchedule(merged, path);
  const encoded = encodeTask(merged, path);
  if (scheduleChanged(existing, encoded)) encoded.scheduleVersion = existing.scheduleVersion + 1;
  return encoded;
}

/**
 * The patchable fields stored as they are, each a column of its own: a patch of these alone (a run's end: status,
 * counts, times, last error) changes neither the schedule nor a JSON field, so it is applied to the stored record
 * without decoding it and encoding it again (patchStored), which was most of a cluster finish's JavaScript.
 */
const PLAIN_PATCH_FIELDS: ReadonlySet<string> = new Set([
  'name', 'description', 'ownerModule', 'functionName', 'priority', 'maxExecutions', 'status', 'lastError', 'updatedAtMs',
  'lastExecutionMs', 'nextExecutionMs', 'executionCount', 'timeoutMs',
]);

/**
 * applyPatch() of a checked patch of PLAIN_PATCH_FIELDS: the record decodeTask + merge + encodeTask would give (its
 * times without -0, the fields older records lack as null), the schedule shape checked as that path checks it.
 */
function patchStored(s: StoredTask, patch: TaskPatch, path: string): StoredTask {
  const p = patch as Partial<Record<keyof StoredTask, unknown>>;
  const pick = <K extends keyof StoredTask>(key: K): StoredTask[K] => (Object.hasOwn(p, key) ? (p[key] as StoredTask[K]) : s[key]);
  const encoded: StoredTask = {
    id: s.id, name: pick('name'), description: pick('description'), ownerModule: pick('ownerModule'), functionName: pick('functionName'),
    params: s.params,
    scheduleKind: s.scheduleKind, delayMs: noNegativeZero(s.delayMs), periodMs: s.periodMs, atMs: noNegativeZero(s.atMs),
    cronExpression: s.cronExpression, timeZone: s.timeZone, priority: pick('priority'), dstGap: s.dstGap ?? null, dstOverlap: s.dstOverlap ?? null,
    misfirePolicy: s.misfirePolicy, misfireGraceMs: noNegativeZero(s.misfireGraceMs), catchUpWindowMs: noNegativeZero(s.catchUpWindowMs), catchUpMax: s.catchUpMax,
    retry: s.retry,
    createdAtMs: noNegativeZero(s.createdAtMs), updatedAtMs: noNegativeZero(pick('updatedAtMs')),
    lastExecutionMs: noNegativeZero(pick('lastExecutionMs')), nextExecutionMs: noNegativeZero(pick('nextExecutionMs')),
    executionCount: noNegativeZero(pick('executionCount')), maxExecutions: pick('maxExecutions'),
    status: pick('status'), lastError: pick('lastError'),
    metadata: s.metadata,
    scheduleVersion: s.scheduleVersion, highWaterMarkMs: noNegativeZero(s.highWaterMarkMs), timeoutMs: pick('timeoutMs') ?? null,
    constraints: s.constraints ?? null,
    calendarPeriod: s.calendarPeriod ?? null, startAtMs: noNegativeZero(s.startAtMs ?? null), endAtMs: noNegativeZero(s.endAtMs ?? null),
  };
  checkMergedSchedule(encoded as unknown as TaskRecord, path);
  return encoded;
}
