// How the bindings read the arena: the element of every column and the type of
// every field of a task row. A test checks each against the core's own
// columnBytes()/columnGroupOf()/taskFieldBytes(), so a change on one side only
// fails loudly.
import * as L from './layout.generated.js';

export type ElementType = 'u8' | 'u32' | 'f64';

export const ELEMENT_BYTES: Readonly<Record<ElementType, number>> = Object.freeze({ u8: 1, u32: 4, f64: 8 });

/** The fields of a task row (COL_TASKS): byte offset in the row -> type. */
export const TASK_FIELD_TYPES: Readonly<Record<number, ElementType>> = Object.freeze({
  [L.FIELD_GEN]: 'u32',
  [L.FIELD_STATE]: 'u8',
  [L.FIELD_CLASS]: 'u8',
  [L.FIELD_KIND]: 'u8',
  [L.FIELD_NICE]: 'u8',
  [L.FIELD_POS]: 'u32',
  [L.FIELD_STATS_ROW]: 'u32',
  [L.FIELD_SEQ]: 'f64',
  [L.FIELD_DUE]: 'f64',
  [L.FIELD_PERIOD]: 'f64',
  [L.FIELD_VRUNTIME]: 'f64',
  [L.FIELD_STAMP]: 'f64',
  [L.FIELD_PREV]: 'u32',
  [L.FIELD_QUEUE]: 'u8',
  [L.FIELD_LANE]: 'u8',
});

/** Bytes per element of every column: a whole row for COL_TASKS, one value otherwise. */
export const COLUMN_BYTES: Readonly<Record<number, number>> = Object.freeze({
  [L.COL_TASKS]: L.TASK_ROW_BYTES,
  [L.COL_READY_KEY]: ELEMENT_BYTES.f64,
  [L.COL_READY_SLOT]: ELEMENT_BYTES.u32,
  [L.COL_TIMER_KEY]: ELEMENT_BYTES.f64,
  [L.COL_TIMER_SLOT]: ELEMENT_BYTES.u32,
  [L.COL_RUNS]: ELEMENT_BYTES.u32,
  [L.COL_FAILURES]: ELEMENT_BYTES.u32,
  [L.COL_OVERRUNS]: ELEMENT_BYTES.u32,
  [L.COL_MISSED]: ELEMENT_BYTES.u32,
  [L.COL_PREEMPTIONS]: ELEMENT_BYTES.u32,
  [L.COL_NEXT_FREE]: ELEMENT_BYTES.u32,
  [L.COL_RUNTIME]: ELEMENT_BYTES.f64,
  [L.COL_WAIT]: ELEMENT_BYTES.f64,
  [L.COL_MAX_RUNTIME]: ELEMENT_BYTES.f64,
  [L.COL_RUN_RUNTIME]: ELEMENT_BYTES.f64,
  [L.COL_LAST_START]: ELEMENT_BYTES.f64,
  [L.COL_LAST_END]: ELEMENT_BYTES.f64,
});

/** The group each column belongs to (sizes its capacity). */
export const COLUMN_GROUPS: Readonly<Record<number, number>> = Object.freeze(
  Object.fromEntries(
    Object.keys(COLUMN_BYTES).map((col) => {
      const c = Number(col);
      const group = c === L.COL_TASKS ? L.GROUP_TABLE : c <= L.COL_READY_SLOT ? L.GROUP_READY : c <= L.COL_TIMER_SLOT ? L.GROUP_TIMER : L.GROUP_STATS;
      return [c, group];
    }),
  ),
);

/** Byte address of a field of a slot's task row, given the base of COL_TASKS. */
export function taskFieldAddress(tasksBase: number, slot: number, field: number): number {
  return tasksBase + slot * L.TASK_ROW_BYTES + field;
}
