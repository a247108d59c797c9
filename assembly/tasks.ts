// Task life cycle: every operation the bindings can ask of a task.
//
//   register --delay 0--> READY --pop--> RUNNING --complete--> (freed, or WAITING again if periodic)
//            --delay>0--> WAITING --advance(now >= due)--> READY
//   RUNNING --requeue--> READY        RUNNING --retry(delay)--> WAITING
//   WAITING|READY --pause--> PAUSED --resume--> WAITING|READY      any --cancel--> (freed)
//
// Every function validates its arguments itself (NaN compares false, so each
// test is written to fail on NaN) and answers with a status code; nothing here
// traps or throws on bad input.

import {
  FIELD_CLASS, FIELD_KIND, FIELD_NICE, FIELD_STATE, FIELD_SEQ, FIELD_DUE, FIELD_PERIOD, FIELD_VRUNTIME,
  FIELD_STAMP,
  COL_RUNS, COL_FAILURES, COL_OVERRUNS, COL_MISSED, COL_PREEMPTIONS, COL_RUNTIME, COL_WAIT,
  COL_MAX_RUNTIME, COL_RUN_RUNTIME, COL_LAST_START, COL_LAST_END,
  CLASS_COUNT, NICE_MIN, NICE_MAX, KIND_ONCE, KIND_FIXED_RATE, KIND_FIXED_DELAY,
  STATE_WAITING, STATE_READY, STATE_RUNNING, STATE_PAUSED, STATE_FREE,
  STATUS_OK, STATUS_ENDED, STATUS_BAD_ARGUMENT, STATUS_WRONG_STATE, STATUS_EMPTY, STATUS_NO_MEMORY,
  REQUEUE_KEEP_PLACE, REQUEUE_PREEMPTED, COMPLETE_FAILED, COMPLETE_FINAL,
  COUNTER_REGISTERED, COUNTER_CANCELLED, COUNTER_STARTS, COUNTER_COMPLETED, COUNTER_FAILURES,
  COUNTER_RETRIES, COUNTER_OVERRUNS, COUNTER_MISSED, COUNTER_PREEMPTIONS, COUNTER_RUNTIME_MS,
  COUNTER_WAIT_MS, COUNTER_LIVE, COUNTER_READY, COUNTER_WAITING, COUNTER_RUNNING, COUNTER_PAUSED,
  FIELD_POS, FIELD_PREV, STATE_SEQUENCE, STATE_RUNNING_HEAD, STATE_RUNNING_COUNT,
} from "./layout";
import { allocSlot, freeSlot, handleOf, slotOf, statsRowOf, stateOf, u8At, setU8, f64At, setF64, statU32, setStatU32, statF64, setStatF64,
  u32At, setU32 } from "./table";
import { timerInsert, timerNextDue, timerRemove, timerTop } from "./timers";
import { readyCountBefore, readyInsert, readyRemove, readyTop } from "./ready";
import { bump } from "./counters";
import { readyKey } from "./keys";
import { chargeAtWeight, chargeRuntime, placeNew, placeWaking } from "./quantum";
import { stateF64, setStateF64, stateU32, setStateU32 } from "./shared-state";

const NO_SLOT: u32 = 0xffffffff;

/** The next sequence number (shared state), and then the one after it. */
@inline export function peekSequence(): f64 { return stateF64(STATE_SEQUENCE); }
@inline function nextSequence(): f64 {
  const seq = stateF64(STATE_SEQUENCE);
  setStateF64(STATE_SEQUENCE, seq + 1);
  return seq;
}

export function resetTasks(): void {
  setStateF64(STATE_SEQUENCE, 1);
  setStateU32(STATE_RUNNING_HEAD, NO_SLOT);
  setStateU32(STATE_RUNNING_COUNT, 0);
}

// RUNNING tasks form a list linked through their rows (POS = next, PREV =
// previous: fields a running task does not otherwise use), so the fair
// policy's floor can take the least vruntime of every running task
// (quantum.ts) and the worker pool can find every task it is running.
// setState() keeps it: a task joins when it becomes RUNNING and leaves before
// the next queue writes POS and PREV.
function runningInsert(slot: u32): void {
  const head = stateU32(STATE_RUNNING_HEAD);
  setU32(FIELD_POS, slot, head);
  setU32(FIELD_PREV, slot, NO_SLOT);
  if (head != NO_SLOT) setU32(FIELD_PREV, head, slot);
  setStateU32(STATE_RUNNING_HEAD, slot);
  setStateU32(STATE_RUNNING_COUNT, stateU32(STATE_RUNNING_COUNT) + 1);
}

