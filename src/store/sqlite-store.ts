// SqliteStore: the embedded durable Store for Node, on better-sqlite3.
//
// Durability: WAL journal with synchronous=FULL by default, so each commit
// is fsynced before its promise resolves (NORMAL would only sync at
// checkpoints: a committed registration could vanish on power loss). Every
// writing method is one BEGIN IMMEDIATE transaction (taking the write lock
// up front, so two processes never deadlock upgrading a read lock), and a
// throw inside it rolls everything back. better-sqlite3 is synchronous: a
// call runs to completion inside the async method, so calls never interleave.
//
// better-sqlite3 is an optional peer dependency, not a dependency: a native
// addon that must compile where no prebuilt binary fits, it should not be
// forced on browser users or on anyone using another store. Node users of this
// entry install it themselves (`npm install better-sqlite3`); without it,
// importing `timeslice/store/sqlite` still works and open() (so a durable
// Scheduler's `ready`) rejects with MissingDependencyError, which says so.
//
// Faults: a file that is not a database fails open() with StoreCorruptError
// and is left untouched (sqlite/file-check.ts); SQLITE_FULL rejects the write
// with StoreFullError, rolled back, and the store keeps working once space
// returns (or the page limit is raised).
import type Database from 'better-sqlite3';
import { applyPatch, decodeExecution, decodeLoaded, decodeLoadedBatch, decodeTask, type StoredExecution } from './codec.js';
import { StoreClosedError, StoreCorruptError } from './errors.js';
import { nextCursor } from './history-order.js';
import type { ExecutionRecord, Json, TaskPatch, TaskRecord, TaskStatus } from './records.js';
import {
  type AcquireResult, checkFence, checkLeaseRequest, checkLeaseTimes, decideAcquire, decideRenew, type HeldLease, holds, type LeaseHolder,
  type LeaseRequest, type RenewResult,
} from './lease.js';
import {
  checkClaims, checkRetryRequest, checkSkips, claimedExecution, encodeCompletion, encodeSaveState, refuseFenced,
  refuseRetry, retriedExecution, skippedExecution, 
} from './slot-rules.js';
import { endAttempt } from './sqlite/end-attempts.js';
import { FencingTokens } from './sqlite/fencing-tokens.js';
import { putTaskRecords } from './sqlite/put-tasks.js';
import { recordSlots } from './sqlite/record-slots.js';
import { readTaskPage } from './sqlite/task-pages.js';
import { TaskQueryStatements } from './sqlite/task-query.js';
import { checkTaskQuery, type QueriedTask, type TaskQuery } from './task-query.js';
import { openDatabase, type OpenSettings, translateError, UNLIMITED_PAGES } from './sqlite/open-database.js';
import { resolveOptions, type SqliteStoreOptions } from './sqlite/options.js';
import { findExecution, prepareStatements, type Statements, taskUpdateValues } from './sqlite/statements.js';
import type {
  ClaimRequest, ClaimResult, CompletedSlot, CompleteRequest, CompleteResult, HistoryOptions, HistoryPage, LoadTasksOptions,
  OpenInfo, PruneTasksResult, PutStatus, RetryRequest, RetryResult, SaveStateResult, SkipRequest, SkipResult, SlotWritesResult, Store,
} from './store.js';
import {
  checkArray, checkId, checkIntegerInRange, checkNonEmptyString, checkPruneTasksArguments, checkTaskPatch, checkTaskRecord, checkTimeMs,
  decodeEndedCursor, encodeEndedCursor, resolveHistoryOptions, resolveLoadOptions,
} from './validate.js';

export type { SynchronousLevel } from './sqlite/open-database.js';
export type { SqliteStoreOptions } from './sqlite/options.js';
export { MissingDependencyError } from '../errors.js';

/**
 * Fault injection for the crash campaign (test/crash/): a function stored on a
 * SqliteStore under this symbol is called inside every write transaction,
 * after its writes and before its commit, so a child process can SIGKILL
 * itself in the middle of a batch write. Not part of the API.
 * @internal
 */
export const INSIDE_WRITE_HOOK: unique symbol = Symbol.for('timeslice.sqlite.insideWrite');

interface Connection {
  db: Database.Database;
  statements: Statements;
  taskQueries: TaskQueryStatements;
  /** One BEGIN IMMEDIATE ... COMMIT around `fn(c)`: made once (better-sqlite3 builds a transaction function's wrappers each time one is made). */
  transaction: Database.Transaction<(fn: (c: Connection) => unknown, c: Connection) => unknown>;
}

