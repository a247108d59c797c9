// The timer queue: every WAITING task, ordered by (fire time, sequence);
// advance releases the least while it is due.
//
// What must be cheap: a timer set and cancelled before it fires, whatever
// its delay, at 1e6 pending. Most programs set many timers (a request
// timeout, a retry backoff) and cancel most of them, often in the order they
// were set. In a heap each insert and cancel costs O(log n) cache misses (a
// random position's keys, and the row of every entry that moves, for POS;
// cancelling in the order set removes the root each time) and 12 bytes a
// timer; and the order is not needed until a timer comes near.
//
// Shape: far buckets, as in a radix heap, and the indexed heap (heap.ts) for
// the timers that are near. The keys are >= 0, so their f64 bits order as
// u64; read them as 8 digits of 8 bits. A timer that fires after the horizon
// H (a fire time, only ever raised) goes unsorted into bucket (d, v): d the
// highest digit in which its key differs from H, v its digit there (above
// H's). Every key of bucket (d, v) is below every key of (d, v + 1) and of
// every bucket of a higher d, and above H; a key equal to H waits in EQUAL,
// below all. Any other timer (fire time <= H) goes into the heap. A bucket
// is a list linked through the rows (POS = next, PREV = previous, QUEUE =
// QUEUE_LANE): O(1) append and unlink, no bytes beyond the row. Its bucket
// is not stored: it follows from the key and H (a split, below, changes H
// only in ways that leave every other bucket's keys where they are). Timers
// set together sit in the same few buckets, so a cancel in the order set
// touches rows that are near (as Node's lists per duration do,
// lib/internal/timers.js).
//
// Nothing is sorted until it is needed: before the least timer is read
// (timerTop, timerNextDue), settle() moves the lowest bucket into the heap
// while its least possible key (its floor) is not above the heap's top: a
// bucket of at most FLUSH_MAX timers whole; a larger one is split around its
// floor f (H becomes f; its timers move to buckets of lower digits, or to
// EQUAL). With 256 buckets a digit, a million random fire times are split
// two or three times each before they reach the heap in groups of tens; a
// timer cancelled before it comes near is never sorted at all.
//
// The key of a waiting task is its fire time, kept in its STAMP field (when
// it becomes ready: its nominal due time, or a retry's time) wherever it
// waits; the heap keeps a copy beside its entries. The order is exactly the
// heap's order (sequence numbers make every (key, sequence) pair distinct):
// the differential tests check release order against a plain model.

import { FIELD_POS, FIELD_PREV, FIELD_QUEUE, FIELD_STAMP, QUEUE_HEAP, QUEUE_LANE } from "./layout";
import { BELOW_ARENA_BYTES, belowArena } from "./arena";
import { f64At, setF64, setU8, setU32, u32At, u8At } from "./table";
import { TIMER_HEAP, before, heapCheck, heapClear, heapKeyAt, heapPush, heapRemoveAt, heapReserve, heapSize, heapSlotAt, heapTopKey,
  heapTopSlot, positionOf } from "./heap";

const NONE: u32 = 0xffffffff;
/** Buckets: EQUAL (keys equal to the horizon), then (d, v) at 1 + 256 d + v: in key order. */
const EQUAL: i32 = 0;
const BUCKETS: i32 = 1 + 8 * 256;
/** A bucket of at most this many timers goes into the heap whole when it is needed; a larger one is split. */
const FLUSH_MAX: u32 = 64;

// Per bucket: head, tail and entry count (head and tail valid only while the
// count is not 0), and a bit in farWords set while the count is not 0; the
// heads, tails and counts lie below the arena (arena.ts). The horizon's f64
// bits, and the number of timers in buckets.
const TABLE_BYTES: usize = <usize>BUCKETS * 4;
@inline function farHeads(): usize { return belowArena(); }
@inline function farTails(): usize { return belowArena() + TABLE_BYTES; }
@inline function farSizes(): usize { return belowArena() + 2 * TABLE_BYTES; }
const WORDS: i32 = (BUCKETS + 63) >> 6;
const farWords: usize = memory.data(WORDS * 8, 8);
const horizon: usize = memory.data(8, 8);