function runningRemove(slot: u32): void {
  const next = u32At(FIELD_POS, slot);
  const prev = u32At(FIELD_PREV, slot);
  if (prev == NO_SLOT) setStateU32(STATE_RUNNING_HEAD, next);
  else setU32(FIELD_POS, prev, next);
  if (next != NO_SLOT) setU32(FIELD_PREV, next, prev);
  setStateU32(STATE_RUNNING_COUNT, stateU32(STATE_RUNNING_COUNT) - 1);
}

/** True for a finite number >= 0 (false for NaN). */
@inline export function isTime(x: f64): bool {
  return x >= 0 && x < Infinity;
}

function counterOfState(state: i32): i32 {
  switch (state) {
    case STATE_WAITING: return COUNTER_WAITING;
    case STATE_READY: return COUNTER_READY;
    case STATE_RUNNING: return COUNTER_RUNNING;
    case STATE_PAUSED: return COUNTER_PAUSED;
    default: return -1;
  }
}

function setState(slot: u32, next: i32): void {
  const was = stateOf(slot);
  if (was == STATE_RUNNING) runningRemove(slot);
  else if (next == STATE_RUNNING) runningInsert(slot);
  const before = counterOfState(was);
  if (before >= 0) bump(before, -1);
  const after = counterOfState(next);
  if (after >= 0) bump(after);
  setU8(FIELD_STATE, slot, next);
}

/** Into the ready queue. keepPlace keeps the sequence number (and so the place among equal keys). */
function enqueueReady(slot: u32, keepPlace: bool): bool {
  if (!keepPlace) setF64(FIELD_SEQ, slot, nextSequence());
  setState(slot, STATE_READY);
  return readyInsert(slot);
}

/**
 * Into the timer queue, due at dueMs; DUE (the nominal time of the run)
 * becomes dueMs. delayMs: the delay it was set with, which picks its lane
 * (timers.ts); NaN for none.
 */
function enqueueTimer(slot: u32, dueMs: f64, delayMs: f64): bool {
  setF64(FIELD_DUE, slot, dueMs);
  return enqueueTimerKeepingNominal(slot, dueMs, delayMs);
}

/** Into the timer queue, firing at fireMs, leaving DUE alone (a retry of the same run). */
function enqueueTimerKeepingNominal(slot: u32, fireMs: f64, delayMs: f64): bool {
  setF64(FIELD_SEQ, slot, nextSequence());
  setState(slot, STATE_WAITING);
  return timerInsert(slot, fireMs, delayMs);
}

/** Out of whichever queue the task is in (none for RUNNING and PAUSED). */
function unlink(slot: u32): void {
  const state = stateOf(slot);
  assert(state != STATE_FREE, "unlink of a free slot");
  if (state == STATE_READY) readyRemove(slot);
  else if (state == STATE_WAITING) timerRemove(slot);
}

function release(slot: u32): void {
  setState(slot, STATE_FREE);
  freeSlot(slot);
  bump(COUNTER_LIVE, -1);
}

/** A new task; its handle, or a negative status. */
export function register(nowMs: f64, cls: i32, nice: i32, kind: i32, delayMs: f64, periodMs: f64): f64 {
  if (!isTime(nowMs) || !isTime(delayMs) || !isTime(periodMs)) return STATUS_BAD_ARGUMENT;
  if (cls < 0 || cls >= CLASS_COUNT || nice < NICE_MIN || nice > NICE_MAX) return STATUS_BAD_ARGUMENT;
  if (kind < KIND_ONCE || kind > KIND_FIXED_DELAY) return STATUS_BAD_ARGUMENT;
  if (kind != KIND_ONCE && !(periodMs > 0)) return STATUS_BAD_ARGUMENT;
  const slot = allocSlot(cls);
  if (slot == NO_SLOT) return STATUS_NO_MEMORY;
  setU8(FIELD_CLASS, slot, cls);
  setU8(FIELD_KIND, slot, kind);
  setU8(FIELD_NICE, slot, nice - NICE_MIN);
  setF64(FIELD_PERIOD, slot, periodMs);
  setF64(FIELD_VRUNTIME, slot, placeNew());
  setF64(FIELD_STAMP, slot, nowMs);
  bump(COUNTER_REGISTERED);
  bump(COUNTER_LIVE);
  let ok: bool;
  if (delayMs == 0) {
    setF64(FIELD_DUE, slot, nowMs);
    ok = enqueueReady(slot, false);
  } else {
    ok = enqueueTimer(slot, nowMs + delayMs, delayMs);
  }
  if (!ok) {
    // The heap could not grow: nothing was inserted, give the slot back.
    release(slot);
    bump(COUNTER_REGISTERED, -1);
    return STATUS_NO_MEMORY;
  }
  return handleOf(slot);
}

