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
//
// One file per part of that life: this one registers tasks, moves due ones to
// the ready queue, hands out the next to run, and answers questions about a
// task; runs.ts charges a running task and ends its run (requeue, retry,
// complete); task-controls.ts holds what a caller does outside runs (cancel,
// class, nice, pause, resume, runNow); task-state.ts the moves between states
// and queues they all go through.

import {
  FIELD_CLASS, FIELD_KIND, FIELD_NICE, FIELD_DUE, FIELD_PERIOD, FIELD_VRUNTIME, FIELD_STAMP, COL_RUNS, COL_MISSED,
  COL_WAIT, COL_RUN_RUNTIME, COL_LAST_START, COL_LAST_END, CLASS_COUNT, NICE_MIN, NICE_MAX, KIND_ONCE, KIND_FIXED_RATE,
  KIND_FIXED_DELAY, STATE_READY, STATE_RUNNING, STATUS_BAD_ARGUMENT, STATUS_WRONG_STATE, STATUS_EMPTY, STATUS_NO_MEMORY,
  COUNTER_REGISTERED, COUNTER_STARTS, COUNTER_MISSED, COUNTER_WAIT_MS, COUNTER_LIVE
} from "./layout";
import { allocSlot, handleOf, slotOf, statsRowOf, stateOf, u8At, setU8, f64At, setF64, statU32, setStatU32, statF64, setStatF64 } from "./table";
import { timerNextDue, timerRemove, timerTop } from "./timers";
import { readyCountBefore, readyRemove, readyTop } from "./ready";
import { bump } from "./counters";
import { readyKey } from "./keys";
import { placeNew, placeWaking } from "./quantum";
import { NO_SLOT, isTime, setState, enqueueReady, enqueueTimer, release } from "./task-state";

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
    ok = enqueueTimer(slot, nowMs + delayMs);
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
