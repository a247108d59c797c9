// The life of a row in the memory cluster store's tables: offered (pending),
// claimed by a process (held, with its execution running), then finished
// (its end written, maybe a retry pending and the task's next slot offered),
// or put back: interrupted when its process's lease expired, returned as it
// was when its process stopped before starting it. Each function is a step of
// one store method, run in that method's synchronous turn on checked
// arguments, with the rules of slot-rules.ts and cluster-rules.ts.
//
// Separate from memory-cluster-store.ts, which is the store's methods (the
// process registry, checks, watches, pruning): here is what they do to the rows.
import { applyPatch, decodeExecution, decodeTask, type StoredExecution, type StoredTask } from './codec.js';
import type { AttemptRef, ClaimDueRequest, ClaimDueResult, ClaimedSlot, FinishRequest, FinishResult, OfferRequest, OfferResult, ProcessRef } from './cluster.js';
import { byUrgency, type encodeFinish, LEASE_EXPIRED_ERROR_TEXT, refuseFinish, storedFinish } from './cluster-rules.js';
import { type HeldRow, type MemoryClusterDatabase, type PendingRow, pendingSlot } from './memory-cluster-database.js';
import { putExecution } from './memory-slot-writes.js';
import { executionIdOf, isManualSlot, type SlotKey } from './records.js';
import {
  advanceHighWaterMark, type BatchTask, claimedExecution, completedExecution, refuseByTask, refuseSlot, retriedExecution, runningStatus,
  skippedExecution, updatesTask,
} from './slot-rules.js';
import type { SkipRequest, SkipResult } from './store.js';

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** The earliest due time among the rows these offers made pending, if any. */
export function earliestOffered(results: ReadonlyArray<OfferResult | undefined>): number | undefined {
  let dueMs: number | undefined;
  for (const r of results) if (r?.status === 'offered') dueMs = earliest(dueMs, r.slot.dueMs);
  return dueMs;
}

/** claimDue() of a checked request, in the caller's turn. */
export function claimDue(db: MemoryClusterDatabase, request: ClaimDueRequest): ClaimDueResult {
  const nowMs = db.nowMs();
  const process = db.processes.get(request.ownerId);
  if (process === undefined || process.epoch !== request.epoch) return { status: 'not-registered', nowMs };
  if (process.expiresAtMs <= nowMs) return { status: 'lease-expired', nowMs };
  if (request.known !== undefined) giveBackUnknown(db, request, request.known);
  // Rows of functions this process does not define are not its to take (nor to drop when stale): the filter comes first.
  const functions = request.functions === undefined ? undefined : new Set(request.functions);
  const mine = (row: PendingRow) => functions === undefined || functions.has(db.tasks.get(row.taskId)?.functionName as string);
  const due = [...db.pending.values()].filter((row) => row.dueMs <= nowMs && mine(row)).sort(byUrgency);
  const claimed: ClaimedSlot[] = [];
  // A task's runs never overlap (a manual run beside a scheduled one): a row of a task with a row held waits.
  const busy = new Set([...db.held.values()].map((held) => held.row.taskId));
  const startNow = request.startNow ?? request.limit;
  for (const row of due) {
    if (claimed.length === request.limit) break;
    if (busy.has(row.taskId)) continue;
    const slot = claimRow(db, row, request, nowMs, claimed.length < startNow);
    if (slot === undefined) continue;
    claimed.push(slot);
    busy.add(row.taskId);
  }
  let nextDueMs: number | null = null;
  for (const row of db.pending.values()) if ((nextDueMs === null || row.dueMs < nextDueMs) && mine(row)) nextDueMs = row.dueMs;
  return { status: 'claimed', claimed, nextDueMs, nowMs };
}

