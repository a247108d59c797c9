// Quantum and virtual-runtime accounting (the fair policy's arithmetic).
//
// Every charge adds elapsed ms to the task's runtime and
//     vruntime += elapsed * NICE_0_WEIGHT / weight
// so a task of weight w advances w/1024 times slower than a nice-0 task: picking
// the smallest vruntime gives each always-ready task a CPU share proportional
// to its weight (Linux kernel/sched/fair.c, without the red-black tree). The
// weight is the task's nice level's (Linux's table), or an exact weight the
// caller passes to chargeWeighted() (the worker pool's `weight` option: 1:2:4
// are not nice levels, and rounding them to the nearest level is a 3-5% error).
//
// minVruntime only ever moves forward and follows the smallest vruntime among
// EVERY running task and the ready queue's least key. Every running task, not
// the one being charged: with several tasks running at once (pool workers,
// async runs in flight), following the charged task alone let the floor pass
// tasks still running with less vruntime, and new tasks, placed at the floor,
// then started behind them. The running tasks are a list linked through their
// rows (task-state.ts); the scan is O(tasks running), and only under the fair
// policy. A new task starts at minVruntime (it neither jumps ahead of tasks
// that have waited nor inherits a debt); a waking task gets at most half a
// quantum of credit below it, so sleeping long cannot bank unbounded CPU
// time, yet a briefly sleeping task is not penalised.

import { FIELD_NICE, FIELD_POS, COL_RUNTIME, COL_RUN_RUNTIME, FIELD_VRUNTIME, COUNTER_RUNTIME_MS,
  NICE_0_WEIGHT, POLICY_FAIR, STATUS_OK, STATUS_SLICE_SPENT,
  STATE_QUANTUM_MS, STATE_MIN_VRUNTIME, STATE_RUNNING_HEAD } from "./layout";
import { f64At, setF64, u8At, u32At, statF64, setStatF64 } from "./table";
import { bump } from "./counters";
import { policy, weightOfStoredNice } from "./keys";
import { readyMinKey } from "./ready";
import { stateF64, setStateF64, stateU32 } from "./shared-state";

const NONE: u32 = 0xffffffff;

/** The time slice, ms (shared state). */
@inline export function quantumMs(): f64 { return stateF64(STATE_QUANTUM_MS); }
@inline function minVruntime(): f64 { return stateF64(STATE_MIN_VRUNTIME); }

export function resetQuantum(): void {
  setStateF64(STATE_QUANTUM_MS, 10);
  setStateF64(STATE_MIN_VRUNTIME, 0);
}

export function setQuantumValue(ms: f64): void {
  setStateF64(STATE_QUANTUM_MS, ms);
}

/** The least vruntime among running tasks, or +Infinity when none runs. O(tasks running). */
function runningMinVruntime(): f64 {
  let least: f64 = Infinity;
  for (let slot = stateU32(STATE_RUNNING_HEAD); slot != NONE; slot = u32At(FIELD_POS, slot)) {
    least = min(least, f64At(FIELD_VRUNTIME, slot));
  }
  return least;
}

/** Moves the floor up to the least vruntime of running and ready tasks (never down). */
function advanceMinVruntime(): void {
  const floor = min(runningMinVruntime(), readyMinKey());
  if (floor < Infinity && floor > minVruntime()) setStateF64(STATE_MIN_VRUNTIME, floor);
}

/** Called when the policy becomes fair. */
export function syncMinVruntime(): void {
  if (policy() == POLICY_FAIR) advanceMinVruntime();
}

export function placeNew(): f64 {
  return minVruntime();
}

export function placeWaking(vruntime: f64): f64 {
  return max(vruntime, minVruntime() - quantumMs() * 0.5);
}

/** Charges elapsed ms at the task's nice level's weight. */
export function chargeRuntime(slot: u32, row: u32, elapsedMs: f64): i32 {
  return chargeAtWeight(slot, row, elapsedMs, weightOfStoredNice(u8At(FIELD_NICE, slot)));
}

/** Charges elapsed ms at an exact weight (> 0; 1024 is nice 0). */
export function chargeAtWeight(slot: u32, row: u32, elapsedMs: f64, weight: f64): i32 {
  setStatF64(COL_RUNTIME, row, statF64(COL_RUNTIME, row) + elapsedMs);
  // RUN_RUNTIME, the current segment's runtime, is the part of the quantum used.
  const slice = statF64(COL_RUN_RUNTIME, row) + elapsedMs;
  setStatF64(COL_RUN_RUNTIME, row, slice);
  bump(COUNTER_RUNTIME_MS, elapsedMs);
  setF64(FIELD_VRUNTIME, slot, f64At(FIELD_VRUNTIME, slot) + elapsedMs * <f64>NICE_0_WEIGHT / weight);
  if (policy() == POLICY_FAIR) advanceMinVruntime();
  return slice >= quantumMs() ? STATUS_SLICE_SPENT : STATUS_OK;
}
