// What the pool's main thread and its workers share: the control block, the
// per-task side table, and the messages. Both sides import this file and
// nothing else of each other.
//
// The control block is a SharedArrayBuffer seen as Int32 words (futexes,
// flags, the lock) and Float64 words (handles and times). The side table is a
// growable SharedArrayBuffer with TASK_WORDS Float64 words per core slot: what
// a worker needs to run a task it took (which function, its arguments, its
// saved state, its weight, its attempt), written by the main thread before
// the task becomes visible in the core. Arguments and saved state are bytes in
// the payload arena (payload.ts), or a number stored inline.
import type { MessagePort } from 'node:worker_threads';

/** Int32 words of the control block. */
export const I_LOCK = 0;
/** 1 once the pool is closing: idle workers return. */
export const I_CLOSING = 1;
/** First Int32 word of worker 0's block; worker w's is I_WORKERS + w * WORKER_I32. */
export const I_WORKERS = 8;
export const WORKER_I32 = 16;
// Offsets in a worker's Int32 block:
/** The futex an idle worker waits on; the main thread sets it to 1 and notifies. */
export const W_WAKE = 0;
/** WORKER_*: what the worker is doing. */
export const W_STATE = 1;
/** PREEMPT_*: set when the worker's current task should return (0: no). */
export const W_FLAG = 2;
/** 1: the worker must never enter the core again (it is being terminated). */
export const W_FENCE = 3;
/** Handles in the worker's batch (taken from the core, not yet reported). */
export const W_BATCH_COUNT = 4;
/** Index in the batch of the task running now (tasks before it have returned). */
export const W_BATCH_INDEX = 5;
/**
 * Which worker this seat's thread serves: its index + 1, or 0 while the
 * thread is a warm spare (booted, waiting to be promoted). Written by the main
 * thread, before the thread starts or when it promotes the spare.
 */
export const W_ROLE = 6;
/** The least urgent class the seat's worker takes (reserved workers take fewer). Written with W_ROLE. */
export const W_MAX_CLASS = 7;
/** The thread's operating-system thread id (Linux), for its CPU clock (thread-clock.ts); 0 where unknown. */
export const W_OS_TID = 8;
/** The thread's Node threadId (worker_threads), so the main thread can tell when it has exited. */
export const W_THREAD_ID = 9;
/**
 * 1 while the thread imports the module of its current task (W_CURRENT): the
 * task has not started, its run's clock has not started, and it is given back
 * unstarted if urgent work flags the seat meanwhile.
 */
export const W_LOADING = 10;

export const WORKER_STARTING = 0;
export const WORKER_BUSY = 1;
export const WORKER_IDLE = 2;
export const WORKER_FENCED = 3;
/** Booted, waiting for a role (W_ROLE): a warm spare. */
export const WORKER_SPARE = 4;

/**
 * The task's quantum is spent and work of equal or higher claim waits. A
 * request only: a task that ignores it runs on (terminating it would throw its
 * work away to give the thread to an equal, which is livelock, not sharing).
 */
export const PREEMPT_QUANTUM = 1;
/** A more urgent task arrived and this is the least urgent running task. Escalated after graceMs. */
export const PREEMPT_URGENT = 2;
/** The task was cancelled (its signal aborted) or its run failed for good. Escalated after graceMs. */
export const PREEMPT_ABORT = 3;
/** The task's attempt ran past its timeoutMs. Escalated after graceMs. */
export const PREEMPT_TIMEOUT = 4;

/** Flags the watchdog escalates to termination when ignored past graceMs: every flag but PREEMPT_QUANTUM. */
export function escalates(flag: number): boolean {
  return flag > PREEMPT_QUANTUM;
}

/** Float64 word of the control block (bytes 8..15, beside the first Int32 words): the pool clock's origin, epoch ms. */
export const F_EPOCH = 1;
/**
 * Float64 words per worker: its current task, times, and its batch list:
 * every handle it has taken and not yet reported, in order (up to two takes'
 * worth: the reported part of the list is dropped only after its results are
 * posted, so the list is always a superset of what the worker holds).
 */
export const WORKER_F64 = 8 + 2 * 64;
/** Offsets in a worker's Float64 block: */
export const W_CURRENT = 0;
/** Pool time when the current run segment started. */
export const W_SEGMENT_START = 1;
/** Pool time when W_FLAG was set. */
export const W_FLAG_AT = 2;
/** The batch list, W_BATCH_HANDLES .. + 2 * POOL_TAKE_MAX. */
export const W_BATCH_HANDLES = 8;

/** Where the Float64 area begins (Float64 word index), past every worker's Int32 block. */
function f64Base(workers: number): number {
  return Math.ceil(((I_WORKERS + workers * WORKER_I32) * 4) / 8) + 8;
}

export function controlBytes(workers: number): number {
  return (f64Base(workers) + workers * WORKER_F64) * 8 + 64;
}

/** The first Int32 word of worker w's block. */
export function workerI32(w: number): number {
  return I_WORKERS + w * WORKER_I32;
}
/** The first Float64 word of worker w's block. */
export function workerF64(workers: number, w: number): number {
  return f64Base(workers) + w * WORKER_F64;
}

/** A SharedArrayBuffer that can grow (ES2024; Node 20 has it, TypeScript's ES2022 library does not). */
export interface GrowableSharedArrayBuffer extends SharedArrayBuffer {
  readonly maxByteLength: number;
  grow(newByteLength: number): void;
}

export function growableSharedArrayBuffer(bytes: number, maxBytes: number): GrowableSharedArrayBuffer {
  const Ctor = SharedArrayBuffer as unknown as new (bytes: number, options: { maxByteLength: number }) => GrowableSharedArrayBuffer;
  return new Ctor(bytes, { maxByteLength: maxBytes });
}

