// The task table: one slot per live task, reused through a free list.
//
// A handle is generation * 2^24 + slot, an exact integer in an f64, so it
// crosses the boundary as a plain number. Freeing a slot bumps its generation,
// so a handle kept after its task ended no longer matches and is refused with
// STATUS_STALE_HANDLE: it can never touch the task that reuses the slot.
// Generations start at 1, so no valid handle is 0. A slot whose generation
// is spent (MAX_GENERATION, after some 5e8 reuses of one slot) is retired,
// never handed out again, rather than starting over at 1: a handle is never
// reused for another task, however long the core lives.
//
// A slot's hot fields (generation, state, class, heap position, sequence,
// times, ...) share one 64-byte row (layout.ts draws it): at a million tasks
// every slot is a cache miss, and one pop, charge and requeue then misses once
// on the table instead of once per field.
//
// Rows are handed out to each priority class a page at a time (CHUNK_SLOTS
// rows), so the tasks of one class sit together in memory in the order they
// were registered. The ready queue pops class by class, and with rows dealt
// out in arrival order alone a class's tasks are scattered every few rows:
// at 1e5 tasks of five random classes each pop was a cache miss the hardware
// could not prefetch (~170 ns a pop and complete here, against ~55 ns when
// every task has one class). A chunk costs at most CHUNK_SLOTS - 1 unused
// rows per class.
//
// Cold counters (runs, failures, runtime, ...) live in a separate STATS group,
// one row per task that has started at least once, allocated at its first
// start: a million pending timers cost no counter memory.

import { columnBase, capacityOf, reserve } from "./arena";
import {
  COL_TASKS, COL_NEXT_FREE, TASK_ROW_BYTES, CLASS_COUNT,
  FIELD_GEN, FIELD_STATE, FIELD_CLASS, FIELD_KIND, FIELD_NICE, FIELD_POS, FIELD_STATS_ROW,
  FIELD_SEQ, FIELD_DUE, FIELD_PERIOD, FIELD_VRUNTIME, FIELD_STAMP, FIELD_PREV, FIELD_QUEUE, FIELD_LANE,
  GROUP_TABLE, GROUP_STATS, HANDLE_SLOT_BITS, MAX_GENERATION, MAX_SLOTS,
  STATE_FREE, STATUS_BAD_HANDLE, STATUS_STALE_HANDLE,
  COL_RUNS, COL_FAILURES, COL_OVERRUNS, COL_MISSED, COL_PREEMPTIONS,
  COL_RUNTIME, COL_WAIT, COL_MAX_RUNTIME, COL_RUN_RUNTIME, COL_LAST_START, COL_LAST_END,
  STATE_FREE_SLOT_HEAD, STATE_SLOT_HIGH_WATER, STATE_LIVE_SLOTS, STATE_RECYCLE_CURSOR, STATE_FREE_ROW_HEAD,
  STATE_ROW_HIGH_WATER, STATE_GENERATION_BASE, STATE_GENERATION_HIGH,
} from "./layout";
import { stateU32, setStateU32 } from "./shared-state";

const NONE: u32 = 0xffffffff;
const SLOT_SCALE: f64 = 16777216; // 2^HANDLE_SLOT_BITS

// The allocator's variables live in shared memory (shared-state.ts), so every
// instance of the core on one memory (the worker pool's threads) shares them:
//   free slot head    head of the free-slot list
//   slot high water   slots below it have a generation: they have been dealt
//                     into a chunk at least once
//   live slots        slots in use
//   recycle cursor    when the table empties, chunks are dealt again in address
//     order from here (up to the high-water mark) rather than slots in the free
//     list's order, which is the reverse of the order tasks ended: after a
//     batch drains, the next batch fills rows front to back as the first did,
//     and runs through them in streams the hardware prefetches, not in a
//     scattered order (at 1e6 tasks a scattered row is a cache and TLB miss).
//   free row head     head of the free stats-row list
//   row high water    stats rows are 1-based (0 in STATS_ROW means "none yet")
@inline function freeSlotHead(): u32 { return stateU32(STATE_FREE_SLOT_HEAD); }
@inline function slotHighWater(): u32 { return stateU32(STATE_SLOT_HIGH_WATER); }
@inline function liveSlots(): u32 { return stateU32(STATE_LIVE_SLOTS); }
@inline function recycleCursor(): u32 { return stateU32(STATE_RECYCLE_CURSOR); }
@inline function freeRowHead(): u32 { return stateU32(STATE_FREE_ROW_HEAD); }
@inline function rowHighWater(): u32 { return stateU32(STATE_ROW_HIGH_WATER); }
/** Rows in one class's chunk: one 4 KiB page of 64-byte rows. */
const CHUNK_SLOTS: u32 = 64;
// Per class: the next slot of its current chunk, and the chunk's end (next == end: none left).
const chunkNexts: usize = memory.data(CLASS_COUNT * 4, 4);
const chunkEnds: usize = memory.data(CLASS_COUNT * 4, 4);

