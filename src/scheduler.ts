// The Scheduler facade: validates, resolves options once into frozen objects,
// and delegates to the engine (src/engine.ts) and the core. It holds no
// ordering logic of its own.
import { Core, type CoreCounters } from '../bindings/core.js';
import * as L from '../bindings/layout.generated.js';
import { describeValue, InvalidArgumentError, NotLoadedError } from '../bindings/errors.js';
import { type DurableFn, DurableFunction } from './durable/durable-context.js';
import type { DurableScheduler, RecoveryReport } from './durable/durable-scheduler.js';
import { NoStoreError } from './durable/errors.js';
import type { DurableTaskOptions } from './durable/task-options.js';
import type { TasksPage, TasksQuery } from './durable/task-queries.js';
import type { ExecutionRecord, Json, TaskRecord } from './store/records.js';
import type { HistoryOptions, HistoryPage } from './store/store.js';
import { CalendarSchedule } from './time/calendar.js';
import { type CalendarPeriod, isCalendarPeriod, resolveCalendarPeriod } from './time/calendar-period.js';
import type { CronDstOptions, CronSchedule } from './time/cron.js';
import { ConstrainedTasks } from './constraints/constrained-task.js';
import type { AdmitFn, SlotConstraints } from './constraints/slot-constraints.js';
import { type DescribeOptions, type SchedulerDescription, describeScheduler } from './describe.js';
import { dateMs, type Duration, parseDurationMs } from './time/duration.js';
import { Engine, type LifecycleState, type TaskFn } from './engine/engine.js';
import { SchedulerEvents } from './events.js';
import {
  type ResolvedSchedulerOptions, type SchedulerOptions, TASK_OPTION_KEYS, type TaskOptions, readSchedulerOptions, refuseDurableOnlyOptions,
  resolveSchedulerOptions, resolveTaskOptions,
} from './tasks/options.js';
import { cronScheduleClass, durableFactory } from './parts/load.js';
import { readOptions } from './tasks/read-options.js';
import { realClock } from './time/real-clock.js';
import { requireFunction, type TaskContext } from './tasks/task-context.js';
import { TaskHandle } from './tasks/task-handle.js';
import {
  FixedGridSchedule, noSlotInWindow, resolveScheduleWindow, type ScheduleWindowOptions, type WallSchedule, WindowedSchedule,
} from './time/schedule-window.js';
import { type TracerLike, wrapTask } from './tracing.js';

export interface CronOptions extends TaskOptions, ScheduleWindowOptions {
  /** IANA time zone the expression is read in. @default 'UTC' */
  timezone?: string;
  /**
   * What runs when a clock change skips or repeats local times (see CronDstOptions).
   * @default { gap: 'run-at-first-valid', overlap: 'once' }
   * @example { timezone: 'Europe/London', dst: { overlap: 'both' } }
   */
  dst?: CronDstOptions;
  /**
   * Which runs may happen (working hours, blackouts, maxPerDay, an admit
   * function), judged when each starts: a refused one is skipped (a
   * `taskskip` event with the reason) or deferred (`inadmissible: 'defer'`).
   * Zone: `constraints.timezone`, else `timezone`.
   * @default every run happens
   * @example { workingHours: { from: '09:00', to: '17:00' }, timezone: 'Europe/Paris', maxPerDay: 4 }
   */
  constraints?: SlotConstraints<AdmitFn>;
}

/** Options of every(): a task's options, its start and end, and for a calendar interval its zone and DST policy. */
export interface EveryOptions extends TaskOptions, ScheduleWindowOptions {
  /**
   * The IANA time zone whose calendar a calendar interval (`{ days: 1 }`,
   * `{ weeks: 1 }`, `{ months: 1 }`) is read in. Refused with a duration
   * ('1d' is 24 h of elapsed time in every zone).
   * @default 'UTC'
   * @example scheduler.every({ days: 1 }, backup, { startAt: Date.parse('2026-03-01T09:00:00+01:00'), timezone: 'Europe/Paris' })
   */
  timezone?: string;
  /**
   * What a calendar interval runs when a clock change skips or repeats its
   * local time (as cron's, see CronDstOptions).
   * @default { gap: 'run-at-first-valid', overlap: 'once' }
   */
  dst?: CronDstOptions;
  /** As cron's: which runs may happen, judged when each starts (see CronOptions.constraints). @default every run happens */
  constraints?: SlotConstraints<AdmitFn>;
}

