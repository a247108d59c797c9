// Options of the scheduler and of each task: validated once, resolved into
// frozen objects. Tasks with no options (or only a priority) share one
// preset, so a million queued tasks do not hold a million option objects.
import { describeValue, InvalidArgumentError, TimesliceError } from '../../bindings/errors.js';
import type { Policy } from '../../bindings/core.js';
import { POLICIES } from '../../bindings/core.js';
import type { Clock } from '../time/clock.js';
import type { ClockWatchOptions } from '../time/clock-watch.js';
import type { TaskErrorHandler } from '../error-reporting.js';
import type { Store } from '../store/store.js';
import { type Duration, parseDurationMs } from '../time/duration.js';
import { resolveTracer, type TracerLike, type TracerProviderLike } from '../tracing.js';
import { onlyPriorityClass, type Priority, PRIORITY_NAMES, type PriorityName, priorityClass } from './priorities.js';
import { readOptions } from './read-options.js';
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

/** The time slice defaults and bounds (ms): see SchedulerOptions. */
export const DEFAULT_QUANTUM_MS = 10;
export const MAX_QUANTUM_MS = 60_000;
export const DEFAULT_SLICE_MS = 5;
export const MAX_SLICE_MS = 1_000;

export const TASK_OPTION_KEYS: ReadonlySet<string> = new Set(['name', 'priority', 'nice', 'weight', 'timeoutMs', 'maxRuns', 'maxExecutions', 'retry', 'signal']);

function preset(priorityClass: number): ResolvedTaskOptions {
  return Object.freeze({ name: undefined, priorityClass, nice: 0, timeoutMs: 0, maxRuns: 0, retry: NO_RETRY, signal: undefined });
}

/** One shared preset per class, for tasks that set nothing but a priority. */
const PRESETS: readonly ResolvedTaskOptions[] = Object.freeze(PRIORITY_NAMES.map((_, cls) => preset(cls)));
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