/** Moves every task due at or before now from the timer queue to the ready queue. */
export function advance(nowMs: f64): i32 {
  if (!isTime(nowMs)) return STATUS_BAD_ARGUMENT;
  let moved = 0;
  for (let slot = timerTop(); slot != NO_SLOT && f64At(FIELD_STAMP, slot) <= nowMs; slot = timerTop()) {
    timerRemove(slot);
    // Ready since it was due (STAMP, its fire time): lateness counts as wait,
    // and under the deadline policy a late task is correspondingly more urgent.
    setF64(FIELD_VRUNTIME, slot, placeWaking(f64At(FIELD_VRUNTIME, slot)));
    // Cannot fail: the ready heap has room for every live task once grown.
    if (!enqueueReady(slot, false)) return STATUS_NO_MEMORY;
    moved++;
  }
  return moved;
}

/** Takes the next ready task and marks it running; its handle or STATUS_EMPTY. */
export function pop(nowMs: f64): f64 {
  if (!isTime(nowMs)) return STATUS_BAD_ARGUMENT;
  const slot = readyTop();
  if (slot == NO_SLOT) return STATUS_EMPTY;
  return popSlot(slot, nowMs);
}

/** Takes a given READY task out of the ready queue and marks it running (pop() of a chosen task). */
export function popSlot(slot: u32, nowMs: f64): f64 {
  assert(stateOf(slot) == STATE_READY, "ready queue holds a task that is not ready");
  const row = statsRowOf(slot);
  if (row == 0) return STATUS_NO_MEMORY;
  readyRemove(slot);
  setState(slot, STATE_RUNNING);
  // Ready since STAMP, or since its last run segment ended if it kept its place.
  const readySince = max(f64At(FIELD_STAMP, slot), statF64(COL_LAST_END, row));
  const waitMs = max(0, nowMs - readySince);
  setStatF64(COL_WAIT, row, statF64(COL_WAIT, row) + waitMs);
  bump(COUNTER_WAIT_MS, waitMs);
  setStatU32(COL_RUNS, row, statU32(COL_RUNS, row) + 1);
  bump(COUNTER_STARTS);
  setStatF64(COL_LAST_START, row, nowMs);
  setStatF64(COL_RUN_RUNTIME, row, 0);
  ticksSkippedByLastPop = 0;
  if (u8At(FIELD_KIND, slot) == KIND_FIXED_RATE) skipTicksMissedBeforeStart(slot, row, nowMs);
  return handleOf(slot);
}

/**
 * Takes a given READY task out of the ready queue and marks it running, out
 * of its turn (a scheduler draining its parked continuations as it stops).
 * Its handle, or a negative status.
 */
export function take(handle: f64, nowMs: f64): f64 {
  const s = slotOf(handle);
  if (s < 0) return <f64>s;
  if (!isTime(nowMs)) return STATUS_BAD_ARGUMENT;
  if (stateOf(<u32>s) != STATE_READY) return STATUS_WRONG_STATE;
  return popSlot(<u32>s, nowMs);
}

/** How many ticks the last pop() skipped (a fixed-rate run that started late); for skip events. */
let ticksSkippedByLastPop: f64 = 0;
export function lastPopSkippedTicks(): f64 {
  return ticksSkippedByLastPop;
}

/**
 * A fixed-rate run that starts a whole period or more after its nominal time
 * (a backlog, a pause) stands for the latest tick at or before its start: the
 * ticks in between are counted as missed and skipped, so the next run keeps the
 * cadence instead of bursting to catch up.
 */
function skipTicksMissedBeforeStart(slot: u32, row: u32, nowMs: f64): void {
  const dueMs = f64At(FIELD_DUE, slot);
  const periodMs = f64At(FIELD_PERIOD, slot);
  const skipped = Math.floor((nowMs - dueMs) / periodMs);
  if (!(skipped >= 1)) return;
  setF64(FIELD_DUE, slot, dueMs + skipped * periodMs);
  setStatU32(COL_MISSED, row, statU32(COL_MISSED, row) + <u32>skipped);
  bump(COUNTER_MISSED, skipped);
  ticksSkippedByLastPop = skipped;
}

/** The handle of the task pop() would return, or STATUS_EMPTY. */
export function peek(): f64 {
  const slot = readyTop();
  return slot == NO_SLOT ? STATUS_EMPTY : handleOf(slot);
}

