// The rules of claims, skips and fenced writes, as pure functions over stored
// records, so every store decides exactly alike: a store loads what a request
// touches inside its transaction, asks these functions, and writes what they
// return. (The database's own UNIQUE constraint on the slot stays the last
// line of defence: these rules decide what is reported, it decides what can
// exist.)
import { decodeExecution, NULL_JSON, noNegativeZero, type StoredExecution, type StoredTask } from './codec.js';
import { toJsonText } from './json.js';
import { type ExecutionRecord, executionIdOf, isManualSlot, MANUAL_SCHEDULE_VERSION, type SlotKey, type TaskPatch } from './records.js';
import type { ClaimRequest, CompleteRequest, FenceRefusal, RetryRequest, RetryResult, SkipRequest, SlotRefusal } from './store.js';
import {
  checkArray, checkEndingOutcome, checkFencingToken, checkNonEmptyString, checkObject, checkSlot, checkTaskPatch, checkTimeMs, checkTrace,
  MAX_ID_LENGTH,
} from './validate.js';

/** What the rules of a claim or skip read of a task. */
export type SlotTask = Pick<StoredTask, 'id' | 'scheduleVersion' | 'status' | 'highWaterMarkMs'>;

/** The task as a batch found it before its first write: the high-water mark refusals compare against. */
export interface BatchTask<Task extends SlotTask = StoredTask> {
  task: Task;
  highWaterMarkBefore: number | null;
  /** The task's status before the batch (a claim marks it running). */
  statusBefore: StoredTask['status'];
}

const ENDED_TASK_STATUSES = new Set(['completed', 'failed', 'cancelled']);

/** Why `slot` cannot be claimed or skipped, or undefined when it can. */
export function refuseSlot(slot: SlotKey, batchTask: BatchTask<SlotTask> | undefined, existing: StoredExecution | undefined): SlotRefusal | undefined {
  if (batchTask === undefined) return { status: 'unknown-task' };
  if (existing !== undefined) return { status: 'duplicate', existing: decodeExecution(existing) };
  return refuseByTask(slot, batchTask);
}

/**
 * Why the task refuses `slot`, whether or not the slot has a record: an old
 * schedule version, an ended task, at or below the high-water mark. A slot
 * the task accepts has no record: every record's slot is at or below its
 * task's mark (claims and skips move it there, and it never goes back), so a
 * store may insert such a slot at once and fall back to reporting a duplicate
 * only if the database refuses the insert.
 */
export function refuseByTask(slot: SlotKey, { task, highWaterMarkBefore }: BatchTask<SlotTask>): SlotRefusal | undefined {
  // A manual slot (runNow) belongs to no schedule: only an ended task refuses it. It may lie above the
  // mark (it never moves it), so a store learns of its duplicate from the insert, as the comment above allows.
  if (isManualSlot(slot)) return ENDED_TASK_STATUSES.has(task.status) ? { status: 'task-ended', taskStatus: task.status } : undefined;
  if (slot.scheduleVersion !== task.scheduleVersion) return { status: 'schedule-changed', scheduleVersion: task.scheduleVersion };
  if (ENDED_TASK_STATUSES.has(task.status)) return { status: 'task-ended', taskStatus: task.status };
  if (highWaterMarkBefore !== null && slot.nominalMs <= highWaterMarkBefore) {
    return { status: 'below-high-water-mark', highWaterMarkMs: highWaterMarkBefore };
  }
  return undefined;
}

/** A claim or a retry starts an attempt: its task is running (a pending one; an ended one stays ended). */
export function runningStatus(status: StoredTask['status']): StoredTask['status'] {
  return status === 'pending' ? 'running' : status;
}

/**
 * The task fields a completion's taskUpdate usually sets (its count, next
 * slot, status, last error): none is a schedule field, so a patch of only
 * these never bumps the schedule version, and each field checked alone
 * (checkTaskPatch) leaves a valid record: a store may write them as they are.
 */
