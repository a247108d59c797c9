// The main thread's watchdog over the worker threads: it flags a task whose
// quantum is spent while work of an equal or higher claim waits (for tasks
// that never call shouldYield(); those that do flag themselves), and
// escalates a flag still ignored after graceMs: it fences the worker (under
// the lock, so the worker is outside the core and will never enter it again),
// recovers the tasks the worker held (recovery.ts), and aborts the worker's
// loop task, on which Piscina terminates the thread and starts another.
//
// It runs every min(quantum, grace) / 2 ms (at least 1) while any task is
// live, and reads each seat's current task and flag from the control block
// without the lock; it takes the lock only to set a flag or to escalate.
import type { MessagePort } from 'node:worker_threads';
import * as L from '../../bindings/layout.generated.js';
import type { PoolParts } from './pool-parts.js';
import * as P from './protocol.js';
import { type Recovered, type RecoveryHost, recoverSeat } from './recovery.js';
import type { TaskRecord } from './task-record.js';

/** One worker of the pool, across its threads (incarnations). */
export interface Seat {
  /** Which worker this is (0-based). */
  readonly index: number;
  /** Its seat in the control block (ControlBlock: two per worker, alternating). */
  seat: number;
  port: MessagePort | undefined;
  controller: AbortController | undefined;
  incarnation: number;
  /** Fenced by an escalation: its loop's end is expected and already handled. */
  fenced: boolean;
  ready: boolean;
}

export interface SupervisorHost extends PoolParts {
  readonly seats: readonly Seat[];
  readonly recovery: RecoveryHost;
  now(): number;
  wake(cls: number, count: number): void;
  fail(r: TaskRecord, error: unknown): void;
  armDueTimer(): void;
  /** Handles every message the seat's thread has posted so far. */
  drain(seat: Seat): void;
}

export class Supervisor {
  readonly #host: SupervisorHost;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: SupervisorHost) {
    this.#host = host;
  }

  /** Starts watching, if it is not already and any task is live. */
  arm(): void {
    const { options, book } = this.#host;
    if (this.#timer !== undefined || book.live === 0) return;
    const periodMs = Math.max(1, Math.min(options.quantumMs, options.graceMs) / 2);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#watch();
      this.arm();
    }, periodMs);
  }

  stop(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #watch(): void {
    const { w, options: o, control, counters, events, seats } = this.#host;
    for (const seat of seats) {
      if (seat.fenced) continue;
      const handle = control.current(seat.seat);
      if (handle === 0) continue;
      const now = this.#host.now();
      if (control.flag(seat.seat) === 0) {
        if (now - control.segmentStartMs(seat.seat) < o.quantumMs) continue;
        const maxClass = seat.index < o.reservedWorkers ? o.reservedMaxClass : L.POOL_ANY_CLASS;
        control.lock();
        const waiting = control.current(seat.seat) === handle && w.taskState(handle) === L.STATE_RUNNING && w.poolTopKey(maxClass) <= w.poolRequeueKey(handle, now);
        if (waiting) control.setFlag(seat.seat, P.PREEMPT_QUANTUM, now);
        control.unlock();
        if (waiting) {
          counters.preemptQuantum++;
          events.emit('preempt', { task: handle, worker: seat.index, reason: 'quantum', atMs: now });
        }
      } else if (now - control.flagAtMs(seat.seat) >= o.graceMs) {
        this.#escalate(seat, handle);
      }
    }
  }

  /** The task on `seat` ignored its flag past graceMs: fence the worker, recover its tasks, terminate it. */
  #escalate(seat: Seat, handle: number): void {
    const { control, counters, events } = this.#host;
    // What the thread reported before it is stopped counts: its outcomes, its last saved state.
    this.#host.drain(seat);
    control.lock();
    if (control.current(seat.seat) !== handle) {
      control.unlock(); // it returned in time after all
      return;
    }
    // Under the lock: the worker is not inside the core, and will never enter it again.
    control.fence(seat.seat);
    seat.fenced = true;
    const now = this.#host.now();
    const recovered = recoverSeat(this.#host.recovery, seat.seat, seat.index, 'terminated', now);
    control.unlock();
    counters.terminations++;
    events.emit('terminate', { task: handle, worker: seat.index, atMs: now });
    this.afterRecovery(recovered);
    // Piscina terminates the thread running an aborted task, and starts another (minThreads).
    seat.controller?.abort(new Error('terminated: the task ignored its preemption flag'));
  }

  /** Once the lock is released: rejects what failed for good, wakes workers for what was requeued. */
  afterRecovery(recovered: Recovered): void {
    for (const [r, error] of recovered.settled) this.#host.fail(r, error);
    if (recovered.requeued > 0) this.#host.wake(L.CLASS_COUNT - 1, recovered.requeued);
    if (recovered.retried) this.#host.armDueTimer();
  }
}