/** finishClaimed() of a checked request (`encoded` its encodeFinish()), in the caller's turn. */
export function finishClaimed(db: MemoryClusterDatabase, request: FinishRequest, encoded: ReturnType<typeof encodeFinish>): FinishResult {
  const current = db.executions.get(request.executionId);
  const refusal = refuseFinish(current, encoded);
  if (refusal === 'stored') return storedFinish(current!, db.tasks.get(current!.taskId));
  if (refusal !== undefined) return refusal;
  const held = db.held.get(current!.id);
  const ended: StoredExecution =
    request.outcome === 'skipped'
      ? { ...skippedExecution({ ...current!, reason: request.skipReason!, recordedAtMs: request.endedAtMs }), attempt: held?.row.attempts ?? 0, fencingToken: current!.fencingToken, state: current!.state }
      : completedExecution(current!, { ...encoded, request: { ...request, outcome: request.outcome } });
  // Decide the task's patch before writing anything: a patch refused here writes nothing.
  const task = db.tasks.get(ended.taskId);
  const patched = request.taskUpdate !== undefined && updatesTask(task, ended) ? applyPatch(task, request.taskUpdate, 'request.taskUpdate') : task;
  putExecution(db, ended);
  if (patched !== undefined) db.tasks.set(patched.id, patched);
  db.held.delete(ended.id);
  if (request.retryAtMs !== undefined) {
    const from = held?.row ?? { ...slotOf(ended), id: ended.id, dueMs: ended.nominalMs, rankMs: ended.nominalMs, maxAttempts: ended.attempt + 1, attempts: 0, sequence: 0 };
    db.pending.set(ended.id, { ...from, dueMs: Math.floor(request.retryAtMs), attempts: ended.attempt, sequence: ++db.sequence });
  }
  const skipped = recordSkips(db, request.skipped ?? []);
  const next = request.next === undefined ? undefined : offerSlot(db, request.next);
  db.offered(earliest(request.retryAtMs === undefined ? undefined : Math.floor(request.retryAtMs), earliestOffered([next])));
  const taskNow = db.tasks.get(ended.taskId);
  return { status: 'completed', execution: decodeExecution(ended), task: taskNow === undefined ? undefined : decodeTask(taskNow), skipped, next };
}

function slotOf({ taskId, scheduleVersion, nominalMs }: SlotKey): SlotKey {
  return { taskId, scheduleVersion, nominalMs };
}

/** A task as the slot rules read it; the high-water mark is not checked for rows (they were checked when offered). */
function batchTask(task: StoredTask, checkMark: boolean): BatchTask {
  return { task: { ...task }, highWaterMarkBefore: checkMark ? task.highWaterMarkMs : null, statusBefore: task.status };
}

export function offerSlot(db: MemoryClusterDatabase, offer: OfferRequest): OfferResult {
  const stored = db.tasks.get(offer.taskId);
  const id = executionIdOf(offer);
  const existing = db.executions.get(id);
  // A slot with an open record (a retry pending, a rescued attempt) is the open slot below; a closed record is a duplicate.
  const closed = existing !== undefined && existing.outcome !== 'running' && existing.outcome !== 'interrupted' && !db.pending.has(id);
  // Refused as claim() refuses, except that the task's open slot is named before the high-water mark is compared.
  const refusal = refuseSlot(offer, stored === undefined ? undefined : batchTask(stored, false), closed ? existing : undefined);
  if (refusal !== undefined) return refusal;
  const open = isManualSlot(offer) ? (db.pending.has(id) || db.held.has(id) ? offer : undefined) : db.openSlot(offer.taskId, offer.scheduleVersion);
  if (open !== undefined) return { status: 'open-slot', slot: slotOf(open) };
  const markRefusal = refuseByTask(offer, batchTask(stored!, true));
  if (markRefusal !== undefined) return markRefusal;
  const row: PendingRow = {
    ...slotOf(offer), id, dueMs: Math.floor(offer.dueMs), rankMs: offer.rankMs, maxAttempts: offer.maxAttempts, attempts: 0, sequence: ++db.sequence,
  };
  db.pending.set(id, row);
  return { status: 'offered', slot: pendingSlot(row) };
}