const CRON_OPTION_KEYS = [...TASK_OPTION_KEYS, 'timezone', 'dst', 'startAt', 'endAt', 'constraints'];

export interface StopOptions {
  /** Wait for running work to finish (refusing new work meanwhile). Otherwise running runs are aborted. @default true */
  drain?: boolean;
  /**
   * With drain: the longest wait. Runs still in flight then have their signal
   * aborted with SchedulerStoppedError, as with `drain: false`, and stop()
   * resolves. @default no limit
   */
  timeoutMs?: Duration;
}

export interface SchedulerStats extends CoreCounters {
  /** Tasks registered since the scheduler was made. */
  scheduled: number;
  /** Runs started. */
  executed: number;
  /** Runs that threw, rejected or timed out. */
  failed: number;
  /** Failed runs that were retried. */
  retried: number;
  /** Runs interrupted and requeued (they resume later with their saved state). */
  interrupted: number;
  /** Async runs aborted by their timeoutMs. */
  timeouts: number;
  /** Async runs in flight right now. */
  inflight: number;
  state: LifecycleState;
  /**
   * Bytes of WebAssembly memory the scheduler's core holds. It grows with the
   * most tasks held at once (64 bytes a task, 76 for a timer with its own delay, with at most a sixteenth unused) and never shrinks while
   * tasks live; once the scheduler has held no task for a second (longer,
   * up to a minute, while bursts keep coming back), a core that grew past a
   * few MB is replaced by a fresh one and the memory given back.
   */
  memoryBytes: number;
}

/**
 * Schedules work on the current thread: one-shot, delayed, periodic and cron
 * tasks, ordered by the WebAssembly core under a policy, run in time slices
 * that yield to the host event loop.
 *
 * @example
 * const scheduler = new Scheduler();
 * scheduler.every('20ms', () => drawFrame(), { priority: 'critical' });
 * scheduler.run(async (ctx) => { for (const x of items) { work(x); if (ctx.shouldYield()) await ctx.yield(); } });
 * scheduler.start();
 */
export class Scheduler {
  readonly #engine: Engine;
  readonly #options: ResolvedSchedulerOptions;
  readonly #durable: DurableScheduler | undefined;
  /** Made at the first task with constraints. */
  #constrained: ConstrainedTasks | undefined;
  /** options.tracer: each registration wraps its function when set (tracing.ts). */
  readonly #tracer: TracerLike | undefined;
  /** Typed task events: taskstart, taskfinish, taskfail, taskretry, taskinterrupt, taskoverrun, taskskip. */
  readonly events = new SchedulerEvents();

