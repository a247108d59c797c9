// Options of the pool and of each pool task: validated once, resolved into
// frozen objects. Every bad value is refused with an InvalidArgumentError that
// names the option, what is allowed and what was received.
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { Policy } from '../../bindings/core.js';
import { POLICIES } from '../../bindings/core.js';
import { type Duration, parseDurationMs } from '../time/duration.js';
import { onlyPriorityClass, type Priority, type PriorityName, priorityClass } from '../tasks/priorities.js';
import { type ResolvedRetry, type RetryOptions, resolveRetry } from '../tasks/retry.js';

/** A function a worker runs, named by module and export (it runs in another thread). */
export interface TaskReference {
  /** An absolute path or a file: URL of an ES module (or CommonJS file) the workers import. */
  module: string | URL;
  /** The export to call as (args, ctx). @default 'default' */
  export?: string;
}

export interface PoolOptions {
  /** Worker threads. @default 2 */
  threads?: number;
  /** Policy of the shared ready queue. @default 'deadline' */
  policy?: Policy;
  /** A task's time slice: past it, ctx.shouldYield() turns true when work of an equal or higher claim waits. @default 10 */
  quantumMs?: Duration;
  /**
   * How long a task may ignore a flag that asks it to stop (a more urgent task
   * needs its thread, it was cancelled, its timeoutMs ran out) before its
   * thread is terminated and replaced. Counted in the thread's own time (on
   * Linux: its CPU time while it runs, and its sleep while blocked past a
   * short allowance per stretch; never its wait for a CPU: src/pool/grace.ts),
   * so a loaded machine does not kill cooperative tasks. A task that ignores
   * its quantum (equal work waits) is never terminated for it.
   * @default 50
   */
  graceMs?: Duration;
  /**
   * How many times one task may be terminated to make room for more urgent
   * work (each time it resumes from its saved state, or restarts as a new
   * attempt). Past that it is left to finish: urgent work preempts another
   * task, or waits for it. Terminations never fail a task. The default puts
   * urgent work first: a never-yielding task under a stream of more urgent
   * work restarts each time (saveState() keeps its progress); a bound trades
   * urgent latency for its progress.
   * @default Infinity
   * @example new WorkerPool({ maxTerminations: 2 }) // a task is restarted for urgent work at most twice
   */
  maxTerminations?: number;
  /**
   * Warm spare threads: started and booted (core attached, task modules
   * loaded) but taking no tasks. When urgent work flags a running task, a
   * spare takes that worker's role at once and runs the urgent task while the
   * flagged one has its grace (the old thread is a spare again once its task
   * returns); a terminated or crashed worker is replaced at once. 0: urgent
   * work waits for the flagged task to return or be terminated, and
   * replacements boot on demand. A thread makes its `resource` when it first
   * serves a worker.
   * @default 1
   * @example new WorkerPool({ threads: 4, spareThreads: 0 }) // no idle thread; replacements boot on demand
   */
  spareThreads?: number;
  /**
   * Workers kept for the most urgent classes: they only take tasks of
   * `priority` or more urgent, so a background flood never occupies them.
   * @example { workers: 1, priority: 'high' } // one of the threads takes only critical and high tasks
   */
  reserved?: { workers: number; priority?: Priority };
  /** Per-worker resource: `factory(workerIndex)` runs once in each thread; tasks see the result as ctx.resource. */
  resource?: TaskReference;
  /** Passed to each worker thread (Piscina's resourceLimits): a worker over them dies, and its task's attempt fails. */
  resourceLimits?: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number; codeRangeSizeMb?: number; stackSizeMb?: number };
  /** Relative deadlines per class under the deadline policy. */
  deadlinesMs?: Partial<Record<PriorityName, Duration>>;
}

export interface ResolvedPoolOptions {
  readonly threads: number;
  readonly policy: Policy;
  readonly quantumMs: number;
  readonly graceMs: number;
  readonly maxTerminations: number;
  readonly spareThreads: number;
  readonly reservedWorkers: number;
  readonly reservedMaxClass: number;
  readonly resource: { readonly module: string; readonly name: string } | undefined;
  readonly resourceLimits: PoolOptions['resourceLimits'];
  readonly deadlinesMs: ReadonlyArray<readonly [number, number]>;
}

