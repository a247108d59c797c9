// The arena: every struct-of-arrays column of the core, laid end to end above
// the static data, each sized to its group's capacity.
//
// Why one arena rather than one allocation per column: growth must not leave
// holes. When a group doubles, every column after the first of that group has to
// move up; doing it from the last column to the first with memory.copy (which is
// memmove) never overwrites data that has not moved yet, because a column's new
// offset is never below its old one. Memory in use is then exactly
// sum(capacity(group) * bytes per row of group), which is what keeps a pending
// timer near 80 bytes. Growth is O(total bytes); reserve() says how often.
//
// The base address of every column and the capacity of every group live in
// static tables so the bindings can rebuild their views after growth.

import {
  COL_COUNT, COL_TASKS, COL_READY_KEY, COL_READY_SLOT, COL_TIMER_KEY, COL_TIMER_SLOT,
  COL_RUNS, COL_FAILURES, COL_OVERRUNS, COL_MISSED, COL_PREEMPTIONS, COL_NEXT_FREE,
  COL_RUNTIME, COL_WAIT, COL_MAX_RUNTIME, COL_RUN_RUNTIME, COL_LAST_START, COL_LAST_END,
  GROUP_COUNT, GROUP_TABLE, GROUP_READY, GROUP_TIMER, GROUP_STATS, INITIAL_CAPACITY, MAX_SLOTS,
  TASK_ROW_BYTES, STATE_ARENA_START,
} from "./layout";
import { stateU32, setStateU32 } from "./shared-state";

/** u32 per column: its base address. */
export const columnBases: usize = memory.data(COL_COUNT * 4, 16);
/** u32 per group: its capacity in rows. */
export const groupCapacities: usize = memory.data(GROUP_COUNT * 4, 16);

const PAGE_BYTES: usize = 65536;
@inline function arenaStart(): usize { return <usize>stateU32(STATE_ARENA_START); }

/**
 * Bytes between __heap_base (rounded to 64) and the arena: the timer queue's
 * bucket table (timers.ts). Not static data (memory.data): 24 KB there would
 * move every later static address past 16 KB, where each use of one in the
 * code takes a byte more (the browser size budget, test/dist).
 */
export const BELOW_ARENA_BYTES: usize = 24640;
/** Where the timer queue's bucket table begins. */
@inline export function belowArena(): usize { return (__heap_base + 63) & ~(<usize>63); }

/** Bytes per element of a column (a whole row for COL_TASKS). */
export function columnElementBytes(col: i32): i32 {
  switch (col) {
    case COL_TASKS: return TASK_ROW_BYTES;
    case COL_READY_SLOT: case COL_TIMER_SLOT:
    case COL_RUNS: case COL_FAILURES: case COL_OVERRUNS: case COL_MISSED:
    case COL_PREEMPTIONS: case COL_NEXT_FREE: return 4;
    default: return 8;
  }
}

/** The group whose capacity sizes a column. */
export function columnGroup(col: i32): i32 {
  if (col == COL_TASKS) return GROUP_TABLE;
  if (col <= COL_READY_SLOT) return GROUP_READY;
  if (col <= COL_TIMER_SLOT) return GROUP_TIMER;
  return GROUP_STATS;
}

// Columns are placed in order of decreasing element size so that every column
// starts aligned to its own size whatever the capacities are (capacities are
// multiples of INITIAL_CAPACITY, so every column's byte size is a multiple of
// 64). The task rows come first, at the 64-aligned arena start:
// each row is exactly one cache line, and the column never moves.
const ORDER: usize = memory.data<i32>([
  COL_TASKS,
  COL_READY_KEY, COL_TIMER_KEY,
  COL_RUNTIME, COL_WAIT, COL_MAX_RUNTIME, COL_RUN_RUNTIME, COL_LAST_START, COL_LAST_END,
  COL_READY_SLOT, COL_TIMER_SLOT,
  COL_RUNS, COL_FAILURES, COL_OVERRUNS, COL_MISSED, COL_PREEMPTIONS, COL_NEXT_FREE,
]);

@inline export function columnBase(col: i32): usize {
  return <usize>load<u32>(columnBases + (<usize>col << 2));
}

