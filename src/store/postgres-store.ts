// PostgresStore: the durable Store on PostgreSQL, for Node, on `pg`.
//
// The same contract and the same guarantees as SqliteStore, on a server
// several machines can reach: one scheduler owns the store at a time (the
// lease, C6), and a standby on another machine takes over when the owner's
// lease lapses. It is also a ClusterStore (postgres/cluster.ts): several
// processes share one schedule (`new Scheduler({ store, cluster: true })`).
//
// Transactions: every writing method is one BEGIN ... COMMIT on one pooled
// connection; a statement that fails rolls all of it back, and the returned
// promise resolves once COMMIT has returned, i.e. once the server made the
// transaction durable (synchronous_commit, on by default). Calls run in call
// order (postgres/call-order.ts). The rules of each write are the shared ones
// (slot-rules.ts, codec.ts, lease.ts), decided on rows read under row locks,
// so the database, not the process, decides: the slot's primary key (C2), the
// fencing token in the UPDATE's WHERE (C3), the mark written with the task row
// locked (C4), and the lease row read FOR SHARE in every fenced write, which
// a takeover's UPDATE must wait for (C6). The lease's times are the
// database's: acquireLease and renewLease ignore the caller's nowMs and
// read now() in their transaction (the test-only `clock` option replaces
// it), so machines whose clocks disagree cannot both think they hold it
// (one's lease looking lapsed to the other). A deadlock or serialization failure
// (only possible between instances writing at once) runs the transaction again.
//
// `pg` is an optional peer dependency: importing `timeslice/store/postgres`
// loads nothing; open() loads `pg` and, without it, rejects with
// MissingDependencyError naming the package.
//
// This file is the store's shape: its public methods, each validating its
// arguments and naming its transaction. How a call reaches the database (the
// connection's life, call order, the lease's fence) is postgres/store-calls.ts;
// the bodies of its transactions are in postgres/: lease.ts, slot-writes.ts,
// prune.ts, task-pages.ts, and the others it imports.
import { applyPatch, decodeExecution, decodeLoaded, decodeTask, type StoredExecution, type StoredTask } from './codec.js';
import { nextCursor } from './history-order.js';
import { type AcquireResult, checkLeaseRequest, checkLeaseTimes, type LeaseHolder, type LeaseRequest, type RenewResult } from './lease.js';
import type {
  AttemptRef, ClaimDueRequest, ClaimDueResult, ClusterProcess, ClusterStore, DeregisterRequest, FinishAndClaimResult, FinishRequest, FinishResult, GiveBackResult,
  HeartbeatResult, OfferRequest, OfferResult, OfferWatch, OfferWatcher, PendingSlot, ProcessRef, ProcessRequest, PruneRoundResult, PruneTasksRoundResult, RegisterResult, RegisterTasksResult, RescueResult,
} from './cluster.js';
import { checkOfferWatcher, checkPruneRound } from './cluster-rules.js';
import { PostgresCluster } from './postgres/cluster.js';
import { prepareClusterStatements } from './postgres/cluster-statements.js';
import { SlotPatchStatements } from './postgres/end-attempt.js';
import { FencingTokens } from './postgres/fencing-tokens.js';
import { acquireIn, releaseIn, renewIn, storeNowMs } from './postgres/lease.js';
import { quoteIdent } from './postgres/migrate.js';
import { notifyChannel } from './postgres/offer-listener.js';
import { type PostgresConnection, type PostgresSettings, type PostgresStoreOptions, resolvePostgresOptions } from './postgres/options.js';
import { pruneEndedTasksIn, pruneEndedTasksRoundIn, pruneHistoryRoundIn } from './postgres/prune.js';
import { putTaskRecords } from './postgres/put-tasks.js';
import { recordSlots } from './postgres/record-slots.js';
import { completeAndClaimIn, completeIn, retryIn, saveStateIn } from './postgres/slot-writes.js';
import { StoreCalls } from './postgres/store-calls.js';
import { taskPages } from './postgres/task-pages.js';
import { type CompletedSlotRow, prepareStatements, type Statements, taskValues } from './postgres/statements.js';
import { TaskQueryStatements } from './postgres/task-query.js';
import { type ExecutionRecord, type Json, slotOfExecutionId, type TaskPatch, type TaskRecord } from './records.js';
import { checkClaims, checkRetryRequest, checkSkips, claimedExecution, encodeCompletion, encodeSaveState, skippedExecution } from './slot-rules.js';
import type {
  ClaimRequest, ClaimResult, CompletedSlot, CompleteRequest, CompleteResult, HistoryOptions, HistoryPage, LoadTasksOptions, OpenInfo,
  PruneTasksResult, PutStatus, RetryRequest, RetryResult, SaveStateResult, SkipRequest, SkipResult, SlotWritesResult, Store,
} from './store.js';
import { checkTaskQuery, type QueriedTask, type TaskQuery } from './task-query.js';
import {
  checkArray, checkId, checkNonEmptyString, checkPruneTasksArguments, checkTaskPatch, checkTaskRecord, checkTimeMs, resolveHistoryOptions,
} from './validate.js';
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';

