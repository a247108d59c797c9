// Durable scheduling: the part of a Scheduler made with a `store`. It keeps
// the defined functions, writes registrations to the store (batched, resolved
// once durable), recovers on start, and runs each due slot as claim -> body ->
// completion (slot-attempt.ts), planning missed slots under each task's policy
// (missed-runs.ts).
//
// How a durable task meets the core: each live task has at most one core task
// at a time, a one-shot whose function is the shared #durableSlot. For a slot
// in the future it is a wake-up due at the slot (wall time turned into a
// delay on the monotonic clock); when it runs, the task is planned again from
// the wall clock: due slots are queued (or skipped by policy), and the first
// queued one runs as the next core task. So a wall clock that moved meanwhile
// never makes a slot start early (it is planned again, C4), and a late one
// goes through the missed-run policy. The core still orders everything that
// is ready, durable or not.
//
// Clock changes (ClockWatch): a jump or a wake re-plans every waiting task at
// once: a forward jump or a sleep makes slots due (the policy decides), a jump
// back re-arms wake-ups further away; slots at or below the high-water mark
// are never claimed again (the store refuses them).
import type { ClockWatchEvent } from '../clock-watch.js';
import { ClockWatch, type ClockWatchOptions } from '../clock-watch.js';
import type { CronSchedule } from '../cron.js';
import type { Engine } from '../engine/engine.js';
import * as L from '../../bindings/layout.generated.js';
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { DefinedFunctions } from './defined-functions.js';
import { type ResolvedTaskOptions, resolveTaskOptions } from '../options.js';
import { PRIORITY_NAMES, type PriorityName } from '../priorities.js';
import type { TaskContext } from '../task-context.js';
import type { TaskRecord } from '../store/records.js';
import type { ClaimRequest, ClaimResult, HistoryOptions, HistoryPage, SkipRequest, SkipResult, Store } from '../store/store.js';
import { WriteBatcher } from '../store/write-batcher.js';
import type { DurableFn } from './durable-context.js';
import { DurableEvent, type DurableEventDetails, type DurableEventType } from './durable-events.js';
import { FunctionNotDefinedError } from './errors.js';
import { LiveTask } from './live-task.js';
import { type PlanHost, planTask } from './plan-task.js';
import { firstSlotAfter } from './slots.js';
import { type Retention, startRetention } from './retention.js';
import { recordQueuedSkips, type SkipHost } from './skip-slots.js';
import { SlotAttempt } from './slot-attempt.js';
import { StoreBackoff } from './store-backoff.js';
import type { StoreSource } from './store-option.js';
import { type DurableTaskOptions, durableTaskRecord } from './task-options.js';
import { recoverTasks, type RecoveryReport } from './recovery.js';

export type { RecoveryReport } from './recovery.js';

export interface DurableOptions {
  source: StoreSource;
  /** ClockWatch options, or false to not watch the clock. */
  clockWatch: ClockWatchOptions | false;
  /** History retention, or false to keep every record. */
  retention: { maxAgeMs: number; intervalMs: number } | false;
}

/** The shared task options of each priority (durable tasks set nothing else in the core). */
const PRESETS = new Map(PRIORITY_NAMES.map((priority) => [priority, resolveTaskOptions({ priority })]));
function presetFor(priority: PriorityName): ResolvedTaskOptions {
  return PRESETS.get(priority) ?? resolveTaskOptions({ priority });
}

/** Registrations per transaction, at most (a WriteBatcher batch). */
const MAX_REGISTRATIONS_PER_BATCH = 10_000;

