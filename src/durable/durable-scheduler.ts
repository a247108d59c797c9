// Durable scheduling: the part of a Scheduler made with a `store`. It keeps
// the defined functions, writes registrations to the store (batched, resolved
// once durable), recovers on start, owns the store through its lease (one
// owner at a time, C6), and hands live tasks to LiveTasks, which runs each
// due slot as claim -> body -> completion (slot-attempt.ts), planning missed
// slots under each task's policy (missed-runs.ts). How a stored task becomes
// live (registered, re-registered, recovered) is adopt.ts.
//
// Owning the store (store-session.ts, lease-keeper.ts): the first write or
// start() acquires the store's lease; a second scheduler on the same store is
// refused with StoreLockedError naming the holder, or, as a standby, waits and
// takes over when the lease lapses or is released (then recovers, as after a
// crash). If this scheduler loses the lease (it was paused or cut off past it
// and another took over), its writes are refused by the store (fencing): it
// removes every live task, aborts the attempts in progress, reports
// `leaselost`, and either waits to take the store back (standby) or fails
// every later durable call with StoreLockedError.
//
// A store that cannot be opened or recovered (StoreCorruptError...) fails the
// same way: `ready` rejects, and every later durable call rejects with that
// error, writing nothing.
import { ClockWatch, type ClockWatchOptions } from '../time/clock-watch.js';
import type { Engine } from '../engine/engine.js';
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { AdmitFn } from '../constraints/slot-constraints.js';
import { AdmitHooks, AdmitNotDefinedError } from './admit-hooks.js';
import { adoptCreated, adoptRecovered, adoptStored } from './adopt.js';
import { DefinedFunctions } from './defined-functions.js';
import { StoreLockedError } from '../store/errors.js';
import type { LeaseHolder } from '../store/lease.js';
import type { ExecutionRecord, Json, TaskRecord } from '../store/records.js';
import { TaskEndedError } from '../errors.js';
import { withVouchedRecords } from '../store/validate.js';
import type { HistoryOptions, HistoryPage, PutStatus } from '../store/store.js';
import type { DurableFn } from './durable-context.js';
import { DurableEvent, type DurableEventDetails, type DurableEventType } from './durable-events.js';
import { FunctionNotDefinedError, TaskNotFoundError } from './errors.js';
import type { LeaseOptions } from './lease-keeper.js';
import { LiveTasks } from './live-tasks.js';
import type { LiveTask } from './live-task.js';
import { pruneStore, type Retention, retentionFailure, startRetention } from './retention.js';
import { isFenced } from './fenced-store.js';
import type { StoreSource } from './store-option.js';
import { MAX_REGISTRATIONS_PER_BATCH, StoreSession } from './store-session.js';
import { checkNoSlotLeft, checkPastSchedule, hasNoSlotLeft, refusedPastByMs } from './past-schedule.js';
import { allowsPast, type DurableTaskOptions, durableTaskRecord } from './task-options.js';
import { recoverTasks, type RecoveryReport } from './recovery.js';
import { queryTasksPage, resolveTasksQuery, type TasksPage, type TasksQuery } from './task-queries.js';
import { startSignal } from './start-signal.js';

export type { RecoveryReport } from './recovery.js';

export interface DurableOptions {
  source: StoreSource;
  /** ClockWatch options, or false to not watch the clock. */
  clockWatch: ClockWatchOptions | false;
  /** History retention, or false to keep every record. */
  retention: { maxAgeMs: number; intervalMs: number } | false;
  /** The store's lease: its duration, the heartbeat, and whether to wait for it as a standby. */
  lease: LeaseOptions;
  /** The largest params, metadata or saved state, as JSON text in UTF-8 bytes. */
  maxPayloadBytes: number;
  /** Whether a one-off `at` in the past runs now (true) or is refused (a task's own allowPast wins). */
  allowPast: boolean;
  /** An attempt's limit for tasks that set no timeoutMs, or null for none. */
  timeoutMs: number | null;
  /** The retry policy, as stored, of tasks that set no retry. */
  retry: Json;
  /** At most this many durable executions at once (an integer >= 1, or Infinity). */
  maxConcurrent: number;
}

export class DurableScheduler {
  readonly #engine: Engine;
  readonly #options: DurableOptions;
  readonly #functions = new DefinedFunctions();
  readonly #admitHooks = new AdmitHooks();
  #session: StoreSession;
  #tasks: LiveTasks;
  #recovery: Promise<RecoveryReport> | undefined;
  /** Resolves at the next start(), when recovery begins (runNow of a task only recovery makes live waits for it). */
  #started = startSignal();
  #watch: ClockWatch | undefined;
  #retention: Retention | undefined;

