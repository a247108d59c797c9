// Reading the task table and the global counters into plain objects: what
// describe(), stats() and the tests see of the core. Cold code (a copy per
// call, one closure per column kind), kept out of core.ts, which holds the
// calls that cross into the core. The row layout and the struct-of-arrays
// stats columns are drawn in assembly/layout.ts.
import type { CoreExports } from './load.js';
import * as L from './layout.generated.js';
import { slotOfHandle } from './handles.js';
import { taskFieldAddress } from './columns.js';
import { KIND_NAMES, type TaskKind } from './task-kinds.js';

export type TaskState = 'waiting' | 'ready' | 'running' | 'paused';

/** What a task looks like in the core right now. */
export interface TaskSnapshot {
  state: TaskState;
  priorityClass: number;
  nice: number;
  kind: TaskKind;
  /** Nominal time of the pending (or current) run. */
  dueMs: number;
  periodMs: number;
  vruntime: number;
  /** Ms of the current quantum used (0 unless running). */
  sliceUsedMs: number;
  runs: number;
  failures: number;
  overruns: number;
  missedTicks: number;
  preemptions: number;
  runtimeMs: number;
  waitMs: number;
  maxRuntimeMs: number;
  lastStartMs: number;
  lastEndMs: number;
}

/** Totals over every task the core has seen. */
export interface CoreCounters {
  registered: number;
  cancelled: number;
  starts: number;
  completed: number;
  failures: number;
  retries: number;
  overruns: number;
  missedTicks: number;
  preemptions: number;
  runtimeMs: number;
  waitMs: number;
  live: number;
  ready: number;
  waiting: number;
  running: number;
  paused: number;
}

/** Views over the core's current memory (Core.views()). */
export interface MemoryViews {
  u8: Uint8Array;
  u32: Uint32Array;
  f64: Float64Array;
}

/** Everything the core knows about the live task `handle` in state `state` (checked by the caller). */
export function readSnapshot(wasm: CoreExports, views: MemoryViews, handle: number, state: TaskState): TaskSnapshot {
  const slot = slotOfHandle(handle);
  const { u8, u32, f64 } = views;
  const tasks = wasm.columnBaseOf(L.COL_TASKS);
  const byte = (field: number) => u8[taskFieldAddress(tasks, slot, field)] as number;
  const float = (field: number) => f64[taskFieldAddress(tasks, slot, field) >>> 3] as number;
  const row = u32[taskFieldAddress(tasks, slot, L.FIELD_STATS_ROW) >>> 2] as number;
  // Stats columns are struct-of-arrays, indexed by the task's stats row (0: never started).
  const stat = (col: number, isFloat: boolean) => {
    if (row === 0) return 0;
    const base = wasm.columnBaseOf(col);
    return (isFloat ? f64[(base >>> 3) + row] : u32[(base >>> 2) + row]) as number;
  };
  return {
    state,
    priorityClass: byte(L.FIELD_CLASS),
    nice: byte(L.FIELD_NICE) + L.NICE_MIN,
    kind: KIND_NAMES[byte(L.FIELD_KIND)] as TaskKind,
    dueMs: float(L.FIELD_DUE),
    periodMs: float(L.FIELD_PERIOD),
    vruntime: float(L.FIELD_VRUNTIME),
    // The current segment's runtime is the quantum used, while the task runs.
    sliceUsedMs: state === 'running' ? stat(L.COL_RUN_RUNTIME, true) : 0,
    runs: stat(L.COL_RUNS, false),
    failures: stat(L.COL_FAILURES, false),
    overruns: stat(L.COL_OVERRUNS, false),
    missedTicks: stat(L.COL_MISSED, false),
    preemptions: stat(L.COL_PREEMPTIONS, false),
    runtimeMs: stat(L.COL_RUNTIME, true),
    waitMs: stat(L.COL_WAIT, true),
    maxRuntimeMs: stat(L.COL_MAX_RUNTIME, true),
    lastStartMs: stat(L.COL_LAST_START, true),
    lastEndMs: stat(L.COL_LAST_END, true),
  };
}

/** A copy of the global counters. */
export function readCounters(wasm: CoreExports, f64: Float64Array): CoreCounters {
  const at = wasm.countersPtr() >>> 3;
  const c = (i: number) => f64[at + i] as number;
  return {
    registered: c(L.COUNTER_REGISTERED),
    cancelled: c(L.COUNTER_CANCELLED),
    starts: c(L.COUNTER_STARTS),
    completed: c(L.COUNTER_COMPLETED),
    failures: c(L.COUNTER_FAILURES),
    retries: c(L.COUNTER_RETRIES),
    overruns: c(L.COUNTER_OVERRUNS),
    missedTicks: c(L.COUNTER_MISSED),
    preemptions: c(L.COUNTER_PREEMPTIONS),
    runtimeMs: c(L.COUNTER_RUNTIME_MS),
    waitMs: c(L.COUNTER_WAIT_MS),
    live: c(L.COUNTER_LIVE),
    ready: c(L.COUNTER_READY),
    waiting: c(L.COUNTER_WAITING),
    running: c(L.COUNTER_RUNNING),
    paused: c(L.COUNTER_PAUSED),
  };
}
