// The durable side of a Scheduler in cluster mode (`{ store, cluster: true }`):
// one process of many sharing a cluster-capable store. Registration writes
// the task's record and offers its first slot as a pending row; a
// ClusterRunner claims and runs due rows (any process's) from start() to
// stop(). There is no one-owner lease, no recovery pass and no live task per
// registration here: the rows are the schedule, and a process that dies has
// its rows rescued by the others (docs/design/cluster.md).
//
// Registration is two writes (the record, then the offer). A crash between
// them leaves a pending task without a row; every start() offers the next
// slot of each pending task that has none (offers are refused as `open-slot`
// where a row exists), so such a task runs once any process starts again. A
// store that can tell which tasks have no row (unofferedTasks) is asked for
// those only; another is read whole.
//
// Retention (the `retention` option) runs here as under one owner, from
// start() to stop(), in bounded rounds one process at a time (cluster-retention.ts).
import { describeValue, InvalidArgumentError } from '../../../bindings/errors.js';
import type { AdmitFn } from '../../constraints/slot-constraints.js';
import type { Engine } from '../../engine/engine.js';
import type { ClusterProcess, ClusterStore } from '../../store/cluster.js';
import type { ExecutionRecord, TaskRecord } from '../../store/records.js';
import { StoreError } from '../../store/errors.js';
import type { HistoryOptions, HistoryPage, Store } from '../../store/store.js';
import { AdmitHooks } from '../admit-hooks.js';
import { DefinedFunctions } from '../defined-functions.js';
import type { DurableFn } from '../durable-context.js';
import { DurableEvent, type DurableEventDetails, type DurableEventType } from '../durable-events.js';
import type { DurableOptions, RecoveryReport } from '../durable-scheduler.js';
import { FunctionNotDefinedError, TaskNotFoundError } from '../errors.js';
import { TaskEndedError } from '../../errors.js';
import { newOwnerIdentity } from '../owner-identity.js';
import { checkPastSchedule, refusedPastByMs } from '../past-schedule.js';
import { MAX_REGISTRATIONS_PER_BATCH } from '../store-session.js';
import { allowsPast, type DurableTaskOptions, durableTaskRecord } from '../task-options.js';
import { queryTasksPage, resolveTasksQuery, type TasksPage, type TasksQuery } from '../task-queries.js';
import { ClusterRunner } from './cluster-runner.js';
import type { ResolvedCluster } from './cluster-options.js';
import { startSignal } from '../start-signal.js';
import { type Retention, retentionFailure, startRetention } from '../retention.js';
import { pruneInRounds } from './cluster-retention.js';

type ClusterCapable = Store & ClusterStore;

/** The store and its runner, for one start..stop. */
interface Session {
  store: ClusterCapable;
  runner: ClusterRunner;
}

export class ClusterDurable {
  readonly #engine: Engine;
  readonly #options: DurableOptions;
  readonly #cluster: ResolvedCluster;
  readonly #functions = new DefinedFunctions();
  readonly #admitHooks = new AdmitHooks();
  #session: Promise<Session> | undefined;
  /** The runner of the current session, once made (describe()). */
  #runner: ClusterRunner | undefined;
  #ready: Promise<RecoveryReport> | undefined;
  /** History retention of the current start..stop, once started (after registering). */
  #retention: { retention: Retention; stopped: boolean } | undefined;
  /** Resolved by start(): a runNow() before it waits. */
  #started = startSignal();

  constructor(engine: Engine, options: DurableOptions, cluster: ResolvedCluster) {
    this.#engine = engine;
    this.#options = options;
    this.#cluster = cluster;
  }

  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void {
    const events = this.#engine.events;
    if (events.wants(type)) events.dispatchEvent(new DurableEvent(type, detail));
  }

