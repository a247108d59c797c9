// What a caller may do to a task outside its runs: cancel it, change its
// class or nice level, pause and resume it, make its pending run ready now.
// Validation and status codes as in tasks.ts.

import {
  FIELD_CLASS, FIELD_KIND, FIELD_NICE, FIELD_DUE, FIELD_VRUNTIME, FIELD_STAMP, CLASS_COUNT, NICE_MIN, NICE_MAX,
  KIND_FIXED_RATE, STATE_WAITING, STATE_READY, STATE_PAUSED, STATUS_OK, STATUS_BAD_ARGUMENT, STATUS_WRONG_STATE,
  STATUS_NO_MEMORY, COUNTER_CANCELLED
} from "./layout";
import { slotOf, stateOf, u8At, setU8, f64At, setF64 } from "./table";
import { timerRemove } from "./timers";
import { readyInsert, readyRemove } from "./ready";
import { bump } from "./counters";
import { placeWaking } from "./quantum";
import { isTime, setState, enqueueReady, enqueueTimerKeepingNominal, unlink, release } from "./task-state";

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
  if (wakeMs > nowMs) return enqueueTimerKeepingNominal(slot, wakeMs) ? STATUS_OK : STATUS_NO_MEMORY;
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