@inline export function capacityOf(group: i32): i32 {
  return load<i32>(groupCapacities + (<usize>group << 2));
}

function ensureMemory(endExclusive: usize): bool {
  const have = <usize>memory.size() * PAGE_BYTES;
  if (endExclusive <= have) return true;
  const pages = <i32>((endExclusive - have + PAGE_BYTES - 1) / PAGE_BYTES);
  return memory.grow(pages) >= 0;
}

/** Lays out every column for the given capacities, moving existing data up. */
function relayout(group: i32, newCapacity: i32): bool {
  // First pass: compute the end of the new layout, to grow memory before moving.
  let end = arenaStart();
  for (let i = 0; i < COL_COUNT; i++) end += newBytes(<i32>load<i32>(ORDER + (<usize>i << 2)), group, newCapacity);
  if (!ensureMemory(end)) return false;
  // Second pass, last column first: move each column to its new base.
  for (let i = COL_COUNT - 1; i >= 0; i--) {
    const col = <i32>load<i32>(ORDER + (<usize>i << 2));
    end -= newBytes(col, group, newCapacity);
    const oldBase = columnBase(col);
    const oldBytes = <usize>capacityOf(columnGroup(col)) * <usize>columnElementBytes(col);
    if (oldBase != end && oldBytes > 0) memory.copy(end, oldBase, oldBytes);
    // Zero the new tail so fresh rows read as zero.
    const fresh = newBytes(col, group, newCapacity);
    if (fresh > oldBytes) memory.fill(end + oldBytes, 0, fresh - oldBytes);
    store<u32>(columnBases + (<usize>col << 2), <u32>end);
  }
  store<i32>(groupCapacities + (<usize>group << 2), newCapacity);
  return true;
}

@inline function newBytes(col: i32, group: i32, newCapacity: i32): usize {
  const g = columnGroup(col);
  const cap = g == group ? newCapacity : capacityOf(g);
  return <usize>cap * <usize>columnElementBytes(col);
}

/** Sets up every group at INITIAL_CAPACITY. Returns false if memory is refused. */
export function initArena(): bool {
  setStateU32(STATE_ARENA_START, <u32>(belowArena() + BELOW_ARENA_BYTES));
  for (let g = 0; g < GROUP_COUNT; g++) store<i32>(groupCapacities + (<usize>g << 2), 0);
  for (let c = 0; c < COL_COUNT; c++) store<u32>(columnBases + (<usize>c << 2), <u32>arenaStart());
  for (let g = 0; g < GROUP_COUNT; g++) {
    if (!relayout(g, INITIAL_CAPACITY)) return false;
  }
  return true;
}

/**
 * Grows a group's capacity until it holds `rows`. False if memory is refused.
 *
 * Small groups double; from GROWTH_DOUBLING_ROWS on, a group grows by a
 * sixteenth of its capacity (rounded up to INITIAL_CAPACITY rows), so a group
 * never holds more than ~1/16 unused rows: doubling left up to half of the
 * arena unused (a pending timer cost 84 bytes of rows at 1e5 timers and 120
 * at 1.5e5, for 76 in use). The price is more relayouts: each moves the
 * columns laid out after the group (for the table: the heaps and the stats
 * rows, 12 to 24 bytes a row, not the 64-byte rows themselves), about
 * sixteen times the bytes doubling moved in all.
 */
export function reserve(group: i32, rows: i32): bool {
  let cap = capacityOf(group);
  if (rows <= cap) return true;
  if (rows > MAX_SLOTS) return false;
  while (cap < rows) cap = grownCapacity(cap);
  return relayout(group, min(cap, MAX_SLOTS));
}

/** Below this many rows a group doubles (its slack is small in bytes). */
const GROWTH_DOUBLING_ROWS: i32 = 16384;

/**
 * The next capacity after `cap`: a multiple of INITIAL_CAPACITY (so every
 * column's byte size stays a multiple of 64 and each column keeps its
 * alignment), above `cap`.
 */
@inline function grownCapacity(cap: i32): i32 {
  if (cap < GROWTH_DOUBLING_ROWS) return cap << 1;
  const step = ((cap >> 4) + INITIAL_CAPACITY - 1) & ~(INITIAL_CAPACITY - 1);
  return cap + step;
}
