// A hierarchical timing wheel, the challenger to the core's timer heap.
//
// What must be cheap: insert and cancel, O(1) whatever the number of pending
// timers, and advance(now) when nothing is due. Shape: levels of 2^bits slots
// (configure(6): six levels of 64, reaching 2^36 ms, 2.2 years; configure(8):
// four levels of 256, reaching 2^32 ms, 49.7 days), 1 ms per tick at level 0,
// each level 2^bits times coarser than the one below; later timers wait on an
// overflow list. Every slot is an intrusive circular doubly-linked list
// threaded through NEXT and PREV (u32) of the timers' rows; the list heads
// (sentinels) are numbered after the ids and live in a small array of their
// own, so cancel unlinks without knowing which slot it is in, and a list whose
// last timer leaves is recognised by its sentinel being both neighbours.
// A timer's fields sit in a 64-byte row laid out as the core's task row
// (assembly/layout.ts): PREV where the core has POS, SEQ and DUE where it has
// them, NEXT in STAMP's place (STAMP is dead while a task waits), so a timer
// costs the wheel one cache line, as a task row costs the heap's sift one line
// per moved task. An occupancy bitmap per level (one u64
// per 64 slots) lets advance skip empty ticks and empty cascades with ctz
// instead of visiting them.
//
// Placement (the classic Varghese-Lauck / Linux <= 4.7 scheme): tick =
// floor(dueMs); delta = tick - cur; level k is the one with
// 2^(bits k) <= delta < 2^(bits (k+1)), slot (tick >> bits k) & mask. When cur
// reaches a multiple of 2^(bits k), level k's slot for the new block is
// cascaded: its timers are placed again, relative to the new cur, lower down.
// A timer is moved at most once per level it starts above 0: that is where
// the O(1) insert shifts its cost, and why a cascade is a latency spike (one
// call moves every timer of a level-k slot). Wider levels make those batches
// smaller (a level-1 slot holds 256 ms of timers instead of a level-2 slot's
// 4096 ms for a delay of a few seconds).
//
// Time is f64 ms like the core's, not only whole ticks: ticks before cur are
// fully released; the slot of tick cur is released only up to now (so a due of
// 100.5 is not released at now 100.2). A due time already past when inserted
// goes to the slot of tick cur and leaves at the next advance.
//
// Order: the heap releases in (due, sequence) order. A wheel by itself does
// not: a timer cascaded into a level-0 slot lands behind timers inserted there
// directly, though it may be due earlier (fractional times) or have arrived
// earlier (equal times). With `ordered` on (the default) every level-0 slot is
// kept sorted by (due, sequence): a timer entering it walks back from the tail
// past the timers that must follow it, usually none. setOrdered(0) gives the
// plain FIFO wheel, to measure what the order costs.
//
// nextDue: the first non-empty slot of each level bounds the earliest timer of
// that level; only those lists are scanned, and the answer is cached until a
// release, or the cancel of the earliest timer, invalidates it. While the
// cached answer is later than now, advance returns at once without walking
// ticks: idle calls cost what the heap's do, and the walk (with its cascades)
// is done by the next advance that releases something.
//
// These files are linted by biome with the JavaScript in bench/, hence ===
// where assembly/ writes ==: on numbers both compile to the same instruction.

import { allocPages, noteRelease, resetRelease } from "./release";

export { released, checksum, dueOrderViolations, seqOrderViolations, logPtr, logCount, clearLog, noop } from "./release";

const MAX_LEVELS: i32 = 6;
/** u64 words of occupancy bitmap per level: room for 256 slots. */
const MAX_WORDS: i32 = 4;
const NONE: u32 = 0xffffffff;
/** Largest accepted due time: 2^52 - 1 ms (142,000 years), as both structures accept. */
const MAX_DUE_MS: f64 = 4503599627370495;
const TWO_POW_52: f64 = 4503599627370496;
/** Capacities are rounded up as the core's arena rounds its groups. */
const MIN_CAPACITY: u32 = 1024;
/** A timer's row: the core's task row size and, for the fields used, its offsets. */
const ROW_BYTES: usize = 64;
const ROW_PREV: usize = 8;
const ROW_SEQ: usize = 16;
const ROW_DUE: usize = 24;
const ROW_NEXT: usize = 48;

