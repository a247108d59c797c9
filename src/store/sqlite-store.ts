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
// importing `timeslice/store/sqlite` fails with Node's "Cannot find package".
//
// Faults: a file that is not a database fails open() with StoreCorruptError
// and is left untouched (sqlite/file-check.ts); SQLITE_FULL rejects the write
// with StoreFullError, rolled back, and the store keeps working once space
// returns (or the page limit is raised).
import type Database from 'better-sqlite3';
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { applyPatch, decodeExecution, decodeLoaded, decodeTask, encodeCheckedTask, mergeUpsert, type StoredExecution } from './codec.js';
import { InvalidTaskRecordError, StoreClosedError, StoreCorruptError } from './errors.js';
import { nextCursor } from './history-order.js';
import type { ExecutionRecord, Json, SlotKey, TaskPatch, TaskRecord } from './records.js';
import { executionIdOf } from './records.js';
import {
  type AcquireResult, checkFence, checkLeaseRequest, checkLeaseTimes, decideAcquire, decideRenew, type HeldLease, holds, type LeaseHolder,
  type LeaseRequest, type RenewResult,
} from './lease.js';
import {
  advanceHighWaterMark, type BatchTask, checkClaims, checkRetryRequest, checkSkips, claimedExecution, completedExecution,
  encodeCompletion, encodeSaveState, refuseFenced, refuseRetry, refuseSlot, retriedExecution, runningStatus, skippedExecution, updatesTask,
} from './slot-rules.js';
import { openDatabase, type OpenSettings, type SynchronousLevel, translateError, UNLIMITED_PAGES } from './sqlite/open-database.js';
import {
  decodeTaskRow, executionValues, prepareStatements, type Statements, TASK_ROWID_COLUMN, taskUpdateValues, taskValues,
} from './sqlite/statements.js';
import type {
  ClaimRequest, ClaimResult, CompletedSlot, CompleteRequest, CompleteResult, HistoryOptions, HistoryPage, LoadTasksOptions,
  OpenInfo, PutStatus, RetryRequest, RetryResult, SaveStateResult, SkipRequest, SkipResult, SlotRefusal, Store,
} from './store.js';
import {
  checkArray, checkId, checkIntegerInRange, checkNonEmptyString, checkObject, checkTaskPatch, checkTaskRecord, checkTimeMs, invalid,
  resolveHistoryOptions, resolveLoadOptions,
} from './validate.js';

export type { SynchronousLevel } from './sqlite/open-database.js';

export interface SqliteStoreOptions {
  /** The database file (created if missing), or ':memory:' for a throwaway database. @example 'jobs.db' */
  path: string;
  /**
   * `PRAGMA synchronous`. 'full' fsyncs the WAL on every commit (durable once a
   * promise resolves); 'normal' only at checkpoints (faster, but the last
   * commits can be lost on power loss, never on a process crash); 'extra' also
   * syncs the directory. 'off' is not offered: it can corrupt the database.
   * @default 'full'
   */
  synchronous?: SynchronousLevel;
  /** How long a write waits for another connection's lock before failing. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * `PRAGMA max_page_count`: a write that would grow the file past this many
   * pages (4096 bytes each by default) rejects with StoreFullError. null = no limit.
   * @default null
   */
  maxPageCount?: number | null;
  /**
   * Check the whole file on open() ('quick': `quick_check`, 'full':
   * `integrity_check`), rejecting with StoreCorruptError on any problem. Costs a
   * read of the whole file; without it, damage deep inside is reported by the
   * first query that reaches it (also as StoreCorruptError).
   * @default 'none'
   */
  integrityCheck?: 'none' | 'quick' | 'full';
}

/**
 * Fault injection for the crash campaign (test/crash/): a function stored on a
 * SqliteStore under this symbol is called inside every write transaction,
 * after its writes and before its commit, so a child process can SIGKILL
 * itself in the middle of a batch write. Not part of the API.
 * @internal
 */