function connect(db: Database.Database): Connection {
  return { db, statements: prepareStatements(db), taskQueries: new TaskQueryStatements(db), transaction: db.transaction((fn: (c: Connection) => unknown, c: Connection) => fn(c)) };
}

function putLease(s: Statements, l: LeaseHolder): void {
  s.putLease.run(l.ownerId, l.host, l.pid, l.epoch, l.sinceMs, l.expiresAtMs);
}

/** The ended statuses in the order tasks_ended holds them (pruneEndedTasks walks them in turn). */
const ENDED_ORDER = ['cancelled', 'completed', 'failed'] as const satisfies readonly TaskStatus[];

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  readonly #settings: OpenSettings;
  #connection: Connection | undefined;
  #info: OpenInfo | undefined;
  #closed = false;
  /** The damage a query found: every later call rejects with it. */
  #corrupt: StoreCorruptError | undefined;
  /** This instance's lease: undefined until it acquires one (unfenced), 'released' after it gives it up. */
  #lease: HeldLease | 'released' | undefined;
  /** Where this instance's fencing tokens come from. */
  readonly #tokens = new FencingTokens();

  /**
   * Opens nothing yet: call open(). Throws InvalidArgumentError for bad options.
   * @example const store = new SqliteStore('jobs.db'); await store.open();
   * @example new SqliteStore({ path: 'jobs.db', synchronous: 'normal' })
   */
  constructor(options: string | SqliteStoreOptions) {
    this.#settings = resolveOptions(options);
  }

  /** The database file this store opens. */
  get path(): string {
    return this.#settings.path;
  }

  async open(): Promise<OpenInfo> {
    if (this.#corrupt !== undefined) throw this.#corrupt;
    if (this.#closed) throw new StoreClosedError(`${this.path}: closed; create a new SqliteStore to reopen it`);
    if (this.#info !== undefined) return this.#info;
    const { db, schemaVersion } = openDatabase(this.#settings);
    this.#connection = connect(db);
    this.#info = { schemaVersion };
    return this.#info;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    connection?.db.close();
  }

  /**
   * Changes the page limit of this connection (see `maxPageCount`); null lifts
   * it. SQLite never sets it below the current size.
   */
  async setMaxPageCount(pages: number | null): Promise<void> {
    if (pages !== null) checkIntegerInRange(pages, 'pages', 1, UNLIMITED_PAGES);
    this.#read(({ db }) => db.pragma(`max_page_count = ${pages ?? UNLIMITED_PAGES}`));
  }

  #connected(): Connection {
    if (this.#corrupt !== undefined) throw this.#corrupt;
    if (this.#connection === undefined) {
      throw new StoreClosedError(`${this.path}: ${this.#closed ? 'closed' : 'not open (await store.open() first)'}`);
    }
    return this.#connection;
  }

  /**
   * Runs `fn` on the open connection, translating SQLite's errors. A file
   * found damaged (StoreCorruptError, from any query) is closed at once and
   * every later call rejects with that error: nothing more is written to it,
   * so a damaged file is never made worse.
   */
  #read<T>(fn: (c: Connection) => T): T {
    const connection = this.#connected();
    try {
      return fn(connection);
    } catch (error) {
      const translated = translateError(error, this.path);
      if (StoreCorruptError.is(translated) && this.#corrupt === undefined) {
        this.#corrupt = translated as StoreCorruptError;
        this.#connection = undefined;
        try {
          connection.db.close();
        } catch {}
      }
      throw translated;
    }
  }

  /**
   * Runs `fn` in one BEGIN IMMEDIATE transaction: committed when it returns,
   * rolled back when it throws. Fenced first by this instance's lease, if it
   * took one: the check reads the lease row under the write lock, so no other
   * process can take the lease over between the check and the commit.
   */
  #write<T>(fn: (c: Connection) => T): T {
    return this.#transaction((c) => {
      const mine = this.#lease;
      // The usual case in one plucked column; the whole row is read (and checkFence decides) only when that does not match.
      if (mine !== undefined && (mine === 'released' || c.statements.heldEpoch.get(mine.ownerId) !== mine.epoch)) {
        checkFence(this.path, c.statements.getLease.get(), mine);
      }
      const result = fn(c);
      this[INSIDE_WRITE_HOOK]?.();
      return result;
    });
  }

  /** One BEGIN IMMEDIATE transaction, not fenced (the lease's own calls). */
  #transaction<T>(fn: (c: Connection) => T): T {
    try {
      const result = this.#read((c) => c.transaction.immediate(fn, c) as T);
      this.#tokens.committed();
      return result;
    } catch (error) {
      this.#tokens.abandon();
      throw error;
    }
  }

  /** @internal See INSIDE_WRITE_HOOK. */
  [INSIDE_WRITE_HOOK]?: () => void;

  async acquireLease(request: LeaseRequest): Promise<AcquireResult> {
    checkLeaseRequest(request);
    return this.#transaction(({ statements: s }) => {
      const result = decideAcquire(s.getLease.get(), request);
      if (result.status === 'acquired') {
        putLease(s, result.lease);
        this.#lease = { ownerId: result.lease.ownerId, epoch: result.lease.epoch };
      }
      return result;
    });
  }

  async renewLease(nowMs: number, ttlMs: number): Promise<RenewResult> {
    checkLeaseTimes(nowMs, ttlMs);
    const mine = this.#lease;
    return this.#transaction(({ statements: s }): RenewResult => {
      const current = s.getLease.get();
      if (mine === undefined || mine === 'released') return { status: 'lost', holder: current };
      const result = decideRenew(current, mine, nowMs, ttlMs);
      if (result.status === 'renewed') putLease(s, result.lease);
      return result;
    });
  }

  async releaseLease(): Promise<void> {
    const mine = this.#lease;
    if (mine === undefined || mine === 'released') return;
    this.#lease = 'released';
    this.#transaction(({ statements: s }) => {
      const current = s.getLease.get();
      if (holds(current, mine)) putLease(s, { ...current, expiresAtMs: 0 });
    });
  }

  async getLease(): Promise<LeaseHolder | undefined> {
    return this.#read(({ statements: s }) => s.getLease.get());
  }

  async putTasks(tasks: readonly TaskRecord[]): Promise<PutStatus[]> {
    checkArray(tasks, 'tasks');
    for (let i = 0; i < tasks.length; i++) checkTaskRecord(tasks[i], `tasks[${i}]`);
    return this.#write(({ statements: s }) => putTaskRecords(s, tasks));
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord | undefined> {
    checkId(id, 'id');
    checkTaskPatch(patch, 'patch');
    return this.#write(({ statements: s }) => {
      const existing = s.getTask.get(id);
      if (existing === undefined) return undefined;
      const updated = applyPatch(existing, patch, 'patch');
      s.updateTask.run(...taskUpdateValues(updated));
      return decodeTask(updated);
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    checkId(id, 'id');
    const task = this.#read(({ statements: s }) => s.getTask.get(id));
    return task === undefined ? undefined : decodeLoaded(id, () => decodeTask(task));
  }

  async *loadTasks(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]> {
    const { batchSize, onInvalid } = resolveLoadOptions(options);
    let afterRowid = 0;
    for (;;) {
      const page = readTaskPage((fn) => this.#read(({ statements }) => fn(statements)), afterRowid, batchSize);
      if (page.count === 0) return;
      afterRowid = page.lastRowid;
      const batch = decodeLoadedBatch(page.rows, (row) => row.id, (row) => row.decode(), onInvalid);
      if (batch.length > 0) yield batch;
      if (page.count < batchSize) return;
    }
  }

  async queryTasks(query: TaskQuery): Promise<QueriedTask[]> {
    checkTaskQuery(query);
    // The page and its tasks' last executions read in one (deferred) transaction: one committed state.
    return this.#read((c) => c.db.transaction(() => c.taskQueries.run(query)).deferred());
  }

  async deleteTask(id: string): Promise<boolean> {
    checkId(id, 'id');
    return this.#write(({ statements: s }) => s.deleteTask.run(id).changes > 0);
  }

  async claim(slots: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    checkClaims(slots);
    return this.#write(({ statements }) => recordSlots(statements, slots, claimedExecution, 'claimed', this.#tokens));
  }

  async recordSkipped(skips: readonly SkipRequest[]): Promise<SkipResult[]> {
    checkSkips(skips);
    return this.#write(({ statements }) => recordSlots(statements, skips, (skip) => skippedExecution(skip), 'recorded'));
  }

  async retry(request: RetryRequest): Promise<RetryResult> {
    checkRetryRequest(request);
    return this.#write(({ statements: s }) => {
      const current = findExecution(s, request.executionId);
      const refusal = refuseRetry(current, request.fencingToken);
      if (refusal !== undefined) return refusal;
      const token = this.#tokens.take(s);
      const retried = retriedExecution(current!, request.startedAtMs, token);
      this.#updateExecution(s, retried);
      s.markTaskRunning.run(retried.taskId);
      return { status: 'retried', execution: decodeExecution(retried) };
    });
  }

  async complete(request: CompleteRequest): Promise<CompleteResult> {
    const completion = encodeCompletion(request);
    return this.#write(({ statements: s }) => {
      const { result, task } = endAttempt(s, completion, true);
      return result.status === 'completed' ? { ...result, task: task === undefined ? undefined : decodeTask(task) } : result;
    });
  }

  async completeAndClaim(completions: readonly CompleteRequest[], claims: readonly ClaimRequest[]): Promise<SlotWritesResult> {
    checkArray(completions, 'completions');
    const encoded = completions.map((request) => encodeCompletion(request));
    checkClaims(claims);
    return this.#write(({ statements: s }) => ({
      completed: encoded.map((completion) => endAttempt(s, completion, false).result),
      claimed: recordSlots(s, claims, claimedExecution, 'claimed', this.#tokens),
    }));
  }

  async saveState(executionId: string, fencingToken: number, state: Json): Promise<SaveStateResult> {
    const text = encodeSaveState(executionId, fencingToken, state);
    return this.#write(({ statements: s }) => {
      const current = findExecution(s, executionId);
      const refusal = refuseFenced(current, fencingToken);
      if (refusal !== undefined) return refusal;
      const saved = { ...current!, state: text };
      this.#updateExecution(s, saved);
      return { status: 'saved', execution: decodeExecution(saved) };
    });
  }

  #updateExecution(s: Statements, e: StoredExecution): void {
    s.updateExecution.run(e.attempt, e.fencingToken, e.startedAtMs, e.endedAtMs, e.outcome, e.result, e.error, e.state, e.taskId, e.nominalMs, e.scheduleVersion);
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    checkNonEmptyString(id, 'id');
    const execution = this.#read(({ statements: s }) => findExecution(s, id));
    return execution === undefined ? undefined : decodeExecution(execution);
  }

  async unfinishedExecutions(): Promise<ExecutionRecord[]> {
    return this.#read(({ statements: s }) => s.unfinishedExecutions.all()).map(decodeExecution);
  }

  async lastCompletedSlots(): Promise<Map<string, CompletedSlot>> {
    const rows = this.#read(({ statements: s }) => s.lastCompletedSlots.all());
    return new Map(rows.map((r) => [r.taskId, { scheduleVersion: r.scheduleVersion, nominalMs: r.nominalMs, outcome: r.outcome }]));
  }

  async highWaterMarks(): Promise<Map<string, number>> {
    const rows = this.#read(({ statements: s }) => s.highWaterMarks.all());
    return new Map(rows.map((r) => [r.id, r.highWaterMarkMs]));
  }

  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    const { limit, before } = resolveHistoryOptions(taskId, options);
    const rows = this.#read(({ statements: s }) => before === null
      ? s.historyNewest.all(taskId, limit)
      : s.historyBefore.all(taskId, before.nominalMs, before.nominalMs, before.scheduleVersion, limit));
    return { executions: rows.map(decodeExecution), next: nextCursor(rows, limit) };
  }

  async pruneHistory(olderThanMs: number): Promise<number> {
    checkTimeMs(olderThanMs, 'olderThanMs');
    return this.#write(({ statements: s }) => s.pruneHistory.run(olderThanMs).changes);
  }

  async pruneEndedTasks(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult> {
    checkPruneTasksArguments(olderThanMs, after, limit);
    const from = after === null ? { status: ENDED_ORDER[0]!, id: '' } : decodeEndedCursor(after);
    return this.#write(({ statements: s }) => {
      let deleted = 0;
      let left = limit;
      // The ended statuses in index order from the cursor's, each a range of tasks_ended ('' is below every id).
      for (let k = Math.max(0, (ENDED_ORDER as readonly string[]).indexOf(from.status)); k < ENDED_ORDER.length; k++) {
        const status = ENDED_ORDER[k]!;
        const page = s.endedTasksPage.all(olderThanMs, status, status === from.status ? from.id : '', left);
        for (const row of page) if (row.prunable === 1) deleted += s.deleteTask.run(row.id).changes;
        left -= page.length;
        if (left === 0) return { deleted, next: encodeEndedCursor(status, page.at(-1)!.id) };
      }
      return { deleted, next: null };
    });
  }

}
