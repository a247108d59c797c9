// Where a task is: its state (WAITING, READY, RUNNING, PAUSED, FREE) and the
// queue that goes with it. Every move between states goes through setState(),
// which keeps the per-state counters and the list of running tasks; the
// enqueue functions put a task in the ready heap or the timer queue with a
// fresh sequence number (the tie-break among equal keys). The operations the
// bindings call are in tasks.ts, runs.ts and task-controls.ts.

import {
  FIELD_STATE, FIELD_SEQ, FIELD_DUE, STATE_WAITING, STATE_READY, STATE_RUNNING, STATE_PAUSED, STATE_FREE, COUNTER_LIVE,
  COUNTER_READY, COUNTER_WAITING, COUNTER_RUNNING, COUNTER_PAUSED, FIELD_POS, FIELD_PREV, STATE_SEQUENCE, STATE_RUNNING_HEAD,
  STATE_RUNNING_COUNT
} from "./layout";
import { freeSlot, stateOf, setU8, setF64, u32At, setU32 } from "./table";
import { timerInsert, timerRemove } from "./timers";
import { readyInsert, readyRemove } from "./ready";
import { bump } from "./counters";
import { stateF64, setStateF64, stateU32, setStateU32 } from "./shared-state";

export const NO_SLOT: u32 = 0xffffffff;

/** The next sequence number (shared state), and then the one after it. */
@inline export function peekSequence(): f64 { return stateF64(STATE_SEQUENCE); }
@inline export function nextSequence(): f64 {
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

export function setState(slot: u32, next: i32): void {
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
export function enqueueReady(slot: u32, keepPlace: bool): bool {
  if (!keepPlace) setF64(FIELD_SEQ, slot, nextSequence());
  setState(slot, STATE_READY);
  return readyInsert(slot);
}

/** Into the timer queue, due at dueMs; DUE (the nominal time of the run) becomes dueMs. */
export function enqueueTimer(slot: u32, dueMs: f64): bool {
  setF64(FIELD_DUE, slot, dueMs);
  return enqueueTimerKeepingNominal(slot, dueMs);
}

/** Into the timer queue, firing at fireMs, leaving DUE alone (a retry of the same run). */
export function enqueueTimerKeepingNominal(slot: u32, fireMs: f64): bool {
  setF64(FIELD_SEQ, slot, nextSequence());
  setState(slot, STATE_WAITING);
  return timerInsert(slot, fireMs);
}

/** Out of whichever queue the task is in (none for RUNNING and PAUSED). */
export function unlink(slot: u32): void {
  const state = stateOf(slot);
  assert(state != STATE_FREE, "unlink of a free slot");
  if (state == STATE_READY) readyRemove(slot);
  else if (state == STATE_WAITING) timerRemove(slot);
}

export function release(slot: u32): void {
  setState(slot, STATE_FREE);
  freeSlot(slot);
  bump(COUNTER_LIVE, -1);
}