export const SLOT_PATCH_FIELDS: ReadonlySet<string> = new Set(['lastExecutionMs', 'nextExecutionMs', 'executionCount', 'status', 'lastError', 'updatedAtMs']);

/** Whether every field of a checked patch is a SLOT_PATCH_FIELDS one. */
export function isSlotPatch(patch: TaskPatch): boolean {
  for (const key in patch) if (!SLOT_PATCH_FIELDS.has(key)) return false;
  return true;
}

/**
 * Whether a completion's taskUpdate applies: only while the task has not
 * ended (an attempt still running when its task was unscheduled, or ended by
 * another slot, must not make it pending again) and is still at the schedule
 * version of the execution it ends (an attempt of a schedule that was replaced
 * meanwhile must not write its count or next slot over the new schedule's).
 */
export function updatesTask(task: StoredTask | undefined, execution: StoredExecution): task is StoredTask {
  if (task === undefined || ENDED_TASK_STATUSES.has(task.status)) return false;
  // A manual run belongs to no schedule: its end updates the task (its count, last error).
  if (isManualSlot(execution)) return true;
  return task.scheduleVersion === execution.scheduleVersion;
}

/** Moves the batch's copy of the task's high-water mark forward to the slot's nominal time (a manual slot never moves it). */
export function advanceHighWaterMark(batchTask: BatchTask<SlotTask>, slot: SlotKey): void {
  const { task } = batchTask;
  if (isManualSlot(slot)) return;
  if (task.highWaterMarkMs === null || slot.nominalMs > task.highWaterMarkMs) task.highWaterMarkMs = slot.nominalMs;
}

export function claimedExecution(request: ClaimRequest, fencingToken: number): StoredExecution {
  return {
    id: executionIdOf(request), taskId: request.taskId, scheduleVersion: request.scheduleVersion, nominalMs: noNegativeZero(request.nominalMs),
    attempt: 1, fencingToken, startedAtMs: noNegativeZero(request.startedAtMs), endedAtMs: null, outcome: 'running',
    result: NULL_JSON, error: NULL_JSON, skipReason: null, state: NULL_JSON, traceId: null, spanId: null,
  };
}

export function skippedExecution(request: SkipRequest): StoredExecution {
  return {
    id: executionIdOf(request), taskId: request.taskId, scheduleVersion: request.scheduleVersion, nominalMs: noNegativeZero(request.nominalMs),
    attempt: 0, fencingToken: 0, startedAtMs: null, endedAtMs: noNegativeZero(request.recordedAtMs), outcome: 'skipped',
    result: NULL_JSON, error: NULL_JSON, skipReason: request.reason, state: NULL_JSON, traceId: null, spanId: null,
  };
}

/** Why a fenced write (complete, saveState) by the holder of `fencingToken` is refused, or undefined. */
export function refuseFenced(current: StoredExecution | undefined, fencingToken: number): FenceRefusal | undefined {
  if (current === undefined) return { status: 'unknown-execution' };
  if (current.fencingToken !== fencingToken) return { status: 'stale-token', current: decodeExecution(current) };
  if (current.outcome !== 'running') return { status: 'already-ended', current: decodeExecution(current) };
  return undefined;
}

/** An end as isSameEnd() compares it: its request's token, outcome, end time (and skip reason), its result and error as JSON text. */
export interface EncodedEnd {
  request: { fencingToken: number; outcome: string; endedAtMs: number; skipReason?: string };
  result: string;
  error: string;
}

/**
 * Whether the attempt `ended` ended with this very end: the same token,
 * outcome and end time, and the same result and error (a skip: the same skip
 * reason). An end sent again after its first try was stored but the answer
 * lost (StoreOutcomeUnknownError) meets itself: the cluster's finish answers
 * it as stored (refuseFinish, cluster-rules.ts), and a one-owner scheduler
 * takes complete()'s `already-ended` refusal of it for its own success
 * (isStoredEnd). Any other end of the attempt (another outcome, time or
 * result, recovery's or a rescue's `interrupted`) is not this one.
 */