export type { PostgresConnection, PostgresStoreOptions } from './postgres/options.js';
export { LATEST_POSTGRES_SCHEMA_VERSION } from './postgres/schema.js';
export { MissingDependencyError } from '../errors.js';

export class PostgresStore implements Store, ClusterStore {
  readonly kind = 'postgres';
  /** The schema the store's tables live in. */
  readonly schema: string;
  readonly #settings: PostgresSettings;
  /** For messages: which store. */
  readonly #where: string;
  readonly #s: Statements;
  readonly #slotPatch: SlotPatchStatements;
  readonly #taskQueries: TaskQueryStatements;
  readonly #tokens: FencingTokens;
  readonly #cluster: PostgresCluster;
  /** How calls reach the database: the connection's life, call order, the lease's fence (postgres/store-calls.ts). */
  readonly #calls: StoreCalls;
  /** Reads the store's clock in a transaction: the database's now(), or the test-only clock's. */
  readonly #now: ReturnType<typeof prepareClusterStatements>['now'];

  /**
   * Connects to nothing yet: call open(). Throws InvalidArgumentError for bad options.
   * @example const store = new PostgresStore({ connectionString: process.env.DATABASE_URL! }); await store.open();
   */
  constructor(connection: PostgresConnection, options?: PostgresStoreOptions) {
    this.#settings = resolvePostgresOptions(connection, options);
    this.schema = this.#settings.schema;
    this.#where = `PostgreSQL schema ${quoteIdent(this.schema)}`;
    this.#s = prepareStatements(quoteIdent(this.schema));
    this.#calls = new StoreCalls(this.#settings, this.#where, this.#s);
    this.#slotPatch = new SlotPatchStatements(quoteIdent(this.schema));
    this.#taskQueries = new TaskQueryStatements(quoteIdent(this.schema));
    this.#tokens = new FencingTokens(this.#s);
    const cluster = prepareClusterStatements(quoteIdent(this.schema));
    this.#now = cluster.now;
    this.#cluster = new PostgresCluster(cluster, this.#s, (fn, first) => this.#calls.clusterCall(fn, first), this.#settings.clock, notifyChannel(this.schema));
  }

  open(): Promise<OpenInfo> {
    return this.#calls.open();
  }

  /** Closes the store: waits for the calls already made, then ends the pool it made (a pool you passed stays open). Idempotent. */
  close(): Promise<void> {
    return this.#calls.close();
  }

  async acquireLease(request: LeaseRequest): Promise<AcquireResult> {
    checkLeaseRequest(request);
    return this.#calls.leaseCall(async (session, s) => {
      const result = await acquireIn(session, s, this.schema, request, (x) => storeNowMs(x, this.#now, this.#settings.clock));
      if (result.status === 'acquired') this.#calls.lease = { ownerId: result.lease.ownerId, epoch: result.lease.epoch };
      return result;
    });
  }

  async renewLease(nowMs: number, ttlMs: number): Promise<RenewResult> {
    checkLeaseTimes(nowMs, ttlMs);
    const mine = this.#calls.lease;
    return this.#calls.leaseCall((session, s) => renewIn(session, s, mine, ttlMs, (x) => storeNowMs(x, this.#now, this.#settings.clock)));
  }

  async releaseLease(): Promise<void> {
    this.#calls.pool();
    const mine = this.#calls.lease;
    if (mine === undefined || mine === 'released') return;
    this.#calls.lease = 'released';
    await this.#calls.leaseCall((session, s) => releaseIn(session, s, mine));
  }

  async getLease(): Promise<LeaseHolder | undefined> {
    return this.#calls.read((session, s) => session.row<LeaseHolder>(s.getLease));
  }