function requireObject(name: string, value: unknown): Record<string, unknown> {
  let isArray: boolean;
  try {
    isArray = Array.isArray(value);
  } catch (error) {
    // A revoked Proxy.
    throw new InvalidArgumentError(`${name} could not be read: Array.isArray threw ${String(error)}`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || isArray) {
    throw new InvalidArgumentError(`${name} must be an options object, received ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
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
    throw new InvalidArgumentError(`options.name must be a non-empty string, received ${describeValue(o.name)}`);
  }
  let nice = 0;
  if (o.nice !== undefined && o.weight !== undefined) throw new InvalidArgumentError('options.nice and options.weight are alternatives: set one');
  if (o.nice !== undefined) {
    if (typeof o.nice !== 'number' || !Number.isInteger(o.nice) || o.nice < -20 || o.nice > 19) {
      throw new InvalidArgumentError(`options.nice must be an integer from -20 to 19, received ${describeValue(o.nice)}`);
    }
    nice = o.nice;
  }
  if (o.weight !== undefined) {
    if (typeof o.weight !== 'number' || !(o.weight > 0) || o.weight === Number.POSITIVE_INFINITY) {
      throw new InvalidArgumentError(`options.weight must be a finite number > 0, received ${describeValue(o.weight)}`);
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
    throw new InvalidArgumentError(`options.signal must be an AbortSignal, received ${describeValue(o.signal)}`);
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

function isClock(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return typeof (value as Clock).now === 'function';
  } catch (error) {
    throw new InvalidArgumentError(`options.clock could not be read: its getter threw ${String(error)}`, { cause: error });
  }
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).addEventListener === 'function';
  } catch (error) {
    throw new InvalidArgumentError(`options.signal could not be read: its getter threw ${String(error)}`, { cause: error });
  }
}

export interface SchedulerOptions {
  /** How the ready queue is ordered. @default 'deadline' */
  policy?: Policy;
  /**
   * A task's turn: once a run has used this much, ctx.shouldYield() asks it
   * to let the other ready tasks run (it saves its state and returns, or
   * awaits ctx.yield(), and goes behind them). Host yields inside it (see
   * sliceMs) do not end it. More than 0, at most 60,000.
   * @default 10
   * @example new Scheduler({ policy: 'round-robin', quantumMs: 15 }) // 15 ms turns, the host still served every 5 ms
   */
  quantumMs?: Duration;
  /**
   * The run loop's turn: after this much work it yields to the host (timers,
   * I/O, rendering), ctx.shouldYield() of the running task included; a task
   * that returns for that keeps its turn and continues first afterwards with
   * the rest of its quantum. Async continuations count against it too. More
   * than 0, at most 1,000.
   * @default 5
   */
  sliceMs?: Duration;
  /** Most async runs in flight at once: an integer from 1 to 2^53 - 1, or Infinity. @default Infinity */
  concurrency?: number;
  /** Relative deadlines per class under the deadline policy, each at most MAX_DURATION_MS. @example { background: '5m' } */
  deadlinesMs?: Partial<Record<PriorityName, Duration>>;
  /** Where time comes from. @default the real clock; VirtualClock from timeslice/testing in tests */
  clock?: Clock;
  /** Random numbers for retry jitter, in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * Time one-shot runs that return at once in groups, with one clock read per
   * group (up to 64 runs, kept under ~50 µs), instead of one read per run: a
   * clock read costs more than such a run. Their runtime still counts toward
   * stats().runtimeMs; as their tasks have ended, nothing else could show it.
   * Registrations made in one synchronous burst also share a clock reading
   * (up to 64). Off while a taskstart or taskfinish listener is attached
   * (they report every run's own runtime).
   * @default true with the real clock, false with any other clock (a test clock moves only when told to)
   * @example new Scheduler({ groupTiming: false }) // one clock read per run
   */
  groupTiming?: boolean;
  /**
   * Where failed runs are reported: called with the error and the task's id,
   * name and attempt for every failed attempt (a throw, a rejection, a
   * timeout), durable slots included. The default writes each failure to
   * console.error, rate-limited per task name (5 a minute, then one summary
   * line: see error-reporting.ts); `false` reports nothing (failures are
   * still in `done`, the taskfail event and stats()).
   * @default a rate-limited console.error
   * @example new Scheduler({ onError: (err, info) => logger.error({ err, ...info }, 'task failed') })
   * @example new Scheduler({ onError: false }) // silence: the errors are handled elsewhere
   */
  onError?: TaskErrorHandler | false;
  /**
   * Makes tasks registered with schedule()/scheduleMany() durable: a Store, or
   * the path of a SQLite file (opened on first use; better-sqlite3 must be
   * installed). Without it, schedule(), define() and history() throw NoStoreError.
   * @example new Scheduler({ store: 'jobs.db' })
   * @example new Scheduler({ store: new IndexedDbStore({ name: 'jobs' }) })
   */
  store?: Store | string;
  /**
   * Durable schedulers watch the wall clock against the monotonic clock
   * (ClockWatch): a jump or a wake from sleep re-plans the durable tasks.
   * false turns it off (tests that use VirtualClock.runUntilIdle()).
   * @default { checkIntervalMs: 5000, jumpToleranceMs: 1000, wakeToleranceMs: 5000 }
   */
  clockWatch?: ClockWatchOptions | false;
  /**
   * Durable schedulers delete execution records that ended more than maxAgeMs
   * ago, every intervalMs (and once at start). false keeps every record.
   * @default { maxAgeMs: '30d', intervalMs: '1h' }
   * @example new Scheduler({ store: 'jobs.db', retention: { maxAgeMs: '7d' } })
   */
  retention?: { maxAgeMs?: Duration; intervalMs?: Duration } | false;
  /**
   * The store's lease (one scheduler owns a store at a time): it lasts ttlMs
   * without a renewal and is renewed every heartbeatMs. A scheduler that dies
   * or hangs is taken over by a standby ttlMs after its last renewal; a
   * process paused longer than ttlMs loses the store (its writes are refused).
   * @default { ttlMs: '30s', heartbeatMs: '10s' }
   * @example new Scheduler({ store: 'jobs.db', lease: { ttlMs: '5s', heartbeatMs: '1s' } })
   */
  lease?: { ttlMs?: Duration; heartbeatMs?: Duration };
  /**
   * When another scheduler holds the store: false fails `ready` (and every
   * durable call) with StoreLockedError naming it; true waits as a hot
   * standby and takes over when its lease lapses or, within about a second,
   * when it stops cleanly (then recovers, as after a crash). Durable writes of
   * a standby wait until it owns the store.
   * @default false
   * @example new Scheduler({ store: 'jobs.db', standby: true }) // the second replica of a rolling deploy
   */
  standby?: boolean;
  /**
   * The largest JSON payload a durable task may carry: its params, its
   * metadata, a state it saves. Measured as JSON text in UTF-8 bytes; larger
   * ones are refused with PayloadTooLargeError before anything is written (a
   * 50 MB params would block the event loop for seconds at every write and
   * recovery). Keep large data elsewhere and pass a reference.
   * @default 1048576 (1 MiB)
   */
  maxPayloadBytes?: number;
  /**
   * Whether a durable one-off may be scheduled `at` an instant more than its
   * grace window (`missed.graceMs`) in the past (it then runs now); false
   * refuses it with PastScheduleError. A task's own `allowPast` wins.
   * @default false
   */
  allowPast?: boolean;
  /**
   * How long one attempt of a durable task may run when the task sets no
   * `timeoutMs` of its own (seed 004's execution_timeout): past it, its signal
   * aborts with TaskTimeoutError and the attempt fails (retried by the task's
   * policy). false: no limit. Not stored: a restart with another value
   * applies it to the tasks that set none.
   * @default '300s'
   */
  durableTimeoutMs?: Duration | false;
  /**
   * The retry policy of durable tasks that set no `retry` of their own (a
   * crash counts as a failed attempt). Stored with each task when it is
   * scheduled, so changing it later does not change tasks already stored.
   * @default { attempts: 3, backoff: 'exponential', delayMs: 1000 }
   */
  durableRetry?: number | RetryOptions;
  /**
   * At most this many durable executions at once (seed 004's max_concurrent):
   * a durable run takes a slot to start an attempt and gives it back when its
   * body ends. A due run that finds every slot taken waits, unclaimed, and
   * runs when one is free, the most urgent priority class first, in arrival
   * order inside a class (describe() lists it as waiting for a concurrency
   * slot). Separate from `concurrency`, which bounds every async run, durable
   * or not. An integer >= 1, or Infinity for no limit.
   * @default 10
   * @example new Scheduler({ store: 'jobs.db', maxConcurrent: 4 })
   */
  maxConcurrent?: number;
  /**
   * Traces every execution with OpenTelemetry: an @opentelemetry/api Tracer
   * (`trace.getTracer('my-app')`) or TracerProvider (`trace.getTracerProvider()`,
   * asked for the tracer `timeslice`). Each attempt of a task, in memory or
   * durable, is then a span named after the task, active while it runs, with
   * its id, name, slot, attempt, outcome, lateness and wait; a retry links to
   * its slot's first attempt, and a durable execution record keeps the trace
   * id. Without it nothing is traced and nothing is loaded: timeslice never
   * imports @opentelemetry/api itself.
   * @default no tracing
   * @example new Scheduler({ tracer: trace.getTracer('billing') })
   */
  tracer?: TracerLike | TracerProviderLike | false;
}

export interface ResolvedSchedulerOptions {
  readonly policy: Policy;
  readonly quantumMs: number;
  readonly sliceMs: number;
  readonly concurrency: number;
  readonly deadlinesMs: ReadonlyArray<readonly [number, number]>;
  readonly clock: Clock | undefined;
  readonly random: () => number;
  readonly groupTiming: boolean;
  /** undefined: the default console reporter. */
  readonly onError: TaskErrorHandler | false | undefined;
  /** The tracer executions are traced with; undefined: no tracing. */
  readonly tracer: TracerLike | undefined;
}

/** The scheduler options that apply only with a store (refused without one). */
const DURABLE_ONLY_OPTION_KEYS = ['clockWatch', 'retention', 'lease', 'standby', 'maxPayloadBytes', 'allowPast', 'durableTimeoutMs', 'durableRetry', 'maxConcurrent'] as const;

const SCHEDULER_OPTION_KEYS = new Set([
  'policy', 'quantumMs', 'sliceMs', 'concurrency', 'deadlinesMs', 'clock', 'random', 'groupTiming', 'onError', 'store', 'clockWatch', 'retention',
  'lease', 'standby', 'maxPayloadBytes', 'allowPast', 'durableTimeoutMs', 'durableRetry', 'maxConcurrent', 'tracer',
]);

/**
 * The scheduler options as a plain object, each read once (see
 * read-options.ts): what resolveSchedulerOptions and the durable options
 * both read, so that neither sees a getter or a Proxy.
 */
/** Without a store, the durable-only options are refused (checked without loading the durable layer). */
export function refuseDurableOnlyOptions(options: SchedulerOptions): void {
  for (const key of DURABLE_ONLY_OPTION_KEYS) {
    if (options[key] !== undefined) throw new InvalidArgumentError(`options.${key} applies only with options.store (durable tasks)`);
  }
}

export function readSchedulerOptions(options: SchedulerOptions = {}): SchedulerOptions {
  requireObject('options', options);
  return readOptions(options, 'options', SCHEDULER_OPTION_KEYS, ['deadlinesMs', 'clockWatch', 'retention']) as SchedulerOptions;
}

export function resolveSchedulerOptions(options: SchedulerOptions = {}): ResolvedSchedulerOptions {
  const o = readSchedulerOptions(options) as Record<string, unknown>;
  for (const key in o) {
    if (!SCHEDULER_OPTION_KEYS.has(key)) {
      throw new InvalidArgumentError(`options.${key} is not a scheduler option (known: ${[...SCHEDULER_OPTION_KEYS].join(', ')})`);
    }
  }
  const policy = o.policy ?? 'deadline';
  if (!POLICIES.includes(policy as Policy)) {
    throw new InvalidArgumentError(`options.policy must be one of ${POLICIES.join(', ')}, received ${describeValue(policy)}`);
  }
  /** A duration option > 0 and at most maxMs. */
  const upTo = (name: string, value: unknown, fallback: number, maxMs: number) => {
    if (value === undefined) return fallback;
    const ms = typeof value === 'number' ? value : parseDurationMs(`options.${name}`, value as Duration);
    if (!(ms > 0 && ms <= maxMs)) {
      throw new InvalidArgumentError(`options.${name} must be > 0 and at most ${maxMs} ms, received ${describeValue(value)}`);
    }
    return ms;
  };
  const concurrency = o.concurrency ?? Number.POSITIVE_INFINITY;
  if (typeof concurrency !== 'number' || !(concurrency >= 1) || (!Number.isSafeInteger(concurrency) && concurrency !== Number.POSITIVE_INFINITY)) {
    throw new InvalidArgumentError(`options.concurrency must be an integer >= 1 or Infinity, received ${describeValue(concurrency)}`);
  }
  const deadlines: Array<readonly [number, number]> = [];
  if (o.deadlinesMs !== undefined) {
    const d = requireObject('options.deadlinesMs', o.deadlinesMs);
    for (const key in d) {
      const cls = priorityClass(`options.deadlinesMs key`, key);
      deadlines.push([cls, parseDurationMs(`options.deadlinesMs.${key}`, d[key] as Duration)]);
    }
  }
  if (o.clock !== undefined && !isClock(o.clock)) {
    throw new InvalidArgumentError(`options.clock must implement Clock (now, wallNow, setTimer, clearTimer, yieldToHost), received ${describeValue(o.clock)}`);
  }
  if (o.random !== undefined && typeof o.random !== 'function') {
    throw new InvalidArgumentError(`options.random must be a function returning [0, 1), received ${describeValue(o.random)}`);
  }
  if (o.groupTiming !== undefined && typeof o.groupTiming !== 'boolean') {
    throw new InvalidArgumentError(`options.groupTiming must be a boolean, received ${describeValue(o.groupTiming)}`);
  }
  if (o.onError !== undefined && o.onError !== false && typeof o.onError !== 'function') {
    throw new InvalidArgumentError(`options.onError must be a function (error, info) => void or false, received ${describeValue(o.onError)}`);
  }
  return Object.freeze({
    policy: policy as Policy,
    quantumMs: upTo('quantumMs', o.quantumMs, DEFAULT_QUANTUM_MS, MAX_QUANTUM_MS),
    sliceMs: upTo('sliceMs', o.sliceMs, DEFAULT_SLICE_MS, MAX_SLICE_MS),
    concurrency,
    deadlinesMs: Object.freeze(deadlines),
    clock: o.clock as Clock | undefined,
    random: (o.random as (() => number) | undefined) ?? Math.random,
    groupTiming: (o.groupTiming as boolean | undefined) ?? o.clock === undefined,
    onError: o.onError as TaskErrorHandler | false | undefined,
    tracer: resolveTracer(o.tracer),
  });
}