export function isSameEnd(ended: Pick<StoredExecution, 'fencingToken' | 'outcome' | 'endedAtMs' | 'result' | 'error' | 'skipReason'>, { request, result, error }: EncodedEnd): boolean {
  return ended.fencingToken === request.fencingToken && ended.outcome === request.outcome && ended.endedAtMs === noNegativeZero(request.endedAtMs) &&
    (request.outcome === 'skipped' ? ended.skipReason === request.skipReason : ended.result === result && ended.error === error);
}

/**
 * isSameEnd() of a record as a store answers it (complete()'s `already-ended`
 * current) and a complete() request: whether this request's end is the one
 * stored. For a caller whose earlier try of `request` failed.
 */
export function isStoredEnd(current: ExecutionRecord, request: CompleteRequest): boolean {
  const stored = { ...current, result: toJsonText(current.result, 'current.result'), error: toJsonText(current.error, 'current.error') };
  return isSameEnd(stored, encodeCompletion(request));
}

/**
 * Whether `existing`, claim()'s `duplicate` refusal of `request`, is the
 * record this very claim made: the slot's first attempt, running, from the
 * request's start time. For a caller whose earlier try of `request` failed
 * but may have been stored (StoreOutcomeUnknownError), and who alone claims
 * (one owner).
 */
export function isStoredClaim(existing: ExecutionRecord, request: ClaimRequest): boolean {
  return existing.id === executionIdOf(request) && existing.outcome === 'running' && existing.attempt === 1 &&
    existing.startedAtMs === noNegativeZero(request.startedAtMs);
}

/**
 * Whether `current`, retry()'s `stale-token` refusal of `request`, is the
 * attempt this very retry started: running, the attempt after `attempt` (the
 * one the request's token belonged to), from the request's start time. For a
 * caller whose earlier try of `request` failed but may have been stored
 * (StoreOutcomeUnknownError), and who alone starts attempts (one owner).
 */
export function isStoredRetry(current: ExecutionRecord, request: RetryRequest, attempt: number): boolean {
  return current.id === request.executionId && current.outcome === 'running' && current.attempt === attempt + 1 &&
    current.startedAtMs === noNegativeZero(request.startedAtMs);
}

/** Why retry() is refused, or undefined. */
export function refuseRetry(current: StoredExecution | undefined, fencingToken: number): Exclude<RetryResult, { status: 'retried' }> | undefined {
  if (current === undefined) return { status: 'unknown-execution' };
  if (current.fencingToken !== fencingToken) return { status: 'stale-token', current: decodeExecution(current) };
  if (current.outcome !== 'failed' && current.outcome !== 'interrupted') return { status: 'not-retryable', current: decodeExecution(current) };
  return undefined;
}

/** The encoded fields complete() writes (checked before any transaction). */
export interface EncodedCompletion {
  request: CompleteRequest;
  result: string;
  error: string;
}

function isSlotShaped(taskId: unknown, scheduleVersion: unknown, nominalMs: unknown): boolean {
  return typeof taskId === 'string' && taskId.length > 0 && taskId.length <= MAX_ID_LENGTH &&
    Number.isSafeInteger(scheduleVersion) && (scheduleVersion as number) >= MANUAL_SCHEDULE_VERSION && Number.isSafeInteger(nominalMs);
}

export function checkClaims(slots: unknown): asserts slots is readonly ClaimRequest[] {
  checkArray(slots, 'slots');
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i];
    if (typeof slot !== 'object' || slot === null) checkSlot(slot, `slots[${i}]`, true);
    const { taskId, scheduleVersion, nominalMs, startedAtMs } = slot as ClaimRequest;
    // The common case (all valid) builds no path strings; the path is made only to report a failure.
    if (isSlotShaped(taskId, scheduleVersion, nominalMs) && Number.isFinite(startedAtMs)) continue;
    checkSlot(slot, `slots[${i}]`, true);
    checkTimeMs(startedAtMs, `slots[${i}]`, 'startedAtMs');
  }
}

