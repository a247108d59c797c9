// The task's record after an attempt ends: how many executions it has made,
// its next slot, its status and last error, as the attempt's end writes them
// (SlotAttempt, in the same store call as the execution's end).
import { type ExecutionRecord, isManualSlot, type TaskPatch } from '../store/records.js';
import { errorMessage } from './attempt-json.js';
import type { BodyOutcome } from './attempt-timeout.js';
import type { LiveRecord, LiveTask } from './live-task.js';
import { firstSlotAfter, nextFixedDelaySlot } from './slots.js';

/** The task's fields after an attempt of this slot ended: count, next slot, status, last error. */
export function taskUpdateAfter(task: LiveTask, execution: ExecutionRecord, outcome: BodyOutcome, endedAtMs: number): TaskPatch {
  const { record } = task;
  const executionCount = record.executionCount + 1;
  if (isManualSlot(execution)) return manualTaskUpdate(record, execution, outcome, executionCount, endedAtMs);
  // The next slot not yet claimed: a queued one (catch-up) if any, else the one after every decided slot.
  // Recovery plans from it, so a slot still queued when the process dies is planned again, never lost (C1).
  const queuedMs = task.queue.find((run) => run.start === 'claim')?.nominalMs;
  const nextMs =
    record.scheduleKind === 'fixed-delay'
      ? nextFixedDelaySlot(record.periodMs as number, endedAtMs, record.endAtMs ?? null)
      : (queuedMs ?? firstSlotAfter(task, Math.max(task.lastSlotMs, execution.nominalMs)));
  const ended = nextMs === null || (record.maxExecutions !== null && executionCount >= record.maxExecutions);
  const failedForGood = !outcome.ok && record.scheduleKind === 'once';
  return {
    lastExecutionMs: execution.nominalMs,
    nextExecutionMs: ended ? null : nextMs,
    executionCount,
    status: ended ? (failedForGood ? 'failed' : 'completed') : 'pending',
    lastError: outcome.ok ? record.lastError : errorMessage(outcome.error),
    updatedAtMs: endedAtMs,
  };
}

/**
 * The task's fields after a manual run: it counts as an execution (toward
 * maxExecutions, as seed 004 counts executions) and is the last one, but the
 * schedule's next slot stays as it was: the grid and its cadence go on. A
 * failed manual run does not fail the task, even a one-off's.
 */
function manualTaskUpdate(record: LiveRecord, execution: ExecutionRecord, outcome: BodyOutcome, executionCount: number, endedAtMs: number): TaskPatch {
  const ended = record.maxExecutions !== null && executionCount >= record.maxExecutions;
  return {
    lastExecutionMs: execution.nominalMs,
    executionCount,
    status: ended ? 'completed' : 'pending',
    ...(ended ? { nextExecutionMs: null } : {}),
    lastError: outcome.ok ? record.lastError : errorMessage(outcome.error),
    updatedAtMs: endedAtMs,
  };
}
