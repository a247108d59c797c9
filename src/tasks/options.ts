// Options of each task: validated once, resolved into frozen objects. Tasks
// with no options (or only a priority) share one preset, so a million queued
// tasks do not hold a million option objects. The scheduler's own options are
// in ./scheduler-options.ts.
import { describeValue, InvalidArgumentError, TimesliceError, mustBe } from '../../bindings/errors.js';
import { type Duration, parseDurationMs } from '../time/duration.js';
import { onlyPriorityClass, type Priority, PRIORITY_NAMES, priorityClass } from './priorities.js';
import { readOptions, requireObject } from './read-options.js';
import { NO_RETRY, type ResolvedRetry, type RetryOptions, resolveRetry } from './retry.js';

export interface TaskOptions {
  /** Shown in describe(), stats and events. @default the function's name, or `task-<id>` */
  name?: string;
  /** Intent class (see priorities.ts). @default 'normal' */
  priority?: Priority;
  /** Fair-policy niceness, -20 (largest share) to 19 (smallest). @default 0 */
  nice?: number;
  /**
   * Fair-policy weight, an alternative to nice: 1024 is nice 0; each nice step
   * is ~1.25x. The nearest nice level is used. @example { weight: 2048 }
   */
  weight?: number;
  /**
   * A run taking longer is aborted (its ctx.signal fires) and counted as a
   * timeout failure. More than 0, at most MAX_DURATION_MS (1e15 ms).
   * @default no timeout
   */
  timeoutMs?: Duration;
  /**
   * The task ends after this many runs. A run counts once it ends, whatever
   * its outcome: succeeded, or failed after its last attempt (as croner's
   * maxRuns counts); the attempts of one run (retry) and the segments of an
   * interrupted run resumed from its saved state are that one run. An
   * integer from 1 to 2^53 - 1.
   * @default no limit
   * @example scheduler.every('1s', poll, { maxRuns: 10, retry: 3 }) // 10 polls, each tried up to 3 times
   */
  maxRuns?: number;
  /**
   * The same limit as maxRuns under the name durable tasks use (seed 004's
   * max_executions), so one options object reads the same in memory and in
   * `schedule()`. Set one of the two, not both.
   * @default no limit
   * @example scheduler.every('7d', maintain, { startAt: nextSunday, maxExecutions: 4 })
   */
  maxExecutions?: number;
  /** Attempts for a failing run: a number, or RetryOptions. @default 1 (no retry) */
  retry?: number | RetryOptions;
  /** Aborting it cancels the task. */
  signal?: AbortSignal;
}

export interface ResolvedTaskOptions {
  readonly name: string | undefined;
  readonly priorityClass: number;
  readonly nice: number;
  readonly timeoutMs: number;
  readonly maxRuns: number;
  readonly retry: ResolvedRetry;
  readonly signal: AbortSignal | undefined;
}

export const TASK_OPTION_KEYS: ReadonlySet<string> = new Set(['name', 'priority', 'nice', 'weight', 'timeoutMs', 'maxRuns', 'maxExecutions', 'retry', 'signal']);

/** The options every() and cron() take: a task's, and their wall-clock ones (time/wall-plans.ts). */
export const CRON_OPTION_KEYS = [...TASK_OPTION_KEYS, 'timezone', 'dst', 'startAt', 'endAt', 'constraints'];

/** The options recurring() takes: a task's, its start and end, and constraints. */
export const RECURRING_OPTION_KEYS = [...TASK_OPTION_KEYS, 'startAt', 'endAt', 'constraints'];

function preset(priorityClass: number): ResolvedTaskOptions {
  return Object.freeze({ name: undefined, priorityClass, nice: 0, timeoutMs: 0, maxRuns: 0, retry: NO_RETRY, signal: undefined });
}

/**
 * One shared preset per class, for tasks that set nothing but a priority.
 * The presets are frozen, the array is not (it never leaves this module): a
 * keyed load from a frozen array stays a call to the KeyedLoadIC builtin in
 * optimized code (V8 11, Node 20), where from a plain packed array it is a
 * bounds check and a load. It was the unresolved KeyedLoadIC of run()
 * (isPreset inlined into the caller's loop, and resolveTaskOptions).
 */
const PRESETS: readonly ResolvedTaskOptions[] = PRIORITY_NAMES.map((_, cls) => preset(cls));
export const DEFAULT_TASK_OPTIONS = PRESETS[2] as ResolvedTaskOptions;

/** True for the shared options of tasks that set nothing but a priority. */
export function isPreset(options: ResolvedTaskOptions): boolean {
  return PRESETS[options.priorityClass] === options;
}

