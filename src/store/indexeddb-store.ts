// IndexedDbStore: the durable Store for browsers, on IndexedDB through idb.
//
// Every writing method is one readwrite transaction over the object stores it
// touches, with durability 'strict' by default (the commit is flushed to disk
// before its promise resolves; 'default' lets the browser decide). Inside a
// transaction nothing but IndexedDB requests is awaited, or the browser would
// commit it early; a throw aborts it, so nothing of a refused call is written.
// Requests that do not depend on each other are issued together: IndexedDB
// runs them in order within the transaction, without a round trip each.
//
// One owner per database (C6, src/store/lease.ts): the lease is one record in
// the `lease` object store, and every write transaction of an instance that
// acquired it has that store in its scope and reads the record first (the
// fence), so no takeover can commit between the check and the write: an
// IndexedDB readwrite transaction excludes every other one on its stores.
// Where Web Locks exist (options.locks, navigator.locks by default),
// acquireLease() also takes the exclusive lock `timeslice:<name>` with
// ifAvailable and holds it until releaseLease() or close() (indexeddb/web-lock.ts):
//
// - lock refused: another tab holds the store; the answer is `held`, naming
//   the record's holder even when its expiry has passed (that tab lives: a
//   clock that disagrees, or a throttled heartbeat, does not hand it over);
// - lock granted: whoever held it is gone (a closed or crashed tab frees its
//   lock at once), so the record is taken over with the next epoch even if it
//   has not expired (lease.ts's decideTakeover);
// - renewal and the fence read the record alone, as in every store.
//
// Without Web Locks (Node, older browsers, `locks: null`) the record alone
// decides, exactly as in SqliteStore: a lapsed lease is taken over, a live
// one is refused.
//
// idb needs the IndexedDB classes as globals (IDBRequest, IDBKeyRange, ...):
// every browser has them; in Node, import 'fake-indexeddb/auto' first.
import { type IDBPTransaction, wrap } from 'idb';
import {
  applyPatch, decodeExecution, decodeLoaded, decodeLoadedBatch, decodeTask, type StoredExecution, 
} from './codec.js';
import { StoreClosedError, StoreError, StoreFullError, StoreSchemaTooNewError } from './errors.js';
import { FINAL_OUTCOMES, nextCursor } from './history-order.js';
import { type IndexedDbStoreOptions, type ResolvedOptions, resolveOptions } from './indexeddb/options.js';
import { InstanceLease } from './indexeddb/instance-lease.js';
import {
  ALL_STORES, type AllStores, type Db, FENCING_TOKEN_KEY, LATEST_SCHEMA_VERSION, LEASE_KEY, migrate, type TimesliceDb, type UpgradeTransaction,
} from './indexeddb/schema.js';
import { endAttempt } from './indexeddb/end-attempts.js';
import { putTaskRecords } from './indexeddb/put-tasks.js';
import { recordSlots } from './indexeddb/record-slots.js';
import { webLockName } from './indexeddb/web-lock.js';
import { queryTasks } from './indexeddb/task-query.js';
import { checkTaskQuery, type QueriedTask, type TaskQuery } from './task-query.js';
import { type AcquireResult, checkLeaseRequest, checkLeaseTimes, type LeaseHolder, type LeaseRequest, type RenewResult } from './lease.js';
import type { ExecutionRecord, Json, TaskPatch, TaskRecord } from './records.js';
import {
  checkClaims, checkRetryRequest, checkSkips, claimedExecution, 
  encodeCompletion, encodeSaveState, refuseFenced, refuseRetry, retriedExecution, runningStatus, skippedExecution, 
} from './slot-rules.js';
import type {
  ClaimRequest, ClaimResult, CompletedSlot, CompleteRequest, CompleteResult, EndResult, HistoryOptions, HistoryPage, LoadTasksOptions,
  OpenInfo, PruneTasksResult, PutStatus, RetryRequest, RetryResult, SaveStateResult, SkipRequest, SkipResult, SlotWritesResult, Store,
} from './store.js';
import {
  checkArray, checkId, checkNonEmptyString, checkPruneTasksArguments, checkTaskPatch, checkTaskRecord, checkTimeMs, decodeEndedCursor,
  encodeEndedCursor, resolveHistoryOptions, resolveLoadOptions,
} from './validate.js';

export type { IndexedDbStoreOptions } from './indexeddb/options.js';

type Tx = IDBPTransaction<TimesliceDb, AllStores, 'readonly'>;
type WriteTx = IDBPTransaction<TimesliceDb, AllStores, 'readwrite'>;