  /** The store opened and a runner made for it (not started): once per start..stop. */
  #opened(): Promise<Session> {
    this.#session ??= (async () => {
      const store = (await this.#options.source.get()) as ClusterCapable;
      await store.open();
      const identity = await newOwnerIdentity();
      const { ttlMs, heartbeatMs } = this.#options.lease;
      const runner = new ClusterRunner(
        { engine: this.#engine, functions: this.#functions, admitHooks: this.#admitHooks, store, emit: (type, detail) => this.emit(type, detail) },
        {
          ...identity, version: this.#cluster.version, leaseMs: ttlMs, heartbeatMs, pollMs: this.#cluster.pollMs, skewWarnMs: this.#cluster.skewWarnMs,
          localQueue: this.#cluster.localQueue,
          maxConcurrent: this.#options.maxConcurrent, timeoutMs: this.#options.timeoutMs, maxPayloadBytes: this.#options.maxPayloadBytes,
        },
      );
      this.#runner = runner;
      return { store, runner };
    })();
    return this.#session;
  }

  define(name: string, fn: DurableFn): void {
    this.#functions.define(name, fn);
    // Rows of this function may be due and waiting for a process that has it.
    void this.#session?.then(({ runner }) => runner.claimNow(), () => {});
  }

  defineAdmit(name: string, fn: AdmitFn): void {
    this.#admitHooks.define(name, fn);
  }

  /** Checks a registration and builds its record (see DurableScheduler#record); its constraints are judged at each slot's claim. */
  #record(options: DurableTaskOptions, path: string, wallNowMs: number): TaskRecord {
    const record = durableTaskRecord(options, path, wallNowMs, this.#options.maxPayloadBytes, this.#options.retry);
    if (!this.#functions.has(record.functionName)) throw new FunctionNotDefinedError(record.functionName);
    return record;
  }

  scheduleOne(options: DurableTaskOptions): Promise<TaskRecord> {
    return this.scheduleMany([options], 'schedule: options').then((stored) => stored[0] as TaskRecord);
  }

  /** Checks every registration, then writes the records (one transaction per 10,000) and offers each pending task's next slot. */
  async scheduleMany(list: readonly DurableTaskOptions[], path?: string): Promise<TaskRecord[]> {
    this.#engine.assertAccepting(path === undefined ? 'scheduleMany' : 'schedule');
    const wallNowMs = this.#engine.clock.wallNow();
    const at = (i: number) => path ?? `scheduleMany: tasks[${i}]`;
    const records = list.map((options, i) => this.#record(options, at(i), wallNowMs));
    const { store, runner } = await this.#opened();
    for (let i = 0; i < records.length; i++) {
      const record = records[i] as TaskRecord;
      const pastByMs = refusedPastByMs(record, wallNowMs);
      if (pastByMs > 0 && !allowsPast(list[i] as DurableTaskOptions, this.#options.allowPast)) await checkPastSchedule(record, pastByMs, at(i), store);
    }
    if (store.registerTasks !== undefined) return this.#register(store, runner, records);
    const stored: TaskRecord[] = [];
    for (let start = 0; start < records.length; start += MAX_REGISTRATIONS_PER_BATCH) {
      const batch = records.slice(start, start + MAX_REGISTRATIONS_PER_BATCH);
      const statuses = await store.putTasks(batch);
      for (let i = 0; i < batch.length; i++) {
        // A task the store had keeps its next slot, count and mark: its next slot is offered from the stored record.
        const record = statuses[i] === 'created' ? (batch[i] as TaskRecord) : await store.getTask((batch[i] as TaskRecord).id);
        if (record === undefined) {
          throw new StoreError(`${this.#options.source.description}: task '${(batch[i] as TaskRecord).id}' vanished after its registration was committed`);
        }
        stored.push(record);
      }
    }
    await runner.offerFirst(stored.filter((record) => record.status === 'pending'));
    return stored;
  }

  /**
   * The records and their first rows in one transaction per batch where the store can (registerTasks: when every
   * record is new); the first row of a task the store had is offered from its stored record, as above.
   */
  async #register(store: ClusterCapable, runner: ClusterRunner, records: readonly TaskRecord[]): Promise<TaskRecord[]> {
    const register = store.registerTasks!.bind(store);
    const stored: TaskRecord[] = [];
    let offered = false;
    for (let start = 0; start < records.length; start += MAX_REGISTRATIONS_PER_BATCH) {
      const batch = records.slice(start, start + MAX_REGISTRATIONS_PER_BATCH);
      const result = await register(batch, (now) => runner.firstOffers(now.filter((record): record is TaskRecord => record?.status === 'pending')));
      for (const [i, record] of result.stored.entries()) {
        if (record === undefined) {
          throw new StoreError(`${this.#options.source.description}: task '${(batch[i] as TaskRecord).id}' vanished after its registration was committed`);
        }
        stored.push(record);
      }
      offered ||= result.offers.length > 0;
    }
    if (offered) runner.claimNow();
    return stored;
  }

  /** Cancels a task: its pending row is dropped by the next claim; a run in progress ends on its own. */
  async unschedule(id: string): Promise<boolean> {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError(`unschedule: id must be a non-empty string, received ${describeValue(id)}`);
    const { store } = await this.#opened();
    return (await store.updateTask(id, { status: 'cancelled', nextExecutionMs: null, updatedAtMs: this.#engine.clock.wallNow() })) !== undefined;
  }

  /**
   * A manual run as a row any process may claim (ClusterRunner#runNow),
   * checked as on one owner; before start() it waits for it. Resolves once
   * a process claimed the row, to its execution.
   */
  async runNow(id: string): Promise<ExecutionRecord> {
    if (typeof id !== 'string' || id.length === 0) throw new InvalidArgumentError(`runNow: id must be a non-empty string, received ${describeValue(id)}`);
    this.#engine.assertAccepting('runNow');
    // The signal of this start..stop, taken now: a stop() while the reads below wait rejects this one.
    const started = this.#started;
    const { store, runner } = await this.#opened();
    const stored = await store.getTask(id);
    if (stored === undefined) throw new TaskNotFoundError(id, 'runNow');
    if (stored.status === 'completed' || stored.status === 'failed' || stored.status === 'cancelled') {
      throw new TaskEndedError(`runNow: task '${id}' is ${stored.status}; it runs no more`);
    }
    if (!this.#functions.has(stored.functionName)) throw new FunctionNotDefinedError(stored.functionName, id);
    await started.promise;
    await this.#ready;
    return runner.runNow(stored);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    return (await this.#opened()).store.getTask(id);
  }

  async tasks(query: TasksQuery | undefined): Promise<TasksPage> {
    const resolved = resolveTasksQuery(query);
    return queryTasksPage((await this.#opened()).store, resolved);
  }

  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    return (await this.#opened()).store.history(taskId, options);
  }

  /** The cluster's processes and their leases. */
  async cluster(): Promise<ClusterProcess[]> {
    return (await this.#opened()).runner.cluster();
  }

  /** Registers this process, offers the missing rows of pending tasks (see the header), and claims until stop(). */
  start(): Promise<RecoveryReport> {
    this.#ready ??= this.#start();
    this.#started.resolve();
    return this.#ready;
  }

  async #start(): Promise<RecoveryReport> {
    const startedMs = this.#engine.clock.now();
    const session = this.#opened();
    const { store, runner } = await session;
    await runner.start();
    // Not once a stop() began (it ended this session): its retention would outlive it.
    if (this.#session === session) this.#startRetention(store);
    let tasks = 0;
    if (store.unofferedTasks !== undefined && store.liveTaskCount !== undefined) {
      // Only the tasks that need it: N processes starting beside 10,000 tasks made N passes over all of them, each
      // offer refused as open-slot, with the task rows locked against the claims the others were making meanwhile.
      for await (const batch of store.unofferedTasks()) await runner.offerFirst(batch);
      tasks = await store.liveTaskCount();
    } else {
      for await (const batch of store.loadTasks()) {
        for (const record of batch) if (record.status === 'pending' || record.status === 'running') tasks++;
        await runner.offerFirst(batch.filter((record) => record.status === 'pending'));
      }
    }
    return {
      tasks, interrupted: 0, retried: 0, failed: 0, superseded: 0, undefinedFunctions: [], invalidTasks: [],
      durationMs: this.#engine.clock.now() - startedMs,
    };
  }

  /** Prunes as one owner does (retention.ts); a failed round is a `storeerror`, and the next interval tries again. */
  #startRetention(store: ClusterCapable): void {
    const options = this.#options.retention;
    if (options === false || this.#retention !== undefined) return;
    const state = { retention: undefined as unknown as Retention, stopped: false };
    state.retention = startRetention(
      this.#engine.clock,
      (olderThanMs) => pruneInRounds(store, olderThanMs, () => state.stopped),
      options,
      undefined,
      (failure) => this.emit('storeerror', { ...retentionFailure(failure, 'pruneHistoryRound'), retryInMs: options.intervalMs }),
    );
    this.#retention = state;
  }

  get ready(): Promise<RecoveryReport> | undefined {
    return this.#ready;
  }

  /** After the engine stopped (drained): gives back what never started, leaves the cluster, closes the store if the scheduler opened it. */
  async stop(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    this.#runner = undefined;
    const ready = this.#ready;
    this.#ready = undefined;
    const retention = this.#retention;
    this.#retention = undefined;
    if (retention !== undefined) {
      retention.stopped = true;
      retention.retention.stop();
    }
    this.#started.stopped();
    this.#started = startSignal();
    if (session === undefined) return;
    await ready?.catch(() => {});
    // A store that never opened: start() already rejected `ready` with why, and there is nothing to stop
    // (as with one owner, stop() resolves: a shutdown path must not throw the start-up's error again).
    const opened = await session.catch(() => undefined);
    if (opened === undefined) return;
    const { store, runner } = opened;
    // The round in flight ends before the store closes (the rounds left are not started).
    await retention?.retention.settled();
    await runner.stop();
    if (this.#options.source.owned) await store.close();
  }

  waitNote(_handle: number): string | undefined {
    return undefined;
  }

  slotsInfo(): { held: number; limit: number; waiting: [] } {
    return { held: this.#runner?.running ?? 0, limit: this.#options.maxConcurrent, waiting: [] };
  }
}