export function resetTable(): void {
  setStateU32(STATE_FREE_SLOT_HEAD, NONE);
  setStateU32(STATE_SLOT_HIGH_WATER, 0);
  setStateU32(STATE_LIVE_SLOTS, 0);
  setStateU32(STATE_RECYCLE_CURSOR, 0);
  dropChunks();
  setStateU32(STATE_FREE_ROW_HEAD, NONE);
  setStateU32(STATE_ROW_HIGH_WATER, 1);
  setStateU32(STATE_GENERATION_BASE, 1);
  setStateU32(STATE_GENERATION_HIGH, 1);
}

/**
 * Rows handed out for the first time get generation `base` (1..MAX_GENERATION, checked by the caller):
 * a core that replaces another starts above every generation the other
 * handed out. Only while no slot has been dealt (right after init()).
 */
export function setGenerationBase(base: u32): bool {
  if (slotHighWater() != 0) return false;
  setStateU32(STATE_GENERATION_BASE, base);
  setStateU32(STATE_GENERATION_HIGH, base);
  return true;
}

/** The generation of a slot whose generations are spent: no handle names it, it is never dealt again. */
const RETIRED_GENERATION: u32 = <u32>MAX_GENERATION + 1;

/** The highest generation any slot has had. */
export function generationHigh(): u32 {
  return stateU32(STATE_GENERATION_HIGH);
}

function dropChunks(): void {
  for (let c = 0; c < CLASS_COUNT; c++) {
    store<u32>(chunkNexts + (<usize>c << 2), 0);
    store<u32>(chunkEnds + (<usize>c << 2), 0);
  }
}

/**
 * Bytes of the task-row field at byte offset `field` (a FIELD_* of layout.ts),
 * 0 if no field starts there. The accessors below assert it in the debug
 * build, and the bindings' field types are tested against it.
 */
export function fieldBytes(field: i32): i32 {
  switch (field) {
    case FIELD_STATE: case FIELD_CLASS: case FIELD_KIND: case FIELD_NICE: case FIELD_QUEUE: case FIELD_LANE: return 1;
    case FIELD_GEN: case FIELD_POS: case FIELD_STATS_ROW: case FIELD_PREV: return 4;
    case FIELD_SEQ: case FIELD_DUE: case FIELD_PERIOD: case FIELD_VRUNTIME: case FIELD_STAMP: return 8;
    default: return 0;
  }
}

// Task fields: (field, slot) -> row base + slot * TASK_ROW_BYTES + field. Every
// caller passes a FIELD_* constant, so once inlined the field is a constant
// the optimizer folds into the access. The row base is read from the column
// table on every call: nothing caches an address the arena might move.