/**
 * A view of the buffer's current length, not a length-tracking one: V8 (11.x,
 * Node 20) reads a growable SharedArrayBuffer's length through a runtime call
 * on every access of a length-tracking view, which cost 2.5% of the CPU of a
 * tiny-task run. Views are made again when the buffer has grown.
 */
export function fixedView<T>(Ctor: new (buffer: SharedArrayBuffer, offset: number, length: number) => T, buffer: SharedArrayBuffer, bytesPerElement: number): T {
  return new Ctor(buffer, 0, Math.floor(buffer.byteLength / bytesPerElement));
}

// ---- the side table: TASK_WORDS Float64 words per core slot ----
/** Eight words, 64 bytes: one slot per cache line, so threads writing neighbouring slots do not share a line. */
export const TASK_WORDS = 8;
/**
 * Which task function (an id from defineTask, >= 1), negated once the task was
 * settled early (cancelled, or failed for good) while a worker held it: a
 * worker that has not started it skips it.
 */
export const T_KIND = 0;
/** Incremented on every take (by a worker) and on every recovery (by the main thread): results quote it. */
export const T_DISPATCH = 1;
/** Arguments: byte offset in the payload arena, or the number itself when T_ARGS_LEN is ARGS_NUMBER. */
export const T_ARGS = 2;
/** Arguments: byte length, or ARGS_NUMBER / ARGS_UNDEFINED. */
export const T_ARGS_LEN = 3;
/** Saved state: byte offset in the payload arena. */
export const T_STATE = 4;
/** Saved state: byte length, or STATE_NONE. */
export const T_STATE_LEN = 5;
/** The exact fair-policy weight (1024 = nice 0). */
export const T_WEIGHT = 6;
/** The attempt this run is (1 first). */
export const T_ATTEMPT = 7;

export const ARGS_NUMBER = -1;
export const ARGS_UNDEFINED = -2;
export const STATE_NONE = -1;

/** Most slots the side table can grow to: 2^21 live tasks. */
export const MAX_TASK_SLOTS = 2 ** 21;

// ---- messages ----

/** Main to worker. */
export type ToWorker =
  | { readonly t: 'define'; readonly kind: number; readonly module: string; readonly name: string }
  | { readonly t: 'abort'; readonly handle: number; readonly reason: 'cancelled' | 'timeout' };

/** A task's outcome, in a batch: OUT_* codes. */
export const OUT_RETURNED = 0;
export const OUT_THREW = 1;
/** Returned after shouldYield() was true and saveState(): requeue with the saved state. */
export const OUT_YIELDED = 2;
/** Its result, or a state it saved, cannot be cloned: the value is ErrorData. Never retried (it would fail again). */
export const OUT_UNCLONEABLE = 3;

/** Worker to main. */
export type FromWorker =
  | {
      readonly t: 'results';
      /** Handle, dispatch number, OUT_* code, runtime ms: four numbers per task. */
      readonly n: Float64Array | number[];
      /** The returned value or the thrown error (as ErrorData), one per task. */
      readonly v: unknown[];
    }
  /** A saved state, already serialised by the worker (node:v8, as the payload arena stores it). */
  | { readonly t: 'state'; readonly handle: number; readonly dispatch: number; readonly bytes: Uint8Array }
  /** The thread has booted (core attached, known task modules imported): a spare now, or about to start. */
  | { readonly t: 'booted' }
  /** The thread took its role and made its resource: it takes tasks from now on. */
  | { readonly t: 'ready' }
  /** The thread lost its role (a spare took it over) and reported what it held: a spare again. */
  | { readonly t: 'spare' };

/** An error as it crosses threads: enough to rebuild it with its name, code and stack. */
export interface ErrorData {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly code: unknown;
}

export function errorData(err: unknown): ErrorData {
  if (err instanceof Error) {
    // Only a primitive code crosses: an error is reported even when its code could not be cloned.
    const code = (err as { code?: unknown }).code;
    const primitive = code === null || (typeof code !== 'object' && typeof code !== 'function' && typeof code !== 'symbol');
    return { name: String(err.name), message: String(err.message), stack: err.stack === undefined ? undefined : String(err.stack), code: primitive ? code : undefined };
  }
  return { name: 'Error', message: `a non-error was thrown: ${String(err)}`, stack: undefined, code: undefined };
}

/**
 * What a loop task (one per worker thread, for the thread's life) is given.
 * Which worker it serves is not here but in its seat's words (W_ROLE,
 * W_MAX_CLASS): a spare learns it when it is promoted.
 */
export interface LoopArgs {
  /** The control-block seat this thread uses (threads.ts hands out seats). */
  readonly seat: number;
  /** Seats in the control block. */
  readonly seats: number;
  /** Threads that take tasks (the pool's `threads`): a worker's share of the ready tasks. */
  readonly threads: number;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly control: SharedArrayBuffer;
  readonly side: SharedArrayBuffer;
  readonly payload: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly definitions: ReadonlyArray<{ readonly kind: number; readonly module: string; readonly name: string }>;
  readonly resource: { readonly module: string; readonly name: string } | undefined;
  readonly quantumMs: number;
}

/**
 * The slot of a handle (its low 24 bits), as the core numbers them. A bitwise
 * and, not `% 2 ** 24`: a handle past 2^31 is a double, and its remainder a
 * floating-point division on every lookup; `&` keeps the low 32 bits of any
 * integer below 2^53, so the low 24 are exact.
 */
export function slotOf(handle: number): number {
  return handle & 0xffffff;
}
