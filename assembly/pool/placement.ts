// Worker-pool placement: what a pool worker takes next, and the claims the
// pool compares to decide whether to preempt a running task.
//
// The pool runs one instance of the core per thread on one shared memory
// (src/pool/ explains the lock every call is made under). A worker calls
// poolTake() to move ready tasks to RUNNING itself, without asking the main
// thread; the main thread registers tasks and ends them. Nothing here keeps
// state of its own: the ready queue (ready.ts), the keys (keys.ts) and the
// shared-state words are the core's.
//
// Reserved workers. A worker may be limited to the most urgent classes
// (maxClass: it takes only tasks whose class is <= maxClass), so background
// floods never occupy it. The least eligible task is the least of the lane
// heads of the eligible classes and of the eligible entries of the ready heap.
// The lanes are per class, so their part is O(classes); the heap holds tasks
// of every class in key order, so its part is a scan, O(heap entries). Under
// the deadline, priority and round-robin policies the heap holds only tasks
// that arrived out of key order (a timer released late, a yield that kept its
// place), usually few; under the fair policy it holds every ready task, so
// reserved workers with the fair policy pay O(ready) per take.

import { CLASS_COUNT, FIELD_CLASS, FIELD_VRUNTIME, STATE_RUNNING_COUNT, STATE_READY, STATUS_BAD_ARGUMENT, POOL_TAKE_MAX } from "../layout";
import { READY_HEAP, before, heapKeyAt, heapSize, heapSlotAt } from "../heap";
import { readyTop, readyLaneHead } from "../ready";
import { readyKey, requeueKey } from "../keys";
import { f64At, slotOf, stateOf, u8At } from "../table";
import { isTime, peekSequence } from "../task-state";
import { popSlot } from "../tasks";
import { outputBuffer } from "../commands";
import { sharedState, stateU32 } from "../shared-state";

const NONE: u32 = 0xffffffff;

/** The least READY task of class <= maxClass, or NONE. */
function eligibleTop(maxClass: i32): u32 {
  if (maxClass >= CLASS_COUNT - 1) return readyTop();
  let best = NONE;
  let bestKey: f64 = Infinity;
  for (let c = 0; c <= maxClass; c++) {
    const head = readyLaneHead(c);
    if (head == NONE) continue;
    const key = readyKey(head);
    if (best == NONE || before(key, head, bestKey, best)) {
      best = head;
      bestKey = key;
    }
  }
  const n = heapSize(READY_HEAP);
  for (let i = 0; i < n; i++) {
    const slot = heapSlotAt(READY_HEAP, i);
    if (u8At(FIELD_CLASS, slot) > maxClass) continue;
    const key = heapKeyAt(READY_HEAP, i);
    if (best == NONE || before(key, slot, bestKey, best)) {
      best = slot;
      bestKey = key;
    }
  }
  return best;
}

/**
 * Moves up to `max` (<= POOL_TAKE_MAX) of the least ready tasks of class
 * <= maxClass to RUNNING, in order, writing their handles to the output
 * buffer. Answers how many, or a negative status.
 */
export function poolTake(nowMs: f64, maxClass: i32, max: i32): i32 {
  if (!isTime(nowMs) || maxClass < 0 || max < 0 || max > POOL_TAKE_MAX) return STATUS_BAD_ARGUMENT;
  let taken = 0;
  while (taken < max) {
    const slot = eligibleTop(maxClass);
    if (slot == NONE) break;
    const handle = popSlot(slot, nowMs);
    if (handle < 0) return taken > 0 ? taken : <i32>handle;
    store<f64>(outputBuffer + (<usize>taken << 3), handle);
    taken++;
  }
  return taken;
}

/** The key of the least ready task of class <= maxClass, or +Infinity when there is none. */
export function poolTopKey(maxClass: i32): f64 {
  const slot = eligibleTop(maxClass < 0 ? 0 : maxClass);
  return slot == NONE ? Infinity : readyKey(slot);
}

/** The class of the least ready task of class <= maxClass, or -1 when there is none. */
export function poolTopClass(maxClass: i32): i32 {
  const slot = eligibleTop(maxClass < 0 ? 0 : maxClass);
  return slot == NONE ? -1 : u8At(FIELD_CLASS, slot);
}

/** A live task's key under the current policy (its claim: smaller is more urgent), or NaN for a bad handle. */
export function poolClaimKey(handle: f64): f64 {
  const s = slotOf(handle);
  return s < 0 ? NaN : readyKey(<u32>s);
}

/**
 * The key a RUNNING task would have if it were requeued at the tail now: a
 * waiting task with a key at or below it has an equal or higher claim. NaN for
 * a bad handle or a task that is not running.
 */
export function poolRequeueKey(handle: f64, nowMs: f64): f64 {
  const s = slotOf(handle);
  if (s < 0 || !isTime(nowMs) || stateOf(<u32>s) == STATE_READY) return NaN;
  return requeueKey(<u32>s, nowMs, peekSequence());
}

/** A task's virtual runtime (fair policy), NaN for a bad handle. */
export function poolVruntime(handle: f64): f64 {
  const s = slotOf(handle);
  return s < 0 ? NaN : f64At(FIELD_VRUNTIME, <u32>s);
}

/** Tasks RUNNING right now (handed to workers and not yet ended or requeued). */
export function poolRunningCount(): i32 {
  return <i32>stateU32(STATE_RUNNING_COUNT);
}

/** Address of the shared-state words (layout.ts STATE_*), for views from JS. */
export function sharedStatePtr(): usize {
  return sharedState;
}
