// How a task ended, as its TaskHandle keeps it, so that `done` can be read at
// any time, before or after the end.
//
// What must be cheap: a task whose `done` nobody reads. No promise is made
// for it, and its handle keeps one field: `undefined` while the task lives
// and after it ended returning `undefined` (whether it has ended is the
// core's answer: the handle's generation is stale), the value it returned,
// a Failed with its error, CANCELLED (the error is made only if `done` is
// read), or a Settled holding the promise once `done` was read.
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