export interface PoolTaskOptions {
  /** Intent class. @default 'normal' */
  priority?: Priority;
  /** Fair-policy weight, exact (1024 = nice 0; 1:2:4 are 1024, 2048, 4096). @default 1024 */
  weight?: number;
  /** Fair-policy niceness, -20..19, an alternative to weight. */
  nice?: number;
  /** Attempts for a task that throws or whose worker crashes: a number, or RetryOptions. @default 1 */
  retry?: number | RetryOptions;
  /** Aborting it cancels the task: removed if queued; if running, its ctx.signal fires and it has graceMs to return. */
  signal?: AbortSignal;
  /**
   * Most time one attempt may run on workers (summed over its runs when it
   * yields; time spent queued does not count). Past it, ctx.shouldYield()
   * turns true and ctx.signal aborts; if the task has not returned graceMs
   * later its thread is terminated. The attempt fails with TaskTimeoutError
   * (ERR_TASK_TIMEOUT), retried per `retry` like any failed attempt.
   * @default undefined (no limit)
   * @example pool.run(render, scene, { timeoutMs: 2000 })
   */
  timeoutMs?: Duration;
}

export interface ResolvedPoolTaskOptions {
  readonly priorityClass: number;
  readonly weight: number;
  readonly retry: ResolvedRetry;
  readonly signal: AbortSignal | undefined;
  /** Infinity when unset. */
  readonly timeoutMs: number;
}

const POOL_KEYS = new Set(['threads', 'policy', 'quantumMs', 'graceMs', 'maxTerminations', 'spareThreads', 'reserved', 'resource', 'resourceLimits', 'deadlinesMs']);
const TASK_KEYS = new Set(['priority', 'weight', 'nice', 'retry', 'signal', 'timeoutMs']);
const LIMIT_KEYS = new Set(['maxOldGenerationSizeMb', 'maxYoungGenerationSizeMb', 'codeRangeSizeMb', 'stackSizeMb']);

// Linux's nice-to-weight table (assembly/keys.ts holds the same numbers).
const NICE_WEIGHTS = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991,
  1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];