/** Claims one due row for `by`, or drops it (and returns undefined) when its task no longer runs it. */
function claimRow(db: MemoryClusterDatabase, row: PendingRow, by: ProcessRef, nowMs: number, started: boolean): ClaimedSlot | undefined {
  const stored = db.tasks.get(row.taskId);
  const task = stored === undefined ? undefined : batchTask(stored, false);
  if (task === undefined || refuseByTask(row, task) !== undefined) {
    db.pending.delete(row.id);
    return undefined;
  }
  const before = db.executions.get(row.id);
  const exhausted = row.attempts >= row.maxAttempts;
  const token = ++db.fencingToken;
  const execution: StoredExecution =
    before === undefined
      ? claimedExecution({ ...slotOf(row), startedAtMs: nowMs }, token)
      : exhausted
        ? { ...before, fencingToken: token, outcome: 'running', endedAtMs: null }
        : retriedExecution(before, nowMs, token);
  advanceHighWaterMark(task, row);
  task.task.status = runningStatus(task.task.status);
  db.tasks.set(task.task.id, task.task);
  putExecution(db, execution);
  db.pending.delete(row.id);
  db.held.set(row.id, { ownerId: by.ownerId, epoch: by.epoch, fencingToken: token, row, before, started });
  return { execution: decodeExecution(execution), task: decodeTask(task.task), dueMs: row.dueMs, rankMs: row.rankMs, maxAttempts: row.maxAttempts, exhausted, started };
}

/**
 * A running row back to pending as an interrupted attempt (rescue, or a stop that could not drain it). A row held
 * unstarted (a local queue's) keeps its attempt number, so its next start has a higher one (C3), and gets one attempt
 * more: the one it never ran.
 */
export function interruptHeld(db: MemoryClusterDatabase, id: string, held: HeldRow, nowMs: number): boolean {
  db.held.delete(id);
  const current = db.executions.get(id);
  if (current === undefined || current.outcome !== 'running' || current.fencingToken !== held.fencingToken) return false;
  putExecution(db, { ...current, outcome: 'interrupted', endedAtMs: nowMs, error: LEASE_EXPIRED_ERROR_TEXT });
  db.pending.set(id, { ...held.row, attempts: current.attempt, maxAttempts: held.row.maxAttempts + (held.started ? 0 : 1) });
  pendTask(db, current.taskId);
  return true;
}

/** An unstarted claim back to pending as it was before it: no attempt counted. */
export function returnUnstarted(db: MemoryClusterDatabase, id: string, held: HeldRow): boolean {
  db.held.delete(id);
  const current = db.executions.get(id);
  if (current === undefined || current.outcome !== 'running' || current.fencingToken !== held.fencingToken) return false;
  if (held.before === undefined) {
    db.executions.delete(id);
    db.byTask.get(current.taskId)?.delete(id);
  } else {
    putExecution(db, held.before);
  }
  db.pending.set(id, held.row);
  pendTask(db, current.taskId);
  return true;
}

/** ClaimDueRequest.known: this registration's held rows not named there (a claim whose answer was lost) back unstarted. */
function giveBackUnknown(db: MemoryClusterDatabase, process: ProcessRef, known: readonly AttemptRef[]): void {
  const tokens = new Map(known.map((k) => [k.executionId, k.fencingToken]));
  let returned = false;
  for (const [id, held] of db.held) {
    if (held.ownerId !== process.ownerId || held.epoch !== process.epoch || tokens.get(id) === held.fencingToken) continue;
    if (returnUnstarted(db, id, held)) returned = true;
  }
  if (returned) db.offered(db.nowMs());
}

/** A task whose running slot went back to pending is pending again (an ended one stays ended). */
function pendTask(db: MemoryClusterDatabase, taskId: string): void {
  const task = db.tasks.get(taskId);
  if (task?.status === 'running') db.tasks.set(taskId, { ...task, status: 'pending' });
}

/** recordSkipped()'s rules, in the caller's transaction. */
function recordSkips(db: MemoryClusterDatabase, skips: readonly SkipRequest[]): SkipResult[] {
  const tasks = new Map<string, BatchTask>();
  return skips.map((skip) => {
    let task = tasks.get(skip.taskId);
    const stored = db.tasks.get(skip.taskId);
    if (task === undefined && stored !== undefined) tasks.set(skip.taskId, (task = batchTask(stored, true)));
    const id = executionIdOf(skip);
    const refusal = refuseSlot(skip, task, db.executions.get(id));
    if (refusal !== undefined) return refusal;
    const execution = skippedExecution(skip);
    putExecution(db, execution);
    advanceHighWaterMark(task!, skip);
    db.tasks.set(task!.task.id, task!.task);
    return { status: 'recorded', execution: decodeExecution(execution) };
  });
}

