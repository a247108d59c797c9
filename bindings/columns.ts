// The element type of every arena column, as the bindings read them. A test
// checks each against the core's own columnBytes()/columnGroupOf(), so a
// change on one side only fails loudly.
import * as L from './layout.generated.js';

export type ElementType = 'u8' | 'u32' | 'f64';

export const COLUMN_TYPES: Readonly<Record<number, ElementType>> = Object.freeze({
  [L.COL_GEN]: 'u32',
  [L.COL_STATE]: 'u8',
  [L.COL_CLASS]: 'u8',
  [L.COL_KIND]: 'u8',
  [L.COL_NICE]: 'u8',
  [L.COL_POS]: 'u32',
  [L.COL_STATS_ROW]: 'u32',
  [L.COL_SEQ]: 'f64',
  [L.COL_DUE]: 'f64',
  [L.COL_PERIOD]: 'f64',
  [L.COL_VRUNTIME]: 'f64',
  [L.COL_STAMP]: 'f64',
  [L.COL_SLICE]: 'f64',
  [L.COL_READY_KEY]: 'f64',
  [L.COL_READY_SLOT]: 'u32',
  [L.COL_TIMER_KEY]: 'f64',
  [L.COL_TIMER_SLOT]: 'u32',
  [L.COL_RUNS]: 'u32',
  [L.COL_FAILURES]: 'u32',
  [L.COL_OVERRUNS]: 'u32',
  [L.COL_MISSED]: 'u32',
  [L.COL_PREEMPTIONS]: 'u32',
  [L.COL_NEXT_FREE]: 'u32',
  [L.COL_RUNTIME]: 'f64',
  [L.COL_WAIT]: 'f64',
  [L.COL_MAX_RUNTIME]: 'f64',
  [L.COL_RUN_RUNTIME]: 'f64',
  [L.COL_LAST_START]: 'f64',
  [L.COL_LAST_END]: 'f64',
});

export const ELEMENT_BYTES: Readonly<Record<ElementType, number>> = Object.freeze({ u8: 1, u32: 4, f64: 8 });

/** The group each column belongs to (sizes its capacity). */
export const COLUMN_GROUPS: Readonly<Record<number, number>> = Object.freeze(
  Object.fromEntries(
    Object.keys(COLUMN_TYPES).map((col) => {
      const c = Number(col);
      const group = c <= L.COL_SLICE ? L.GROUP_TABLE : c <= L.COL_READY_SLOT ? L.GROUP_READY : c <= L.COL_TIMER_SLOT ? L.GROUP_TIMER : L.GROUP_STATS;
      return [c, group];
    }),
  ),
);
