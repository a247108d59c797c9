// Errors of the worker pool. Like every timeslice error, each has a literal
// `code`, and `X.is(err)` checks the code (errors that crossed a thread arrive
// as clones, where instanceof fails).
import { defineError } from '../../bindings/errors.js';

/** The pool is closing or closed: it accepts no new work, and close() without drain rejected what was queued. */
export class PoolClosedError extends /* @__PURE__ */ defineError('ERR_POOL_CLOSED', 'PoolClosedError') {}
/** The worker running the task died (an uncaught error, process.exit, out of memory) on the task's last attempt. */
export class WorkerCrashedError extends /* @__PURE__ */ defineError('ERR_WORKER_CRASHED', 'WorkerCrashedError') {}
/** The task's last attempt ran longer than its `timeoutMs` (time on a worker, not time queued). */
export class TaskTimeoutError extends /* @__PURE__ */ defineError('ERR_TASK_TIMEOUT', 'TaskTimeoutError') {}
/** The task was cancelled through its signal, before or while it ran. */
export class PoolTaskCancelledError extends /* @__PURE__ */ defineError('ERR_TASK_CANCELLED', 'PoolTaskCancelledError') {}
/**
 * A value cannot cross threads (not structured-cloneable, or too large): the
 * task's arguments (run() rejects at once), its result or a state it saved
 * (the task fails at once, never retried: it would fail the same way again).
 */
export class UncloneableError extends /* @__PURE__ */ defineError('ERR_UNCLONEABLE', 'UncloneableError') {}

/** An error a task threw in a worker, rebuilt on the main thread with its name, message, code and stack. */
export class TaskError extends /* @__PURE__ */ defineError('ERR_TASK_FAILED', 'TaskError') {
  /** The name and code of what the task threw (`code` is this class's own). */
  readonly originalName: string;
  readonly originalCode: unknown;
  constructor(message: string, originalName: string, originalCode: unknown, stack: string | undefined) {
    super(message);
    this.originalName = originalName;
    this.originalCode = originalCode;
    if (stack !== undefined) this.stack = stack;
  }
}
