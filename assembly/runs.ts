// A running task: the run time it is charged (quantum.ts) and how its run
// ends: back to the ready heap (requeue), to the timer queue for a retry or
// its next period (retry, complete, completeAt), or freed. Validation and
// status codes as in tasks.ts.

import {
  FIELD_KIND, FIELD_DUE, FIELD_PERIOD, FIELD_STAMP, COL_FAILURES, COL_OVERRUNS, COL_MISSED, COL_PREEMPTIONS,
  COL_MAX_RUNTIME, COL_RUN_RUNTIME, COL_LAST_END, KIND_ONCE, KIND_FIXED_RATE, STATE_RUNNING, STATUS_OK, STATUS_ENDED,
  STATUS_BAD_ARGUMENT, STATUS_WRONG_STATE, STATUS_NO_MEMORY, REQUEUE_KEEP_PLACE, REQUEUE_PREEMPTED, COMPLETE_FAILED,
  COMPLETE_FINAL, COUNTER_COMPLETED, COUNTER_FAILURES, COUNTER_RETRIES, COUNTER_OVERRUNS, COUNTER_MISSED, COUNTER_PREEMPTIONS,
  COUNTER_RUNTIME_MS
} from "./layout";
import { slotOf, statsRowOf, stateOf, u8At, f64At, setF64, statU32, setStatU32, statF64, setStatF64 } from "./table";
import { bump } from "./counters";
import { chargeAtWeight, chargeRuntime } from "./quantum";
import { isTime, enqueueReady, enqueueTimer, enqueueTimerKeepingNominal, release } from "./task-state";
import { pop } from "./tasks";

@inline function runningSlot(handle: f64): i64 {
  const s = slotOf(handle);
  if (s < 0) return s;
  if (stateOf(<u32>s) != STATE_RUNNING) return STATUS_WRONG_STATE;
  return s;
}

/** Charges elapsed ms of run time; STATUS_SLICE_SPENT once the quantum is used up. */
export function charge(handle: f64, elapsedMs: f64): i32 {
  const s = runningSlot(handle);
  if (s < 0) return <i32>s;
  if (!isTime(elapsedMs)) return STATUS_BAD_ARGUMENT;
  return chargeRuntime(<u32>s, statsRowOf(<u32>s), elapsedMs);
}

/**
 * charge() at an exact weight (> 0; 1024 is nice 0) instead of the nice
 * level's: the worker pool's exact `weight` option.
 */
export function chargeWeighted(handle: f64, elapsedMs: f64, weight: f64): i32 {
  const s = runningSlot(handle);
  if (s < 0) return <i32>s;
  if (!isTime(elapsedMs) || !(weight > 0 && weight < Infinity)) return STATUS_BAD_ARGUMENT;
  return chargeAtWeight(<u32>s, statsRowOf(<u32>s), elapsedMs, weight);
}

/** Closes the current run segment: max runtime and end time. */
function endSegment(slot: u32, nowMs: f64): u32 {
  const row = statsRowOf(slot);
  const segment = statF64(COL_RUN_RUNTIME, row);
  if (segment > statF64(COL_MAX_RUNTIME, row)) setStatF64(COL_MAX_RUNTIME, row, segment);
  setStatF64(COL_LAST_END, row, nowMs);
  return row;
}

/**
 * A running task goes back to the ready heap. mode: REQUEUE_KEEP_PLACE keeps its
 * sequence number and ready time (ahead of newer equal tasks: a yield);
 * otherwise it goes behind them. REQUEUE_PREEMPTED counts a preemption.
 */
export function requeue(handle: f64, nowMs: f64, mode: i32): i32 {
  const s = runningSlot(handle);
  if (s < 0) return <i32>s;
  if (!isTime(nowMs) || mode < 0 || mode > (REQUEUE_KEEP_PLACE | REQUEUE_PREEMPTED)) return STATUS_BAD_ARGUMENT;
  const slot = <u32>s;
  const row = endSegment(slot, nowMs);
  if (mode & REQUEUE_PREEMPTED) {
    setStatU32(COL_PREEMPTIONS, row, statU32(COL_PREEMPTIONS, row) + 1);
    bump(COUNTER_PREEMPTIONS);
  }
  const keepPlace = (mode & REQUEUE_KEEP_PLACE) != 0;
  if (!keepPlace) setF64(FIELD_STAMP, slot, nowMs);
  return enqueueReady(slot, keepPlace) ? STATUS_OK : STATUS_NO_MEMORY;
}

/**
 * A run ended (flags: COMPLETE_FAILED, COMPLETE_FINAL). One-shot tasks, and
 * any task completed with COMPLETE_FINAL, are freed (STATUS_ENDED: their handle goes stale); a fixed-rate
 * task's next nominal time is the first tick at or after now on its cadence
 * (ticks in between are counted as missed, never run in a burst, and ending
 * past the next tick counts an overrun); a fixed-delay task is next due
 * period ms after now.
 */