// ---- shape, fixed by configure() before init() ----
let levelBits: i32 = 6;
let levels: i32 = 6;
let slotsPerLevel: i32 = 64;
let slotMask: i64 = 63;
/** Ticks covered by all levels: 2^spanBits. Timers further out overflow. */
let spanBits: i64 = 36;
/** byte per highest set bit of a delta (0..63): the level it belongs to. */
const levelOfBit: usize = memory.data(64);

// ---- state ----
/** Ids are 0..idCapacity-1; list sentinels are the rows above. */
let idCapacity: u32 = 0;
/** idCapacity rows of ROW_BYTES. */
let rowsBase: usize = 0;
/** A (next, prev) u32 pair per list sentinel. */
let headsBase: usize = 0;
/** Every tick before cur has been released; tick cur only up to the last now. */
let cur: i64 = 0;
let sequence: f64 = 0;
let count: i32 = 0;
let ordered: bool = true;
/** The earliest due time, when earliestKnown; otherwise it must be searched for. */
let earliest: f64 = Infinity;
let earliestKnown: bool = true;
/** MAX_WORDS u64 per level: bit s set when slot s is non-empty. */
const occupied: usize = memory.data(MAX_LEVELS * MAX_WORDS * 8, 8);

function rowOf(id: u32): usize {
  return rowsBase + <usize>id * ROW_BYTES;
}
function nextAt(x: u32): usize {
  return x < idCapacity ? rowOf(x) + ROW_NEXT : headsBase + (<usize>(x - idCapacity) << 3);
}
function prevAt(x: u32): usize {
  return x < idCapacity ? rowOf(x) + ROW_PREV : headsBase + (<usize>(x - idCapacity) << 3) + 4;
}
function nextOf(x: u32): u32 {
  return load<u32>(nextAt(x));
}
function setNext(x: u32, v: u32): void {
  store<u32>(nextAt(x), v);
}
function prevOf(x: u32): u32 {
  return load<u32>(prevAt(x));
}
function setPrev(x: u32, v: u32): void {
  store<u32>(prevAt(x), v);
}
function dueOf(id: u32): f64 {
  return load<f64>(rowOf(id) + ROW_DUE);
}
function seqOf(id: u32): f64 {
  return load<f64>(rowOf(id) + ROW_SEQ);
}
function listOf(level: i32, slot: i32): u32 {
  return idCapacity + <u32>((level << levelBits) + slot);
}
function overflowList(): u32 {
  return idCapacity + <u32>(levels << levelBits);
}
/**
 * floor(ms) as an integer, for 0 <= ms < 2^52: the f64 bits of floor(ms) + 2^52
 * are 2^52's bits plus the integer. Not <i64>ms (i64.trunc_sat_f64_s): with
 * that conversion at the top of advance, an idle advance measured ~14 ns
 * instead of ~5 (node 20, x64); advance now converts only past its idle test.
 */
function tickOf(ms: f64): i64 {
  return reinterpret<i64>(Math.floor(ms) + TWO_POW_52) - reinterpret<i64>(TWO_POW_52);
}
function shiftOf(level: i32): i64 {
  return <i64>(level * levelBits);
}

// ---- occupancy bitmaps ----
function wordAt(level: i32, slot: i32): usize {
  return occupied + (<usize>(level * MAX_WORDS + (slot >> 6)) << 3);
}
function markBusy(level: i32, slot: i32): void {
  const at = wordAt(level, slot);
  store<u64>(at, load<u64>(at) | (<u64>1 << <u64>(slot & 63)));
}
function markEmpty(level: i32, slot: i32): void {
  const at = wordAt(level, slot);
  store<u64>(at, load<u64>(at) & ~(<u64>1 << <u64>(slot & 63)));
}
function isBusy(level: i32, slot: i32): bool {
  return ((load<u64>(wordAt(level, slot)) >> <u64>(slot & 63)) & 1) !== 0;
}
/** The smallest d >= 0 such that slot (from + d) mod slots is non-empty, or -1. */
function firstBusyFrom(level: i32, from: i64): i32 {
  let slot = <i32>(from & slotMask);
  let scanned = 0;
  while (scanned < slotsPerLevel) {
    const word = load<u64>(wordAt(level, slot)) >> <u64>(slot & 63);
    if (word !== 0) {
      const d = scanned + <i32>ctz<u64>(word);
      return d < slotsPerLevel ? d : -1;
    }
    // On to the next word (wrapping), whose bits below `slot` come round again last.
    const step = 64 - (slot & 63);
    scanned += step;
    slot = (slot + step) & (slotsPerLevel - 1);
  }
  return -1;
}