export class IndexedDbStore implements Store {
  readonly kind = 'indexeddb';
  readonly #options: ResolvedOptions;
  #db: Db | undefined;
  #info: OpenInfo | undefined;
  #closed = false;
  /** This instance's lease and, with Web Locks, the lock held with it. */
  readonly #lease: InstanceLease;

  /**
   * Opens nothing yet: call open(). Throws InvalidArgumentError for bad options.
   * @example const store = new IndexedDbStore('jobs'); await store.open();
   */
  constructor(options: string | IndexedDbStoreOptions) {
    this.#options = resolveOptions(options);
    const database = { transaction: <T>(fn: (tx: WriteTx) => Promise<T>) => this.#transaction(fn), read: () => this.getLease() };
    this.#lease = new InstanceLease(`IndexedDB '${this.name}'`, this.#options.locks, webLockName(this.name), database);
  }

  get name(): string {
    return this.#options.name;
  }

  async open(): Promise<OpenInfo> {
    if (this.#closed) throw new StoreClosedError(`IndexedDB '${this.name}': closed; create a new IndexedDbStore to reopen it`);
    if (this.#info !== undefined) return this.#info;
    const request = this.#options.indexedDB.open(this.name, LATEST_SCHEMA_VERSION);
    request.onupgradeneeded = (event) => {
      migrate(wrap(request.result) as unknown as Db, event.oldVersion, wrap(request.transaction!) as unknown as UpgradeTransaction);
    };
    let db: Db;
    try {
      db = (await wrap(request)) as unknown as Db;
    } catch (error) {
      if ((error as { name?: unknown })?.name === 'VersionError') {
        throw new StoreSchemaTooNewError(`IndexedDB '${this.name}' was written by a newer timeslice (schema version above ${LATEST_SCHEMA_VERSION})`, { cause: error });
      }
      throw this.#translate(error);
    }
    // Another tab upgrading the schema: step aside rather than block it; calls here then reject as closed.
    db.addEventListener('versionchange', () => {
      db.close();
      this.#db = undefined;
      this.#closed = true;
      void this.#lease.dropLock();
    });
    this.#db = db;
    this.#info = { schemaVersion: db.version };
    return this.#info;
  }

  /** Closes the connection and frees the Web Lock (the lease record keeps its expiry, as in every store). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#db?.close();
    this.#db = undefined;
    await this.#lease.dropLock();
  }

  #connected(): Db {
    if (this.#db === undefined) throw new StoreClosedError(`IndexedDB '${this.name}': ${this.#closed ? 'closed' : 'not open (await store.open() first)'}`);
    return this.#db;
  }

  #translate(error: unknown): Error {
    if ((error as { code?: unknown })?.code !== undefined && String((error as { code: unknown }).code).startsWith('ERR_')) return error as Error;
    if ((error as { name?: unknown })?.name === 'QuotaExceededError') return new StoreFullError(`IndexedDB '${this.name}'`, { cause: error });
    return new StoreError(`IndexedDB '${this.name}': ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }

  /**
   * Runs `fn` in one readwrite transaction, fenced first by this instance's
   * lease if it took one: the record is read in the same transaction, which
   * excludes every other writer of the lease store until it commits.
   */
  #write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.#transaction(async (tx) => {
      await this.#lease.fence(tx);
      return fn(tx);
    });
  }