export function checkSkips(skips: unknown): asserts skips is readonly SkipRequest[] {
  checkArray(skips, 'skips');
  skips.forEach((skip, i) => {
    checkSlot(skip, `skips[${i}]`);
    checkNonEmptyString((skip as SkipRequest).reason, `skips[${i}]`, 'reason');
    checkTimeMs((skip as SkipRequest).recordedAtMs, `skips[${i}]`, 'recordedAtMs');
  });
}

/** Checks a complete() request and encodes its JSON parts. */
export function encodeCompletion(request: unknown): EncodedCompletion {
  checkObject(request, 'request');
  checkNonEmptyString(request.executionId, 'request.executionId');
  checkFencingToken(request.fencingToken, 'request.fencingToken');
  checkEndingOutcome(request.outcome, 'request.outcome');
  checkTimeMs(request.endedAtMs, 'request.endedAtMs');
  if (request.taskUpdate !== undefined) checkTaskPatch(request.taskUpdate, 'request.taskUpdate');
  if (request.trace !== undefined) checkTrace(request.trace, 'request.trace');
  return {
    request: request as unknown as CompleteRequest,
    result: request.result === undefined ? NULL_JSON : toJsonText(request.result, 'request.result'),
    error: request.error === undefined ? NULL_JSON : toJsonText(request.error, 'request.error'),
  };
}

export function completedExecution(current: StoredExecution, { request, result, error }: EncodedCompletion): StoredExecution {
  const ended = { ...current, outcome: request.outcome, endedAtMs: noNegativeZero(request.endedAtMs), result, error };
  // The first attempt's span stays: later attempts link to it.
  if (request.trace !== undefined && (current.traceId ?? null) === null) {
    ended.traceId = request.trace.traceId;
    ended.spanId = request.trace.spanId;
  }
  return ended;
}

/** The columns an attempt's ending UPDATE ... RETURNING reads back (SQLite and PostgreSQL). */
export type EndedColumns = Pick<StoredExecution, 'attempt' | 'startedAtMs' | 'skipReason' | 'state' | 'traceId' | 'spanId'>;

/**
 * The record of an attempt a SQL store ended with one UPDATE: its slot (from
 * the execution id), what the request wrote, and the columns it returned.
 */
export function endedFromColumns(
  { request, result, error }: EncodedCompletion, [taskId, nominalMs, scheduleVersion]: [string, number, number], endedAtMs: number, row: EndedColumns,
): StoredExecution {
  return {
    id: request.executionId, taskId, scheduleVersion, nominalMs, attempt: row.attempt,
    fencingToken: request.fencingToken, startedAtMs: row.startedAtMs, endedAtMs, outcome: request.outcome, result,
    error, skipReason: row.skipReason, state: row.state, traceId: row.traceId, spanId: row.spanId,
  };
}

export function retriedExecution(current: StoredExecution, startedAtMs: number, fencingToken: number): StoredExecution {
  return {
    ...current, attempt: current.attempt + 1, fencingToken, startedAtMs: noNegativeZero(startedAtMs), endedAtMs: null, outcome: 'running',
    result: NULL_JSON, error: NULL_JSON,
  };
}

export function checkRetryRequest(request: unknown): void {
  checkObject(request, 'request');
  checkNonEmptyString(request.executionId, 'request.executionId');
  checkFencingToken(request.fencingToken, 'request.fencingToken');
  checkTimeMs(request.startedAtMs, 'request.startedAtMs');
}

/** Checks saveState()'s arguments and encodes the state. */
export function encodeSaveState(executionId: unknown, fencingToken: unknown, state: unknown): string {
  checkNonEmptyString(executionId, 'executionId');
  checkFencingToken(fencingToken, 'fencingToken');
  return toJsonText(state, 'state');
}