function linkAfter(p: u32, x: u32): void {
  const n = nextOf(p);
  setNext(x, n);
  setPrev(x, p);
  setNext(p, x);
  setPrev(n, x);
}

/** a before b: earlier due, or equal due and earlier arrival. */
function before(a: u32, b: u32): bool {
  const dueA = dueOf(a);
  const dueB = dueOf(b);
  if (dueA !== dueB) return dueA < dueB;
  return seqOf(a) < seqOf(b);
}

/** Into the level-0 slot of `tick`: at the tail, or (ordered) after the last timer not behind it. */
function addToTick(x: u32, tick: i64): void {
  const slot = <i32>(tick & slotMask);
  const head = listOf(0, slot);
  let p = prevOf(head);
  if (ordered) {
    while (p !== head && before(x, p)) p = prevOf(p);
  }
  linkAfter(p, x);
  markBusy(0, slot);
}

/** Puts a timer (due time already stored) where it belongs relative to cur. */
function place(x: u32): void {
  let tick = tickOf(dueOf(x));
  if (tick < cur) tick = cur;
  const delta = tick - cur;
  if (delta < <i64>slotsPerLevel) {
    addToTick(x, tick);
    return;
  }
  const level = <i32>load<u8>(levelOfBit + <usize>(63 - <i32>clz<i64>(delta)));
  if (level >= levels) {
    linkAfter(prevOf(overflowList()), x);
    return;
  }
  const slot = <i32>((tick >> shiftOf(level)) & slotMask);
  linkAfter(prevOf(listOf(level, slot)), x);
  markBusy(level, slot);
}

/** Takes a timer out of its list, clearing the slot's bit if it was the last one. */
function unlink(x: u32): void {
  const p = prevOf(x);
  const n = nextOf(x);
  setNext(p, n);
  setPrev(n, p);
  setNext(x, NONE);
  if (p === n && p >= idCapacity) {
    const index = <i32>(p - idCapacity);
    if (index < levels << levelBits) markEmpty(index >> levelBits, index & (slotsPerLevel - 1));
  }
}

/** Releases a whole level-0 slot (a tick before now). */
function releaseTick(slot: i32): i32 {
  const head = listOf(0, slot);
  let x = nextOf(head);
  if (x === head) return 0;
  let n = 0;
  while (x !== head) {
    const next = nextOf(x);
    setNext(x, NONE);
    noteRelease(x, dueOf(x), seqOf(x));
    x = next;
    n++;
  }
  setNext(head, head);
  setPrev(head, head);
  markEmpty(0, slot);
  return n;
}

/** Ordered slot of tick cur: releases its prefix due at or before now. */
function releaseDueSorted(slot: i32, nowMs: f64): i32 {
  const head = listOf(0, slot);
  let x = nextOf(head);
  let n = 0;
  while (x !== head && dueOf(x) <= nowMs) {
    const next = nextOf(x);
    setNext(x, NONE);
    noteRelease(x, dueOf(x), seqOf(x));
    x = next;
    n++;
  }
  if (n > 0) {
    setNext(head, x);
    setPrev(x, head);
    if (x === head) markEmpty(0, slot);
  }
  return n;
}

/** FIFO slot of tick cur: releases every timer in it due at or before now. */
function releaseDueScan(slot: i32, nowMs: f64): i32 {
  const head = listOf(0, slot);
  let x = nextOf(head);
  let n = 0;
  while (x !== head) {
    const next = nextOf(x);
    if (dueOf(x) <= nowMs) {
      unlink(x);
      noteRelease(x, dueOf(x), seqOf(x));
      n++;
    }
    x = next;
  }
  return n;
}

