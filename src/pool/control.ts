// The main thread's view of the control block (protocol.ts): the lock, and
// each worker seat's words. Workers read and write the same words through raw
// typed arrays (worker.ts, the hot side); here every access has a name.
//
// Seats: one per live thread (the workers' threads and the warm spares),
// handed out by threads.ts. A seat is reused only once the thread that had it
// has exited, so that a terminated thread that is still stopping never writes
// over its successor's words; there are twice as many seats as live threads.
import { lock, OWNER_MAIN, OWNER_WORKER0, unlock } from './lock.js';
import * as P from './protocol.js';

export class ControlBlock {
  readonly buffer: SharedArrayBuffer;
  readonly seats: number;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;

  constructor(seats: number, epochMs: number) {
    this.seats = seats;
    this.buffer = new SharedArrayBuffer(P.controlBytes(this.seats));
    this.#i32 = new Int32Array(this.buffer);
    this.#f64 = new Float64Array(this.buffer);
    this.#f64[P.F_EPOCH] = epochMs;
  }

  lock(): void {
    lock(this.#i32, OWNER_MAIN);
  }

  unlock(): void {
    unlock(this.#i32);
  }

  /** Frees the lock if the given seat's thread holds it (that thread is dead). */
  releaseIfHeldBy(seat: number): void {
    Atomics.compareExchange(this.#i32, P.I_LOCK, OWNER_WORKER0 + seat, 0);
  }

  setClosing(): void {
    Atomics.store(this.#i32, P.I_CLOSING, 1);
  }

  /** Zeroes a seat's words before a thread takes it. */
  reset(seat: number): void {
    const b = P.workerI32(seat);
    const f = P.workerF64(this.seats, seat);
    this.#i32.fill(0, b, b + P.WORKER_I32);
    this.#f64.fill(0, f, f + P.WORKER_F64);
  }

  /** Gives the seat's thread its role: it serves worker `index`, taking classes 0..maxClass. */
  setRole(seat: number, index: number, maxClass: number): void {
    const b = P.workerI32(seat);
    this.#i32[b + P.W_MAX_CLASS] = maxClass;
    Atomics.store(this.#i32, b + P.W_ROLE, index + 1);
  }

  /** The seat's thread loses its role: it finishes what it holds, then waits as a spare. */
  clearRole(seat: number): void {
    Atomics.store(this.#i32, P.workerI32(seat) + P.W_ROLE, 0);
  }

  /** The seat's thread is not running a task: idle, or about to take (it has a role and has not taken yet). */
  isFree(seat: number): boolean {
    const state = this.#i32[P.workerI32(seat) + P.W_STATE];
    return state === P.WORKER_IDLE || state === P.WORKER_STARTING || state === P.WORKER_SPARE;
  }

  /** The seat's thread's operating-system thread id, 0 until it has started (or where unknown). */
  osTid(seat: number): number {
    return Atomics.load(this.#i32, P.workerI32(seat) + P.W_OS_TID);
  }

  /** The seat's thread's Node threadId, 0 until it has started. */
  threadId(seat: number): number {
    return Atomics.load(this.#i32, P.workerI32(seat) + P.W_THREAD_ID);
  }

  isIdle(seat: number): boolean {
    return this.#i32[P.workerI32(seat) + P.W_STATE] === P.WORKER_IDLE;
  }

  /** Wakes the seat's thread if it sleeps idle and nobody has woken it yet; true if woken. */
  wakeIfIdle(seat: number): boolean {
    const b = P.workerI32(seat);
    if (this.#i32[b + P.W_STATE] !== P.WORKER_IDLE || Atomics.load(this.#i32, b + P.W_WAKE) !== 0) return false;
    this.wake(seat);
    return true;
  }

  wake(seat: number): void {
    const b = P.workerI32(seat);
    Atomics.store(this.#i32, b + P.W_WAKE, 1);
    Atomics.notify(this.#i32, b + P.W_WAKE);
  }

  /** The handle of the task the seat's thread is running, 0 for none. */
  current(seat: number): number {
    return this.#f64[P.workerF64(this.seats, seat) + P.W_CURRENT] as number;
  }

  /** The seat's thread is importing its current task's module (the task has not started). */
  loading(seat: number): boolean {
    return Atomics.load(this.#i32, P.workerI32(seat) + P.W_LOADING) === 1;
  }

  segmentStartMs(seat: number): number {
    return this.#f64[P.workerF64(this.seats, seat) + P.W_SEGMENT_START] as number;
  }

  flag(seat: number): number {
    return Atomics.load(this.#i32, P.workerI32(seat) + P.W_FLAG);
  }

  flagAtMs(seat: number): number {
    return this.#f64[P.workerF64(this.seats, seat) + P.W_FLAG_AT] as number;
  }

  /** Under the lock: sets the seat's preemption flag (PREEMPT_*), with the time it was set. */
  setFlag(seat: number, reason: number, nowMs: number): void {
    this.#f64[P.workerF64(this.seats, seat) + P.W_FLAG_AT] = nowMs;
    Atomics.store(this.#i32, P.workerI32(seat) + P.W_FLAG, reason);
  }

  /** Under the lock: the seat's thread will never enter the core again (it checks this each time it locks). */
  fence(seat: number): void {
    this.#i32[P.workerI32(seat) + P.W_FENCE] = 1;
    this.#i32[P.workerI32(seat) + P.W_STATE] = P.WORKER_FENCED;
  }

  /** Every handle the seat's thread holds (its batch list and its current task), distinct. */
  held(seat: number): Set<number> {
    const f = P.workerF64(this.seats, seat);
    const count = this.#i32[P.workerI32(seat) + P.W_BATCH_COUNT] as number;
    const handles = new Set<number>();
    for (let i = 0; i < count; i++) handles.add(this.#f64[f + P.W_BATCH_HANDLES + i] as number);
    const current = this.current(seat);
    if (current !== 0) handles.add(current);
    return handles;
  }

  /** After recovering a dead or fenced seat's tasks. */
  clearHeld(seat: number): void {
    this.#i32[P.workerI32(seat) + P.W_BATCH_COUNT] = 0;
    this.#f64[P.workerF64(this.seats, seat) + P.W_CURRENT] = 0;
  }
}
