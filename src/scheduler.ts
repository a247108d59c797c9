// The Scheduler facade: validates, resolves options once into frozen objects,
// and delegates to the engine (src/engine.ts) and the core. It holds no
// ordering logic of its own.
import * as L from '../bindings/layout.generated.js';
import { NotLoadedError, mustBe } from '../bindings/errors.js';
import { type DurableFn, DurableFunction } from './durable/durable-context.js';
import type { RecoveryReport } from './durable/durable-scheduler.js';
import type { DurableSide } from './durable/durable-side.js';
import type { ClusterProcess } from './store/cluster.js';
import { ClusterModeError, NoStoreError } from './durable/errors.js';
import type { DurableTaskOptions } from './durable/task-options.js';
import type { TasksPage, TasksQuery } from './durable/task-queries.js';
import type { ExecutionRecord, Json, TaskRecord } from './store/records.js';
import type { HistoryOptions, HistoryPage } from './store/store.js';
import type { CalendarPeriod } from './time/calendar-period.js';
import type { AdmitFn } from './constraints/slot-constraints.js';
import type { DescribeOptions, SchedulerDescription } from './describe.js';
import { dateMs, type Duration, isCalendarPeriod, parseDurationMs, requirePositive } from './time/duration.js';
import type { Engine, LifecycleState, TaskFn } from './engine/engine.js';
import { newEngine } from './engine/new-engine.js';
import { SchedulerEvents } from './events.js';
import { type TaskOptions, resolveTaskOptions } from './tasks/options.js';
import { type ResolvedSchedulerOptions, type SchedulerOptions, readSchedulerOptions, refuseDurableOnlyOptions, resolveSchedulerOptions } from './tasks/scheduler-options.js';
import { durableFactory, part } from './parts/load.js';
import { requireFunction, type TaskContext } from './tasks/task-context.js';
import { registerCron, registerEvery, registerRecurring } from './repeating-tasks.js';
import { TaskRegistrar } from './task-registrar.js';
import type { TaskHandle } from './tasks/task-handle.js';
import type { CronOptions, EveryOptions, RecurringOptions } from './time/wall-plans.js';
import type { TracerLike } from './tracing.js';
import { type SchedulerStats, schedulerStats } from './scheduler-stats.js';
import { readStopOptions, type StopOptions } from './stop-options.js';