  async putTasks(tasks: readonly TaskRecord[]): Promise<PutStatus[]> {
    checkArray(tasks, 'tasks');
    for (let i = 0; i < tasks.length; i++) checkTaskRecord(tasks[i], `tasks[${i}]`);
    return this.#calls.write((session, s) => putTaskRecords(session, s, tasks));
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord | undefined> {
    checkId(id, 'id');
    checkTaskPatch(patch, 'patch');
    return this.#calls.write(async (session, s) => {
      const existing = await session.row<StoredTask>(s.lockTask, [id]);
      if (existing === undefined) return undefined;
      const updated = applyPatch(existing, patch, 'patch');
      await session.run(s.updateTask, taskValues(updated));
      return decodeTask(updated);
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    checkId(id, 'id');
    const task = await this.#calls.read((session, s) => session.row<StoredTask>(s.getTask, [id]));
    return task === undefined ? undefined : decodeLoaded(id, () => decodeTask(task));
  }

  loadTasks(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]> {
    return taskPages((fn) => this.#calls.read(fn), options, (s, from, batchSize) => (from === undefined ? [s.firstTaskPage, [batchSize]] : [s.taskPage, [from, batchSize]]));
  }

  /** Cluster mode's start: the pending tasks with no open row (ClusterStore.unofferedTasks), by id. */
  unofferedTasks(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]> {
    return taskPages((fn) => this.#calls.read(fn), options, (s, from, batchSize) => [s.unofferedPage, [from ?? null, batchSize]]);
  }

  async liveTaskCount(): Promise<number> {
    return (await this.#calls.read((session, s) => session.row<{ n: number }>(s.liveTaskCount)))!.n;
  }

  async queryTasks(query: TaskQuery): Promise<QueriedTask[]> {
    checkTaskQuery(query);
    return this.#calls.read((session, s) => this.#taskQueries.run(session, s, query), true);
  }

  async deleteTask(id: string): Promise<boolean> {
    checkId(id, 'id');
    return this.#calls.write(async (session, s) => (await session.run(s.deleteTask, [id])) > 0);
  }

  async claim(slots: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    checkClaims(slots);
    return this.#calls.write((session, s) => recordSlots(session, s, slots, claimedExecution, 'claimed', this.#tokens));
  }

  async recordSkipped(skips: readonly SkipRequest[]): Promise<SkipResult[]> {
    checkSkips(skips);
    return this.#calls.write((session, s) => recordSlots(session, s, skips, (skip) => skippedExecution(skip), 'recorded'));
  }

  async retry(request: RetryRequest): Promise<RetryResult> {
    checkRetryRequest(request);
    return this.#calls.write((session, s) => retryIn(session, s, this.#tokens, request));
  }

  async complete(request: CompleteRequest): Promise<CompleteResult> {
    const completion = encodeCompletion(request);
    return this.#calls.write((session, s) => completeIn(session, s, this.#slotPatch, completion));
  }

  async completeAndClaim(completions: readonly CompleteRequest[], claims: readonly ClaimRequest[]): Promise<SlotWritesResult> {
    checkArray(completions, 'completions');
    const encoded = completions.map((request) => encodeCompletion(request));
    checkClaims(claims);
    return this.#calls.write((session, s) => completeAndClaimIn(session, s, this.#slotPatch, this.#tokens, encoded, claims));
  }

  async saveState(executionId: string, fencingToken: number, state: Json): Promise<SaveStateResult> {
    const text = encodeSaveState(executionId, fencingToken, state);
    return this.#calls.write((session, s) => saveStateIn(session, s, executionId, fencingToken, text));
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    checkNonEmptyString(id, 'id');
    const slot = slotOfExecutionId(id);
    if (slot === undefined) {
      this.#calls.pool();
      return undefined;
    }
    const execution = await this.#calls.read((session, s) => session.row<StoredExecution>(s.getExecution, slot));
    return execution === undefined ? undefined : decodeExecution(execution);
  }

  async unfinishedExecutions(): Promise<ExecutionRecord[]> {
    return (await this.#calls.read((session, s) => session.rows<StoredExecution>(s.unfinishedExecutions))).map(decodeExecution);
  }

  async lastCompletedSlots(): Promise<Map<string, CompletedSlot>> {
    const rows = await this.#calls.read((session, s) => session.rows<CompletedSlotRow>(s.lastCompletedSlots));
    return new Map(rows.map((r) => [r.taskId, { scheduleVersion: r.scheduleVersion, nominalMs: r.nominalMs, outcome: r.outcome }]));
  }

  async highWaterMarks(): Promise<Map<string, number>> {
    const rows = await this.#calls.read((session, s) => session.rows<{ id: string; highWaterMarkMs: number }>(s.highWaterMarks));
    return new Map(rows.map((r) => [r.id, r.highWaterMarkMs]));
  }

  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    const { limit, before } = resolveHistoryOptions(taskId, options);
    const rows = await this.#calls.read((session, s) => before === null
      ? session.rows<StoredExecution>(s.historyNewest, [taskId, limit])
      : session.rows<StoredExecution>(s.historyBefore, [taskId, before.nominalMs, before.scheduleVersion, limit]));
    return { executions: rows.map(decodeExecution), next: nextCursor(rows, limit) };
  }

  // The cluster capability (cluster.ts), in postgres/cluster.ts.
  registerProcess(request: ProcessRequest): Promise<RegisterResult> { return this.#cluster.registerProcess(request); }
  heartbeat(process: ProcessRef, leaseMs: number): Promise<HeartbeatResult> { return this.#cluster.heartbeat(process, leaseMs); }
  deregister(request: DeregisterRequest): Promise<GiveBackResult> { return this.#cluster.deregister(request); }
  processes(): Promise<ClusterProcess[]> { return this.#cluster.processes(); }
  offerSlots(offers: readonly OfferRequest[]): Promise<OfferResult[]> { return this.#cluster.offerSlots(offers); }
  claimDue(request: ClaimDueRequest): Promise<ClaimDueResult> { return this.#cluster.claimDue(request); }
  finishClaimed(request: FinishRequest): Promise<FinishResult> { return this.#cluster.finishClaimed(request); }
  finishAndClaim(finishes: readonly FinishRequest[], claim?: ClaimDueRequest, started?: readonly AttemptRef[]): Promise<FinishAndClaimResult> {
    return this.#cluster.finishAndClaim(finishes, claim, started);
  }
  rescueExpired(): Promise<RescueResult> { return this.#cluster.rescueExpired(); }
  pendingSlots(taskId?: string): Promise<PendingSlot[]> { return this.#cluster.pendingSlots(taskId); }

  /** putTasks() and offerSlots() in one transaction where every record is new (ClusterStore.registerTasks). */
  async registerTasks(tasks: readonly TaskRecord[], offersOf: (stored: ReadonlyArray<TaskRecord | undefined>) => OfferRequest[]): Promise<RegisterTasksResult> {
    checkArray(tasks, 'tasks');
    for (let i = 0; i < tasks.length; i++) checkTaskRecord(tasks[i], `tasks[${i}]`);
    if (typeof offersOf !== 'function') throw new InvalidArgumentError(`registerTasks: offersOf must be a function, received ${describeValue(offersOf)}`);
    return this.#cluster.registerTasks(tasks, offersOf);
  }

  /** LISTENs on a connection of its own (postgres/offer-listener.ts); with `listen: false`, an inert watch (the process polls). */
  async watchOffers(watcher: OfferWatcher): Promise<OfferWatch> {
    checkOfferWatcher(watcher);
    return this.#calls.watchOffers(watcher);
  }

  async pruneHistory(olderThanMs: number): Promise<number> {
    checkTimeMs(olderThanMs, 'olderThanMs');
    return this.#calls.write((session, s) => session.run(s.pruneHistory, [olderThanMs]));
  }

  async pruneEndedTasks(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult> {
    checkPruneTasksArguments(olderThanMs, after, limit);
    return this.#calls.write((session, s) => pruneEndedTasksIn(session, s, olderThanMs, after, limit));
  }

  /** The prune lock is transaction-scoped: it ends with this round's commit, and a process that did not get it deletes nothing. */
  async pruneHistoryRound(olderThanMs: number, limit: number): Promise<PruneRoundResult> {
    checkPruneRound(olderThanMs, limit);
    return this.#calls.clusterCall((session) => pruneHistoryRoundIn(session, this.#s, this.schema, olderThanMs, limit), undefined);
  }

  /** Under the prune lock of pruneHistoryRound; the cursor is the last id looked at, as for pruneEndedTasks. */
  async pruneEndedTasksRound(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksRoundResult> {
    checkPruneTasksArguments(olderThanMs, after, limit);
    return this.#calls.clusterCall((session) => pruneEndedTasksRoundIn(session, this.#s, this.schema, olderThanMs, after, limit), undefined);
  }
}

/**
 * A PostgreSQL store: `{ connectionString }` (the store makes its own pool and
 * ends it on close()) or `{ pool }` (a `pg` Pool of yours, left open). Opens
 * nothing until open() (a durable Scheduler's `ready`), which creates or
 * migrates the schema. Throws InvalidArgumentError for bad options.
 * @example
 * import { Scheduler } from 'timeslice';
 * import { postgresStore } from 'timeslice/store/postgres';
 * const scheduler = new Scheduler({ store: postgresStore({ connectionString: process.env.DATABASE_URL! }) });
 * await scheduler.ready;
 * @example postgresStore({ pool }, { schema: 'jobs' })
 */
export function postgresStore(connection: PostgresConnection, options?: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(connection, options);
}
