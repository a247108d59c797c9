// Errors of the Scheduler API (the core's own errors are in bindings/errors.ts).
import { defineError } from '../bindings/errors.js';

/** The scheduler is stopping or stopped: it accepts no new work. */
export class SchedulerStoppedError extends defineError('ERR_SCHEDULER_STOPPED', 'SchedulerStoppedError') {}
/** A task handle was used after its task ended (completed, failed for good, or cancelled). */
export class TaskEndedError extends defineError('ERR_TASK_ENDED', 'TaskEndedError') {}
/** A run took longer than its timeoutMs; its signal was aborted. */
export class TaskTimeoutError extends defineError('ERR_TASK_TIMEOUT', 'TaskTimeoutError') {}
/** A task was cancelled (by its handle, its signal, or the scheduler stopping). */
export class TaskCancelledError extends defineError('ERR_TASK_CANCELLED', 'TaskCancelledError') {}
