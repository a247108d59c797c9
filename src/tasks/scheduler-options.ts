// The scheduler's options: validated once, resolved into one frozen object
// (the durable-only ones are read by src/durable/durable-options.ts). A
// task's options are in ./options.ts.
import { describeValue, InvalidArgumentError, mustBe } from '../../bindings/errors.js';
import { POLICIES, type Policy } from '../../bindings/core-instance.js';
import type { Clock } from '../time/clock.js';
import type { ClockWatchOptions } from '../time/clock-watch.js';
import type { TaskErrorHandler } from '../error-reporting.js';
import type { Store } from '../store/store.js';
import type { ClusterOptions } from '../durable/cluster/cluster-options.js';
import { type Duration, parseDurationMs } from '../time/duration.js';
import type { TracerLike, TracerProviderLike } from '../tracing.js';
import { type PriorityName, priorityClass } from './priorities.js';
import { readOptions, requireObject } from './read-options.js';
import type { RetryOptions } from './retry.js';

/** The time slice defaults and bounds (ms): see SchedulerOptions. */
export const DEFAULT_QUANTUM_MS = 10;
export const MAX_QUANTUM_MS = 60_000;
export const DEFAULT_SLICE_MS = 5;
export const MAX_SLICE_MS = 1_000;

function isClock(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  try {
    return typeof (value as Clock).now === 'function';
  } catch (error) {
    throw new InvalidArgumentError(`options.clock could not be read: its getter threw ${String(error)}`, { cause: error });
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
   * Task records are never deleted, nor the record of a slot still open. In
   * cluster mode every process prunes on this schedule, one at a time (a
   * process that finds another pruning skips that round), in transactions
   * of at most 1,000 records.
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
   * Cluster mode: this scheduler is one process of many sharing one durable
   * schedule on a cluster-capable store (PostgresStore, MemoryClusterStore).
   * Each due slot is a row that one process claims and runs, most urgent
   * first; processes hold leases (the `lease` option: ttlMs, heartbeatMs)
   * and a process that dies has its slots run by the others after its lease
   * plus a heartbeat; a process paused past its lease cannot finish a slot
   * another took (its end is refused, `writefenced`); a process whose clock
   * is off the store's past `skewWarnMs` is warned (`clockskew`). Slot
   * constraints are judged at each slot's claim (maxPerDay counts the whole
   * cluster's runs); `standby` has no meaning (every process works). See
   * docs/design/cluster.md.
   * @default false
   * @example new Scheduler({ store: clusterStore, cluster: { pollMs: '500ms' }, lease: { ttlMs: '10s', heartbeatMs: '3s' } })
   */
  cluster?: boolean | ClusterOptions;
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
const DURABLE_ONLY_OPTION_KEYS = [
  'clockWatch', 'retention', 'lease', 'standby', 'maxPayloadBytes', 'allowPast', 'durableTimeoutMs', 'durableRetry', 'maxConcurrent', 'cluster',
] as const;

const SCHEDULER_OPTION_KEYS = new Set([
  'policy', 'quantumMs', 'sliceMs', 'concurrency', 'deadlinesMs', 'clock', 'random', 'groupTiming', 'onError', 'store', 'clockWatch', 'retention',
  'lease', 'standby', 'maxPayloadBytes', 'allowPast', 'durableTimeoutMs', 'durableRetry', 'maxConcurrent', 'tracer', 'cluster',
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
  return readOptions(options, 'options', SCHEDULER_OPTION_KEYS, ['deadlinesMs', 'clockWatch', 'retention', 'cluster']) as SchedulerOptions;
}

/**
 * `resolveTracer` checks a given options.tracer: the tracing part's (src/parts/load.ts), which the
 * Scheduler passes in, so that this module imports no part (a module that imports the parts is in an
 * import cycle with them, see src/parts/sync.node.ts).
 */
export function resolveSchedulerOptions(options: SchedulerOptions, resolveTracer: (tracer: unknown) => TracerLike | undefined): ResolvedSchedulerOptions {
  const o = readSchedulerOptions(options) as Record<string, unknown>;
  for (const key in o) {
    if (!SCHEDULER_OPTION_KEYS.has(key)) {
      throw new InvalidArgumentError(`options.${key} is not a scheduler option (known: ${[...SCHEDULER_OPTION_KEYS].join(', ')})`);
    }
  }
  const policy = o.policy ?? 'deadline';
  if (!POLICIES.includes(policy as Policy)) {
    throw mustBe('options.policy', `one of ${POLICIES.join(', ')}`, policy);
  }
  /** A duration option > 0 and at most maxMs. */
  const upTo = (name: string, value: unknown, fallback: number, maxMs: number) => {
    if (value === undefined) return fallback;
    const ms = typeof value === 'number' ? value : parseDurationMs(`options.${name}`, value as Duration);
    if (!(ms > 0 && ms <= maxMs)) {
      throw mustBe(`options.${name}`, `> 0 and at most ${maxMs} ms`, value);
    }
    return ms;
  };
  const concurrency = o.concurrency ?? Number.POSITIVE_INFINITY;
  if (typeof concurrency !== 'number' || !(concurrency >= 1) || (!Number.isSafeInteger(concurrency) && concurrency !== Number.POSITIVE_INFINITY)) {
    throw mustBe('options.concurrency', 'an integer >= 1 or Infinity', concurrency);
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
    throw mustBe('options.random', 'a function returning [0, 1)', o.random);
  }
  if (o.groupTiming !== undefined && typeof o.groupTiming !== 'boolean') {
    throw mustBe('options.groupTiming', 'a boolean', o.groupTiming);
  }
  if (o.onError !== undefined && o.onError !== false && typeof o.onError !== 'function') {
    throw mustBe('options.onError', 'a function (error, info) => void or false', o.onError);
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
    tracer: o.tracer === undefined || o.tracer === false ? undefined : resolveTracer(o.tracer),
  });
}
