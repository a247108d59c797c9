// Quantum and virtual-runtime accounting (the fair policy's arithmetic).
//
// Every charge adds elapsed ms to the task's runtime and
//     vruntime += elapsed * NICE_0_WEIGHT / weight(nice)
// so a task of weight w advances w/1024 times slower than a nice-0 task: picking
// the smallest vruntime gives each always-ready task a CPU share proportional
// to its weight (Linux kernel/sched/fair.c, without the red-black tree).
//
// minVruntime only ever moves forward and follows the smallest vruntime among
// the running task and the ready heap's top. A new task starts at minVruntime
// (it neither jumps ahead of tasks that have waited nor inherits a debt); a
// waking task gets at most half a quantum of credit below it, so sleeping long
// cannot bank unbounded CPU time, yet a briefly sleeping task is not penalised.

import { FIELD_NICE, COL_RUNTIME, COL_RUN_RUNTIME, FIELD_VRUNTIME, COUNTER_RUNTIME_MS,
  NICE_0_WEIGHT, POLICY_FAIR, STATUS_OK, STATUS_SLICE_SPENT } from "./layout";
import { f64At, setF64, u8At, statF64, setStatF64 } from "./table";
import { bump } from "./counters";
import { policy, weightOfStoredNice } from "./keys";
import { readyMinKey } from "./ready";

export let quantumMs: f64 = 10;
let minVruntime: f64 = 0;

export function resetQuantum(): void {
  quantumMs = 10;
  minVruntime = 0;
}

export function setQuantumValue(ms: f64): void {
  quantumMs = ms;
}

/** Called when the policy becomes fair: the floor is the ready queue's least key. */
export function syncMinVruntime(): void {
  const least = readyMinKey();
  if (policy == POLICY_FAIR && least < Infinity) minVruntime = max(minVruntime, least);
}

export function placeNew(): f64 {
  return minVruntime;
}

export function placeWaking(vruntime: f64): f64 {
  return max(vruntime, minVruntime - quantumMs * 0.5);
}

export function chargeRuntime(slot: u32, row: u32, elapsedMs: f64): i32 {
  setStatF64(COL_RUNTIME, row, statF64(COL_RUNTIME, row) + elapsedMs);
  // RUN_RUNTIME, the current segment's runtime, is the part of the quantum used.
  const slice = statF64(COL_RUN_RUNTIME, row) + elapsedMs;
  setStatF64(COL_RUN_RUNTIME, row, slice);
  bump(COUNTER_RUNTIME_MS, elapsedMs);
  const weight = weightOfStoredNice(u8At(FIELD_NICE, slot));
  const vruntime = f64At(FIELD_VRUNTIME, slot) + elapsedMs * <f64>NICE_0_WEIGHT / weight;
  setF64(FIELD_VRUNTIME, slot, vruntime);
  if (policy == POLICY_FAIR) {
    const floor = min(vruntime, readyMinKey());
    if (floor > minVruntime) minVruntime = floor;
  }
  return slice >= quantumMs ? STATUS_SLICE_SPENT : STATUS_OK;
}