  constructor(engine: Engine, options: DurableOptions) {
    this.#engine = engine;
    this.#options = options;
    this.#session = this.#newSession();
    this.#tasks = this.#newTasks();
  }

  #newSession(): StoreSession {
    return new StoreSession(this.#options.source, this.#options.lease, {
      clock: this.#engine.clock,
      emit: (type, detail) => this.emit(type, detail),
      onLeaseLost: (holder) => this.#onLeaseLost(holder),
    });
  }

  #newTasks(): LiveTasks {
    return new LiveTasks({
      engine: this.#engine, functions: this.#functions, admitHooks: this.#admitHooks, session: this.#session, emit: (type, detail) => this.emit(type, detail),
      maxPayloadBytes: this.#options.maxPayloadBytes, timeoutMs: this.#options.timeoutMs, maxConcurrent: this.#options.maxConcurrent,
    });
  }

  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void {
    const events = this.#engine.events;
    if (events.wants(type)) events.dispatchEvent(new DurableEvent(type, detail));
  }

  // ---- functions ----

  define(name: string, fn: DurableFn): void {
    for (const task of this.#functions.define(name, fn)) this.#tasks.continueTask(task);
  }

  defineAdmit(name: string, fn: AdmitFn): void {
    for (const task of this.#admitHooks.define(name, fn)) this.#tasks.continueTask(task);
  }

  // ---- registration ----

  /**
   * Checks a registration and builds its record. Built from checked options
   * (params and metadata walked once), a record is valid by construction, so
   * one registration cannot fail the transaction it shares with the others of its tick.
   */
  #record(options: DurableTaskOptions, path: string, wallNowMs: number): TaskRecord {
    const record = durableTaskRecord(options, path, wallNowMs, this.#options.maxPayloadBytes, this.#options.retry);
    if (!this.#functions.has(record.functionName)) throw new FunctionNotDefinedError(record.functionName);
    const admit = record.constraints?.admit ?? null;
    if (admit !== null && this.#admitHooks.get(admit) === undefined) throw new AdmitNotDefinedError(admit);
    return record;
  }

  /** How far the registration's `at` is too far in the past to accept without a look at the store (see past-schedule.ts), or 0. */
  #pastByMs(options: DurableTaskOptions, record: TaskRecord, wallNowMs: number): number {
    const pastByMs = refusedPastByMs(record, wallNowMs);
    return pastByMs > 0 && !allowsPast(options, this.#options.allowPast) ? pastByMs : 0;
  }

  /**
   * One registration: written with the others of its tick (one transaction),
   * made live once committed. The hot path of registration (a new task): two
   * promises. Resolves to the task as stored: a registration of a task that
   * exists keeps what it had (see #adoptStored), so that record is read back.
   */
  scheduleOne(options: DurableTaskOptions): Promise<TaskRecord> {
    let record: TaskRecord;
    let pastByMs: number;
    try {
      this.#engine.assertAccepting('schedule');
      const wallNowMs = this.#engine.clock.wallNow();
      record = this.#record(options, 'schedule: options', wallNowMs);
      pastByMs = this.#pastByMs(options, record, wallNowMs);
    } catch (error) {
      return Promise.reject(error);
    }
    if (pastByMs > 0 || hasNoSlotLeft(record)) {
      // Rare: refused unless the store has this task with this same `at` (or schedule) already.
      return this.#session
        .owned()
        .then((store) =>
          pastByMs > 0 ? checkPastSchedule(record, pastByMs, 'schedule: options', store) : checkNoSlotLeft(record, 'schedule: options', store),
        )
        .then(() => this.#write(record));
    }
    return this.#write(record);
  }

  #write(record: TaskRecord): Promise<TaskRecord> {
    const session = this.#session;
    // A failed session refuses registrations with its error (owned() rejects with it).
    const batcher = session.failure === undefined ? session.writes?.registrations : undefined;
    const written = batcher === undefined ? session.owned().then(() => session.writes!.registrations.add(record)) : batcher.add(record);
    return written.then((status) => (status === 'created' ? adoptCreated(this.#tasks, record) : this.#adoptStored(session, record.id, status)));
  }

  /** Checks every registration, then writes them, one transaction per 10,000; resolves once all are durable, to the tasks as stored. */
  async scheduleMany(list: readonly DurableTaskOptions[]): Promise<TaskRecord[]> {
    this.#engine.assertAccepting('scheduleMany');
    const wallNowMs = this.#engine.clock.wallNow();
    const records = list.map((options, i) => this.#record(options, `scheduleMany: tasks[${i}]`, wallNowMs));
    const session = this.#session;
    const store = await session.owned();
    for (let i = 0; i < records.length; i++) {
      const pastByMs = this.#pastByMs(list[i] as DurableTaskOptions, records[i] as TaskRecord, wallNowMs);
      if (pastByMs > 0) await checkPastSchedule(records[i] as TaskRecord, pastByMs, `scheduleMany: tasks[${i}]`, store);
      if (hasNoSlotLeft(records[i] as TaskRecord)) await checkNoSlotLeft(records[i] as TaskRecord, `scheduleMany: tasks[${i}]`, store);
    }
    const statuses: PutStatus[] = [];
    for (let start = 0; start < records.length; start += MAX_REGISTRATIONS_PER_BATCH) {
      const batch = records.slice(start, start + MAX_REGISTRATIONS_PER_BATCH);
      // Checked as they were built (#record): the store need not check them again.
      for (const status of await withVouchedRecords(batch, () => store.putTasks(batch))) statuses.push(status);
    }
    // New tasks (the usual case) are made live at once; only a task the store had is read back.
    const stored: TaskRecord[] = [];
    let others: Array<Promise<void>> | undefined;
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as TaskRecord;
      const status = statuses[i] as PutStatus;
      if (status === 'created') {
        stored.push(adoptCreated(this.#tasks, record));
        continue;
      }
      stored.push(record);
      (others ??= []).push(this.#adoptStored(session, record.id, status).then((task) => void (stored[i] = task)));
    }
    if (others !== undefined) await Promise.all(others);
    return stored;
  }

  /** A registration of a task the store had, made live as adopt.ts says. */
  #adoptStored(session: StoreSession, id: string, status: PutStatus): Promise<TaskRecord> {
    return adoptStored(session, id, status, {
      description: this.#options.source.description,
      isCurrent: () => this.#session === session,
      tasks: () => this.#tasks,
    });
  }

  /** Cancels a durable task: recorded as cancelled, never run again. Resolves to whether it existed. */
  async unschedule(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError(`unschedule: id must be a non-empty string, received ${describeValue(id)}`);
    const store = await this.#session.owned();
    const updated = await store.updateTask(id, { status: 'cancelled', nextExecutionMs: null, updatedAtMs: this.#engine.clock.wallNow() });
    const task = this.#tasks.get(id);
    if (task !== undefined) this.#tasks.remove(task);
    return updated !== undefined;
  }

  /**
   * Runs a stored task once now, as a manual slot (MANUAL_SCHEDULE_VERSION)
   * beside its schedule, whose next slot and cadence stay as they were.
   * Resolves to the execution once its claim is committed (outcome
   * `running`); its end is in history() and the `slotcomplete` event. Before
   * start() it resolves once started (nothing runs before). Rejects with
   * TaskNotFoundError, TaskEndedError (completed, failed or cancelled),
   * FunctionNotDefinedError, or the store's error as the other calls do.
   */
  async runNow(id: string): Promise<ExecutionRecord> {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError(`runNow: id must be a non-empty string, received ${describeValue(id)}`);
    this.#engine.assertAccepting('runNow');
    // The signal of this start..stop, taken now: a stop() while the reads below wait rejects this one.
    const started = this.#started;
    const store = await this.#session.owned();
    const stored = await store.getTask(id);
    if (stored === undefined) throw new TaskNotFoundError(id, 'runNow');
    if (isEnded(stored)) throw new TaskEndedError(`runNow: task '${id}' is ${stored.status}; it runs no more`);
    let live = this.#tasks.get(id);
    if (live === undefined) {
      // Not live yet: recovery makes it so (a scheduler not started waits for start()).
      await started.promise;
      await this.#recovery;
      live = this.#tasks.get(id);
    }
    if (live === undefined || live.removed) {
      const now = await store.getTask(id);
      if (now === undefined) throw new TaskNotFoundError(id, 'runNow');
      throw new TaskEndedError(`runNow: task '${id}' is ${now.status}; it runs no more`);
    }
    if (!this.#functions.has(live.record.functionName)) throw new FunctionNotDefinedError(live.record.functionName, id);
    return this.#tasks.runNow(live);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return (await this.#session.opened()).getTask(id);
  }

  async tasks(query: TasksQuery | undefined): Promise<TasksPage> {
    const resolved = resolveTasksQuery(query);
    return queryTasksPage(await this.#session.opened(), resolved);
  }

  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    return (await this.#session.opened()).history(taskId, options);
  }

  // ---- lifecycle ----

  /** Recovery, once per start: owns the store (a standby waits), then re-enters every persisted task. */
  start(): Promise<RecoveryReport> {
    this.#recovery ??= this.#recover();
    this.#started.resolve();
    if (this.#options.clockWatch !== false && this.#watch === undefined) {
      this.#watch = new ClockWatch(this.#engine.clock, (event) => this.#tasks.onClockEvent(event), this.#options.clockWatch).start();
    }
    return this.#recovery;
  }

  async #recover(): Promise<RecoveryReport> {
    const session = this.#session;
    const tasks = this.#tasks;
    try {
      const store = await session.owned();
      const report = await recoverTasks({
        store,
        engine: this.#engine,
        backoff: tasks.backoff,
        wallNowMs: () => this.#engine.clock.wallNow(),
        isDefined: (name) => this.#functions.has(name),
        makeTask: (record) => tasks.make(record),
        emit: (type, detail) => this.emit(type, detail),
        adopt: (task) => adoptRecovered(tasks, task),
      });
      if (this.#options.retention !== false && this.#retention === undefined && this.#session === session) {
        const retention = this.#options.retention;
        this.#retention = startRetention(
          this.#engine.clock,
          (olderThanMs, stopped) => pruneStore(store, olderThanMs, stopped),
          retention,
          undefined,
          (failure) => {
            // A write refused by the lease is the lease keeper's to report (leaselost), as for every other write.
            const { operation, error } = retentionFailure(failure, 'pruneHistory');
            if (!isFenced(error)) this.emit('storeerror', { operation, error, retryInMs: retention.intervalMs });
          },
        );
      }
      return report;
    } catch (error) {
      // A store that cannot be opened or read (or another's): nothing more is written to it.
      if (this.#session === session) await session.fail(error as Error);
      throw error;
    }
  }

  get ready(): Promise<RecoveryReport> | undefined {
    return this.#recovery;
  }

  /**
   * Another scheduler took the store over: stop every durable task here (the
   * store refuses what they would still write). A standby waits to take the
   * store back, then recovers; otherwise every later call fails.
   */
  #onLeaseLost(holder: LeaseHolder | undefined): void {
    this.emit('leaselost', { holder });
    const lost = new StoreLockedError(this.#options.source.description, holder ?? { ownerId: 'none', host: 'none', pid: 0, epoch: 0, sinceMs: 0, expiresAtMs: 0 });
    this.#tasks.removeAll(lost);
    this.#retention?.stop();
    this.#retention = undefined;
    if (!this.#options.lease.standby) {
      void this.#session.fail(lost);
      return;
    }
    // A standby: this session is over (what it still writes is refused); a new one waits for the
    // store, then recovers what the other scheduler left, as after a crash.
    void this.#session.fail(lost, { close: true });
    this.#session = this.#newSession();
    this.#tasks = this.#newTasks();
    this.#recover().catch(() => {});
  }

  /** After the engine stopped: every write flushed, the lease released, timers disarmed, the store closed if the scheduler opened it. */
  async stop(): Promise<void> {
    this.#watch?.stop();
    this.#retention?.stop();
    this.#tasks.removeAll(undefined);
    const session = this.#session;
    const retention = this.#retention;
    // A later start() begins again: a new session (a path's store opened anew, the lease acquired anew), recovery, the clock watch.
    this.#session = this.#newSession();
    this.#tasks = this.#newTasks();
    this.#recovery = undefined;
    this.#started.stopped();
    this.#started = startSignal();
    this.#watch = undefined;
    this.#retention = undefined;
    await retention?.settled();
    await session.close();
  }

  /** Why the core task `handle` waits, when it is a durable task's wake-up for a deferred slot (describe()). */
  waitNote(handle: number): string | undefined {
    return this.#tasks.waitNote(handle);
  }

  /** For describe(): the concurrency slots held and the tasks waiting for one, in the order they will run. */
  slotsInfo(): { held: number; limit: number; waiting: Array<{ taskId: string; priority: LiveTask['record']['priority'] }> } {
    const slots = this.#tasks.slots;
    return { held: slots.held, limit: slots.limit, waiting: [...slots.waiters()].map((task) => ({ taskId: task.record.id, priority: task.record.priority })) };
  }

  /** For tests and describe(): live durable tasks. */
  get liveCount(): number {
    return this.#tasks.size;
  }
}

function isEnded(task: TaskRecord): boolean {
  return task.status === 'completed' || task.status === 'failed' || task.status === 'cancelled';
}
