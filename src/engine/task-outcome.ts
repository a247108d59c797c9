// How a task ended, as its TaskHandle keeps it, so that `done` can be read at
// any time, before or after the end.
//
// What must be cheap: a task whose `done` nobody reads. No promise is made
// for it, and its handle keeps nothing more while it lives, nor after it
// ended returning `undefined` (whether it has ended is the core's answer:
// the handle's generation is stale). Any other end is kept as an Ended: the
// value it returned, a Failed with its error, CANCELLED (the error is made
// only if `done` is read), or a Settled holding the promise read while it lived.
import { TaskCancelledError } from '../scheduler-errors.js';

/** What the engine tells a task's handle when the task ends. */
export interface OutcomeSink {
  /** @internal The task ended: `outcome` is its value, a Failed, CANCELLED or a Settled. */
  recordEnd(outcome: unknown): void;
}

/** The task failed for good (its last attempt threw or rejected) or was cancelled with a reason. */
export class Failed {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** `done` was read: the promise, settled or to be settled. */
export class Settled {
  readonly promise: Promise<unknown>;
  constructor(promise: Promise<unknown>) {
    this.promise = promise;
  }
}

/** How a task ended, as its handle keeps it; `done`'s promise is made from it on first read. */
export class Ended {
  readonly #outcome: unknown;
  #promise: Promise<unknown> | undefined;

  constructor(outcome: unknown) {
    this.#outcome = outcome;
    this.#promise = outcome instanceof Settled ? outcome.promise : undefined;
  }

  /** The `done` promise of task `id` (the same one on every read). */
  promiseFor(id: number): Promise<unknown> {
    this.#promise ??= endedPromise(this.#outcome, id);
    return this.#promise;
  }
}

/** Cancelled with no reason, before anyone read `done`: the error is made when it is read. */
export const CANCELLED: unique symbol = Symbol('cancelled');

/** A rejected promise that does not crash the process if nobody handles it (`done` is optional). */
export function rejected(error: unknown): Promise<never> {
  const promise = Promise.reject(error);
  promise.catch(() => {});
  return promise;
}

/** The `done` promise of a task that has ended, from what its handle recorded. */
export function endedPromise(outcome: unknown, id: number): Promise<unknown> {
  if (outcome === CANCELLED) return rejected(cancelledError(id));
  if (outcome instanceof Failed) return rejected(outcome.error);
  return Promise.resolve(outcome);
}

let stackTraceLimitWritable: boolean | undefined;

/**
 * The error `done` rejects with when a task is cancelled without a reason.
 * It is made without a stack trace: capturing one cost ~5-15 µs per cancel
 * here, and kept 1e6 cancelled tasks' errors alive for the collector to walk
 * (cancel() then slowed as more tasks lived). The cancel() call site is not
 * what a cancelled task's owner needs; the message names the task.
 */
export function cancelledError(id: number): TaskCancelledError {
  const message = `task ${id} was cancelled`;
  stackTraceLimitWritable ??= isStackTraceLimitWritable();
  if (!stackTraceLimitWritable) return new TaskCancelledError(message);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new TaskCancelledError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** False where the intrinsics are frozen (SES lockdown) or the host has no such property (not V8). */
function isStackTraceLimitWritable(): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  if (descriptor === undefined) return false;
  return descriptor.writable === true || descriptor.set !== undefined;
}
