// The timer queue: every WAITING task, ordered by (fire time, sequence);
// advance releases the least while it is due.
//
// What must be cheap: timers set with one delay. Most programs set many
// timers of a few delays (a request timeout, a retry backoff, a period) and
// cancel most of them before they fire, in the order they were set. Timers
// of one delay set over time fire in the order they were set, so a heap pays
// O(log n) cache misses per insert and per cancel for an order that is
// already there: cancelling in the order set removes the heap's root every
// time, a full sift-down each.
//
// Shape: TIMER_LANES lanes, each bound to one delay, a sorted list linked
// through the task rows (POS = next, PREV = previous, LANE = which lane: O(1)
// append, O(1) unlink from anywhere), plus the indexed heap (heap.ts) for
// everything else. A timer goes to the tail of its delay's lane when it is
// not before that tail (time only moves forward, so a timer of the same delay
// set later is due later); else, or when its delay has no lane and none is
// free to bind, into the heap. An empty lane stays bound to its delay until
// another delay needs a lane and finds none free. Each lane is sorted by
// construction, so the least timer is the least of the heap's top and the
// lane heads, whose keys are cached here: advance compares TIMER_LANES + 1
// candidates per release and touches only the winner's row. Node's timers
// keep one list per duration the same way (lib/internal/timers.js).
//
// The key of a waiting task is its fire time, kept in its STAMP field (when
// it becomes ready: its nominal due time, or a retry's time) whichever queue
// holds it; the heap keeps a copy beside its entries. The order is exactly
// the heap's order (sequence numbers make every (key, sequence) pair
// distinct): the differential tests check release order against a plain model.
//
// Where the costs are: an insert reads the lane's cached delay and tail key
// and writes the new row and the old tail's POS; a cancel writes its two
// neighbours' links (and, at a lane's head, reads the next row to cache its
// key: the row the next cancel in order touches anyway).

import { FIELD_LANE, FIELD_POS, FIELD_PREV, FIELD_QUEUE, FIELD_STAMP, QUEUE_HEAP, QUEUE_LANE } from "./layout";
import { f64At, setF64, setU8, setU32, u32At, u8At } from "./table";
import { TIMER_HEAP, before, heapCheck, heapClear, heapKeyAt, heapPush, heapRemoveAt, heapSize, heapSlotAt, heapTopKey, heapTopSlot,
  positionOf } from "./heap";

const NONE: u32 = 0xffffffff;
/** Lanes of the timer queue: this many distinct delays are kept in order without the heap. */
export const TIMER_LANES: i32 = 8;

// Per lane: head and tail slot (NONE when empty), entry count, the delay it
// is bound to, and its head's and tail's keys (+Infinity / -Infinity when empty).
const laneHeads: usize = memory.data(TIMER_LANES * 4, 4);
const laneTails: usize = memory.data(TIMER_LANES * 4, 4);
const laneSizes: usize = memory.data(TIMER_LANES * 4, 4);
const laneDelays: usize = memory.data(TIMER_LANES * 8, 8);
const laneHeadKeys: usize = memory.data(TIMER_LANES * 8, 8);
const laneTailKeys: usize = memory.data(TIMER_LANES * 8, 8);
/** The lane the last insert used: the first one an insert looks at. */
const lastLane: usize = memory.data(4, 4);

@inline function laneHead(l: i32): u32 { return load<u32>(laneHeads + (<usize>l << 2)); }
@inline function laneTail(l: i32): u32 { return load<u32>(laneTails + (<usize>l << 2)); }
@inline function laneSize(l: i32): u32 { return load<u32>(laneSizes + (<usize>l << 2)); }
@inline function laneDelay(l: i32): f64 { return load<f64>(laneDelays + (<usize>l << 3)); }
@inline function laneHeadKey(l: i32): f64 { return load<f64>(laneHeadKeys + (<usize>l << 3)); }
@inline function laneTailKey(l: i32): f64 { return load<f64>(laneTailKeys + (<usize>l << 3)); }
@inline function setLaneHead(l: i32, slot: u32): void {
  store<u32>(laneHeads + (<usize>l << 2), slot);
  store<f64>(laneHeadKeys + (<usize>l << 3), slot == NONE ? Infinity : f64At(FIELD_STAMP, slot));
}
@inline function setLaneTail(l: i32, slot: u32): void {
  store<u32>(laneTails + (<usize>l << 2), slot);
  store<f64>(laneTailKeys + (<usize>l << 3), slot == NONE ? -Infinity : f64At(FIELD_STAMP, slot));
}
@inline function setLaneSize(l: i32, n: u32): void { store<u32>(laneSizes + (<usize>l << 2), n); }
@inline function setLaneDelay(l: i32, delayMs: f64): void { store<f64>(laneDelays + (<usize>l << 3), delayMs); }

export function timersClear(): void {
  for (let l = 0; l < TIMER_LANES; l++) {
    setLaneHead(l, NONE);
    setLaneTail(l, NONE);
    setLaneSize(l, 0);
    setLaneDelay(l, NaN);
  }
  store<u32>(lastLane, 0);
  heapClear(TIMER_HEAP);
}

/** Timers queued (lanes and heap). */
export function timersSize(): i32 {
  let n = heapSize(TIMER_HEAP);
  for (let l = 0; l < TIMER_LANES; l++) n += <i32>laneSize(l);
  return n;
}

