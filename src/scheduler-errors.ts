// Errors of the Scheduler API (the core's own errors are in bindings/errors.ts).
import { TimesliceError } from '../bindings/errors.js';

function defineError<Code extends string>(code: Code, name: string) {
  return class extends TimesliceError {
    override readonly code: Code = code;
    override readonly name: string = name;
    static override is(err: unknown): err is TimesliceError & { code: Code } {
      return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
    }
  };
}

/** The scheduler is stopping or stopped: it accepts no new work. */
export class SchedulerStoppedError extends defineError('ERR_SCHEDULER_STOPPED', 'SchedulerStoppedError') {}
/** A task handle was used after its task ended (completed, failed for good, or cancelled). */
export class TaskEndedError extends defineError('ERR_TASK_ENDED', 'TaskEndedError') {}
/** A run took longer than its timeoutMs; its signal was aborted. */
export class TaskTimeoutError extends defineError('ERR_TASK_TIMEOUT', 'TaskTimeoutError') {}
/** A task was cancelled (by its handle, its signal, or the scheduler stopping). */
export class TaskCancelledError extends defineError('ERR_TASK_CANCELLED', 'TaskCancelledError') {}