@inline function farHead(k: i32): u32 { return load<u32>(farHeads() + (<usize>k << 2)); }
@inline function farTail(k: i32): u32 { return load<u32>(farTails() + (<usize>k << 2)); }
@inline function farSize(k: i32): u32 { return load<u32>(farSizes() + (<usize>k << 2)); }
@inline function setFarHead(k: i32, slot: u32): void { store<u32>(farHeads() + (<usize>k << 2), slot); }
@inline function setFarTail(k: i32, slot: u32): void { store<u32>(farTails() + (<usize>k << 2), slot); }
@inline function horizonBits(): u64 { return load<u64>(horizon); }

/** Sets bucket k's count, and its bit in farWords (set while the count is not 0). */
function setFarSize(k: i32, n: u32): void {
  store<u32>(farSizes() + (<usize>k << 2), n);
  const word = farWords + (<usize>(k >> 6) << 3);
  const bit = (<u64>1) << (<u64>k & 63);
  store<u64>(word, n != 0 ? load<u64>(word) | bit : load<u64>(word) & ~bit);
}

export function timersClear(): void {
  assert(TABLE_BYTES * 3 <= BELOW_ARENA_BYTES, "the bucket table outgrew BELOW_ARENA_BYTES");
  memory.fill(farWords, 0, WORDS * 8);
  memory.fill(farSizes(), 0, TABLE_BYTES);
  store<u64>(horizon, 0);
  heapClear(TIMER_HEAP);
}

/** The bucket of a far timer keyed `key`: EQUAL, or (highest digit that differs from the horizon's, its digit). */
function bucketOf(key: f64): i32 {
  const h = horizonBits();
  const bits = reinterpret<u64>(key);
  if (bits == h) return EQUAL;
  const d = (63 - <i32>clz(bits ^ h)) >> 3;
  return 1 + ((d << 8) | <i32>((bits >> (<u64>d << 3)) & 255));
}

/** The least key bucket k can hold: the horizon's digits above k's, then k's digit, then zeros. */
function farFloor(k: i32): f64 {
  const h = horizonBits();
  if (k == EQUAL) return reinterpret<f64>(h);
  const shift = <u64>((k - 1) >> 8) << 3;
  return reinterpret<f64>((h & ~((<u64>0xffffffffffffffff) >> (56 - shift))) | (<u64>((k - 1) & 255) << shift));
}

/** The lowest bucket that holds a timer, or -1. */
function lowestFar(): i32 {
  for (let w = 0; w < WORDS; w++) {
    const bits = load<u64>(farWords + (<usize>w << 3));
    if (bits != 0) return (w << 6) | <i32>ctz(bits);
  }
  return -1;
}

/** Links a timer at the tail of its bucket. */
function appendFar(slot: u32, key: f64): void {
  const k = bucketOf(key);
  const n = farSize(k);
  const tail = n != 0 ? farTail(k) : NONE;
  if (n != 0) setU32(FIELD_POS, tail, slot);
  else setFarHead(k, slot);
  setU8(FIELD_QUEUE, slot, QUEUE_LANE);
  setU32(FIELD_POS, slot, NONE);
  setU32(FIELD_PREV, slot, tail);
  setFarTail(k, slot);
  setFarSize(k, n + 1);
}

/**
 * Queues a task whose sequence number is set, to fire at fireMs (its STAMP
 * becomes fireMs). False only if the heap cannot grow.
 */