/** Empties a list and places each of its timers again. */
function replaceAll(head: u32): void {
  let x = nextOf(head);
  setNext(head, head);
  setPrev(head, head);
  // The detached chain still ends at head; a timer placed back on this very
  // list (overflow only) is linked after its successor was read.
  while (x !== head) {
    const next = nextOf(x);
    place(x);
    x = next;
  }
}

/** cur has just become a multiple of the level-0 span: cascade every level whose block starts here. */
function cascade(): void {
  for (let level = 1; level < levels; level++) {
    const slot = <i32>((cur >> shiftOf(level)) & slotMask);
    if (isBusy(level, slot)) {
      markEmpty(level, slot);
      replaceAll(listOf(level, slot));
    }
    if (slot !== 0) return;
  }
  replaceAll(overflowList());
}

/**
 * The first tick after cur at which something happens: a non-empty level-0
 * slot, or a block start whose cascade moves something. Empty cascades are
 * skipped: nothing can have been placed in a slot whose block start lies
 * between cur and the tick returned.
 */
function nextEvent(): i64 {
  let best = i64.MAX_VALUE;
  for (let level = 0; level < levels; level++) {
    const shift = shiftOf(level);
    const block = cur >> shift;
    if (best <= (block + 1) << shift) break;
    // At level 0 the current tick's slot has just been emptied; above it, the
    // current slot holds the block a whole turn ahead, found last.
    const d = firstBusyFrom(level, block + 1);
    if (d < 0) continue;
    const tick = (block + 1 + <i64>d) << shift;
    if (tick < best) best = tick;
  }
  if (nextOf(overflowList()) !== overflowList()) {
    const tick = ((cur >> spanBits) + 1) << spanBits;
    if (tick < best) best = tick;
  }
  return best;
}

/** The smallest due time in a list (its head when it is a sorted level-0 slot). */
function minDueOf(head: u32, sorted: bool): f64 {
  let x = nextOf(head);
  if (sorted) return dueOf(x);
  let best = Infinity;
  while (x !== head) {
    const dueMs = dueOf(x);
    if (dueMs < best) best = dueMs;
    x = nextOf(x);
  }
  return best;
}

/** Scans the first non-empty slot of each level (slots further on hold later ticks). */
function findEarliest(): f64 {
  let best = Infinity;
  for (let level = 0; level < levels; level++) {
    const shift = shiftOf(level);
    // Level 0 starts at the current tick; above it, at the block after the current one.
    const first = (cur >> shift) + (level === 0 ? 0 : 1);
    const d = firstBusyFrom(level, first);
    if (d < 0) continue;
    const block = first + <i64>d;
    if (<f64>(block << shift) >= best) continue;
    const dueMs = minDueOf(listOf(level, <i32>(block & slotMask)), level === 0 && ordered);
    if (dueMs < best) best = dueMs;
  }
  if (nextOf(overflowList()) !== overflowList()) {
    const dueMs = minDueOf(overflowList(), false);
    if (dueMs < best) best = dueMs;
  }
  return best;
}

// ---- the benchmark interface (same as heap.ts, plus configure and setOrdered) ----

/** Slots per level 2^bits: 6 (six levels of 64) or 8 (four levels of 256). Before init. 0, or -1. */
export function configure(bits: i32): i32 {
  if (bits !== 6 && bits !== 8) return -1;
  levelBits = bits;
  levels = bits === 6 ? 6 : 4;
  slotsPerLevel = 1 << bits;
  slotMask = <i64>(slotsPerLevel - 1);
  spanBits = <i64>(levels * bits);
  for (let b = 0; b < 64; b++) store<u8>(levelOfBit + <usize>b, <u8>(b / bits));
  return 0;
}

