// Run-queue policies are nothing but keys of the one ready heap (smaller runs
// first; equal keys fall back to the task's sequence number, i.e. arrival).
//
//   deadline     key = ready time + relative deadline of the class. Urgent
//                classes have short deadlines and go first, but a background
//                task that has waited long enough eventually beats a fresh
//                critical one: aging for free, nothing starves. The default.
//   priority     key = class * 2^44 + sequence: strict classes, FIFO inside.
//   fair         key = vruntime (see quantum.ts for how it is charged).
//   round-robin  key = sequence: FIFO; a requeued task goes to the back.

import { FIELD_CLASS, FIELD_SEQ, FIELD_STAMP, FIELD_VRUNTIME, CLASS_COUNT, NICE_MIN,
  POLICY_DEADLINE, POLICY_PRIORITY, POLICY_FAIR, STATE_POLICY } from "./layout";
import { f64At, u8At } from "./table";
import { stateU32, setStateU32 } from "./shared-state";

/** 2^44: room for 1.7e13 sequence numbers inside each priority class. */
const CLASS_STRIDE: f64 = 17592186044416;

/** The current policy (POLICY_*), a word of shared state. */
@inline export function policy(): i32 { return <i32>stateU32(STATE_POLICY); }
export function setPolicyValue(p: i32): void { setStateU32(STATE_POLICY, <u32>p); }

/** Relative deadline (ms) of each class under the deadline policy. */
const classDeadlines: usize = memory.data(CLASS_COUNT * 8, 8);

export function resetDeadlines(): void {
  // Defaults in the spirit of React's scheduler timeouts: critical now, high
  // within a frame budget's worth of input latency, background within a minute.
  store<f64>(classDeadlines, 0);
  store<f64>(classDeadlines, 250, 8);
  store<f64>(classDeadlines, 1000, 16);
  store<f64>(classDeadlines, 10000, 24);
  store<f64>(classDeadlines, 60000, 32);
}

@inline export function classDeadline(cls: i32): f64 {
  return load<f64>(classDeadlines + (<usize>cls << 3));
}
export function setClassDeadlineValue(cls: i32, ms: f64): void {
  store<f64>(classDeadlines + (<usize>cls << 3), ms);
}

/** The ready-heap key of a slot under the current policy. */
export function readyKey(slot: u32): f64 {
  switch (policy()) {
    case POLICY_DEADLINE: return f64At(FIELD_STAMP, slot) + classDeadline(u8At(FIELD_CLASS, slot));
    case POLICY_PRIORITY: return <f64>u8At(FIELD_CLASS, slot) * CLASS_STRIDE + f64At(FIELD_SEQ, slot);
    case POLICY_FAIR: return f64At(FIELD_VRUNTIME, slot);
    default: return f64At(FIELD_SEQ, slot);
  }
}

// Linux's sched_prio_to_weight: nice -20..19, 1024 at nice 0, each step ~1.25x,
// so one nice level is a ~10% CPU share difference between two busy tasks.
const WEIGHTS: usize = memory.data<u32>([
  88761, 71755, 56483, 46273, 36291,
  29154, 23254, 18705, 14949, 11916,
  9548, 7620, 6100, 4904, 3906,
  3121, 2501, 1991, 1586, 1277,
  1024, 820, 655, 526, 423,
  335, 272, 215, 172, 137,
  110, 87, 70, 56, 45,
  36, 29, 23, 18, 15,
]);

/**
 * The key a RUNNING task would get if it were requeued at the tail at nowMs
 * with sequence number `sequence`: what waiting work is compared with to
 * decide whether it has an equal or higher claim (pool preemption).
 */
export function requeueKey(slot: u32, nowMs: f64, sequence: f64): f64 {
  switch (policy()) {
    case POLICY_DEADLINE: return nowMs + classDeadline(u8At(FIELD_CLASS, slot));
    case POLICY_PRIORITY: return <f64>u8At(FIELD_CLASS, slot) * CLASS_STRIDE + sequence;
    case POLICY_FAIR: return f64At(FIELD_VRUNTIME, slot);
    default: return sequence;
  }
}

/** Weight of a nice level stored as nice - NICE_MIN (0..39). */
@inline export function weightOfStoredNice(storedNice: i32): f64 {
  return <f64>load<u32>(WEIGHTS + (<usize>storedNice << 2));
}

export function weightOfNice(nice: i32): i32 {
  return <i32>weightOfStoredNice(nice - NICE_MIN);
}
