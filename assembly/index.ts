// The core's exports: numbers in, numbers out. Nothing here reads a clock
// (time is always an argument) and nothing throws across the boundary (every
// mutating export answers with a status code, or a handle >= 2^24).

import { initArena, columnBase, columnBases, groupCapacities, columnElementBytes, columnGroup, capacityOf, reserve } from "./arena";
import { fieldBytes, generationHigh, resetTable, setGenerationBase } from "./table";
import { heapClear, heapPush, heapRemoveAt, heapSize, heapTopKey, READY_HEAP } from "./heap";
import { timersCheck, timersClear } from "./timers";
import { readyCheck, readyClear, readyRekey } from "./ready";
import { counters, resetCounters } from "./counters";
import { policy, readyKey, resetDeadlines, setClassDeadlineValue, setPolicyValue, weightOfNice } from "./keys";
import { resetQuantum, setQuantumValue, syncMinVruntime } from "./quantum";
import { resetTasks, isTime } from "./task-state";
import { commandBuffer, outputBuffer } from "./commands";
import { CLASS_COUNT, COL_COUNT, COUNTER_LIVE, GROUP_TABLE, MAX_GENERATION, MAX_SLOTS, NICE_MIN, NICE_MAX, POLICY_COUNT, POLICY_DEADLINE,
  STATUS_OK, STATUS_BAD_ARGUMENT, STATUS_NO_MEMORY, STATUS_WRONG_STATE } from "./layout";

export { register, advance, pop, take, peek, nextDue, taskState, readyRank, lastPopSkippedTicks } from "./tasks";
export { charge, chargeWeighted, chargeGroup, requeue, complete, completeAndPop, finish, completeAt, retry } from "./runs";
export { cancel, setClass, setNice, pause, resume, runNow } from "./task-controls";
export { runBatch } from "./commands";
export { poolTake, poolClaimKey, poolRequeueKey, poolTopKey, poolTopClass, poolVruntime, poolRunningCount } from "./pool/placement";
export { sharedStatePtr } from "./pool/placement";

/** Empties the core and restores every default. Call once after instantiating. */
export function init(): i32 {
  resetCounters();
  resetTable();
  resetTasks();
  resetQuantum();
  resetDeadlines();
  setPolicyValue(POLICY_DEADLINE);
  readyClear();
  // The timer queue's table lies below the arena: there once memory is.
  if (!initArena()) return STATUS_NO_MEMORY;
  timersClear();
  return STATUS_OK;
}

/** Chooses the ready-heap policy; ready tasks are re-keyed at once (O(n)). */
export function setPolicy(p: i32): i32 {
  if (p < 0 || p >= POLICY_COUNT) return STATUS_BAD_ARGUMENT;
  setPolicyValue(p);
  if (!readyRekey()) return STATUS_NO_MEMORY;
  syncMinVruntime();
  return STATUS_OK;
}

export function getPolicy(): i32 {
  return policy();
}

/** The time slice, in ms, after which charge() answers STATUS_SLICE_SPENT. */
export function setQuantum(ms: f64): i32 {
  if (!(ms > 0 && ms < Infinity)) return STATUS_BAD_ARGUMENT;
  setQuantumValue(ms);
  return STATUS_OK;
}

/** The relative deadline of a class under the deadline policy. */
export function setClassDeadline(cls: i32, ms: f64): i32 {
  if (cls < 0 || cls >= CLASS_COUNT || !isTime(ms)) return STATUS_BAD_ARGUMENT;
  setClassDeadlineValue(cls, ms);
  return readyRekey() ? STATUS_OK : STATUS_NO_MEMORY;
}

/**
 * Right after init(): the generation of every row's first task (see
 * setGenerationBase in table.ts). STATUS_WRONG_STATE once a task was registered.
 */
export function setFirstGeneration(base: i32): i32 {
  if (base < 1 || base > MAX_GENERATION) return STATUS_BAD_ARGUMENT;
  return setGenerationBase(<u32>base) ? STATUS_OK : STATUS_WRONG_STATE;
}

/** The highest generation any slot has had: a core replacing this one starts above it. */
export function highestGeneration(): i32 {
  return <i32>generationHigh();
}

/** Fair-policy weight of a nice level (-20..19), or STATUS_BAD_ARGUMENT. */
export function niceWeight(nice: i32): i32 {
  if (nice < NICE_MIN || nice > NICE_MAX) return STATUS_BAD_ARGUMENT;
  return weightOfNice(nice);
}

// ---- addresses the bindings build their views from ----
export function commandBufferPtr(): usize { return commandBuffer; }
export function outputBufferPtr(): usize { return outputBuffer; }
export function countersPtr(): usize { return counters; }
export function columnBasesPtr(): usize { return columnBases; }
export function groupCapacitiesPtr(): usize { return groupCapacities; }
export function columnBaseOf(col: i32): usize { return col >= 0 && col < COL_COUNT ? columnBase(col) : 0; }
export function columnBytes(col: i32): i32 { return col >= 0 && col < COL_COUNT ? columnElementBytes(col) : 0; }
export function columnGroupOf(col: i32): i32 { return col >= 0 && col < COL_COUNT ? columnGroup(col) : -1; }
/** Bytes of the task-row field at byte offset `field` of a row, 0 if none starts there. */
export function taskFieldBytes(field: i32): i32 { return fieldBytes(field); }

/**
 * Checks the ready queue and the timer queue (lanes and heaps): 0 when sound,
 * else a positive code (see readyCheck; + 2^24 for the timer queue, see timersCheck). O(n), for tests.
 */
export function checkInvariants(): i32 {
  const ready = readyCheck();
  if (ready != 0) return ready;
  const timer = timersCheck();
  return timer == 0 ? 0 : timer + (1 << 24);
}

/** Does nothing: the benchmark baseline for one JS-to-wasm crossing. */
export function noop(): void {}

// ---- the bare ready heap, for benchmarks against other heaps ----
// The same push/pop (sift-up/sift-down) code every task goes through, without
// the task table around it. Slot ids stand in for tasks; usable only while the
// core holds no live task (it would corrupt their positions), so each call
// refuses with STATUS_WRONG_STATE otherwise.

/** Pushes (slot, key) onto the ready heap; slot < 2^24. */
export function benchHeapPush(slot: u32, key: f64): i32 {
  if (load<f64>(counters + (<usize>COUNTER_LIVE << 3)) != 0) return STATUS_WRONG_STATE;
  if (slot >= <u32>MAX_SLOTS || !(key == key)) return STATUS_BAD_ARGUMENT;
  if (<i32>slot >= capacityOf(GROUP_TABLE) && !reserve(GROUP_TABLE, <i32>slot + 1)) return STATUS_NO_MEMORY;
  return heapPush(READY_HEAP, slot, key) ? STATUS_OK : STATUS_NO_MEMORY;
}

/** Pops the ready heap's top and answers its key (NaN when empty). */
export function benchHeapPop(): f64 {
  if (heapSize(READY_HEAP) == 0 || load<f64>(counters + (<usize>COUNTER_LIVE << 3)) != 0) return NaN;
  const key = heapTopKey(READY_HEAP);
  heapRemoveAt(READY_HEAP, 0);
  return key;
}

/** Empties the ready heap (bench runs start from nothing). */
export function benchHeapClear(): void {
  if (load<f64>(counters + (<usize>COUNTER_LIVE << 3)) == 0) heapClear(READY_HEAP);
}