/** Sets up an empty wheel for ids 0..capacity-1. Once per instance. 0, or -1 if memory is refused. */
export function init(capacity: i32, logCapacity: i32): i32 {
  if (capacity <= 0) return -1;
  if (load<u8>(levelOfBit + 63) === 0) configure(levelBits);
  let rows = MIN_CAPACITY;
  while (rows < <u32>capacity) rows <<= 1;
  const lists = <u32>(levels << levelBits) + 1;
  const base = allocPages(<usize>rows * ROW_BYTES + (<usize>lists << 3));
  if (base === 0) return -1;
  idCapacity = rows;
  rowsBase = base;
  headsBase = base + <usize>rows * ROW_BYTES;
  for (let id: u32 = 0; id < rows; id++) setNext(id, NONE);
  for (let s = rows; s < rows + lists; s++) {
    setNext(s, s);
    setPrev(s, s);
  }
  memory.fill(occupied, 0, <usize>(MAX_LEVELS * MAX_WORDS * 8));
  cur = 0;
  sequence = 0;
  count = 0;
  ordered = true;
  earliest = Infinity;
  earliestKnown = true;
  return resetRelease(logCapacity) ? 0 : -1;
}

/** 1: level-0 slots sorted by (due, sequence), the default; 0: plain FIFO. Before any insert. */
export function setOrdered(on: i32): void {
  ordered = on !== 0;
}

/** Schedules id at dueMs. 0, or -1 for a bad id or due time, or an id already pending. */
export function insert(id: u32, dueMs: f64): i32 {
  if (id >= idCapacity || !(dueMs >= 0 && dueMs <= MAX_DUE_MS) || nextOf(id) !== NONE) return -1;
  store<f64>(rowOf(id) + ROW_DUE, dueMs);
  store<f64>(rowOf(id) + ROW_SEQ, ++sequence);
  place(id);
  if (count === 0) {
    earliest = dueMs;
    earliestKnown = true;
  } else if (dueMs < earliest) {
    earliest = dueMs;
  }
  count++;
  return 0;
}

/** Removes a pending id. 0, or -1 if it is not pending. */
export function cancel(id: u32): i32 {
  if (id >= idCapacity || nextOf(id) === NONE) return -1;
  unlink(id);
  count--;
  if (dueOf(id) <= earliest) earliestKnown = false;
  return 0;
}

/** Releases every timer due at or before nowMs, tick by tick; how many. */
export function advance(nowMs: f64): i32 {
  if (!(nowMs >= 0 && nowMs <= MAX_DUE_MS)) return -1;
  // Nothing due: leave cur behind. Placing relative to an older cur is still
  // correct (timers just start higher up), and the ticks are walked, cascades
  // included, by the first advance that has something to release.
  if (count === 0) {
    const target = tickOf(nowMs);
    if (target > cur) cur = target;
    return 0;
  }
  if (earliestKnown && nowMs < earliest) return 0;
  return walkTo(nowMs, tickOf(nowMs));
}

/** advance's slow path: walks the ticks from cur to target, then releases tick target up to now. */
function walkTo(nowMs: f64, target: i64): i32 {
  let moved = 0;
  while (cur < target) {
    // Every timer of tick cur is due before cur + 1 <= target <= nowMs.
    moved += releaseTick(<i32>(cur & slotMask));
    const tick = nextEvent();
    if (tick > target) {
      cur = target;
      break;
    }
    cur = tick;
    if ((cur & slotMask) === 0) cascade();
  }
  const slot = <i32>(cur & slotMask);
  moved += ordered ? releaseDueSorted(slot, nowMs) : releaseDueScan(slot, nowMs);
  if (moved > 0) {
    count -= moved;
    earliestKnown = false;
  }
  return moved;
}

/** The earliest due time, or +Infinity. */
export function nextDue(): f64 {
  if (count === 0) return Infinity;
  if (!earliestKnown) {
    earliest = findEarliest();
    earliestKnown = true;
  }
  return earliest;
}

export function pending(): i32 {
  return count;
}

/**
 * Bytes this structure holds at its current capacity: the four row fields it
 * uses (NEXT, PREV, SEQ, DUE: 24 of the 64; the rest is the core's task), the
 * list heads, the bitmaps.
 */
export function structureBytes(): f64 {
  const lists = <f64>((levels << levelBits) + 1);
  return <f64>idCapacity * 24 + lists * 8 + <f64>(MAX_LEVELS * MAX_WORDS * 8);
}