/** The earliest due time in the timer queue, or +Infinity. */
export function nextDue(): f64 {
  return timerNextDue();
}

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
  return enqueueTimer(slot, nextMs, periodMs) ? STATUS_OK : STATUS_NO_MEMORY;
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
  return enqueueTimerKeepingNominal(slot, nowMs + delayMs, delayMs) ? STATUS_OK : STATUS_NO_MEMORY;
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
  return enqueueTimer(slot, nextDueMs, NaN) ? STATUS_OK : STATUS_NO_MEMORY;
}

function countOutcome(row: u32, failed: bool): void {
  if (failed) {
    setStatU32(COL_FAILURES, row, statU32(COL_FAILURES, row) + 1);
    bump(COUNTER_FAILURES);
  } else {
    bump(COUNTER_COMPLETED);
  }
}

/** Ends a task in any state; its handle goes stale. */
export function cancel(handle: f64): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  const slot = <u32>s;
  unlink(slot);
  release(slot);
  bump(COUNTER_CANCELLED);
  return STATUS_OK;
}

/** Moves a task to another priority class; a ready task is re-keyed in place. */
export function setClass(handle: f64, cls: i32): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  if (cls < 0 || cls >= CLASS_COUNT) return STATUS_BAD_ARGUMENT;
  const slot = <u32>s;
  if (stateOf(slot) != STATE_READY) {
    setU8(FIELD_CLASS, slot, cls);
    return STATUS_OK;
  }
  // Out of its class's lane (or the heap) and back in under the new class, keeping its sequence.
  readyRemove(slot);
  setU8(FIELD_CLASS, slot, cls);
  return readyInsert(slot) ? STATUS_OK : STATUS_NO_MEMORY;
}

/** Changes a task's nice level (its weight for future charges under the fair policy). */
export function setNice(handle: f64, nice: i32): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  if (nice < NICE_MIN || nice > NICE_MAX) return STATUS_BAD_ARGUMENT;
  setU8(FIELD_NICE, <u32>s, nice - NICE_MIN);
  return STATUS_OK;
}

/** A waiting or ready task leaves its queue until resumed. */
export function pause(handle: f64): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  const slot = <u32>s;
  const state = stateOf(slot);
  if (state != STATE_WAITING && state != STATE_READY) return STATUS_WRONG_STATE;
  // STAMP remembers when the task would have been ready: its fire time if
  // waiting (a retry's time, not its nominal DUE: the timer queue's key), its
  // ready time otherwise.
  unlink(slot);
  setState(slot, STATE_PAUSED);
  return STATUS_OK;
}

/** A paused task returns: to the timer queue if it was waiting for a time still ahead, else ready now. */
export function resume(handle: f64, nowMs: f64): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  if (!isTime(nowMs)) return STATUS_BAD_ARGUMENT;
  const slot = <u32>s;
  if (stateOf(slot) != STATE_PAUSED) return STATUS_WRONG_STATE;
  const wakeMs = f64At(FIELD_STAMP, slot);
  if (wakeMs > nowMs) return enqueueTimerKeepingNominal(slot, wakeMs, NaN) ? STATUS_OK : STATUS_NO_MEMORY;
  setF64(FIELD_STAMP, slot, nowMs);
  setF64(FIELD_VRUNTIME, slot, placeWaking(f64At(FIELD_VRUNTIME, slot)));
  return enqueueReady(slot, false) ? STATUS_OK : STATUS_NO_MEMORY;
}

/**
 * A waiting task becomes ready now. A fixed-rate task keeps its cadence: the
 * pending tick runs early and the next one stays where it was.
 */
export function runNow(handle: f64, nowMs: f64): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  if (!isTime(nowMs)) return STATUS_BAD_ARGUMENT;
  const slot = <u32>s;
  const state = stateOf(slot);
  if (state == STATE_READY) return STATUS_OK;
  if (state != STATE_WAITING) return STATUS_WRONG_STATE;
  timerRemove(slot);
  if (u8At(FIELD_KIND, slot) != KIND_FIXED_RATE) setF64(FIELD_DUE, slot, nowMs);
  setF64(FIELD_STAMP, slot, nowMs);
  setF64(FIELD_VRUNTIME, slot, placeWaking(f64At(FIELD_VRUNTIME, slot)));
  return enqueueReady(slot, false) ? STATUS_OK : STATUS_NO_MEMORY;
}

/** The state of a task, or a negative status for a bad or stale handle. */
export function taskState(handle: f64): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  return stateOf(<u32>s);
}

/** How many ready tasks pop() would return before this one (O(n): for describe()). */
export function readyRank(handle: f64): i32 {
  const s = slotOf(handle);
  if (s < 0) return <i32>s;
  const slot = <u32>s;
  if (stateOf(slot) != STATE_READY) return STATUS_WRONG_STATE;
  return readyCountBefore(readyKey(slot), slot);
}
