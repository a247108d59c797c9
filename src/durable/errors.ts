// Errors of durable scheduling (the stores' own errors, StoreFullError,
// StoreCorruptError and UnstorablePayloadError among them, are in
// src/store/errors.ts and exported beside these).
import { defineError } from '../../bindings/errors.js';

/**
 * A persisted task names a function that no `define(name, fn)` registered.
 * Its record is left exactly as it was: defining the function later (in this
 * process or the next) runs it.
 */
export class FunctionNotDefinedError extends /* @__PURE__ */ defineError('ERR_FUNCTION_NOT_DEFINED', 'FunctionNotDefinedError') {
  readonly functionName: string;
  /** The task naming it, when a task was being loaded. */
  readonly taskId: string | undefined;
  constructor(functionName: string, taskId?: string) {
    super(
      `${taskId === undefined ? '' : `task '${taskId}': `}no function is defined as '${functionName}': ` +
        `call scheduler.define('${functionName}', fn) before start() (the task's record is kept as it was)`,
    );
    this.functionName = functionName;
    this.taskId = taskId;
  }
}

/** A durable operation (define, schedule, history...) on a Scheduler made without a `store` option. */
export class NoStoreError extends /* @__PURE__ */ defineError('ERR_NO_STORE', 'NoStoreError') {}

/**
 * A one-off (`at`) scheduled further in the past than its task's grace
 * window (`missed.graceMs`, 30 s by default), without `allowPast: true`.
 * Seed 004's allow_past_events: off by default, so a date computed wrongly
 * (a past year, a time zone off by hours) is caught at the call instead of
 * running at once. Registering again a task the store already has with that
 * same `at` is not refused (the start-up pattern).
 */
export class PastScheduleError extends /* @__PURE__ */ defineError('ERR_PAST_SCHEDULE', 'PastScheduleError') {
  readonly taskId: string;
  /** The instant asked for (ms since the epoch). */
  readonly atMs: number;
  /** How far in the past it was at the call. */
  readonly pastByMs: number;
  constructor(path: string, taskId: string, atMs: number, pastByMs: number, toleranceMs: number) {
    super(
      `${path}.at is ${pastByMs} ms in the past (${new Date(atMs).toISOString()}), more than the task's grace window ` +
        `(missed.graceMs, ${toleranceMs} ms): pass allowPast: true to run it now`,
    );
    this.taskId = taskId;
    this.atMs = atMs;
    this.pastByMs = pastByMs;
  }
}

/** A durable operation named a task id the store has no task for. */
export class TaskNotFoundError extends /* @__PURE__ */ defineError('ERR_TASK_NOT_FOUND', 'TaskNotFoundError') {
  readonly taskId: string;
  constructor(taskId: string, operation: string) {
    super(`${operation}: no durable task has the id '${taskId}'`);
    this.taskId = taskId;
  }
}

/**
 * A `cursor` passed to scheduler.tasks() that no page of tasks() gave (mistyped,
 * cut short, or from another API). Pass the previous page's `cursor`, or null
 * for the first page.
 */
export class InvalidCursorError extends /* @__PURE__ */ defineError('ERR_INVALID_CURSOR', 'InvalidCursorError') {}

/** A durable task's `constraints.admit` names no hook registered with defineAdmit(name, fn). */
export class AdmitNotDefinedError extends /* @__PURE__ */ defineError('ERR_ADMIT_NOT_DEFINED', 'AdmitNotDefinedError') {
  readonly admitName: string;
  constructor(admitName: string) {
    super(`no admit hook is defined as '${admitName}': call scheduler.defineAdmit('${admitName}', fn) before schedule() and start()`);
    this.admitName = admitName;
  }
}

/**
 * An operation this scheduler cannot do in its mode: `scheduler.cluster()`
 * on a scheduler that is not in cluster mode.
 */
export class ClusterModeError extends /* @__PURE__ */ defineError('ERR_CLUSTER_MODE', 'ClusterModeError') {}
