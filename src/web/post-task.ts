// postTask()'s arguments, converted once into what the scheduler needs: the
// callback, the abort source, the priority (fixed or following a TaskSignal)
// and the delay. Conversion order and errors follow Chromium: every bad
// argument is a TypeError, checked before the signal's aborted state.
import { isTaskSignal, type TaskSignal } from './task-signal.js';
import { requireAbortSignal, requireCallback, type TaskPriority, toDelayMs, toDictionary, toTaskPriority } from './webidl.js';

export interface SchedulerPostTaskOptions {
  /**
   * The task's priority, fixed: it overrides the priority of a TaskSignal given as `signal`.
   * @default the priority of `signal` if it is a TaskSignal (the task follows its changes), else 'user-visible'
   */
  priority?: TaskPriority;
  /**
   * Aborting it before the callback has returned rejects the promise with its
   * reason (a queued callback never runs); aborting it later rejects the
   * task's pending scheduler.yield() calls.
   */
  signal?: AbortSignal;
  /**
   * Ms to wait before the task is queued (a whole number >= 0; fractions are dropped).
   * @default 0
   * @example scheduler.postTask(flushLogs, { priority: 'background', delay: 5_000 })
   */
  delay?: number;
}

export interface PostTaskRequest {
  readonly signal: AbortSignal | undefined;
  readonly priority: TaskPriority;
  /** The TaskSignal whose priority the task follows, when no explicit priority was given. */
  readonly follows: TaskSignal | undefined;
  readonly delayMs: number;
}

/** Converts postTask's arguments; throws TypeError (postTask turns it into a rejection). */
export function readPostTaskArguments(callback: unknown, options: unknown): PostTaskRequest {
  requireCallback('postTask: callback', callback);
  const o = toDictionary('postTask: options', options);
  // Read in the order WebIDL reads dictionary members: alphabetical.
  const delayMs = o.delay === undefined ? 0 : toDelayMs('postTask: options.delay', o.delay);
  const fixed = o.priority === undefined ? undefined : toTaskPriority('postTask: options.priority', o.priority);
  const signal = o.signal === undefined ? undefined : requireAbortSignal('postTask: options.signal', o.signal);
  const follows = fixed === undefined && isTaskSignal(signal) ? signal : undefined;
  return { signal, priority: fixed ?? follows?.priority ?? 'user-visible', follows, delayMs };
}