export class DurableScheduler {
  readonly #engine: Engine;
  readonly #options: DurableOptions;
  readonly #functions = new DefinedFunctions();
  /** Live tasks by id. */
  readonly #tasks = new Map<string, LiveTask>();
  /** Live tasks by the handle of their current core task. */
  readonly #byHandle = new Map<number, LiveTask>();
  readonly #cronCache = new Map<string, CronSchedule>();
  #store: Promise<Store> | undefined;
  #registrations: WriteBatcher<TaskRecord> | undefined;
  #claims: WriteBatcher<ClaimRequest, ClaimResult> | undefined;
  #skips: WriteBatcher<SkipRequest, SkipResult> | undefined;
  #recovery: Promise<RecoveryReport> | undefined;
  #watch: ClockWatch | undefined;
  #retention: Retention | undefined;
  readonly #attempt: SlotAttempt;
  readonly #backoff = new StoreBackoff();
  readonly #planHost: PlanHost = { emit: (type, detail) => this.emit(type, detail) };
  readonly #skipHost: SkipHost = {
    recordSkip: (request) => this.#skips!.add(request),
    emit: (type, detail) => this.emit(type, detail),
    patch: (task, patch) => this.#patch(task, patch),
    enter: (task, delayMs) => this.#enter(task, delayMs),
    continueTask: (task) => this.continueTask(task),
    backoff: this.#backoff,
    wallNowMs: () => this.#engine.clock.wallNow(),
  };
  /** The core task of every durable task (see the header). */
  readonly #durableSlot: (ctx: TaskContext) => Promise<void> | undefined;

  constructor(engine: Engine, options: DurableOptions) {
    this.#engine = engine;
    this.#options = options;
    // Named so: describe() and task events show durable tasks' core tasks as `durableSlot`.
    const durableSlot = (ctx: TaskContext) => this.#onDue(ctx);
    this.#durableSlot = durableSlot;
    this.#attempt = new SlotAttempt({
      engine,
      functions: this.#functions,
      store: () => this.#openStore(),
      claim: (request) => this.#claims!.add(request),
      emit: (type, detail) => this.emit(type, detail),
      continueTask: (task) => this.continueTask(task),
      enter: (task, delayMs) => this.#enter(task, delayMs),
      removeTask: (task) => this.#remove(task),
      reloadTask: (task) => this.#reload(task),
      backoff: this.#backoff,
    });
  }

  // ---- the store ----

  /** The store, opened once (a path's SqliteStore is imported and made here). */
  #openStore(): Promise<Store> {
    this.#store ??= this.#options.source.get().then(async (store) => {
      await store.open();
      this.#registrations = new WriteBatcher({ write: (tasks) => store.putTasks(tasks), maxBatchSize: MAX_REGISTRATIONS_PER_BATCH });
      this.#claims = new WriteBatcher({ write: (slots) => store.claim(slots) });
      this.#skips = new WriteBatcher({ write: (skips) => store.recordSkipped(skips) });
      return store;
    });
    return this.#store;
  }

  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void {
    const events = this.#engine.events;
    if (events.wants(type)) events.dispatchEvent(new DurableEvent(type, detail));
  }

  // ---- functions ----

  define(name: string, fn: DurableFn): void {
    for (const task of this.#functions.define(name, fn)) this.continueTask(task);
  }

  // ---- registration ----

  /**
   * Checks a registration and builds its record. Built from checked options
   * (params and metadata walked once), a record is valid by construction, so
   * one registration cannot fail the transaction it shares with the others of its tick.
   */
  #record(options: DurableTaskOptions, path: string, wallNowMs: number): TaskRecord {
    const record = durableTaskRecord(options, path, wallNowMs);
    if (!this.#functions.has(record.functionName)) throw new FunctionNotDefinedError(record.functionName);
    return record;
  }

  /**
   * One registration: written with the others of its tick (one transaction),
   * made live once committed. The hot path of registration: two promises.
   */
  scheduleOne(options: DurableTaskOptions): Promise<TaskRecord> {
    let record: TaskRecord;
    try {
      this.#engine.assertAccepting('schedule');
      record = this.#record(options, 'schedule: options', this.#engine.clock.wallNow());
    } catch (error) {
      return Promise.reject(error);
    }
    const batcher = this.#registrations;
    const written = batcher === undefined ? this.#openStore().then(() => this.#registrations!.add(record)) : batcher.add(record);
    return written.then(() => {
      this.#adopt(record);
      return record;
    });
  }

  /** Checks every registration, then writes them, one transaction per 10,000; resolves once all are durable. */
  async scheduleMany(list: readonly DurableTaskOptions[]): Promise<TaskRecord[]> {
    this.#engine.assertAccepting('scheduleMany');
    const wallNowMs = this.#engine.clock.wallNow();
    const records = list.map((options, i) => this.#record(options, `scheduleMany: tasks[${i}]`, wallNowMs));
    const store = await this.#openStore();
    for (let start = 0; start < records.length; start += MAX_REGISTRATIONS_PER_BATCH) {
      await store.putTasks(records.slice(start, start + MAX_REGISTRATIONS_PER_BATCH));
    }
    for (const record of records) this.#adopt(record);
    return records;
  }

  /** Makes a just-written record live (replacing a live task of the same id). */
  #adopt(record: TaskRecord): void {
    const existing = this.#tasks.get(record.id);
    if (existing !== undefined) {
      this.#remove(existing);
      // The store merged the record (schedule version, high-water mark): read it back before running.
      const task = new LiveTask(record, this.#cronCache);
      this.#tasks.set(record.id, task);
      this.#reload(task);
      return;
    }
    const task = new LiveTask(record, this.#cronCache);
    this.#tasks.set(record.id, task);
    this.continueTask(task);
  }

  /** Cancels a durable task: recorded as cancelled, never run again. Resolves to whether it existed. */
  async unschedule(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError(`unschedule: id must be a non-empty string, received ${describeValue(id)}`);
    const store = await this.#openStore();
    const updated = await store.updateTask(id, { status: 'cancelled', nextExecutionMs: null, updatedAtMs: this.#engine.clock.wallNow() });
    const task = this.#tasks.get(id);
    if (task !== undefined) this.#remove(task);
    return updated !== undefined;
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return (await this.#openStore()).getTask(id);
  }

  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    return (await this.#openStore()).history(taskId, options);
  }

  // ---- lifecycle ----

  /** Recovery, once: opens the store and re-enters every persisted task. */
  start(): Promise<RecoveryReport> {
    this.#recovery ??= this.#recover();
    if (this.#options.clockWatch !== false && this.#watch === undefined) {
      this.#watch = new ClockWatch(this.#engine.clock, (event) => this.#onClockEvent(event), this.#options.clockWatch).start();
    }
    return this.#recovery;
  }

  async #recover(): Promise<RecoveryReport> {
    const store = await this.#openStore();
    const report = await recoverTasks({
      store,
      wallNowMs: () => this.#engine.clock.wallNow(),
      isDefined: (name) => this.#functions.has(name),
      makeTask: (record) => new LiveTask(record, this.#cronCache),
      emit: (type, detail) => this.emit(type, detail),
      adopt: (task) => {
        // schedule() made the same id live before or during recovery: that one is newer, but the dead
        // process's unfinished attempts recovery found (retries queued on `task`) still go to it.
        const live = this.#tasks.get(task.record.id);
        if (live !== undefined) {
          live.queue.unshift(...task.queue);
          if (task.queue.length > 0 && !live.running) {
            this.#dropCoreTask(live);
            this.continueTask(live);
          }
          return;
        }
        this.#tasks.set(task.record.id, task);
        this.continueTask(task);
      },
    });
    if (this.#options.retention !== false && this.#retention === undefined) {
      this.#retention = startRetention(this.#engine.clock, store, this.#options.retention);
    }
    return report;
  }

  get ready(): Promise<RecoveryReport> | undefined {
    return this.#recovery;
  }

  /** After the engine stopped: every write flushed, timers disarmed, the store closed if the scheduler opened it. */
  async stop(): Promise<void> {
    this.#watch?.stop();
    this.#retention?.stop();
    for (const task of this.#tasks.values()) task.removed = true;
    this.#tasks.clear();
    this.#byHandle.clear();
    const opened = this.#store;
    const retention = this.#retention;
    // A later start() begins again: a store opened anew (a path's), recovery, the clock watch.
    this.#store = undefined;
    this.#recovery = undefined;
    this.#watch = undefined;
    this.#retention = undefined;
    // A store that never opened (a corrupt file...) has nothing to flush or close; its error went to `ready`.
    const store = await opened?.catch(() => undefined);
    if (store === undefined) return;
    await this.#registrations?.flush();
    await this.#claims?.flush();
    await this.#skips?.flush();
    await retention?.settled();
    if (this.#options.source.owned) await store.close();
  }

  // ---- slots ----

  /**
   * The task has no core task: plan it from the wall clock and enter its next
   * core task (a due run now, or a wake-up at its next slot), or end it.
   */
  continueTask(task: LiveTask): void {
    if (task.removed || task.handle !== 0 || task.running) return;
    if (!this.#functions.has(task.record.functionName)) {
      this.#waitForDefinition(task);
      return;
    }
    const wallNowMs = this.#engine.clock.wallNow();
    this.#repairFixedDelayNext(task, wallNowMs);
    if (task.queue.length === 0) {
      // The common case (a fresh registration, a recovered task that missed nothing): its next slot is ahead.
      const nextMs = this.#nextSlot(task);
      if (nextMs !== null && nextMs > wallNowMs) {
        this.#enter(task, nextMs - wallNowMs);
        return;
      }
      planTask(task, wallNowMs, this.#planHost);
    }
    if (task.queue.length > 0) {
      this.#enter(task, 0);
      return;
    }
    const nextMs = this.#nextSlot(task);
    if (nextMs === null) {
      this.#end(task);
      return;
    }
    this.#enter(task, nextMs - wallNowMs);
  }

  /**
   * A fixed-delay task's next slot comes from when its last run ended, so only
   * the store holds it. One at or below the decided slots was never written
   * after its slot was skipped (a crash between the skip record and the task
   * update): the next one is a delay from now, as the skip would have set it.
   */
  #repairFixedDelayNext(task: LiveTask, wallNowMs: number): void {
    const { record } = task;
    if (record.scheduleKind !== 'fixed-delay' || record.nextExecutionMs === null || record.nextExecutionMs > task.lastSlotMs) return;
    record.nextExecutionMs = Math.round(wallNowMs + (record.periodMs as number));
    this.#patch(task, { nextExecutionMs: record.nextExecutionMs });
  }

  /** The first slot after the decided ones (a fixed-delay task's next slot is its stored one). */
  #nextSlot(task: LiveTask): number | null {
    return firstSlotAfter(task, task.lastSlotMs);
  }

  /** Enters the task's next core task, due in delayMs (monotonic). */
  #enter(task: LiveTask, delayMs: number): void {
    if (task.removed) return;
    const options = presetFor(task.record.priority);
    const handle = this.#engine.register(this.#durableSlot, options, L.KIND_ONCE, Math.max(0, delayMs), 0);
    task.handle = handle;
    this.#byHandle.set(handle, task);
  }

  /** A durable task's core task woke up: plan it, or run its first queued slot. */
  #onDue(ctx: TaskContext): Promise<void> | undefined {
    const task = this.#byHandle.get(ctx.handle);
    if (task === undefined) return undefined;
    this.#byHandle.delete(ctx.handle);
    task.handle = 0;
    if (task.removed) return undefined;
    const run = task.queue[0];
    // A wake-up: plan again from the wall clock.
    if (run === undefined) {
      this.continueTask(task);
      return undefined;
    }
    if (run.start === 'skip') return recordQueuedSkips(task, this.#skipHost);
    // A queued slot whose time has not come on the wall clock (it went back): wait for it (C4).
    const earlyByMs = run.start === 'claim' ? run.nominalMs - this.#engine.clock.wallNow() : 0;
    if (earlyByMs > 0) {
      this.#enter(task, earlyByMs);
      return undefined;
    }
    task.queue.shift();
    return this.#attempt.run(task, run, ctx);
  }

  #waitForDefinition(task: LiveTask): void {
    if (this.#functions.wait(task) && this.#engine.events.wants('taskundefined')) {
      const name = task.record.functionName;
      this.emit('taskundefined', { taskId: task.record.id, functionName: name, error: new FunctionNotDefinedError(name, task.record.id) });
    }
  }

  /** Every slot is done: the task is completed (unless already ended). */
  #end(task: LiveTask): void {
    this.#remove(task);
    if (task.record.status === 'pending' || task.record.status === 'running') {
      this.#patch(task, { status: 'completed', nextExecutionMs: null });
    }
  }

  #remove(task: LiveTask): void {
    task.removed = true;
    if (this.#tasks.get(task.record.id) === task) this.#tasks.delete(task.record.id);
    this.#dropCoreTask(task);
  }

  /** Cancels the task's waiting core task (a wake-up, or a queued run not started), if it has one. */
  #dropCoreTask(task: LiveTask): void {
    if (task.handle === 0) return;
    this.#byHandle.delete(task.handle);
    if (this.#engine.core.exports.taskState(task.handle) >= 0) this.#engine.controls.cancel(task.handle);
    task.handle = 0;
  }

  /** Reads the task back from the store (its schedule changed there) and continues it. */
  #reload(task: LiveTask): void {
    task.removed = true;
    void this.#openStore()
      .then((store) => store.getTask(task.record.id))
      .then(
        (record) => {
          if (this.#tasks.get(task.record.id) === task) this.#tasks.delete(task.record.id);
          if (record === undefined || record.status !== 'pending' || this.#tasks.has(record.id)) return;
          const fresh = new LiveTask(record, this.#cronCache);
          this.#tasks.set(record.id, fresh);
          this.continueTask(fresh);
        },
        (error: unknown) => this.emit('storeerror', { operation: 'getTask', error, retryInMs: 0 }),
      );
  }

  /** A best-effort task update (the next recovery re-derives what a lost one said). */
  #patch(task: LiveTask, patch: Parameters<Store['updateTask']>[1]): void {
    void this.#openStore()
      .then((store) => store.updateTask(task.record.id, { ...patch, updatedAtMs: this.#engine.clock.wallNow() }))
      .catch((error: unknown) => this.emit('storeerror', { operation: 'updateTask', error, retryInMs: 0 }));
  }

  // ---- clock changes ----

  #onClockEvent(event: ClockWatchEvent): void {
    this.emit('clockjump', event);
    // Every task waiting on a wake-up is planned again from the new wall time.
    for (const task of [...this.#tasks.values()]) {
      if (task.running || task.handle === 0 || task.queue.length > 0) continue;
      this.#dropCoreTask(task);
      this.continueTask(task);
    }
  }

  /** For tests and describe(): live durable tasks. */
  get liveCount(): number {
    return this.#tasks.size;
  }
}