export const INSIDE_WRITE_HOOK: unique symbol = Symbol.for('timeslice.sqlite.insideWrite');

const OPTION_KEYS = new Set(['path', 'synchronous', 'busyTimeoutMs', 'maxPageCount', 'integrityCheck']);

function resolveOptions(options: unknown): OpenSettings {
  const o = typeof options === 'string' ? { path: options } : options;
  checkObject(o, 'options');
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key)) throw new InvalidArgumentError(`options.${key} is not a SqliteStore option (known: ${[...OPTION_KEYS].join(', ')})`);
  }
  if (typeof o.path !== 'string') throw invalid('options.path', "a file path or ':memory:'", o.path);
  const synchronous = o.synchronous ?? 'full';
  if (synchronous !== 'normal' && synchronous !== 'full' && synchronous !== 'extra') {
    throw invalid('options.synchronous', "'normal', 'full' or 'extra'", synchronous);
  }
  const busyTimeoutMs = o.busyTimeoutMs ?? 5000;
  if (typeof busyTimeoutMs !== 'number' || !(busyTimeoutMs >= 0) || busyTimeoutMs > 2 ** 31 - 1) {
    throw invalid('options.busyTimeoutMs', 'a number of ms from 0 to 2^31-1', busyTimeoutMs);
  }
  const maxPageCount = o.maxPageCount ?? null;
  if (maxPageCount !== null) checkIntegerInRange(maxPageCount, 'options.maxPageCount', 1, UNLIMITED_PAGES);
  const integrityCheck = o.integrityCheck ?? 'none';
  if (integrityCheck !== 'none' && integrityCheck !== 'quick' && integrityCheck !== 'full') {
    throw new InvalidArgumentError(`options.integrityCheck must be 'none', 'quick' or 'full', received ${describeValue(integrityCheck)}`);
  }
  return { path: o.path, synchronous, busyTimeoutMs, maxPageCount: maxPageCount as number | null, integrityCheck };
}