export type { CronOptions, EveryOptions, RecurringOptions } from './time/wall-plans.js';
export type { SchedulerStats } from './scheduler-stats.js';
export type { StopOptions } from './stop-options.js';

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
  readonly #durable: DurableSide | undefined;
  /** options.tracer: each registration wraps its function when set (tracing.ts). */
  readonly #tracer: TracerLike | undefined;
  /** Typed task events: taskstart, taskfinish, taskfail, taskretry, taskinterrupt, taskoverrun, taskskip. */
  readonly events = new SchedulerEvents();
  /** How a task is registered, past run()'s fast path; every(), recurring() and cron() past their plain forms too (task-registrar.ts). */
  readonly #registrar: TaskRegistrar;

  constructor(options: SchedulerOptions = {}) {
    // Read once: the durable options see the same values, and no getter twice.
    const given = readSchedulerOptions(options);
    // Tracing is a part of its own (src/parts/load.ts): with the package in Node, on demand in a browser.
    this.#options = resolveSchedulerOptions(given, (tracer) => part('tracing', 'new Scheduler: options.tracer').resolveTracer(tracer));
    this.#tracer = this.#options.tracer;
    // Traced, each registering method wraps its function first (tracing.ts: own properties, so that the
    // shared methods carry no tracing code, which kept run() and TaskRegistrar.register() small enough to inline).
    if (this.#tracer !== undefined) part('tracing', 'new Scheduler').traceRegistrations(this, Scheduler.prototype, this.#tracer, () => this.#engine);
    this.#engine = newEngine(this.#options, this.events);
    this.#registrar = new TaskRegistrar(this.#engine);
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

  #requireStore(operation: string): DurableSide {
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

  /** Runs fn as soon as it is its turn. */
  run<R, S = unknown>(fn: TaskFn<R, S>, options?: TaskOptions): TaskHandle<R> {
    // TaskRegistrar.register() for the kind most tasks are, with its branches taken out.
    if (typeof fn !== 'function') requireFunction('run: fn', fn);
    const engine = this.#engine;
    engine.assertAccepting('run');
    const id = engine.registerReady(fn as TaskFn, resolveTaskOptions(options));
    return engine.track(id, false).handle<R>(id);
  }

  /** Runs fn once, delayMs from now (a number of ms or a duration like '5m'). */
  after<R, S = unknown>(delayMs: Duration, fn: TaskFn<R, S>, options?: TaskOptions): TaskHandle<R> {
    // TaskRegistrar.register() for a one-shot timer, with its branches taken out (as run()):
    // small enough that V8 inlines the whole registration into after().
    const ms = parseDurationMs('delayMs', delayMs);
    if (typeof fn !== 'function') requireFunction('after: fn', fn);
    const engine = this.#engine;
    engine.assertAccepting('after');
    const id = engine.registerAfter(fn as TaskFn, resolveTaskOptions(options), ms);
    return engine.track(id, false).handle<R>(id);
  }

  /**
   * Runs fn once at a wall-clock date (now if it is in the past): a Date, or
   * ms since the epoch within a Date's range (±8.64e15), at most
   * MAX_DURATION_MS (1e15 ms, about 31,688 years) from now.
   */
  at<R, S = unknown>(date: Date | number, fn: TaskFn<R, S>, options?: TaskOptions): TaskHandle<R> {
    const wallNowMs = this.#engine.clock.wallNow();
    const delayMs = Math.max(0, dateMs('at: date', date, wallNowMs) - wallNowMs);
    return this.#registrar.register('at', fn, options, L.KIND_ONCE, delayMs, 0);
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
      return this.#registrar.register('every', fn, options, L.KIND_FIXED_RATE, period, period);
    }
    return registerEvery(this.#registrar, periodMs, fn, options);
  }

  /**
   * Runs fn repeatedly with delayMs between the end of one run and the start
   * of the next; `constraints` as every()'s. The first run is delayMs from
   * now, or at `startAt` (at once when startAt is past); no run starts after
   * `endAt`: the task then ends, as after maxRuns / maxExecutions. With a
   * window the delay is counted on the wall clock, as every()'s slots are.
   * InvalidScheduleWindowError when endAt is before startAt, in the past, or
   * before the first run.
   * @example scheduler.recurring('10m', sync, { startAt: mondayAt8, endAt: fridayAt18 })
   */
  recurring<R, S = unknown>(delayMs: Duration, fn: TaskFn<R, S>, options?: RecurringOptions): TaskHandle<R> {
    const delay = requirePositive('delayMs', delayMs);
    if (typeof options !== 'object' || options === null || !('constraints' in options || 'startAt' in options || 'endAt' in options)) {
      return this.#registrar.register('recurring', fn, options, L.KIND_FIXED_DELAY, delay, delay);
    }
    return registerRecurring(this.#registrar, delay, fn, options);
  }

  /**
   * Runs fn at every instant matching a cron expression, read in
   * options.timezone (croner does the calendar); none before options.startAt,
   * none after options.endAt (the task then ends, as after maxRuns).
   */
  cron<R, S = unknown>(expression: string, fn: TaskFn<R, S>, options: CronOptions = {}): TaskHandle<R> {
    return registerCron(this.#registrar, expression, fn, options);
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
    if (!Array.isArray(tasks)) throw mustBe('scheduleMany: tasks', 'an array', tasks);
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
   * FunctionNotDefinedError, NoStoreError without a store. In cluster mode
   * the run is a row due at once that any process of the cluster may claim
   * (once); it resolves when one did, here or elsewhere.
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
   * Cluster mode (`{ store, cluster: true }`): every process of the cluster,
   * with its lease, by the store's clock, and how many slots it runs.
   * Rejects with ClusterModeError on a scheduler not in cluster mode.
   * @example for (const p of await scheduler.cluster()) console.log(p.host, p.pid, p.running, new Date(p.expiresAtMs));
   */
  async cluster(): Promise<ClusterProcess[]> {
    const durable = this.#requireStore('cluster');
    if (durable.cluster === undefined) throw new ClusterModeError('cluster: this scheduler is not in cluster mode (new Scheduler({ store, cluster: true }))');
    return durable.cluster();
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
    let read: ReturnType<typeof readStopOptions>;
    try {
      read = readStopOptions(options);
    } catch (error) {
      return Promise.reject(error);
    }
    const stopped = this.#engine.stop(read.drain, read.drainTimeoutMs);
    const durable = this.#durable;
    return durable === undefined ? stopped : stopped.then(() => durable.stop());
  }

  // ---- observability ----

  /** Totals over every task, read from the core's counters. */
  stats(): SchedulerStats {
    return schedulerStats(this.#engine);
  }

  /** Every queued task and why each waiting one is not running; `.toString()` reads as text, JSON.stringify as data. */
  describe(options: DescribeOptions = {}): SchedulerDescription {
    const durable = this.#durable;
    const constrained = this.#registrar.constrained;
    return part('describe', 'describe').describeScheduler(this.#engine, options, (id) => constrained?.noteOf(id) ?? durable?.waitNote(id), durable?.slotsInfo());
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
    return this.#engine.bookOf(id).handleOf(id);
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