/** Address of a slot's row. */
@inline export function rowOf(slot: u32): usize {
  return columnBase(COL_TASKS) + <usize>slot * <usize>TASK_ROW_BYTES;
}
@inline export function u8At(field: i32, slot: u32): i32 {
  assert(fieldBytes(field) == 1, "not a u8 field");
  return <i32>load<u8>(rowOf(slot) + <usize>field);
}
@inline export function setU8(field: i32, slot: u32, v: i32): void {
  assert(fieldBytes(field) == 1, "not a u8 field");
  store<u8>(rowOf(slot) + <usize>field, <u8>v);
}
@inline export function u32At(field: i32, slot: u32): u32 {
  assert(fieldBytes(field) == 4, "not a u32 field");
  return load<u32>(rowOf(slot) + <usize>field);
}
@inline export function setU32(field: i32, slot: u32, v: u32): void {
  assert(fieldBytes(field) == 4, "not a u32 field");
  store<u32>(rowOf(slot) + <usize>field, v);
}
@inline export function f64At(field: i32, slot: u32): f64 {
  assert(fieldBytes(field) == 8, "not an f64 field");
  return load<f64>(rowOf(slot) + <usize>field);
}
@inline export function setF64(field: i32, slot: u32, v: f64): void {
  assert(fieldBytes(field) == 8, "not an f64 field");
  store<f64>(rowOf(slot) + <usize>field, v);
}

// Stats counters: (column, stats row), one struct-of-arrays column each.
@inline export function statU32(col: i32, row: u32): u32 {
  return load<u32>(columnBase(col) + (<usize>row << 2));
}
@inline export function setStatU32(col: i32, row: u32, v: u32): void {
  store<u32>(columnBase(col) + (<usize>row << 2), v);
}
@inline export function statF64(col: i32, row: u32): f64 {
  return load<f64>(columnBase(col) + (<usize>row << 3));
}
@inline export function setStatF64(col: i32, row: u32, v: f64): void {
  store<f64>(columnBase(col) + (<usize>row << 3), v);
}

@inline export function stateOf(slot: u32): i32 {
  return u8At(FIELD_STATE, slot);
}

/**
 * A new slot with a fresh generation for a task of class `cls`, or NONE when
 * the table cannot grow. A freed slot is reused first (the table stays as
 * small as the most tasks ever live at once); otherwise the class's chunk
 * deals the next row.
 */
export function allocSlot(cls: i32): u32 {
  let slot = freeSlotHead();
  if (slot != NONE) {
    setStateU32(STATE_FREE_SLOT_HEAD, u32At(FIELD_POS, slot));
  } else {
    const nextAt = chunkNexts + (<usize>cls << 2);
    do {
      slot = load<u32>(nextAt);
      if (slot == load<u32>(chunkEnds + (<usize>cls << 2))) {
        if (!takeChunk(cls)) return NONE;
        slot = load<u32>(nextAt);
      }
      store<u32>(nextAt, slot + 1);
    } while (u32At(FIELD_GEN, slot) == RETIRED_GENERATION);
    // Generation 0 marks a row dealt into a chunk but never handed out.
    if (u32At(FIELD_GEN, slot) == 0) setU32(FIELD_GEN, slot, stateU32(STATE_GENERATION_BASE));
  }
  setStateU32(STATE_LIVE_SLOTS, liveSlots() + 1);
  return slot;
}

/**
 * Gives class `cls` a new chunk: the next rows in address order among those
 * freed since the table last emptied (their generations were bumped when
 * they were freed), else rows never used (generation 0). False when the
 * table cannot grow by even one row.
 */
function takeChunk(cls: i32): bool {
  const start = recycleCursor();
  let end: u32;
  if (start < slotHighWater()) {
    end = min(start + CHUNK_SLOTS, slotHighWater());
  } else {
    if (start >= <u32>MAX_SLOTS) return false;
    end = min(start + CHUNK_SLOTS, <u32>MAX_SLOTS);
    if (<i32>end > capacityOf(GROUP_TABLE) && !reserve(GROUP_TABLE, <i32>end)) {
      // Memory for a whole chunk was refused: try for the one row asked for.
      end = start + 1;
      if (<i32>end > capacityOf(GROUP_TABLE) && !reserve(GROUP_TABLE, <i32>end)) return false;
    }
    // Generation 0 until handed out, so a handle naming such a row is a bad handle, not a stale one.
    for (let s = start; s < end; s++) setU32(FIELD_GEN, s, 0);
    setStateU32(STATE_SLOT_HIGH_WATER, end);
  }
  setStateU32(STATE_RECYCLE_CURSOR, end);
  store<u32>(chunkNexts + (<usize>cls << 2), start);
  store<u32>(chunkEnds + (<usize>cls << 2), end);
  return true;
}

