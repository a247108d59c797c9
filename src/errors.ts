// The errors of the src/ layer, and the public home of the core's (which live
// beside its status codes in bindings/errors.ts, because the bindings are the
// first to throw them). Every class has a literal `code` and a static `is()`
// that checks it, so a clone that crossed a worker boundary is still recognised.
export {
  TimesliceError,
  InvalidArgumentError,
  InvalidHandleError,
  StaleHandleError,
  InvalidStateError,
  CoreOutOfMemoryError,
  BatchError,
  NotLoadedError,
} from '../bindings/errors.js';

import { defineError } from '../bindings/errors.js';

/**
 * An optional peer dependency that a feature needs is not installed
 * (`better-sqlite3` for the SQLite store, `piscina` for the worker pool).
 * `packageName` says which; the message gives the install command.
 */
export class MissingDependencyError extends /* @__PURE__ */ defineError('ERR_MISSING_DEPENDENCY', 'MissingDependencyError') {
  constructor(
    readonly packageName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// The Scheduler API.
/** The scheduler is stopping or stopped: it accepts no new work. */
export class SchedulerStoppedError extends /* @__PURE__ */ defineError('ERR_SCHEDULER_STOPPED', 'SchedulerStoppedError') {}
/** A task handle was used after its task ended (completed, failed for good, or cancelled). */
export class TaskEndedError extends /* @__PURE__ */ defineError('ERR_TASK_ENDED', 'TaskEndedError') {}
/** A run took longer than its timeoutMs; its signal was aborted. */
export class TaskTimeoutError extends /* @__PURE__ */ defineError('ERR_TASK_TIMEOUT', 'TaskTimeoutError') {}
/** A task was cancelled (by its handle, its signal, or the scheduler stopping). */
export class TaskCancelledError extends /* @__PURE__ */ defineError('ERR_TASK_CANCELLED', 'TaskCancelledError') {}

// Schedules: cron expressions, time zones, start and end (src/time/).
/** A cron expression that is not a string, is empty, or that croner refuses (or that matches no date). */
export class InvalidCronExpressionError extends /* @__PURE__ */ defineError('ERR_INVALID_CRON', 'InvalidCronExpressionError') {}
/** A time zone that is not an IANA name this runtime knows (Intl.DateTimeFormat refuses it). */
export class UnknownTimeZoneError extends /* @__PURE__ */ defineError('ERR_UNKNOWN_TIME_ZONE', 'UnknownTimeZoneError') {}
/**
 * A schedule's startAt and endAt leave it no slot: endAt before startAt, endAt
 * already past, or no slot of the schedule between them.
 */
export class InvalidScheduleWindowError extends /* @__PURE__ */ defineError('ERR_INVALID_SCHEDULE_WINDOW', 'InvalidScheduleWindowError') {}
/** A set of constraints admits no slot of its task's schedule (within MAX_DEFER_HORIZON_MS, src/constraints/admission.ts). */
export class SlotConstraintsError extends /* @__PURE__ */ defineError('ERR_SLOT_CONSTRAINTS', 'SlotConstraintsError') {}