interface Connection {
  db: Database.Database;
  statements: Statements;
}

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
    this.#connection = { db, statements: prepareStatements(db) };
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
    return this.#read((c) =>
      c.db
        .transaction(() => {
          if (this.#lease !== undefined) checkFence(this.path, c.statements.getLease.get(), this.#lease);
          const result = fn(c);
          this[INSIDE_WRITE_HOOK]?.();
          return result;
        })
        .immediate(),
    );
  }

  /** @internal See INSIDE_WRITE_HOOK. */
  [INSIDE_WRITE_HOOK]?: () => void;

  async acquireLease(request: LeaseRequest): Promise<AcquireResult> {
    checkLeaseRequest(request);
    return this.#read((c) =>
      c.db
        .transaction(() => {
          const result = decideAcquire(c.statements.getLease.get(), request);
          if (result.status === 'acquired') {
            const l = result.lease;
            c.statements.putLease.run(l.ownerId, l.host, l.pid, l.epoch, l.sinceMs, l.expiresAtMs);
            this.#lease = { ownerId: l.ownerId, epoch: l.epoch };
          }
          return result;
        })
        .immediate(),
    );
  }

  async renewLease(nowMs: number, ttlMs: number): Promise<RenewResult> {
    checkLeaseTimes(nowMs, ttlMs);
    const mine = this.#lease;
    return this.#read((c) =>
      c.db
        .transaction((): RenewResult => {
          const current = c.statements.getLease.get();
          if (mine === undefined || mine === 'released') return { status: 'lost', holder: current };
          const result = decideRenew(current, mine, nowMs, ttlMs);
          if (result.status === 'renewed') {
            const l = result.lease;
            c.statements.putLease.run(l.ownerId, l.host, l.pid, l.epoch, l.sinceMs, l.expiresAtMs);
          }
          return result;
        })
        .immediate(),
    );
  }

  async releaseLease(): Promise<void> {
    const mine = this.#lease;
    if (mine === undefined || mine === 'released') return;
    this.#lease = 'released';
    this.#read((c) =>
      c.db
        .transaction(() => {
          const current = c.statements.getLease.get();
          if (holds(current, mine)) c.statements.putLease.run(current.ownerId, current.host, current.pid, current.epoch, current.sinceMs, 0);
        })
        .immediate(),
    );
  }

  async getLease(): Promise<LeaseHolder | undefined> {
    return this.#read(({ statements: s }) => s.getLease.get());
  }

  async putTasks(tasks: readonly TaskRecord[]): Promise<PutStatus[]> {
    checkArray(tasks, 'tasks');
    for (let i = 0; i < tasks.length; i++) checkTaskRecord(tasks[i], `tasks[${i}]`);
    return this.#write(({ statements: s }) =>
      tasks.map((record) => {
        const incoming = encodeCheckedTask(record);
        // A registration is usually new: try the insert, and merge only when the id is taken.
        if (s.insertTask.run(...taskValues(incoming)).changes === 1) return 'created';
        const existing = s.getTask.get(incoming.id);
        const { task, status } = mergeUpsert(existing, incoming);
        const moved = task.highWaterMarkMs !== existing?.highWaterMarkMs || task.scheduleVersion !== existing?.scheduleVersion;
        if (status !== 'unchanged' || moved) s.updateTask.run(...taskUpdateValues(task));
        return status;
      }),
    );
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
      const page = this.#taskPage(afterRowid, batchSize);
      if (page.count === 0) return;
      afterRowid = page.lastRowid;
      const batch: TaskRecord[] = [];
      for (const [id, decode] of page.rows) {
        try {
          batch.push(decodeLoaded(id, decode));
        } catch (error) {
          if (onInvalid === undefined || !InvalidTaskRecordError.is(error)) throw error;
          onInvalid(error as InvalidTaskRecordError);
        }
      }
      if (batch.length > 0) yield batch;
      if (page.count < batchSize) return;
    }
  }

  /**
   * A page of task rows after `afterRowid`, each with how to decode it. The
   * fast path reads each row as one JSON array built by SQLite (statements.ts);
   * a row SQLite cannot build one for (malformed JSON in a JSON column, edited
   * by hand) fails the whole page, which is then read again row by row, so
   * that only that row is reported invalid.
   */
  #taskPage(afterRowid: number, batchSize: number): { count: number; lastRowid: number; rows: Array<[string, () => TaskRecord]> } {
    let texts: string[];
    try {
      texts = this.#read(({ statements: s }) => s.taskPage.all(afterRowid, batchSize));
    } catch (error) {
      if (StoreCorruptError.is(error)) throw error;
      const stored = this.#read(({ statements: s }) => s.taskRowsPage.all(afterRowid, batchSize));
      return {
        count: stored.length,
        lastRowid: stored.at(-1)?.rowid ?? afterRowid,
        rows: stored.map((row) => [row.id, () => decodeTask(row)]),
      };
    }
    const rows = texts.map((text) => JSON.parse(text) as unknown[]);
    return {
      count: rows.length,
      lastRowid: (rows.at(-1)?.[TASK_ROWID_COLUMN] as number | undefined) ?? afterRowid,
      rows: rows.map((row) => [row[0] as string, () => decodeTaskRow(row)]),
    };
  }

  async deleteTask(id: string): Promise<boolean> {
    checkId(id, 'id');
    return this.#write(({ statements: s }) => s.deleteTask.run(id).changes > 0);
  }

  async claim(slots: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    checkClaims(slots);
    return this.#write((c) => this.#recordSlots(c, slots, (slot, token) => claimedExecution(slot, token()), 'claimed'));
  }

  async recordSkipped(skips: readonly SkipRequest[]): Promise<SkipResult[]> {
    checkSkips(skips);
    return this.#write((c) => this.#recordSlots(c, skips, (skip) => skippedExecution(skip), 'recorded'));
  }

  /** Inside a transaction: inserts one execution per accepted slot, then the tasks' new high-water marks. */
  #recordSlots<Request extends SlotKey, Status extends 'claimed' | 'recorded'>(
    { statements: s }: Connection, requests: readonly Request[], build: (request: Request, token: () => number) => StoredExecution, status: Status,
  ): Array<{ status: Status; execution: ExecutionRecord } | SlotRefusal> {
    const batchTasks = new Map<string, BatchTask | undefined>();
    let fencingToken = s.getFencingToken.get()!.value;
    const startToken = fencingToken;
    const results = requests.map((request) => {
      if (!batchTasks.has(request.taskId)) {
        const task = s.getTask.get(request.taskId);
        batchTasks.set(request.taskId, task === undefined ? undefined : { task, highWaterMarkBefore: task.highWaterMarkMs, statusBefore: task.status });
      }
      const batchTask = batchTasks.get(request.taskId);
      const refusal = refuseSlot(request, batchTask, s.getExecution.get(executionIdOf(request)));
      if (refusal !== undefined) return refusal;
      const execution = build(request, () => ++fencingToken);
      s.insertExecution.run(...executionValues(execution));
      advanceHighWaterMark(batchTask!, request.nominalMs);
      if (status === 'claimed') batchTask!.task.status = runningStatus(batchTask!.task.status);
      return { status, execution: decodeExecution(execution) };
    });
    for (const batchTask of batchTasks.values()) {
      if (batchTask === undefined) continue;
      const { task } = batchTask;
      if (task.highWaterMarkMs !== batchTask.highWaterMarkBefore || task.status !== batchTask.statusBefore) {
        s.setSlotMarks.run(task.highWaterMarkMs, task.status, task.id);
      }
    }
    if (fencingToken !== startToken) s.setFencingToken.run(fencingToken);
    return results;
  }

  async retry(request: RetryRequest): Promise<RetryResult> {
    checkRetryRequest(request);
    return this.#write(({ statements: s }) => {
      const current = s.getExecution.get(request.executionId);
      const refusal = refuseRetry(current, request.fencingToken);
      if (refusal !== undefined) return refusal;
      const token = s.getFencingToken.get()!.value + 1;
      s.setFencingToken.run(token);
      const retried = retriedExecution(current!, request.startedAtMs, token);
      this.#updateExecution(s, retried);
      s.markTaskRunning.run(retried.taskId);
      return { status: 'retried', execution: decodeExecution(retried) };
    });
  }

  async complete(request: CompleteRequest): Promise<CompleteResult> {
    const completion = encodeCompletion(request);
    return this.#write(({ statements: s }) => {
      const current = s.getExecution.get(request.executionId);
      const refusal = refuseFenced(current, request.fencingToken);
      if (refusal !== undefined) return refusal;
      const ended = completedExecution(current!, completion);
      this.#updateExecution(s, ended);
      let task = s.getTask.get(ended.taskId);
      if (request.taskUpdate !== undefined && updatesTask(task, ended)) {
        task = applyPatch(task, request.taskUpdate, 'request.taskUpdate');
        s.updateTask.run(...taskUpdateValues(task));
      }
      return { status: 'completed', execution: decodeExecution(ended), task: task === undefined ? undefined : decodeTask(task) };
    });
  }

  async saveState(executionId: string, fencingToken: number, state: Json): Promise<SaveStateResult> {
    const text = encodeSaveState(executionId, fencingToken, state);
    return this.#write(({ statements: s }) => {
      const current = s.getExecution.get(executionId);
      const refusal = refuseFenced(current, fencingToken);
      if (refusal !== undefined) return refusal;
      const saved = { ...current!, state: text };
      this.#updateExecution(s, saved);
      return { status: 'saved', execution: decodeExecution(saved) };
    });
  }

  #updateExecution(s: Statements, e: StoredExecution): void {
    s.updateExecution.run(e.attempt, e.fencingToken, e.startedAtMs, e.endedAtMs, e.outcome, e.result, e.error, e.state, e.id);
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    checkNonEmptyString(id, 'id');
    const execution = this.#read(({ statements: s }) => s.getExecution.get(id));
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
}
