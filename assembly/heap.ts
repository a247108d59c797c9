// Indexed 4-ary min-heaps: the ready heap and the timer heap.
//
// What must be cheap: pop and push (every task passes through both at least
// once), and remove/change-key at any position (cancel, re-prioritise,
// reschedule), all O(log n). Shape: keys (f64) and slots (u32) in two parallel
// arena columns, entry i's children at 4i+1..4i+4; each task's POS field holds
// its index in the heap it is in (a task is in at most one heap at a time, its
// STATE says which). Keys sit inline so a sift touches contiguous memory; the
// sequence tie-break (the SEQ field of the task's row) is read only when two
// keys are equal, so equal keys keep arrival order. 4-ary halves the depth of a
// binary heap for one extra comparison per level: fewer cache misses at 1e6.
//
// Where the costs are (bench/ab/heap-ab.mjs, against the same heap in gcc -O2
// C): for every entry that moves, a write of POS into its task's row, a cache
// line per moved task once the rows outgrow the cache (6.4 MB at 1e5). POS in
// a column of its own (4 bytes per task) made the bare heap 1.6x faster at
// 1e5, but a task's whole cycle (pop, charge, requeue) 1.35-1.45x slower at
// 1e5 and 1e6: the moves that write POS into a row bring in the rows of the
// tasks that rise to the top, which pop reads next, so the row write is also
// the prefetch of the next pops. Then the choice of the least child: a branch
// per child that the predictor loses about once per level, which gcc avoids
// with cmov; see leastOfFour. Below the top levels the keys are cache misses,
// and there a branch is better: the CPU guesses a child and starts loading the
// next level before the comparison is known, where a branch-free choice would
// wait for all four keys.

import { columnBase, capacityOf, reserve } from "./arena";
import { FIELD_POS, FIELD_SEQ, GROUP_READY, GROUP_TIMER, COL_READY_KEY, COL_READY_SLOT, COL_TIMER_KEY, COL_TIMER_SLOT } from "./layout";
import { f64At, u32At, setU32 } from "./table";

/** Which heap: READY_HEAP or TIMER_HEAP (also the index of its size counter). */
export const READY_HEAP: i32 = 0;
export const TIMER_HEAP: i32 = 1;

const sizes: usize = memory.data(8, 8);

@inline export function heapSize(heap: i32): i32 {
  return load<i32>(sizes + (<usize>heap << 2));
}
@inline function setSize(heap: i32, n: i32): void {
  store<i32>(sizes + (<usize>heap << 2), n);
}
@inline function keysOf(heap: i32): usize {
  return columnBase(heap == READY_HEAP ? COL_READY_KEY : COL_TIMER_KEY);
}
@inline function slotsOf(heap: i32): usize {
  return columnBase(heap == READY_HEAP ? COL_READY_SLOT : COL_TIMER_SLOT);
}
@inline function setPos(slot: u32, i: i32): void {
  setU32(FIELD_POS, slot, <u32>i);
}
@inline export function positionOf(slot: u32): i32 {
  return <i32>u32At(FIELD_POS, slot);
}

/**
 * a before b: smaller key, or equal keys and smaller sequence number. The one
 * order of every ready and timer entry (the ready lanes and the pool's
 * placement compare with it too).
 */
@inline export function before(keyA: f64, slotA: u32, keyB: f64, slotB: u32): bool {
  if (keyA != keyB) return keyA < keyB;
  return seqBefore(slotA, slotB);
}

/** Equal keys: the task that arrived first (smaller sequence number) goes first. */
@inline function seqBefore(slotA: u32, slotB: u32): bool {
  return f64At(FIELD_SEQ, slotA) < f64At(FIELD_SEQ, slotB);
}

function siftUp(heap: i32, i: i32, key: f64, slot: u32): void {
  const keys = keysOf(heap);
  const slots = slotsOf(heap);
  while (i > 0) {
    const parent = (i - 1) >> 2;
    const pKey = load<f64>(keys + (<usize>parent << 3));
    const pSlot = load<u32>(slots + (<usize>parent << 2));
    if (!before(key, slot, pKey, pSlot)) break;
    store<f64>(keys + (<usize>i << 3), pKey);
    store<u32>(slots + (<usize>i << 2), pSlot);
    setPos(pSlot, i);
    i = parent;
  }
  store<f64>(keys + (<usize>i << 3), key);
  store<u32>(slots + (<usize>i << 2), slot);
  setPos(slot, i);
}