// Linux's nice-to-weight table (assembly/keys.ts holds the same numbers).
const NICE_WEIGHTS = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991,
  1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];

/** The nice level whose weight is nearest (in ratio) to `weight`. */
export function niceForWeight(weight: number): number {
  let best = 0;
  for (let i = 1; i < NICE_WEIGHTS.length; i++) {
    if (Math.abs(Math.log((NICE_WEIGHTS[i] as number) / weight)) < Math.abs(Math.log((NICE_WEIGHTS[best] as number) / weight))) best = i;
  }
  return best - 20;
}

export function resolveTaskOptions(options: TaskOptions | undefined): ResolvedTaskOptions {
  if (options === undefined) return DEFAULT_TASK_OPTIONS;
  requireObject('options', options);
  let presetClass = -1;
  try {
    presetClass = onlyPriorityClass(options);
  } catch (error) {
    // A getter or Proxy trap threw: readOptions below reads again and names the option.
    if (TimesliceError.is(error)) throw error;
  }
  if (presetClass >= 0) return PRESETS[presetClass] as ResolvedTaskOptions;
  const o = readOptions(options, 'options', TASK_OPTION_KEYS, ['retry']);
  let onlyPriority = true;
  for (const key in o) {
    if (!TASK_OPTION_KEYS.has(key)) {
      throw new InvalidArgumentError(`options.${key} is not a task option (known: ${[...TASK_OPTION_KEYS].join(', ')})`);
    }
    if (key !== 'priority' && o[key] !== undefined) onlyPriority = false;
  }
  const cls = o.priority === undefined ? 2 : priorityClass('options.priority', o.priority);
  if (onlyPriority) return PRESETS[cls] as ResolvedTaskOptions;
  if (o.name !== undefined && (typeof o.name !== 'string' || o.name.length === 0)) {
    throw mustBe('options.name', 'a non-empty string', o.name);
  }
  let nice = 0;
  if (o.nice !== undefined && o.weight !== undefined) throw new InvalidArgumentError('options.nice and options.weight are alternatives: set one');
  if (o.nice !== undefined) {
    if (typeof o.nice !== 'number' || !Number.isInteger(o.nice) || o.nice < -20 || o.nice > 19) {
      throw mustBe('options.nice', 'an integer from -20 to 19', o.nice);
    }
    nice = o.nice;
  }
  if (o.weight !== undefined) {
    if (typeof o.weight !== 'number' || !(o.weight > 0) || o.weight === Number.POSITIVE_INFINITY) {
      throw mustBe('options.weight', 'a finite number > 0', o.weight);
    }
    nice = niceForWeight(o.weight);
  }
  if (o.maxRuns !== undefined && o.maxExecutions !== undefined) {
    throw new InvalidArgumentError('options.maxRuns and options.maxExecutions are one limit under two names: set one');
  }
  const maxRunsKey = o.maxExecutions === undefined ? 'maxRuns' : 'maxExecutions';
  const maxRunsValue = o[maxRunsKey];
  let maxRuns = 0;
  if (maxRunsValue !== undefined) {
    if (typeof maxRunsValue !== 'number' || !Number.isSafeInteger(maxRunsValue) || maxRunsValue < 1) {
      const tooLarge = typeof maxRunsValue === 'number' && maxRunsValue > Number.MAX_SAFE_INTEGER ? ' (at most 2^53 - 1)' : '';
      throw new InvalidArgumentError(`options.${maxRunsKey} must be an integer >= 1, received ${describeValue(maxRunsValue)}${tooLarge}`);
    }
    maxRuns = maxRunsValue;
  }
  const timeoutMs = o.timeoutMs === undefined ? 0 : parseDurationMs('options.timeoutMs', o.timeoutMs as Duration);
  if (o.timeoutMs !== undefined && timeoutMs === 0) throw new InvalidArgumentError('options.timeoutMs must be > 0');
  if (o.signal !== undefined && !isAbortSignal(o.signal)) {
    throw mustBe('options.signal', 'an AbortSignal', o.signal);
  }
  return Object.freeze({
    name: o.name as string | undefined,
    priorityClass: cls,
    nice,
    timeoutMs,
    maxRuns,
    retry: resolveRetry(o.retry),
    signal: o.signal as AbortSignal | undefined,
  });
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).addEventListener === 'function';
  } catch (error) {
    throw new InvalidArgumentError(`options.signal could not be read: its getter threw ${String(error)}`, { cause: error });
  }
}