  constructor(options: SchedulerOptions = {}) {
    // Read once: the durable options see the same values, and no getter twice.
    const given = readSchedulerOptions(options);
    this.#options = resolveSchedulerOptions(given);
    this.#tracer = this.#options.tracer;
    // Traced, each registering method wraps its function first: own properties, so that the shared
    // methods carry no tracing code. A tracer branch in run() and #register() made them too large for
    // V8 to inline into a caller's loop, and every options object was then allocated (1e5 run()s: 39 ->
    // 80 ms of CPU, bisected to 994b79e). Wrapped before the constraints, so a refused run makes no span.
    if (this.#tracer !== undefined) {
      const tracer = this.#tracer;
      const wrap = <F>(fn: F): F => (typeof fn === 'function' ? (wrapTask(this.#engine, tracer, fn as TaskFn) as F) : fn);
      const proto = Scheduler.prototype;
      this.run = (fn, options) => proto.run.call(this, wrap(fn), options) as never;
      this.after = (delayMs, fn, options) => proto.after.call(this, delayMs, wrap(fn), options) as never;
      this.at = (date, fn, options) => proto.at.call(this, date, wrap(fn), options) as never;
      this.every = (periodMs, fn, options) => proto.every.call(this, periodMs, wrap(fn), options) as never;
      this.recurring = (delayMs, fn, options) => proto.recurring.call(this, delayMs, wrap(fn), options) as never;
      this.cron = (expression, fn, options) => proto.cron.call(this, expression, wrap(fn), options) as never;
    }
    const core = new Core();
    core.setPolicy(this.#options.policy);
    core.setQuantum(this.#options.quantumMs);
    for (const [cls, ms] of this.#options.deadlinesMs) core.setClassDeadline(cls, ms);
    this.#engine = new Engine(core, this.#options.clock ?? realClock, this.#options, this.events);
    // The durable layer is a part of its own (src/parts/load.ts): loaded with the package in Node, on demand in a browser.
    const makeDurable = durableFactory();
    if (makeDurable !== undefined) {
      this.#durable = makeDurable(this.#engine, given);
    } else if (given.store !== undefined) {
      throw new NotLoadedError('new Scheduler: options.store needs the durable layer, not loaded yet: in a browser build, await load({ durable: true }) once first');
    } else {
      refuseDurableOnlyOptions(given);
    }
  }

  #noStore(operation: string): NoStoreError {
    return new NoStoreError(`${operation}: this scheduler has no store; make it with new Scheduler({ store: 'jobs.db' }) or { store: someStore }`);
  }

  #requireStore(operation: string): DurableScheduler {
    if (this.#durable === undefined) throw this.#noStore(operation);
    return this.#durable;
  }

  get state(): LifecycleState {
    return this.#engine.state;
  }

  get policy(): ResolvedSchedulerOptions['policy'] {
    return this.#options.policy;
  }

  // ---- registration ----

  #register<R>(
    operation: string, fn: TaskFn<R>, options: TaskOptions | undefined, kind: number, delayMs: number, periodMs: number, cron?: WallSchedule,
    endsByItself = false,
  ): TaskHandle<R> {
    // The name is built only for the error: this runs for every task.
    if (typeof fn !== 'function') requireFunction(`${operation}: fn`, fn);
    this.#engine.assertAccepting(operation);
    const resolved = resolveTaskOptions(options);
    const engine = this.#engine;
    const id = engine.register(fn as TaskFn, resolved, kind, delayMs, periodMs, cron);
    // A periodic or cron task without maxRuns or endAt never ends by itself (onIdle does not wait for it).
    return new TaskHandle<R>(engine.track(id, (kind !== L.KIND_ONCE || cron !== undefined) && resolved.maxRuns === 0 && !endsByItself), id);
  }

  /** `fn` judged by slot constraints at each run (constrained-task.ts), or fn itself without them. */
  #constrain<R, S>(
    operation: string, fn: TaskFn<R, S>, constraints: unknown, timezone: string | undefined, nextSlotAfter: (afterMs: number) => number | null,
    endAtMs: number | null = null,
  ): TaskFn<R, S> {
    if (constraints === undefined) return fn;
    if (typeof fn !== 'function') requireFunction(`${operation}: fn`, fn);
    this.#constrained ??= new ConstrainedTasks(this.#engine);
    return this.#constrained.constrain(`${operation}: options.constraints`, fn, constraints, timezone, nextSlotAfter, endAtMs);
  }

  /** Runs fn as soon as it is its turn. */
  run<R, S = unknown>(fn: TaskFn<R, S>, options?: TaskOptions): TaskHandle<R> {
    // #register() for the kind most tasks are, with its branches taken out.
    if (typeof fn !== 'function') requireFunction('run: fn', fn);
    const engine = this.#engine;
    engine.assertAccepting('run');
    const id = engine.registerReady(fn as TaskFn, resolveTaskOptions(options));
    return new TaskHandle<R>(engine.track(id, false), id);
  }

  /** Runs fn once, delayMs from now (a number of ms or a duration like '5m'). */
  after<R, S = unknown>(delayMs: Duration, fn: TaskFn<R, S>, options?: TaskOptions): TaskHandle<R> {
    return this.#register('after', fn, options, L.KIND_ONCE, parseDurationMs('delayMs', delayMs), 0);
  }

  /**
   * Runs fn once at a wall-clock date (now if it is in the past): a Date, or
   * ms since the epoch within a Date's range (±8.64e15), at most
   * MAX_DURATION_MS (1e15 ms, about 31,688 years) from now.
   */
  at<R, S = unknown>(date: Date | number, fn: TaskFn<R, S>, options?: TaskOptions): TaskHandle<R> {
    const wallNowMs = this.#engine.clock.wallNow();
    const delayMs = Math.max(0, dateMs('at: date', date, wallNowMs) - wallNowMs);
    return this.#register('at', fn, options, L.KIND_ONCE, delayMs, 0);
  }

  /**
   * Runs fn every periodMs at a fixed rate: the cadence is kept; a run that
   * overruns its period is counted and the ticks it missed are skipped, never
   * run in a burst. The first run is one period from now, or at `startAt`.
   *
   * The period is a duration ('7d' is 7 × 24 h of elapsed time) or a calendar
   * interval (`{ days: 1 }`, `{ weeks: 1 }`, `{ months: 1 }`), read on the
   * calendar of options.timezone: the local time of day is kept across
   * daylight saving, and a month keeps its anchor's day (the month's last day
   * when shorter: see CalendarPeriod). With a calendar interval, startAt or
   * endAt, the slots are wall-clock instants, as a cron task's: the grid is
   * anchored on startAt (else on now) and each next slot is found on the wall
   * clock after a run ends. endAt (no slot after it) ends the task as
   * maxRuns does. InvalidScheduleWindowError when they leave no slot.
   * @example scheduler.every('7d', maintain, { startAt: nextSundayMidnight, endAt: endOfYear })
   * @example scheduler.every({ months: 1 }, invoice, { startAt: Date.parse('2026-01-31T09:00:00+01:00'), timezone: 'Europe/Paris' })
   */
  every<R, S = unknown>(periodMs: Duration | CalendarPeriod, fn: TaskFn<R, S>, options?: EveryOptions): TaskHandle<R> {
    if (options === undefined && !isCalendarPeriod(periodMs)) {
      const period = requirePositive('periodMs', periodMs);
      return this.#register('every', fn, options, L.KIND_FIXED_RATE, period, period);
    }
    if (typeof options !== 'object' && options !== undefined) {
      throw new InvalidArgumentError(`every: options must be an options object, received ${describeValue(options)}`);
    }
    const { timezone, dst, startAt, endAt, constraints, ...taskOptions } = readOptions(options ?? {}, 'options', CRON_OPTION_KEYS, ['dst', 'retry', 'constraints']) as EveryOptions;
    const calendar = isCalendarPeriod(periodMs);
    if (!calendar && (timezone !== undefined || dst !== undefined)) {
      throw new InvalidArgumentError(
        `every: options.timezone and options.dst apply only to a calendar interval such as { days: 1 }; the duration ${describeValue(periodMs)} is a fixed length of elapsed time`,
      );
    }
    if (!calendar && startAt === undefined && endAt === undefined) {
      const period = requirePositive('periodMs', periodMs);
      const run = this.#constrain('every', fn, constraints, undefined, (afterMs) => afterMs + period);
      return this.#register('every', run, taskOptions, L.KIND_FIXED_RATE, period, period);
    }
    const wallNowMs = this.#engine.clock.wallNow();
    const window = resolveScheduleWindow('every: options', startAt, endAt, wallNowMs);
    const anchorMs = window.startAtMs ?? wallNowMs;
    const grid: WallSchedule = calendar
      ? new CalendarSchedule(resolveCalendarPeriod('periodMs', periodMs), anchorMs, { timezone, dst })
      : new FixedGridSchedule(anchorMs, requirePositive('periodMs', periodMs));
    const schedule = window.endAtMs === null ? grid : new WindowedSchedule(grid, window);
    // startAt is the first slot (a slot at now runs now); without it the anchor is now and the first slot one period on.
    const nextMs = schedule.nextRunAfter(window.startAtMs === null ? wallNowMs : wallNowMs - 1);
    if (nextMs === null) throw noSlotInWindow('every', schedule, window);
    const run = this.#constrain('every', fn, constraints, timezone, (afterMs) => schedule.nextRunAfter(afterMs), window.endAtMs);
    return this.#register('every', run, taskOptions, L.KIND_ONCE, Math.max(0, nextMs - wallNowMs), 0, schedule, window.endAtMs !== null);
  }

  /**
   * Runs fn repeatedly with delayMs between the end of one run and the start
   * of the next (first run after delayMs); `constraints` as every()'s.
   */
  recurring<R, S = unknown>(delayMs: Duration, fn: TaskFn<R, S>, options?: TaskOptions & { constraints?: SlotConstraints<AdmitFn> }): TaskHandle<R> {
    const delay = requirePositive('delayMs', delayMs);
    if (typeof options !== 'object' || options === null || !('constraints' in options)) return this.#register('recurring', fn, options, L.KIND_FIXED_DELAY, delay, delay);
    const { constraints, ...taskOptions } = readOptions(options, 'options', [...TASK_OPTION_KEYS, 'constraints'], ['retry', 'constraints']);
    const run = this.#constrain('recurring', fn, constraints, undefined, (afterMs) => afterMs + delay);
    return this.#register('recurring', run, taskOptions, L.KIND_FIXED_DELAY, delay, delay);
  }

  /**
   * Runs fn at every instant matching a cron expression, read in
   * options.timezone (croner does the calendar); none before options.startAt,
   * none after options.endAt (the task then ends, as after maxRuns).
   */
  cron<R, S = unknown>(expression: string, fn: TaskFn<R, S>, options: CronOptions = {}): TaskHandle<R> {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`cron: options must be an options object, received ${describeValue(options)}`);
    }
    const { timezone, dst, startAt, endAt, constraints, ...taskOptions } = readOptions(options, 'options', CRON_OPTION_KEYS, ['dst', 'retry', 'constraints']) as CronOptions;
    const cron: CronSchedule = new (cronScheduleClass('cron'))(expression, { timezone, dst });
    const wallNowMs = this.#engine.clock.wallNow();
    const window = resolveScheduleWindow('cron: options', startAt, endAt, wallNowMs);
    const schedule = window.startAtMs === null && window.endAtMs === null ? cron : new WindowedSchedule(cron, window);
    const nextMs = schedule.nextRunAfter(wallNowMs);
    if (nextMs === null && schedule !== cron) throw noSlotInWindow('cron', schedule, window);
    if (nextMs === null) throw new InvalidArgumentError(`cron: '${expression}' has no future run`);
    const run = this.#constrain('cron', fn, constraints, timezone, (afterMs) => schedule.nextRunAfter(afterMs), window.endAtMs);
    return this.#register('cron', run, taskOptions, L.KIND_ONCE, Math.max(0, nextMs - wallNowMs), 0, schedule, window.endAtMs !== null);
  }

  // ---- durable tasks (with a store) ----

  /**
   * Names an admit hook that durable tasks' `constraints.admit` refer to (a
   * stored task keeps the name, never the function: define it at every start,
   * as with define()). It answers true to admit a slot, or false or a reason
   * (recorded in the history) to refuse it. Throws NoStoreError without a store.
   * @example
   * scheduler.defineAdmit('notOnHolidays', ({ atMs }) => !holidays.has(new Date(atMs).toISOString().slice(0, 10)) || 'public holiday');
   * await scheduler.schedule({ fn: 'sync', every: '1h', constraints: { admit: 'notOnHolidays' } });
   */
  defineAdmit(name: string, fn: AdmitFn): void {
    this.#requireStore('defineAdmit').defineAdmit(name, fn);
  }

  /**
   * Names a function that durable tasks run: a persisted task stores the name
   * and its JSON params, never the function. Define every name before
   * start(); a task naming an undefined one waits (record intact) until it is
   * defined. Throws NoStoreError without a store.
   * Returns a reference to pass as `schedule({ fn })`, which type-checks the
   * task's params against fn's first parameter.
   * @example
   * const sendReport = scheduler.define('sendReport', async ({ to }: { to: string }, ctx) => mail(to, await report()));
   * await scheduler.schedule({ fn: sendReport, params: { to: 'ops' }, cron: '0 3 * * *' });
   */
  define<Params extends Json = Json>(name: string, fn: DurableFn<Params>): DurableFunction<Params> {
    this.#requireStore('define').define(name, fn as DurableFn);
    return new DurableFunction<Params>(name);
  }

  /**
   * Registers a durable task and resolves once its record is committed (with
   * synchronous=FULL, fsynced): from then on it survives a crash. Calls made
   * in the same tick share one transaction. Rejects with InvalidArgumentError,
   * UnstorablePayloadError (params), FunctionNotDefinedError, StoreFullError.
   * @example await scheduler.schedule({ id: 'nightly', fn: 'sendReport', params: { to: 'ops' }, cron: '0 3 * * *', timezone: 'Europe/Paris' });
   */
  schedule<Params extends Json = Json>(options: DurableTaskOptions<Params>): Promise<TaskRecord> {
    const durable = this.#durable;
    if (durable === undefined) return Promise.reject(this.#noStore('schedule'));
    return durable.scheduleOne(options);
  }

  /** Registers many durable tasks, one transaction per 10,000, resolving once all are committed. Nothing is written if one is invalid. */
  async scheduleMany(tasks: readonly DurableTaskOptions[]): Promise<TaskRecord[]> {
    if (!Array.isArray(tasks)) throw new InvalidArgumentError(`scheduleMany: tasks must be an array, received ${describeValue(tasks)}`);
    return this.#requireStore('scheduleMany').scheduleMany(tasks);
  }

  /** Cancels a durable task (recorded as cancelled; it never runs again). Resolves to whether it existed. */
  async unschedule(id: string): Promise<boolean> {
    return this.#requireStore('unschedule').unschedule(id);
  }

  /**
   * Runs a durable task once now, recorded in its history as its own
   * execution, a manual slot (`scheduleVersion` 0, `nominalMs` when it was
   * asked for; see isManualSlot), without disturbing its schedule: the next
   * slot and the cadence stay. The run counts as an execution (toward
   * maxExecutions), retries by the task's policy, and is recovered after a
   * crash like any other. Resolves once the run is claimed (committed), to
   * its execution record (outcome `running`); its end shows in history()
   * and the `slotcomplete` event. Rejects with TaskNotFoundError,
   * TaskEndedError (the task completed, failed or was cancelled),
   * FunctionNotDefinedError, NoStoreError without a store.
   * @example const { id } = await scheduler.runNow('nightly');
   */
  async runNow(id: string): Promise<ExecutionRecord> {
    return this.#requireStore('runNow').runNow(id);
  }

  /** A durable task's record as stored (status, next and last execution, count, last error), or undefined. */
  async getTask(id: string): Promise<TaskRecord | undefined> {
    return this.#requireStore('getTask').getTask(id);
  }

  /**
   * Durable tasks matching the filters (status, owner module, name, next slot
   * before a time), a page at a time in task id order, each with its stored
   * fields (createdAtMs, updatedAtMs, nextExecutionMs, executionCount,
   * lastError, description, ownerModule, metadata...) and its last execution
   * (time and outcome). Pass a page's `cursor` to get the next one: a task
   * that exists and matches throughout is in exactly one page, whatever is
   * added or removed meanwhile. Rejects with InvalidArgumentError for a bad
   * filter, InvalidCursorError for a cursor tasks() did not give, NoStoreError
   * without a store.
   * @example
   * let page = await scheduler.tasks({ status: 'failed', ownerModule: 'billing' });
   * while (page.cursor !== null) page = await scheduler.tasks({ status: 'failed', ownerModule: 'billing', cursor: page.cursor });
   */
  async tasks(query?: TasksQuery): Promise<TasksPage> {
    return this.#requireStore('tasks').tasks(query);
  }

  /**
   * A durable task's executions, newest first, a page at a time: one record
   * per slot (succeeded, failed, skipped with its reason, interrupted, running).
   * @example const { executions, next } = await scheduler.history('nightly', { limit: 20 });
   */
  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    return this.#requireStore('history').history(taskId, options);
  }

  /**
   * Resolves once the store is open and every persisted task has been
   * recovered (after start()), with what recovery found; rejects with the
   * store's error (StoreCorruptError...). Undefined before start() or without a store.
   */
  get ready(): Promise<RecoveryReport> | undefined {
    return this.#durable?.ready;
  }

  // ---- lifecycle ----

  /**
   * Starts dispatching. Nothing runs before start(). With a store, it also
   * starts recovery (see `ready`): persisted tasks are re-entered, runs left
   * unfinished by a crash are retried, missed runs follow their policy.
   */
  start(): this {
    this.#engine.start();
    if (this.#durable !== undefined) {
      // A failed recovery is reported through `ready`; nothing else may see it unhandled.
      this.#durable.start().catch(() => {});
    }
    return this;
  }

  /** Stops dispatching until resume(); tasks can still be registered. */
  pause(): void {
    this.#engine.pause();
  }

  resume(): void {
    this.#engine.resume();
  }

  /** Stops dispatching and refuses new work. With drain (the default) it waits for running work first. */
  stop(options: StopOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      return Promise.reject(new InvalidArgumentError(`stop: options must be an object, received ${describeValue(options)}`));
    }
    const drain = options.drain ?? true;
    let drainTimeoutMs: number | undefined;
    try {
      if (options.timeoutMs !== undefined) {
        if (!drain) throw new InvalidArgumentError('stop: options.timeoutMs bounds a drain; with drain: false nothing is waited for');
        drainTimeoutMs = parseDurationMs('stop: options.timeoutMs', options.timeoutMs);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const stopped = this.#engine.stop(drain, drainTimeoutMs);
    const durable = this.#durable;
    return durable === undefined ? stopped : stopped.then(() => durable.stop());
  }

  // ---- observability ----

  /** Totals over every task, read from the core's counters. */
  stats(): SchedulerStats {
    const c = this.#engine.core.counters();
    return {
      ...c,
      scheduled: c.registered,
      executed: c.starts,
      failed: c.failures,
      retried: c.retries,
      interrupted: c.preemptions,
      timeouts: this.#engine.counters.timeouts,
      inflight: this.#engine.inflight,
      state: this.#engine.state,
      memoryBytes: this.#engine.core.memoryBytes,
    };
  }

  /** Every queued task and why each waiting one is not running; `.toString()` reads as text, JSON.stringify as data. */
  describe(options: DescribeOptions = {}): SchedulerDescription {
    const durable = this.#durable;
    const constrained = this.#constrained;
    return describeScheduler(this.#engine, options, (id) => constrained?.noteOf(id) ?? durable?.waitNote(id), durable?.slotsInfo());
  }

  /** The TaskContext of the task whose code is running right now, if any (see Engine.currentContext). */
  currentContext(): TaskContext | undefined {
    return this.#engine.currentContext();
  }

  /**
   * A handle of a live task id (from an event or describe()): it acts on the
   * same task as the one its registration returned and shares its `done`
   * promise. TaskEndedError if it has ended.
   */
  task(id: number): TaskHandle {
    this.#engine.controls.liveState(id, 'task');
    return new TaskHandle(this.#engine.bookOf(id), id);
  }

  /**
   * Resolves once nothing is left that ends by itself: no one-shot task (run,
   * after, at, with its retries) and no task with maxRuns is live, and no run
   * is ready or in progress (async runs, ctx.yield() and ctx.sleep()
   * included). A periodic or cron task without maxRuns never ends, so it
   * holds onIdle back only while one of its runs is ready or running. Paused
   * tasks and a paused or unstarted scheduler hold it back; stop() resolves it.
   * @example for (const file of files) scheduler.run(() => index(file)); await scheduler.onIdle();
   */
  onIdle(): Promise<void> {
    return this.#engine.onIdle();
  }
}

function requirePositive(name: string, value: Duration): number {
  const ms = parseDurationMs(name, value);
  if (ms === 0) throw new InvalidArgumentError(`${name} must be > 0, received ${describeValue(value)}`);
  return ms;
}