/** The lane of a delay: bound to it, or a free one bound now; -1 when none (NaN: the caller wants no lane). */
function laneFor(delayMs: f64): i32 {
  const last = <i32>load<u32>(lastLane);
  if (laneDelay(last) == delayMs) return last;
  if (!(delayMs >= 0)) return -1;
  let free = -1;
  for (let l = 0; l < TIMER_LANES; l++) {
    if (laneDelay(l) == delayMs) {
      store<u32>(lastLane, <u32>l);
      return l;
    }
    if (free < 0 && laneSize(l) == 0) free = l;
  }
  if (free >= 0) {
    setLaneDelay(free, delayMs);
    store<u32>(lastLane, <u32>free);
  }
  return free;
}

/**
 * Queues a task whose sequence number is set, to fire at fireMs (its STAMP
 * becomes fireMs). delayMs says which lane it belongs in (the delay it was
 * set with), NaN for none. False only if the heap cannot grow.
 */
export function timerInsert(slot: u32, fireMs: f64, delayMs: f64): bool {
  setF64(FIELD_STAMP, slot, fireMs);
  const l = laneFor(delayMs);
  if (l >= 0) {
    const tail = laneTail(l);
    if (tail == NONE || !before(fireMs, slot, laneTailKey(l), tail)) {
      setU8(FIELD_QUEUE, slot, QUEUE_LANE);
      setU8(FIELD_LANE, slot, l);
      setU32(FIELD_POS, slot, NONE);
      setU32(FIELD_PREV, slot, tail);
      if (tail == NONE) setLaneHead(l, slot);
      else setU32(FIELD_POS, tail, slot);
      store<u32>(laneTails + (<usize>l << 2), slot);
      store<f64>(laneTailKeys + (<usize>l << 3), fireMs);
      setLaneSize(l, laneSize(l) + 1);
      return true;
    }
  }
  setU8(FIELD_QUEUE, slot, QUEUE_HEAP);
  return heapPush(TIMER_HEAP, slot, fireMs);
}

/** Takes a queued timer out, wherever it is. */
export function timerRemove(slot: u32): void {
  if (u8At(FIELD_QUEUE, slot) == QUEUE_HEAP) {
    heapRemoveAt(TIMER_HEAP, positionOf(slot));
    return;
  }
  const l = u8At(FIELD_LANE, slot);
  const next = u32At(FIELD_POS, slot);
  const prev = u32At(FIELD_PREV, slot);
  if (prev == NONE) setLaneHead(l, next);
  else setU32(FIELD_POS, prev, next);
  if (next == NONE) setLaneTail(l, prev);
  else setU32(FIELD_PREV, next, prev);
  setLaneSize(l, laneSize(l) - 1);
}

/** The timer that fires first, or NONE when none waits. Its key is its STAMP. */
export function timerTop(): u32 {
  let best = NONE;
  let bestKey: f64 = Infinity;
  if (heapSize(TIMER_HEAP) > 0) {
    best = heapTopSlot(TIMER_HEAP);
    bestKey = heapTopKey(TIMER_HEAP);
  }
  for (let l = 0; l < TIMER_LANES; l++) {
    const head = laneHead(l);
    if (head == NONE) continue;
    const key = laneHeadKey(l);
    if (best == NONE || before(key, head, bestKey, best)) {
      best = head;
      bestKey = key;
    }
  }
  return best;
}

/** The earliest fire time of any timer, or +Infinity. */
export function timerNextDue(): f64 {
  let least: f64 = heapSize(TIMER_HEAP) > 0 ? heapTopKey(TIMER_HEAP) : Infinity;
  for (let l = 0; l < TIMER_LANES; l++) least = min(least, laneHeadKey(l));
  return least;
}

/**
 * 0 when every lane is sorted, linked both ways, counted, holds only its own
 * entries and caches its head's and tail's keys, and every heap entry's key
 * is its task's STAMP; else a positive code (100 * (lane + 1) + what failed,
 * 99 for a heap entry); then the heap's own check. O(n), for tests.
 */
export function timersCheck(): i32 {
  for (let l = 0; l < TIMER_LANES; l++) {
    const code = 100 * (l + 1);
    let prev = NONE;
    let slot = laneHead(l);
    let n: u32 = 0;
    if (slot == NONE ? laneHeadKey(l) != Infinity : laneHeadKey(l) != f64At(FIELD_STAMP, slot)) return code + 1;
    while (slot != NONE) {
      if (u8At(FIELD_QUEUE, slot) != QUEUE_LANE || u8At(FIELD_LANE, slot) != l) return code + 2;
      if (u32At(FIELD_PREV, slot) != prev) return code + 3;
      if (prev != NONE && before(f64At(FIELD_STAMP, slot), slot, f64At(FIELD_STAMP, prev), prev)) return code + 4;
      prev = slot;
      slot = u32At(FIELD_POS, slot);
      n++;
    }
    if (laneTail(l) != prev) return code + 5;
    if (prev == NONE ? laneTailKey(l) != -Infinity : laneTailKey(l) != f64At(FIELD_STAMP, prev)) return code + 6;
    if (laneSize(l) != n) return code + 7;
  }
  const n = heapSize(TIMER_HEAP);
  for (let i = 0; i < n; i++) {
    const slot = heapSlotAt(TIMER_HEAP, i);
    if (u8At(FIELD_QUEUE, slot) != QUEUE_HEAP || heapKeyAt(TIMER_HEAP, i) != f64At(FIELD_STAMP, slot)) return 99;
  }
  return heapCheck(TIMER_HEAP);
}