export function complete(handle: f64, nowMs: f64, flags: i32): i32 {
  const s = runningSlot(handle);
  if (s < 0) return <i32>s;
  if (!isTime(nowMs) || flags < 0 || flags > (COMPLETE_FAILED | COMPLETE_FINAL)) return STATUS_BAD_ARGUMENT;
  const slot = <u32>s;
  const row = endSegment(slot, nowMs);
  countOutcome(row, (flags & COMPLETE_FAILED) != 0);
  const kind = u8At(FIELD_KIND, slot);
  const periodMs = f64At(FIELD_PERIOD, slot);
  if (kind == KIND_ONCE || (flags & COMPLETE_FINAL) != 0) {
    release(slot);
    return STATUS_ENDED;
  }
  let nextMs: f64;
  if (kind == KIND_FIXED_RATE) {
    const dueMs = f64At(FIELD_DUE, slot);
    const ticks = max(1, Math.ceil((nowMs - dueMs) / periodMs));
    const missed = ticks - 1;
    if (missed > 0) {
      setStatU32(COL_MISSED, row, statU32(COL_MISSED, row) + <u32>missed);
      bump(COUNTER_MISSED, missed);
    }
    if (nowMs > dueMs + periodMs) {
      setStatU32(COL_OVERRUNS, row, statU32(COL_OVERRUNS, row) + 1);
      bump(COUNTER_OVERRUNS);
    }
    nextMs = dueMs + ticks * periodMs;
  } else {
    nextMs = nowMs + periodMs;
  }
  return enqueueTimer(slot, nextMs) ? STATUS_OK : STATUS_NO_MEMORY;
}

/**
 * complete() (flags 0, no charge) then pop() in one crossing: what a run loop
 * calls between two one-shot runs it times as a group. The completion's
 * status is not returned: the caller only fuses the two when it knows the
 * task is running and one-shot (it ends). Answers pop()'s result.
 */
export function completeAndPop(handle: f64, nowMs: f64): f64 {
  complete(handle, nowMs, 0);
  return pop(nowMs);
}

/**
 * Runtime of runs the caller timed as a group (one clock read for several
 * short one-shot runs, each completed without a charge): it counts toward the
 * runtime total. Those tasks have ended, so no task's own counters take it.
 */
export function chargeGroup(elapsedMs: f64): i32 {
  if (!isTime(elapsedMs)) return STATUS_BAD_ARGUMENT;
  bump(COUNTER_RUNTIME_MS, elapsedMs);
  return STATUS_OK;
}

/**
 * charge() and complete() in one crossing: what a run loop calls for every
 * task that returns. Answers STATUS_ENDED when the task is gone, STATUS_OK
 * when it was rescheduled, or a negative status.
 */
export function finish(handle: f64, nowMs: f64, elapsedMs: f64, flags: i32): i32 {
  const charged = charge(handle, elapsedMs);
  if (charged < 0) return charged;
  return complete(handle, nowMs, flags);
}

/**
 * A run failed and will be retried delay ms from now (counted as a failure and
 * a retry). The run keeps its nominal time, so a fixed-rate task's cadence
 * is unchanged by its retries.
 */
export function retry(handle: f64, nowMs: f64, delayMs: f64): i32 {
  const s = runningSlot(handle);
  if (s < 0) return <i32>s;
  if (!isTime(nowMs) || !isTime(delayMs)) return STATUS_BAD_ARGUMENT;
  const slot = <u32>s;
  const row = endSegment(slot, nowMs);
  setStatU32(COL_FAILURES, row, statU32(COL_FAILURES, row) + 1);
  bump(COUNTER_FAILURES);
  bump(COUNTER_RETRIES);
  return enqueueTimerKeepingNominal(slot, nowMs + delayMs) ? STATUS_OK : STATUS_NO_MEMORY;
}

/**
 * A run ended and the caller knows when the next one is due (a cron task: the
 * next instant comes from its expression). nextDueMs must not be before nowMs.
 */
export function completeAt(handle: f64, nowMs: f64, nextDueMs: f64, failed: bool): i32 {
  const s = runningSlot(handle);
  if (s < 0) return <i32>s;
  if (!isTime(nowMs) || !isTime(nextDueMs) || nextDueMs < nowMs) return STATUS_BAD_ARGUMENT;
  const slot = <u32>s;
  const row = endSegment(slot, nowMs);
  countOutcome(row, failed);
  return enqueueTimer(slot, nextDueMs) ? STATUS_OK : STATUS_NO_MEMORY;
}

function countOutcome(row: u32, failed: bool): void {
  if (failed) {
    setStatU32(COL_FAILURES, row, statU32(COL_FAILURES, row) + 1);
    bump(COUNTER_FAILURES);
  } else {
    bump(COUNTER_COMPLETED);
  }
}
