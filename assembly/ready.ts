// The ready queue: every READY task, ordered by (key, sequence); pop takes the least.
//
// What must be cheap: the common case of a scheduler, tasks made ready in the
// order of their keys. Under the deadline policy a task's key is its ready
// time plus its class's deadline, and ready times only grow, so inside one
// class keys arrive in order; under priority and round-robin the sequence
// number makes every key larger than the last. A heap pays O(log n) cache
// misses per push and pop for an order that is already there.
//
// Shape: one lane per priority class, a sorted list linked through the task
// rows (POS = next, PREV = previous: O(1) append, O(1) unlink from anywhere
// for cancel, pause and re-prioritise), plus the indexed heap (heap.ts) for
// everything that arrives out of order (a timer released at its nominal time
// behind tasks made ready after it, a yield that keeps its place, any key
// under the fair policy that is smaller than its lane's tail). An insert goes
// to the tail of its class's lane when it is not before that tail, else into
// the heap. Each lane is sorted by construction, so the least entry of the
// whole queue is the least of the heap's top and the five lane heads: pop
// compares six candidates, whose keys sit in static memory (the lane heads'
// keys are cached here), and touches only the winner's row.
//
// The order is exactly the heap's order (the sequence number makes every
// (key, sequence) pair distinct, so "least" is unique): the differential
// tests check pop order against a plain model. A key is a function of the
// task's row, its class and the policy (keys.ts), fixed while it is queued;
// when the policy or a class deadline changes every key changes, and the
// lanes are emptied into the heap, which is re-keyed (rare, O(n)).
//
// Where the costs are: an append writes the new row and the old tail's POS
// (one line each); a lane pop reads the next row to cache its key (the line
// the next pop of that lane reads anyway).

import { FIELD_CLASS, FIELD_POS, FIELD_PREV, FIELD_QUEUE, CLASS_COUNT, QUEUE_HEAP, QUEUE_LANE } from "./layout";
import { setU8, setU32, u32At, u8At } from "./table";
import { READY_HEAP, before, heapCheck, heapClear, heapKeyAt, heapPush, heapRekey, heapRemoveAt, heapSize, heapSlotAt,
  heapTopKey, heapTopSlot, positionOf } from "./heap";
import { readyKey } from "./keys";

const NONE: u32 = 0xffffffff;

// Per class c: head and tail slot (NONE when empty), entry count, head key.
const laneHeads: usize = memory.data(CLASS_COUNT * 4, 4);
const laneTails: usize = memory.data(CLASS_COUNT * 4, 4);
const laneSizes: usize = memory.data(CLASS_COUNT * 4, 4);
const laneHeadKeys: usize = memory.data(CLASS_COUNT * 8, 8);

@inline function laneHead(c: i32): u32 { return load<u32>(laneHeads + (<usize>c << 2)); }
@inline function laneTail(c: i32): u32 { return load<u32>(laneTails + (<usize>c << 2)); }
@inline function laneSize(c: i32): u32 { return load<u32>(laneSizes + (<usize>c << 2)); }
@inline function laneHeadKey(c: i32): f64 { return load<f64>(laneHeadKeys + (<usize>c << 3)); }
@inline function setLaneHead(c: i32, slot: u32): void {
  store<u32>(laneHeads + (<usize>c << 2), slot);
  store<f64>(laneHeadKeys + (<usize>c << 3), slot == NONE ? Infinity : readyKey(slot));
}
@inline function setLaneTail(c: i32, slot: u32): void { store<u32>(laneTails + (<usize>c << 2), slot); }
@inline function setLaneSize(c: i32, n: u32): void { store<u32>(laneSizes + (<usize>c << 2), n); }

/** The first slot of a class's lane, or NONE (for the pool's reserved workers). */
export function readyLaneHead(c: i32): u32 { return laneHead(c); }

export function readyClear(): void {
  for (let c = 0; c < CLASS_COUNT; c++) {
    setLaneHead(c, NONE);
    setLaneTail(c, NONE);
    setLaneSize(c, 0);
  }
  heapClear(READY_HEAP);
}

/** Entries in the whole queue. */
export function readySize(): i32 {
  let n = heapSize(READY_HEAP);
  for (let c = 0; c < CLASS_COUNT; c++) n += <i32>laneSize(c);
  return n;
}

/** Queues a task whose row (class, sequence, key fields) is set. False only if the heap cannot grow. */
export function readyInsert(slot: u32): bool {
  const c = u8At(FIELD_CLASS, slot);
  const key = readyKey(slot);
  const tail = laneTail(c);
  if (tail == NONE || !before(key, slot, readyKey(tail), tail)) {
    setU8(FIELD_QUEUE, slot, QUEUE_LANE);
    setU32(FIELD_POS, slot, NONE);
    setU32(FIELD_PREV, slot, tail);
    if (tail == NONE) setLaneHead(c, slot);
    else setU32(FIELD_POS, tail, slot);
    setLaneTail(c, slot);
    setLaneSize(c, laneSize(c) + 1);
    return true;
  }
  setU8(FIELD_QUEUE, slot, QUEUE_HEAP);
  return heapPush(READY_HEAP, slot, key);
}

