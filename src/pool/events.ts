// The pool's events and counters: every step of preemption, escalation and
// crash recovery is an event and a count. Listening is opt-in; emitting to
// nobody costs an EventTarget dispatch, and these events are rare (per
// preemption or crash, never per task).

export const POOL_EVENT_TYPES = ['preempt', 'yield', 'terminate', 'replace', 'resume', 'restart', 'crash', 'retry', 'fail', 'cancel'] as const;
export type PoolEventType = (typeof POOL_EVENT_TYPES)[number];

export interface PoolEventDetail {
  /** The task's id (its core handle), when the event concerns a task. */
  readonly task?: number;
  /** The worker (0-based) concerned. */
  readonly worker?: number;
  /** preempt: 'quantum' (spent, and equal or higher claim waits), 'urgent' (a more urgent task arrived) or 'cancel'. */
  readonly reason?: string;
  /** crash, fail, retry: what happened. */
  readonly error?: unknown;
  /** retry, restart: the attempt that comes next. */
  readonly attempt?: number;
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
 * terminate: a worker that ignored its flag past graceMs was terminated;
 * replace: a terminated or crashed worker's replacement was started;
 * resume / restart: a task whose worker was terminated was requeued with its saved state / from scratch as a new attempt;
 * crash: a worker died on its own (uncaught error, process.exit, out of memory);
 * retry: a failed attempt will be retried; fail: a task failed for good; cancel: a task was cancelled.
 */
export class PoolEvents extends EventTarget {
  emit(type: PoolEventType, detail: PoolEventDetail): void {
    this.dispatchEvent(new PoolEvent(type, detail));
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
  /** Workers terminated for ignoring their flag past graceMs. */
  terminations: number;
  /** Terminated tasks requeued with their saved state, and requeued from scratch. */
  resumes: number;
  restarts: number;
  /** Workers that died on their own. */
  crashes: number;
  /** Workers started to replace a terminated or crashed one. */
  replacements: number;
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
    terminations: 0,
    resumes: 0,
    restarts: 0,
    crashes: 0,
    replacements: 0,
    staleOutcomes: 0,
  };
}
