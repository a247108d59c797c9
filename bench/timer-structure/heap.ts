// The timer structure the core uses today, behind the benchmark's interface:
// not a copy but the core's own code. It imports assembly/heap.ts (the indexed
// 4-ary heap: f64 key and u32 slot per entry, the POS field of the task's row
// for remove-any, its SEQ field for the tie-break), assembly/table.ts (the
// task rows) and assembly/arena.ts (the columns they all live in),
// and drives TIMER_HEAP the way assembly/tasks.ts does: enqueueTimer is
// heapPush, cancel is heapRemoveAt(positionOf), advance pops while the top is
// due. What the core does besides (task state, counters, moving the task to the
// ready heap) is left out here and out of the wheel alike.
//
// An id is a task-table slot. init reserves every group the heap touches for
// `capacity` rows up front, so no timed operation grows the arena (the arena
// rounds capacities up to a power of two, >= 1024; the wheel does the same).
//
// Interface, shared with wheel.ts: init(capacity, logCapacity), insert(id,
// dueMs), cancel(id), advance(nowMs) -> count released, nextDue(), pending(),
// structureBytes(), plus the release counters of release.ts.

import { initArena, reserve, capacityOf, columnElementBytes } from "../../assembly/arena";
import {
  TIMER_HEAP, heapClear, heapPush, heapRemoveAt, heapSize, heapSlotAt, heapTopKey, heapTopSlot, positionOf,
} from "../../assembly/heap";
import { COL_TIMER_KEY, COL_TIMER_SLOT, FIELD_POS, FIELD_SEQ, GROUP_TABLE, GROUP_TIMER } from "../../assembly/layout";
import { f64At, fieldBytes, setF64 } from "../../assembly/table";
import { noteRelease, resetRelease } from "./release";

export { released, checksum, dueOrderViolations, seqOrderViolations, logPtr, logCount, clearLog, noop } from "./release";

/** Largest accepted due time: 2^52 - 1 ms (142,000 years), as both structures accept. */
const MAX_DUE_MS: f64 = 4503599627370495;

let idCapacity: u32 = 0;
let sequence: f64 = 0;

/** Sets up an empty heap for ids 0..capacity-1. Once per instance. 0, or -1 if memory is refused. */
export function init(capacity: i32, logCapacity: i32): i32 {
  if (capacity <= 0) return -1;
  heapClear(TIMER_HEAP);
  if (!initArena()) return -1;
  if (!reserve(GROUP_TABLE, capacity) || !reserve(GROUP_TIMER, capacity)) return -1;
  idCapacity = <u32>capacity;
  sequence = 0;
  return resetRelease(logCapacity) ? 0 : -1;
}

function isPending(id: u32): bool {
  const i = positionOf(id);
  return i >= 0 && i < heapSize(TIMER_HEAP) && heapSlotAt(TIMER_HEAP, i) === id;
}

/** Schedules id at dueMs. 0, or -1 for a bad id or due time, or an id already pending. */
export function insert(id: u32, dueMs: f64): i32 {
  if (id >= idCapacity || !(dueMs >= 0 && dueMs <= MAX_DUE_MS) || isPending(id)) return -1;
  setF64(FIELD_SEQ, id, ++sequence);
  return heapPush(TIMER_HEAP, id, dueMs) ? 0 : -1;
}

/** Removes a pending id. 0, or -1 if it is not pending. */
export function cancel(id: u32): i32 {
  if (id >= idCapacity || !isPending(id)) return -1;
  heapRemoveAt(TIMER_HEAP, positionOf(id));
  return 0;
}

/** Releases every timer due at or before nowMs, in (due, sequence) order; how many. */
export function advance(nowMs: f64): i32 {
  if (!(nowMs >= 0 && nowMs <= MAX_DUE_MS)) return -1;
  let moved = 0;
  while (heapSize(TIMER_HEAP) > 0 && heapTopKey(TIMER_HEAP) <= nowMs) {
    const slot = heapTopSlot(TIMER_HEAP);
    const dueMs = heapTopKey(TIMER_HEAP);
    heapRemoveAt(TIMER_HEAP, 0);
    noteRelease(slot, dueMs, f64At(FIELD_SEQ, slot));
    moved++;
  }
  return moved;
}

/** The earliest due time, or +Infinity. */
export function nextDue(): f64 {
  return heapSize(TIMER_HEAP) === 0 ? Infinity : heapTopKey(TIMER_HEAP);
}

export function pending(): i32 {
  return heapSize(TIMER_HEAP);
}

/**
 * Bytes this structure holds at its current capacity: the TIMER group (key and
 * slot per entry) and the two task-row fields it uses, POS and SEQ. The rest of
 * the 64-byte task row is the core's, not the timer structure's.
 */
export function structureBytes(): f64 {
  const timerRow = columnElementBytes(COL_TIMER_KEY) + columnElementBytes(COL_TIMER_SLOT);
  const tableRow = fieldBytes(FIELD_POS) + fieldBytes(FIELD_SEQ);
  return <f64>capacityOf(GROUP_TIMER) * <f64>timerRow + <f64>capacityOf(GROUP_TABLE) * <f64>tableRow;
}