export function timerInsert(slot: u32, fireMs: f64): bool {
  setF64(FIELD_STAMP, slot, fireMs);
  // Above the horizon (never true for NaN, -0 or a negative key).
  if (fireMs > reinterpret<f64>(horizonBits())) {
    appendFar(slot, fireMs);
    return true;
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
  const k = bucketOf(f64At(FIELD_STAMP, slot));
  const next = u32At(FIELD_POS, slot);
  const prev = u32At(FIELD_PREV, slot);
  if (prev == NONE) setFarHead(k, next);
  else setU32(FIELD_POS, prev, next);
  if (next == NONE) setFarTail(k, prev);
  else setU32(FIELD_PREV, next, prev);
  setFarSize(k, farSize(k) - 1);
}

/**
 * Moves buckets into the heap until the heap's top (or nothing) is the least
 * timer. Answers the bucket it had to leave (the heap cannot grow: the least
 * timer is the least of that bucket or the heap's top), else -1.
 */
function settle(): i32 {
  while (true) {
    const k = lowestFar();
    if (k < 0) return -1;
    if (heapSize(TIMER_HEAP) > 0 && heapTopKey(TIMER_HEAP) < farFloor(k)) return -1;
    let slot = farHead(k);
    const n = farSize(k);
    if (k == EQUAL || n <= FLUSH_MAX) {
      // Whole into the heap.
      if (!heapReserve(TIMER_HEAP, heapSize(TIMER_HEAP) + <i32>n)) return k;
      setFarSize(k, 0);
      for (; slot != NONE; ) {
        const next = u32At(FIELD_POS, slot);
        setU8(FIELD_QUEUE, slot, QUEUE_HEAP);
        heapPush(TIMER_HEAP, slot, f64At(FIELD_STAMP, slot));
        slot = next;
      }
    } else {
      // Split around its floor f: its timers agree with f above k's digit
      // and are not below it, so they move to EQUAL or to lower digits; the
      // buckets above k keep their keys (f agrees with the old horizon
      // above k's digit and is below them).
      store<u64>(horizon, reinterpret<u64>(farFloor(k)));
      setFarSize(k, 0);
      for (; slot != NONE; ) {
        const next = u32At(FIELD_POS, slot);
        appendFar(slot, f64At(FIELD_STAMP, slot));
        slot = next;
      }
    }
  }
  return -1;
}

/** The timer that fires first, or NONE when none waits. Its key is its STAMP. */
export function timerTop(): u32 {
  const left = settle();
  let best = heapSize(TIMER_HEAP) > 0 ? heapTopSlot(TIMER_HEAP) : NONE;
  if (left >= 0) {
    // Out of memory: a scan of the lowest bucket.
    for (let slot = farHead(left); slot != NONE; slot = u32At(FIELD_POS, slot)) {
      if (best == NONE || before(f64At(FIELD_STAMP, slot), slot, f64At(FIELD_STAMP, best), best)) best = slot;
    }
  }
  return best;
}

/** The earliest fire time of any timer, or +Infinity. */
export function timerNextDue(): f64 {
  const top = timerTop();
  return top == NONE ? Infinity : f64At(FIELD_STAMP, top);
}

/**
 * 0 when every timer in a bucket is one that belongs there and each bucket
 * holds as many as it counts, and every heap entry's key is its task's STAMP;
 * else a positive code (1 for a bucket, 99 for a heap entry); then the heap's
 * own check. O(n), for tests.
 */
export function timersCheck(): i32 {
  for (let k = 0; k < BUCKETS; k++) {
    let n = farSize(k);
    for (let slot = n != 0 ? farHead(k) : NONE; slot != NONE; slot = u32At(FIELD_POS, slot)) {
      if (n-- == 0 || u8At(FIELD_QUEUE, slot) != QUEUE_LANE || bucketOf(f64At(FIELD_STAMP, slot)) != k) return 1;
    }
    if (n != 0) return 1;
  }
  const n = heapSize(TIMER_HEAP);
  for (let i = 0; i < n; i++) {
    const slot = heapSlotAt(TIMER_HEAP, i);
    if (u8At(FIELD_QUEUE, slot) != QUEUE_HEAP || heapKeyAt(TIMER_HEAP, i) != f64At(FIELD_STAMP, slot)) return 99;
  }
  return heapCheck(TIMER_HEAP);
}
