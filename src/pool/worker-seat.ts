// What a worker thread writes about itself in its control-block seat when it
// starts, and how a warm spare waits there for a role (threads.ts).
import { readlinkSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import { I_CLOSING, W_OS_TID, W_ROLE, W_STATE, W_THREAD_ID, W_WAKE, WORKER_SPARE } from './protocol.js';

/** Atomics.waitAsync (ES2024; Node 16+ has it, TypeScript's ES2022 library does not). */
interface AtomicsWithWaitAsync {
  waitAsync(array: Int32Array, index: number, value: number, timeoutMs: number): { async: false; value: string } | { async: true; value: Promise<string> };
}

/** This thread's operating-system thread id (Linux: /proc/thread-self is <pid>/task/<tid>), 0 where unknown. */
function osThreadId(): number {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : 0;
  } catch {
    return 0;
  }
}

/**
 * Writes the thread's ids into its seat (the seat's block starts at Int32
 * word b32): its Node threadId, so the main thread can tell when it has
 * exited, and its OS thread id, so the main thread can read its CPU clock.
 */
export function announceThread(i32: Int32Array, b32: number): void {
  Atomics.store(i32, b32 + W_THREAD_ID, threadId);
  Atomics.store(i32, b32 + W_OS_TID, osThreadId());
}

/**
 * Waits, as a warm spare, until the seat is given a role; false if the pool
 * closes first. The wait is asynchronous so that the thread still receives
 * definitions and imports their modules meanwhile.
 */
export async function waitForRole(i32: Int32Array, b32: number): Promise<boolean> {
  if (Atomics.load(i32, b32 + W_ROLE) === 0) i32[b32 + W_STATE] = WORKER_SPARE;
  while (Atomics.load(i32, b32 + W_ROLE) === 0) {
    if (Atomics.load(i32, I_CLOSING) === 1) return false;
    const waited = (Atomics as unknown as AtomicsWithWaitAsync).waitAsync(i32, b32 + W_WAKE, 0, 1000);
    if (waited.async) await waited.value;
    Atomics.store(i32, b32 + W_WAKE, 0);
  }
  return true;
}