/** Takes a queued task out, wherever it is. */
export function readyRemove(slot: u32): void {
  if (u8At(FIELD_QUEUE, slot) == QUEUE_HEAP) {
    heapRemoveAt(READY_HEAP, positionOf(slot));
    return;
  }
  const c = u8At(FIELD_CLASS, slot);
  const next = u32At(FIELD_POS, slot);
  const prev = u32At(FIELD_PREV, slot);
  if (prev == NONE) setLaneHead(c, next);
  else setU32(FIELD_POS, prev, next);
  if (next == NONE) setLaneTail(c, prev);
  else setU32(FIELD_PREV, next, prev);
  setLaneSize(c, laneSize(c) - 1);
}

/** The least queued task, or NONE when the queue is empty. */
export function readyTop(): u32 {
  let best = NONE;
  let bestKey: f64 = Infinity;
  if (heapSize(READY_HEAP) > 0) {
    best = heapTopSlot(READY_HEAP);
    bestKey = heapTopKey(READY_HEAP);
  }
  for (let c = 0; c < CLASS_COUNT; c++) {
    const head = laneHead(c);
    if (head == NONE) continue;
    const key = laneHeadKey(c);
    if (best == NONE || before(key, head, bestKey, best)) {
      best = head;
      bestKey = key;
    }
  }
  return best;
}

/** The least key in the queue, or +Infinity when empty (the fair policy's floor). */
export function readyMinKey(): f64 {
  let least: f64 = heapSize(READY_HEAP) > 0 ? heapTopKey(READY_HEAP) : Infinity;
  for (let c = 0; c < CLASS_COUNT; c++) least = min(least, laneHeadKey(c));
  return least;
}

/** Every key just changed (policy or class deadline): all entries go to the heap, re-keyed. False if it cannot grow. */
export function readyRekey(): bool {
  for (let c = 0; c < CLASS_COUNT; c++) {
    let slot = laneHead(c);
    while (slot != NONE) {
      const next = u32At(FIELD_POS, slot);
      setU8(FIELD_QUEUE, slot, QUEUE_HEAP);
      if (!heapPush(READY_HEAP, slot, readyKey(slot))) return false;
      slot = next;
    }
    setLaneHead(c, NONE);
    setLaneTail(c, NONE);
    setLaneSize(c, 0);
  }
  heapRekey(READY_HEAP, readyKey);
  return true;
}

/** How many queued tasks are before (key, sequence of slot). O(n): for describe(). */
export function readyCountBefore(key: f64, slot: u32): i32 {
  let ahead = 0;
  const n = heapSize(READY_HEAP);
  for (let i = 0; i < n; i++) {
    if (before(heapKeyAt(READY_HEAP, i), heapSlotAt(READY_HEAP, i), key, slot)) ahead++;
  }
  for (let c = 0; c < CLASS_COUNT; c++) {
    let s = laneHead(c);
    while (s != NONE && before(readyKey(s), s, key, slot)) {
      ahead++;
      s = u32At(FIELD_POS, s);
    }
  }
  return ahead;
}

/**
 * 0 when every lane is sorted, linked both ways, counted, holds only its own
 * class and caches its head's key, else a positive code (100 * (class + 1) +
 * what failed); then the heap's own check. O(n), for tests.
 */
export function readyCheck(): i32 {
  for (let c = 0; c < CLASS_COUNT; c++) {
    const code = 100 * (c + 1);
    let prev = NONE;
    let slot = laneHead(c);
    let n: u32 = 0;
    if (slot == NONE ? laneHeadKey(c) != Infinity : laneHeadKey(c) != readyKey(slot)) return code + 1;
    while (slot != NONE) {
      if (u8At(FIELD_QUEUE, slot) != QUEUE_LANE || u8At(FIELD_CLASS, slot) != c) return code + 2;
      if (u32At(FIELD_PREV, slot) != prev) return code + 3;
      if (prev != NONE && before(readyKey(slot), slot, readyKey(prev), prev)) return code + 4;
      prev = slot;
      slot = u32At(FIELD_POS, slot);
      n++;
    }
    if (laneTail(c) != prev) return code + 5;
    if (laneSize(c) != n) return code + 6;
  }
  const n = heapSize(READY_HEAP);
  for (let i = 0; i < n; i++) {
    if (u8At(FIELD_QUEUE, heapSlotAt(READY_HEAP, i)) != QUEUE_HEAP) return 99;
  }
  return heapCheck(READY_HEAP);
}