  /** Runs `fn` in one readwrite transaction (unfenced): resolved after the commit, aborted (nothing written) if it throws. */
  async #transaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    const tx = this.#connected().transaction(ALL_STORES, 'readwrite', { durability: this.#options.durability });
    try {
      const result = await fn(tx);
      await tx.done;
      return result;
    } catch (error) {
      try {
        tx.abort();
      } catch {
        // Already aborted by the failed request, or already committed.
      }
      await tx.done.catch(() => {});
      throw this.#translate(error);
    }
  }

  async #read<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const tx = this.#connected().transaction(ALL_STORES, 'readonly');
    try {
      return await fn(tx);
    } catch (error) {
      throw this.#translate(error);
    }
  }

  async acquireLease(request: LeaseRequest): Promise<AcquireResult> {
    checkLeaseRequest(request);
    this.#connected();
    return this.#lease.acquire(request);
  }

  async renewLease(nowMs: number, ttlMs: number): Promise<RenewResult> {
    checkLeaseTimes(nowMs, ttlMs);
    this.#connected();
    return this.#lease.renew(nowMs, ttlMs);
  }

  async releaseLease(): Promise<void> {
    return this.#lease.release();
  }

  async getLease(): Promise<LeaseHolder | undefined> {
    return this.#read((tx) => tx.objectStore('lease').get(LEASE_KEY));
  }

  async putTasks(tasks: readonly TaskRecord[]): Promise<PutStatus[]> {
    checkArray(tasks, 'tasks');
    for (let i = 0; i < tasks.length; i++) checkTaskRecord(tasks[i], `tasks[${i}]`);
    return this.#write((tx) => putTaskRecords(tx, tasks));
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord | undefined> {
    checkId(id, 'id');
    checkTaskPatch(patch, 'patch');
    return this.#write(async (tx) => {
      const existing = await tx.objectStore('tasks').get(id);
      if (existing === undefined) return undefined;
      const updated = applyPatch(existing, patch, 'patch');
      await tx.objectStore('tasks').put(updated);
      return decodeTask(updated);
    });
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    checkId(id, 'id');
    const task = await this.#read((tx) => tx.objectStore('tasks').get(id));
    return task === undefined ? undefined : decodeLoaded(id, () => decodeTask(task));
  }

  async *loadTasks(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]> {
    const { batchSize, onInvalid } = resolveLoadOptions(options);
    let after: string | undefined;
    for (;;) {
      const range = after === undefined ? undefined : IDBKeyRange.lowerBound(after, true);
      const stored = await this.#read((tx) => tx.objectStore('tasks').getAll(range, batchSize));
      if (stored.length === 0) return;
      after = stored[stored.length - 1]!.id;
      const batch = decodeLoadedBatch(stored, (task) => task.id, decodeTask, onInvalid);
      if (batch.length > 0) yield batch;
      if (stored.length < batchSize) return;
    }
  }

  async queryTasks(query: TaskQuery): Promise<QueriedTask[]> {
    checkTaskQuery(query);
    return this.#read((tx) => queryTasks(tx, query));
  }

  async deleteTask(id: string): Promise<boolean> {
    checkId(id, 'id');
    return this.#write(async (tx) => {
      if ((await tx.objectStore('tasks').getKey(id)) === undefined) return false;
      const executions = tx.objectStore('executions');
      const keys = await executions.index('slot').getAllKeys(taskRange(id));
      await Promise.all([tx.objectStore('tasks').delete(id), ...keys.map((key) => executions.delete(key))]);
      return true;
    });
  }

  async claim(slots: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    checkClaims(slots);
    return this.#write((tx) => recordSlots(tx, slots, (slot, token) => claimedExecution(slot, token()), 'claimed'));
  }

  async recordSkipped(skips: readonly SkipRequest[]): Promise<SkipResult[]> {
    checkSkips(skips);
    return this.#write((tx) => recordSlots(tx, skips, (skip) => skippedExecution(skip), 'recorded'));
  }

  async retry(request: RetryRequest): Promise<RetryResult> {
    checkRetryRequest(request);
    return this.#write(async (tx) => {
      const [current, token] = await Promise.all([tx.objectStore('executions').get(request.executionId), tx.objectStore('meta').get(FENCING_TOKEN_KEY)]);
      const refusal = refuseRetry(current, request.fencingToken);
      if (refusal !== undefined) return refusal;
      const retried = retriedExecution(current!, request.startedAtMs, (token ?? 0) + 1);
      const task = await tx.objectStore('tasks').get(retried.taskId);
      const running = task !== undefined && runningStatus(task.status) !== task.status ? [tx.objectStore('tasks').put({ ...task, status: 'running' })] : [];
      await Promise.all([tx.objectStore('executions').put(retried), tx.objectStore('meta').put(retried.fencingToken, FENCING_TOKEN_KEY), ...running]);
      return { status: 'retried', execution: decodeExecution(retried) };
    });
  }

  async complete(request: CompleteRequest): Promise<CompleteResult> {
    const completion = encodeCompletion(request);
    return this.#write(async (tx) => {
      const { result, task } = await endAttempt(tx, completion);
      return result.status === 'completed' ? { ...result, task: task === undefined ? undefined : decodeTask(task) } : result;
    });
  }

  async completeAndClaim(completions: readonly CompleteRequest[], claims: readonly ClaimRequest[]): Promise<SlotWritesResult> {
    checkArray(completions, 'completions');
    const encoded = completions.map((request) => encodeCompletion(request));
    checkClaims(claims);
    return this.#write(async (tx) => {
      const completed: EndResult[] = [];
      // In order: a later completion of the same task sees the earlier one's update.
      for (const completion of encoded) completed.push((await endAttempt(tx, completion)).result);
      const claimed = await recordSlots(tx, claims, (slot, token) => claimedExecution(slot, token()), 'claimed');
      return { completed, claimed };
    });
  }

  async saveState(executionId: string, fencingToken: number, state: Json): Promise<SaveStateResult> {
    const text = encodeSaveState(executionId, fencingToken, state);
    return this.#write(async (tx) => {
      const current = await tx.objectStore('executions').get(executionId);
      const refusal = refuseFenced(current, fencingToken);
      if (refusal !== undefined) return refusal;
      const saved = { ...current!, state: text };
      await tx.objectStore('executions').put(saved);
      return { status: 'saved', execution: decodeExecution(saved) };
    });
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    checkNonEmptyString(id, 'id');
    const execution = await this.#read((tx) => tx.objectStore('executions').get(id));
    return execution === undefined ? undefined : decodeExecution(execution);
  }

  async unfinishedExecutions(): Promise<ExecutionRecord[]> {
    const open = await this.#read((tx) => {
      const byOutcome = tx.objectStore('executions').index('byOutcome');
      return Promise.all([byOutcome.getAll('running'), byOutcome.getAll('interrupted')]);
    });
    return open.flat().map(decodeExecution);
  }

  async lastCompletedSlots(): Promise<Map<string, CompletedSlot>> {
    return this.#read(async (tx) => {
      const last = new Map<string, CompletedSlot>();
      // The slot index runs by task, then nominal time, then version: the last final record per task wins.
      for await (const cursor of tx.objectStore('executions').index('slot').iterate()) {
        const e = cursor.value;
        if (FINAL_OUTCOMES.has(e.outcome)) last.set(e.taskId, { scheduleVersion: e.scheduleVersion, nominalMs: e.nominalMs, outcome: e.outcome });
      }
      return last;
    });
  }

  async highWaterMarks(): Promise<Map<string, number>> {
    return this.#read(async (tx) => {
      const marks = new Map<string, number>();
      for await (const cursor of tx.objectStore('tasks').index('byMark').iterate()) marks.set(cursor.primaryKey, cursor.key);
      return marks;
    });
  }

  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    const { limit, before } = resolveHistoryOptions(taskId, options);
    const upper: [string, number, number] = before === null ? [taskId, Infinity, Infinity] : [taskId, before.nominalMs, before.scheduleVersion];
    const range = IDBKeyRange.bound([taskId, -Infinity, -Infinity], upper, false, before !== null);
    const page = await this.#read(async (tx) => {
      const found: StoredExecution[] = [];
      for await (const cursor of tx.objectStore('executions').index('slot').iterate(range, 'prev')) {
        found.push(cursor.value);
        if (found.length === limit) break;
      }
      return found;
    });
    return { executions: page.map(decodeExecution), next: nextCursor(page, limit) };
  }

  async pruneHistory(olderThanMs: number): Promise<number> {
    checkTimeMs(olderThanMs, 'olderThanMs');
    return this.#write(async (tx) => {
      let deleted = 0;
      for await (const cursor of tx.objectStore('executions').index('byEnded').iterate(IDBKeyRange.upperBound(olderThanMs, true))) {
        if (!FINAL_OUTCOMES.has(cursor.value.outcome)) continue;
        await cursor.delete();
        deleted++;
      }
      return deleted;
    });
  }

  async pruneEndedTasks(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult> {
    checkPruneTasksArguments(olderThanMs, after, limit);
    // The ended statuses (cancelled, completed, failed) sort before pending and running: the start of byStatus [status, id].
    const from = after === null ? undefined : decodeEndedCursor(after);
    const range = from === undefined
      ? IDBKeyRange.bound(['cancelled'], ['failed', []])
      : IDBKeyRange.bound([from.status, from.id], ['failed', []], true);
    return this.#write(async (tx) => {
      const page = await tx.objectStore('tasks').index('byStatus').getAll(range, limit);
      const executions = tx.objectStore('executions').index('slot');
      const kept = await Promise.all(page.map((t) => (t.updatedAtMs < olderThanMs ? executions.count(taskRange(t.id)) : 1)));
      const gone = page.filter((_, k) => kept[k] === 0);
      await Promise.all(gone.map((t) => tx.objectStore('tasks').delete(t.id)));
      const last = page.at(-1);
      return { deleted: gone.length, next: page.length === limit && last !== undefined ? encodeEndedCursor(last.status, last.id) : null };
    });
  }
}

/** Every slot-index key of one task. */
function taskRange(taskId: string): IDBKeyRange {
  return IDBKeyRange.bound([taskId, -Infinity, -Infinity], [taskId, Infinity, Infinity]);
}