/**
 * Children at or past this index are chosen with branches (see the header):
 * the top 2^14 entries (128 KB of keys) are the part of the heap every pop
 * walks, and stay in cache. Branch-free at every level made heap-hold at 1e6
 * 1.6-1.8x slower; at 1e4 branch-free is 1.5-1.9x faster than branches.
 */
const BRANCH_FREE_BELOW: i32 = 1 << 14;

function siftDown(heap: i32, i: i32, key: f64, slot: u32): void {
  const keys = keysOf(heap);
  const slots = slotsOf(heap);
  const n = heapSize(heap);
  while (true) {
    const first = (i << 2) + 1;
    if (first >= n) break;
    const end = min(first + 4, n);
    const best = end - first == 4 && first < BRANCH_FREE_BELOW ? leastOfFour(keys, slots, first) : leastOfFew(keys, slots, first, end);
    const bestKey = load<f64>(keys + (<usize>best << 3));
    const bestSlot = load<u32>(slots + (<usize>best << 2));
    if (!before(bestKey, bestSlot, key, slot)) break;
    store<f64>(keys + (<usize>i << 3), bestKey);
    store<u32>(slots + (<usize>i << 2), bestSlot);
    setPos(bestSlot, i);
    i = best;
  }
  store<f64>(keys + (<usize>i << 3), key);
  store<u32>(slots + (<usize>i << 2), slot);
  setPos(slot, i);
}

/**
 * Position of the least of the four children at first..first+3. Without
 * branches: which child is least is a coin toss the branch predictor loses
 * about once per level (gcc makes the same loop branch-free with cmov; V8
 * turns an f64 select into a branch but an i64 select into cmov). Doubles
 * that are >= +0 order exactly as their bits read as i64, and two such keys
 * are equal exactly when their bits are, so when no key has its sign bit set
 * (-0 or negative, which the core's times never are) and the least key is
 * unique, the tournament on bits is the (key, sequence) order. Otherwise the
 * exact loop decides.
 */
@inline function leastOfFour(keys: usize, slots: usize, first: i32): i32 {
  const at = keys + (<usize>first << 3);
  const k0 = load<i64>(at);
  const k1 = load<i64>(at, 8);
  const k2 = load<i64>(at, 16);
  const k3 = load<i64>(at, 24);
  const low01 = select<i64>(k1, k0, k1 < k0);
  const low23 = select<i64>(k3, k2, k3 < k2);
  const least = select<i64>(low23, low01, low23 < low01);
  const at01 = select<i32>(first + 1, first, k1 < k0);
  const at23 = select<i32>(first + 3, first + 2, k3 < k2);
  const equalToLeast = <i32>(k0 == least) + <i32>(k1 == least) + <i32>(k2 == least) + <i32>(k3 == least);
  if ((k0 | k1 | k2 | k3) < 0 || equalToLeast != 1) return leastOfFew(keys, slots, first, first + 4);
  return select<i32>(at23, at01, low23 < low01);
}

/**
 * Position of the least (key, sequence) among the children at first..end-1.
 * Inlined: as a call per level it made heap-hold at 1e6 1.15-1.2x slower.
 */
@inline function leastOfFew(keys: usize, slots: usize, first: i32, end: i32): i32 {
  // Keys first: a child's slot is read just for a tie (rare).
  let best = first;
  let bestKey = load<f64>(keys + (<usize>first << 3));
  for (let c = first + 1; c < end; c++) {
    const cKey = load<f64>(keys + (<usize>c << 3));
    if (cKey < bestKey || (cKey == bestKey && seqBefore(load<u32>(slots + (<usize>c << 2)), load<u32>(slots + (<usize>best << 2))))) {
      best = c;
      bestKey = cKey;
    }
  }
  return best;
}