function requireObject(name: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an options object, received ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

function requireKnownKeys(name: string, o: Record<string, unknown>, known: Set<string>): void {
  for (const key in o) {
    if (!known.has(key)) throw new InvalidArgumentError(`${name}.${key} is not a known option (known: ${[...known].join(', ')})`);
  }
}

function requireInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}, received ${describeValue(value)}`);
  }
  return value;
}

/** An absolute path or file: URL, as the file: URL string workers import. */
export function moduleUrl(name: string, value: unknown): string {
  if (value instanceof URL) {
    if (value.protocol !== 'file:') throw new InvalidArgumentError(`${name} must be a file: URL or an absolute path, received ${value.href}`);
    return value.href;
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidArgumentError(`${name} must be an absolute path or a file: URL of a module, received ${describeValue(value)}`);
  }
  if (value.startsWith('file:')) return new URL(value).href;
  if (!isAbsolute(value)) {
    throw new InvalidArgumentError(`${name} must be an absolute path or a file: URL (workers resolve nothing relative), received ${describeValue(value)}`);
  }
  return pathToFileURL(value).href;
}

export function resolveTaskReference(name: string, value: unknown): { module: string; name: string } {
  const o = requireObject(name, value);
  requireKnownKeys(name, o, new Set(['module', 'export']));
  const exported = o.export ?? 'default';
  if (typeof exported !== 'string' || exported.length === 0) {
    throw new InvalidArgumentError(`${name}.export must be a non-empty string, received ${describeValue(exported)}`);
  }
  return { module: moduleUrl(`${name}.module`, o.module), name: exported };
}

function positiveMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = parseDurationMs(name, value as Duration);
  if (!(ms > 0)) throw new InvalidArgumentError(`${name} must be > 0, received ${describeValue(value)}`);
  return ms;
}

export function resolvePoolOptions(options: unknown): ResolvedPoolOptions {
  const o = requireObject('options', options ?? {});
  requireKnownKeys('options', o, POOL_KEYS);
  const threads = o.threads === undefined ? 2 : requireInteger('options.threads', o.threads, 1, 256);
  const policy = o.policy ?? 'deadline';
  if (!POLICIES.includes(policy as Policy)) {
    throw new InvalidArgumentError(`options.policy must be one of ${POLICIES.join(', ')}, received ${describeValue(policy)}`);
  }
  let reservedWorkers = 0;
  let reservedMaxClass = 0;
  if (o.reserved !== undefined) {
    const r = requireObject('options.reserved', o.reserved);
    requireKnownKeys('options.reserved', r, new Set(['workers', 'priority']));
    reservedWorkers = requireInteger('options.reserved.workers', r.workers, 0, threads - 1);
    reservedMaxClass = r.priority === undefined ? 0 : priorityClass('options.reserved.priority', r.priority);
    if (reservedMaxClass === 4) throw new InvalidArgumentError("options.reserved.priority must be more urgent than 'background' (a worker reserved for every class is not reserved)");
  }
  let resourceLimits: PoolOptions['resourceLimits'];
  if (o.resourceLimits !== undefined) {
    const l = requireObject('options.resourceLimits', o.resourceLimits);
    requireKnownKeys('options.resourceLimits', l, LIMIT_KEYS);
    for (const key in l) {
      if (typeof l[key] !== 'number' || !((l[key] as number) > 0) || !Number.isFinite(l[key])) {
        throw new InvalidArgumentError(`options.resourceLimits.${key} must be a number > 0, received ${describeValue(l[key])}`);
      }
    }
    resourceLimits = Object.freeze({ ...l }) as PoolOptions['resourceLimits'];
  }
  const deadlines: Array<readonly [number, number]> = [];
  if (o.deadlinesMs !== undefined) {
    const d = requireObject('options.deadlinesMs', o.deadlinesMs);
    for (const key in d) deadlines.push([priorityClass('options.deadlinesMs key', key), parseDurationMs(`options.deadlinesMs.${key}`, d[key] as Duration)]);
  }
  return Object.freeze({
    threads,
    policy: policy as Policy,
    quantumMs: positiveMs('options.quantumMs', o.quantumMs, 10),
    graceMs: positiveMs('options.graceMs', o.graceMs, 50),
    maxTerminations:
      o.maxTerminations === undefined || o.maxTerminations === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : requireInteger('options.maxTerminations (or Infinity)', o.maxTerminations, 0, 1000),
    spareThreads: o.spareThreads === undefined ? 1 : requireInteger('options.spareThreads', o.spareThreads, 0, threads),
    reservedWorkers,
    reservedMaxClass,
    resource: o.resource === undefined ? undefined : Object.freeze(resolveTaskReference('options.resource', o.resource)),
    resourceLimits,
    deadlinesMs: Object.freeze(deadlines),
  });
}

/**
 * One shared resolved object per class, for tasks that set nothing but a
 * priority (most tasks). The objects are frozen, the array is not: a keyed
 * load from a frozen array stays a call to the KeyedLoadIC builtin in
 * optimized code (V8 11, Node 20), as in src/tasks/options.ts.
 */
const PRESETS: readonly ResolvedPoolTaskOptions[] = [0, 1, 2, 3, 4].map((priorityClass) =>
  Object.freeze({ priorityClass, weight: 1024, retry: resolveRetry(undefined), signal: undefined, timeoutMs: Number.POSITIVE_INFINITY }),
);
const DEFAULT_TASK_OPTIONS = PRESETS[2] as ResolvedPoolTaskOptions;

export function resolvePoolTaskOptions(options: unknown): ResolvedPoolTaskOptions {
  if (options === undefined) return DEFAULT_TASK_OPTIONS;
  const o = requireObject('options', options);
  const preset = onlyPriorityClass(o);
  if (preset >= 0) return PRESETS[preset] as ResolvedPoolTaskOptions;
  requireKnownKeys('options', o, TASK_KEYS);
  if (o.weight !== undefined && o.nice !== undefined) throw new InvalidArgumentError('options.nice and options.weight are alternatives: set one');
  let weight = 1024;
  if (o.weight !== undefined) {
    if (typeof o.weight !== 'number' || !(o.weight > 0) || !Number.isFinite(o.weight)) {
      throw new InvalidArgumentError(`options.weight must be a finite number > 0, received ${describeValue(o.weight)}`);
    }
    weight = o.weight;
  }
  if (o.nice !== undefined) weight = NICE_WEIGHTS[requireInteger('options.nice', o.nice, -20, 19) + 20] as number;
  const signal = o.signal;
  if (
    signal !== undefined &&
    (typeof signal !== 'object' || signal === null || typeof (signal as AbortSignal).aborted !== 'boolean' || typeof (signal as AbortSignal).addEventListener !== 'function')
  ) {
    throw new InvalidArgumentError(`options.signal must be an AbortSignal, received ${describeValue(signal)}`);
  }
  return Object.freeze({
    priorityClass: o.priority === undefined ? 2 : priorityClass('options.priority', o.priority),
    weight,
    retry: resolveRetry(o.retry),
    signal: signal as AbortSignal | undefined,
    timeoutMs: positiveMs('options.timeoutMs', o.timeoutMs, Number.POSITIVE_INFINITY),
  });
}
