// The pool's events and counters: every step of preemption, escalation and
// crash recovery is an event and a count. Listening is opt-in; emitting to
// nobody costs an EventTarget dispatch, and these events are rare (per
// preemption or crash, never per task).

export const POOL_EVENT_TYPES = ['preempt', 'yield', 'timeout', 'terminate', 'replace', 'resume', 'restart', 'crash', 'retry', 'fail', 'cancel'] as const;
export type PoolEventType = (typeof POOL_EVENT_TYPES)[number];

export interface PoolEventDetail {
  /** The task's id (its core handle), when the event concerns a task. */
  readonly task?: number;
  /** The worker (0-based) concerned. */
  readonly worker?: number;
  /**
   * preempt: 'quantum' (spent, and equal or higher claim waits), 'urgent' (a more urgent task arrived) or 'cancel';
   * terminate: which flag was ignored past graceMs: 'urgent', 'cancel' or 'timeout';
   * replace: why the role moved: 'urgent' (a warm spare took it for urgent work while the flagged task has its grace),
   * 'terminated' or 'crashed' (the thread that had it is gone).
   */
  readonly reason?: string;
  /** crash, fail, retry: what happened. */
  readonly error?: unknown;
  /** retry, restart: the attempt that comes next; timeout: the attempt that timed out. */
  readonly attempt?: number;
  /** replace: the thread that took the role had booted already (a warm spare), so no thread booted on the critical path. */
  readonly warm?: boolean;
  /** replace: the Node threadId (worker_threads) of the thread that now serves the worker, 0 if it has not started yet. */
  readonly threadId?: number;
  /** Pool time of the event, ms. */
  readonly atMs: number;
}

export class PoolEvent extends Event {
  readonly detail: PoolEventDetail;
  constructor(type: PoolEventType, detail: PoolEventDetail) {
    super(type);
    this.detail = detail;
  }
}

/**
 * preempt: a worker's flag was set by the main thread (quantum, for a task that
 * never asks; urgent; cancel); a worker whose task asks sets it itself;
 * yield: a task returned after shouldYield() and saveState(), and was requeued;
 * timeout: a task's attempt ran past its timeoutMs and was asked to stop;
 * terminate: a worker whose task ignored an urgent, cancel or timeout flag past graceMs was terminated;
 * replace: a terminated or crashed worker's role was given to a warm spare or a new thread;
 * resume / restart: a task whose worker was terminated was requeued with its saved state / from scratch as a new attempt;
 * crash: a worker died on its own (uncaught error, process.exit, out of memory);
 * retry: a failed attempt will be retried; fail: a task failed for good; cancel: a task was cancelled.
 */
export class PoolEvents extends EventTarget {
  #deferred: Array<[PoolEventType, PoolEventDetail]> = [];

  /** The pool's: dispatches an event now. @internal */
  emit(type: PoolEventType, detail: PoolEventDetail): void {
    this.dispatchEvent(new PoolEvent(type, detail));
  }

  /**
   * Queues an event decided under the pool's lock, to emit once it is
   * released: a listener may call back into the pool (stats() takes the lock,
   * which is not reentrant). @internal
   */
  defer(type: PoolEventType, detail: PoolEventDetail): void {
    this.#deferred.push([type, detail]);
  }

  /** Emits the deferred events, in order. Call with the lock released. @internal */
  flush(): void {
    if (this.#deferred.length === 0) return;
    const deferred = this.#deferred;
    this.#deferred = [];
    for (const [type, detail] of deferred) this.emit(type, detail);
  }
}

/** Totals since the pool was made. */
export interface PoolCounters {
  submitted: number;
  completed: number;
  failed: number;
  cancelled: number;
  retries: number;
  /** Runs that returned after shouldYield() and saveState(), and were requeued. */
  yields: number;
  /** Preemption flags set, by reason. */
  preemptQuantum: number;
  preemptUrgent: number;
  preemptCancel: number;
  /** Attempts that ran past their timeoutMs. */
  timeouts: number;
  /** Workers terminated for ignoring an urgent, cancel or timeout flag past graceMs. */
  terminations: number;
  /** Terminated tasks requeued with their saved state, and requeued from scratch. */
  resumes: number;
  restarts: number;
  /** Workers that died on their own. */
  crashes: number;
  /** Roles moved to another thread (urgent work, a termination, a crash), and how many of them to a warm spare. */
  replacements: number;
  warmReplacements: number;
  /** Outcomes ignored because their run had already been recovered (it will run again). */
  staleOutcomes: number;
}

export function newCounters(): PoolCounters {
  return {
    submitted: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    retries: 0,
    yields: 0,
    preemptQuantum: 0,
    preemptUrgent: 0,
    preemptCancel: 0,
    timeouts: 0,
    terminations: 0,
    resumes: 0,
    restarts: 0,
    crashes: 0,
    replacements: 0,
    warmReplacements: 0,
    staleOutcomes: 0,
  };
}