/** Inserts a slot. False only if the heap cannot grow. */
export function heapPush(heap: i32, slot: u32, key: f64): bool {
  const n = heapSize(heap);
  const group = heap == READY_HEAP ? GROUP_READY : GROUP_TIMER;
  if (n >= capacityOf(group) && !reserve(group, n + 1)) return false;
  setSize(heap, n + 1);
  siftUp(heap, n, key, slot);
  return true;
}

/** Room for `count` entries without growing. False only if the heap cannot grow. */
export function heapReserve(heap: i32, count: i32): bool {
  const group = heap == READY_HEAP ? GROUP_READY : GROUP_TIMER;
  return count <= capacityOf(group) || reserve(group, count);
}

/** The slot at the top. Caller checks heapSize > 0. */
@inline export function heapTopSlot(heap: i32): u32 {
  return load<u32>(slotsOf(heap));
}

/** The key at the top. Caller checks heapSize > 0. */
@inline export function heapTopKey(heap: i32): f64 {
  return load<f64>(keysOf(heap));
}

/** The key at a position. */
@inline export function heapKeyAt(heap: i32, i: i32): f64 {
  return load<f64>(keysOf(heap) + (<usize>i << 3));
}

/** The slot at a position. */
@inline export function heapSlotAt(heap: i32, i: i32): u32 {
  return load<u32>(slotsOf(heap) + (<usize>i << 2));
}

/** Removes the entry at position i (the top when i = 0). */
export function heapRemoveAt(heap: i32, i: i32): void {
  assert(i >= 0 && i < heapSize(heap), "heap position out of range");
  const n = heapSize(heap) - 1;
  setSize(heap, n);
  if (i == n) return;
  // Move the last entry into the hole, then restore order in whichever direction.
  const keys = keysOf(heap);
  const slots = slotsOf(heap);
  const key = load<f64>(keys + (<usize>n << 3));
  const slot = load<u32>(slots + (<usize>n << 2));
  placeAt(heap, i, key, slot);
}

/** Gives the entry at position i a new key. */
export function heapUpdateAt(heap: i32, i: i32, key: f64): void {
  assert(i >= 0 && i < heapSize(heap), "heap position out of range");
  placeAt(heap, i, key, load<u32>(slotsOf(heap) + (<usize>i << 2)));
}

function placeAt(heap: i32, i: i32, key: f64, slot: u32): void {
  if (i > 0) {
    const parent = (i - 1) >> 2;
    const keys = keysOf(heap);
    const slots = slotsOf(heap);
    if (before(key, slot, load<f64>(keys + (<usize>parent << 3)), load<u32>(slots + (<usize>parent << 2)))) {
      siftUp(heap, i, key, slot);
      return;
    }
  }
  siftDown(heap, i, key, slot);
}

/** Rewrites every key through `keyOf` and restores heap order in O(n). */
export function heapRekey(heap: i32, keyOf: (slot: u32) => f64): void {
  const n = heapSize(heap);
  const keys = keysOf(heap);
  const slots = slotsOf(heap);
  for (let i = 0; i < n; i++) {
    store<f64>(keys + (<usize>i << 3), keyOf(load<u32>(slots + (<usize>i << 2))));
  }
  for (let i = (n - 2) >> 2; i >= 0; i--) {
    siftDown(heap, i, load<f64>(keys + (<usize>i << 3)), load<u32>(slots + (<usize>i << 2)));
  }
}

export function heapClear(heap: i32): void {
  setSize(heap, 0);
}

/**
 * 0 when the heap is ordered and every entry's POS points back at it; otherwise
 * 1 + the first bad position. For tests: O(n), never called on a hot path.
 */
export function heapCheck(heap: i32): i32 {
  const n = heapSize(heap);
  for (let i = 0; i < n; i++) {
    const slot = heapSlotAt(heap, i);
    if (positionOf(slot) != i) return i + 1;
    if (i > 0) {
      const parent = (i - 1) >> 2;
      if (before(heapKeyAt(heap, i), slot, heapKeyAt(heap, parent), heapSlotAt(heap, parent))) return i + 1;
    }
  }
  return 0;
}