/** Returns a slot (and its stats row) to the free lists; its handles go stale. */
export function freeSlot(slot: u32): void {
  const row = u32At(FIELD_STATS_ROW, slot);
  if (row != 0) {
    setStatU32(COL_NEXT_FREE, row, freeRowHead());
    setStateU32(STATE_FREE_ROW_HEAD, row);
    setU32(FIELD_STATS_ROW, slot, 0);
  }
  const gen = u32At(FIELD_GEN, slot) + 1;
  setU32(FIELD_GEN, slot, gen);
  if (gen > stateU32(STATE_GENERATION_HIGH) && gen != RETIRED_GENERATION) setStateU32(STATE_GENERATION_HIGH, gen);
  setU8(FIELD_STATE, slot, STATE_FREE);
  const live = liveSlots() - 1;
  setStateU32(STATE_LIVE_SLOTS, live);
  // Retired: kept out of the free list (and skipped when rows are dealt again).
  if (gen == RETIRED_GENERATION && live != 0) return;
  if (live == 0) {
    // Every slot below the high-water mark is free: forget the list and the
    // chunks, deal rows out again in address order.
    setStateU32(STATE_FREE_SLOT_HEAD, NONE);
    setStateU32(STATE_RECYCLE_CURSOR, 0);
    dropChunks();
    return;
  }
  setU32(FIELD_POS, slot, freeSlotHead());
  setStateU32(STATE_FREE_SLOT_HEAD, slot);
}

/** The slot's stats row, allocated (zeroed) on first use; 0 if memory is refused. */
export function statsRowOf(slot: u32): u32 {
  let row = u32At(FIELD_STATS_ROW, slot);
  if (row != 0) return row;
  if (freeRowHead() != NONE) {
    row = freeRowHead();
    setStateU32(STATE_FREE_ROW_HEAD, statU32(COL_NEXT_FREE, row));
  } else {
    row = rowHighWater();
    if (<i32>row >= capacityOf(GROUP_STATS) && !reserve(GROUP_STATS, <i32>row + 1)) return 0;
    setStateU32(STATE_ROW_HIGH_WATER, row + 1);
  }
  zeroRow(row);
  setU32(FIELD_STATS_ROW, slot, row);
  return row;
}

function zeroRow(row: u32): void {
  setStatU32(COL_RUNS, row, 0);
  setStatU32(COL_FAILURES, row, 0);
  setStatU32(COL_OVERRUNS, row, 0);
  setStatU32(COL_MISSED, row, 0);
  setStatU32(COL_PREEMPTIONS, row, 0);
  setStatF64(COL_RUNTIME, row, 0);
  setStatF64(COL_WAIT, row, 0);
  setStatF64(COL_MAX_RUNTIME, row, 0);
  setStatF64(COL_RUN_RUNTIME, row, 0);
  setStatF64(COL_LAST_START, row, 0);
  setStatF64(COL_LAST_END, row, 0);
}

@inline export function handleOf(slot: u32): f64 {
  return <f64>u32At(FIELD_GEN, slot) * SLOT_SCALE + <f64>slot;
}

/**
 * The slot a handle names, or a negative status: STATUS_BAD_HANDLE for a number
 * the core never hands out, STATUS_STALE_HANDLE for a task that has ended.
 */
export function slotOf(handle: f64): i64 {
  // Written so that NaN fails the first test: no float-to-int trap is reachable.
  if (!(handle >= SLOT_SCALE && handle < <f64>(<u64>MAX_GENERATION + 1) * SLOT_SCALE)) return STATUS_BAD_HANDLE;
  if (handle != Math.floor(handle)) return STATUS_BAD_HANDLE;
  const bits = <u64>handle;
  const slot = <u32>(bits & <u64>(MAX_SLOTS - 1));
  const gen = <u32>(bits >> <u64>HANDLE_SLOT_BITS);
  if (slot >= slotHighWater()) return STATUS_BAD_HANDLE;
  const liveGen = u32At(FIELD_GEN, slot);
  if (liveGen == 0) return STATUS_BAD_HANDLE; // dealt into a chunk, never handed out
  if (liveGen != gen || stateOf(slot) == STATE_FREE) return STATUS_STALE_HANDLE;
  return <i64>slot;
}
