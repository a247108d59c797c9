// MemoryStore: the reference Store, in process memory. It follows the same
// rules as the durable stores (slot-rules.ts, codec.ts) with nothing in the
// way, so it is the model the contract suite compares them with, and the
// store for tests of the scheduler's recovery: a MemoryDatabase outlives the
// MemoryStore over it, so a new store over the same database is a restart
// (after close(), or after abandoning the old store as a crash would).
//
// Writes are applied only after every check of the call has passed, so a
// refused call changes nothing, as a rolled-back transaction would.
//
// This file is the store's methods (checks, the lease's fence, reads); the
// data is memory-database.ts, what the slot writes do to it memory-slot-writes.ts.
import {
  applyPatch, decodeExecution, decodeLoaded, decodeLoadedBatch, decodeTask, encodeTask, ENDED_STATUSES, mergeUpsert, type StoredTask,
} from './codec.js';
import { InvalidArgumentError } from '../../bindings/errors.js';
import { StoreClosedError } from './errors.js';
import { FINAL_OUTCOMES, isOlderThan, newestFirst, nextCursor } from './history-order.js';
import { MemoryDatabase } from './memory-database.js';
import { Changes, endAttempt, recordSlots } from './memory-slot-writes.js';
import type { ExecutionRecord, Json, TaskPatch, TaskRecord } from './records.js';
import {
  type AcquireResult, checkFence, checkLeaseRequest, checkLeaseTimes, decideAcquire, decideRenew, type HeldLease, holds, type LeaseHolder,
  type LeaseRequest, type RenewResult,
} from './lease.js';
import {
  checkClaims, checkRetryRequest, checkSkips, claimedExecution, encodeCompletion, encodeSaveState, refuseFenced, refuseRetry, retriedExecution, runningStatus,
  skippedExecution,
} from './slot-rules.js';
import type {
  ClaimRequest, ClaimResult, CompletedSlot, CompleteRequest, CompleteResult, HistoryOptions, HistoryPage, LoadTasksOptions, OpenInfo, PutStatus,
  PruneTasksResult, RetryRequest, RetryResult, SaveStateResult, SkipRequest, SkipResult, SlotWritesResult, Store,
} from './store.js';
import { checkTaskQuery, lastExecutionOf, pageOfRecords, type QueriedTask, type TaskQuery } from './task-query.js';
import {
  checkArray, checkId, checkNonEmptyString, checkObject, checkPruneTasksArguments, checkTaskPatch, checkTimeMs, decodeEndedCursor, encodeEndedCursor, invalid, resolveHistoryOptions, resolveLoadOptions,
} from './validate.js';

export { MemoryDatabase } from './memory-database.js';

/** The schema version a MemoryDatabase is at (it has no migrations; kept for the contract). */
const MEMORY_SCHEMA_VERSION = 1;

export interface MemoryStoreOptions {
  /** The data to open: pass the database of a previous store to simulate a restart. @default a new, empty database */
  database?: MemoryDatabase;
}

export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly database: MemoryDatabase;
  #open = false;
  #closed = false;
  /** This instance's lease: undefined until it acquires one (unfenced), 'released' after it gives it up or loses it. */
  #lease: HeldLease | 'released' | undefined;

  /** @example const store = new MemoryStore(); await store.open(); */
  constructor(options: MemoryStoreOptions = {}) {
    checkObject(options, 'options');
    for (const key of Object.keys(options)) {
      if (key !== 'database') throw new InvalidArgumentError(`options.${key} is not a MemoryStore option (known: database)`);
    }
    if (options.database !== undefined && !(options.database instanceof MemoryDatabase)) {
      throw invalid('options.database', 'a MemoryDatabase (the database of another MemoryStore)', options.database);
    }
    this.database = options.database ?? new MemoryDatabase();
  }

  async open(): Promise<OpenInfo> {
    if (this.#closed) throw new StoreClosedError('memory store: closed; create a new MemoryStore over the same database to reopen it');
    this.#open = true;
    return { schemaVersion: MEMORY_SCHEMA_VERSION };
  }

  async close(): Promise<void> {
    this.#open = false;
    this.#closed = true;
  }

  #db(): MemoryDatabase {
    if (!this.#open) throw new StoreClosedError(`memory store: ${this.#closed ? 'closed' : 'not open (await store.open() first)'}`);
    return this.database;
  }

  /** The database, for a write: fenced by this instance's lease, if it took one (after the call's checks, before any change). */
  #fenced(db: MemoryDatabase): MemoryDatabase {
    checkFence('memory store', db.lease, this.#lease);
    return db;
  }

  async acquireLease(request: LeaseRequest): Promise<AcquireResult> {
    const db = this.#db();
    checkLeaseRequest(request);
    const result = decideAcquire(db.lease, request);
    if (result.status === 'acquired') {
      db.lease = result.lease;
      this.#lease = { ownerId: result.lease.ownerId, epoch: result.lease.epoch };
    }
    return result;
  }

  async renewLease(nowMs: number, ttlMs: number): Promise<RenewResult> {
    const db = this.#db();
    checkLeaseTimes(nowMs, ttlMs);
    const mine = this.#lease;
    if (mine === undefined || mine === 'released') return { status: 'lost', holder: db.lease };
    const result = decideRenew(db.lease, mine, nowMs, ttlMs);
    if (result.status === 'renewed') db.lease = result.lease;
    return result;
  }

  async releaseLease(): Promise<void> {
    const db = this.#db();
    const mine = this.#lease;
    if (mine !== undefined && mine !== 'released' && holds(db.lease, mine)) db.lease = { ...db.lease, expiresAtMs: 0 };
    if (mine !== undefined) this.#lease = 'released';
  }

  async getLease(): Promise<LeaseHolder | undefined> {
    return this.#db().lease;
  }

  async putTasks(tasks: readonly TaskRecord[]): Promise<PutStatus[]> {
    const db = this.#db();
    checkArray(tasks, 'tasks');
    const encoded = tasks.map((task, i) => encodeTask(task, `tasks[${i}]`));
    this.#fenced(db);
    return encoded.map((incoming) => {
      const { task, status } = mergeUpsert(db.tasks.get(incoming.id), incoming);
      db.tasks.set(task.id, task);
      return status;
    });
  }

  async updateTask(id: string, patch: TaskPatch): Promise<TaskRecord | undefined> {
    const db = this.#db();
    checkId(id, 'id');
    checkTaskPatch(patch, 'patch');
    this.#fenced(db);
    const existing = db.tasks.get(id);
    if (existing === undefined) return undefined;
    const updated = applyPatch(existing, patch, 'patch');
    db.tasks.set(id, updated);
    return decodeTask(updated);
  }

  async getTask(id: string): Promise<TaskRecord | undefined> {
    const db = this.#db();
    checkId(id, 'id');
    const task = db.tasks.get(id);
    return task === undefined ? undefined : decodeLoaded(id, () => decodeTask(task));
  }

  async *loadTasks(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]> {
    const { batchSize, onInvalid } = resolveLoadOptions(options);
    const ids = [...this.#db().tasks.keys()];
    for (let start = 0; start < ids.length; start += batchSize) {
      const db = this.#db();
      const stored = ids.slice(start, start + batchSize).map((id) => db.tasks.get(id)).filter((task) => task !== undefined);
      const batch = decodeLoadedBatch(stored, (task) => task.id, decodeTask, onInvalid);
      if (batch.length > 0) yield batch;
    }
  }

  async queryTasks(query: TaskQuery): Promise<QueriedTask[]> {
    const db = this.#db();
    checkTaskQuery(query);
    return pageOfRecords(db.tasks.values(), query).map((stored) => {
      const task = decodeLoaded(stored.id, () => decodeTask(stored));
      const slot = [...(db.byTask.get(task.id) ?? [])].map((id) => db.executions.get(id)!).filter((e) => e.nominalMs === task.lastExecutionMs);
      return { ...task, lastExecution: lastExecutionOf(task.lastExecutionMs, slot) };
    });
  }

  async deleteTask(id: string): Promise<boolean> {
    const db = this.#db();
    checkId(id, 'id');
    this.#fenced(db);
    if (!db.tasks.delete(id)) return false;
    for (const executionId of db.byTask.get(id) ?? []) db.executions.delete(executionId);
    db.byTask.delete(id);
    return true;
  }

  async claim(slots: readonly ClaimRequest[]): Promise<ClaimResult[]> {
    const db = this.#db();
    checkClaims(slots);
    this.#fenced(db);
    return recordSlots(db, slots, (slot) => claimedExecution(slot, ++db.fencingToken), 'claimed');
  }

  async recordSkipped(skips: readonly SkipRequest[]): Promise<SkipResult[]> {
    const db = this.#db();
    checkSkips(skips);
    this.#fenced(db);
    return recordSlots(db, skips, skippedExecution, 'recorded');
  }

  async retry(request: RetryRequest): Promise<RetryResult> {
    const db = this.#db();
    checkRetryRequest(request);
    this.#fenced(db);
    const current = db.executions.get(request.executionId);
    const refusal = refuseRetry(current, request.fencingToken);
    if (refusal !== undefined) return refusal;
    const retried = retriedExecution(current!, request.startedAtMs, ++db.fencingToken);
    db.executions.set(retried.id, retried);
    const task = db.tasks.get(retried.taskId);
    if (task !== undefined) db.tasks.set(task.id, { ...task, status: runningStatus(task.status) });
    return { status: 'retried', execution: decodeExecution(retried) };
  }

  async complete(request: CompleteRequest): Promise<CompleteResult> {
    const db = this.#db();
    const completion = encodeCompletion(request);
    this.#fenced(db);
    const changes = new Changes(db);
    const result = endAttempt(changes, completion);
    changes.apply(db);
    if (result.status !== 'completed') return result;
    const task = db.tasks.get(result.execution.taskId);
    return { ...result, task: task === undefined ? undefined : decodeTask(task) };
  }

  async completeAndClaim(completions: readonly CompleteRequest[], claims: readonly ClaimRequest[]): Promise<SlotWritesResult> {
    const db = this.#db();
    checkArray(completions, 'completions');
    const encoded = completions.map((request) => encodeCompletion(request));
    checkClaims(claims);
    this.#fenced(db);
    // Every completion is decided before any is applied: a patch refused halfway writes nothing.
    const changes = new Changes(db);
    const completed = encoded.map((completion) => endAttempt(changes, completion));
    changes.apply(db);
    return { completed, claimed: recordSlots(db, claims, (slot) => claimedExecution(slot, ++db.fencingToken), 'claimed') };
  }

  async saveState(executionId: string, fencingToken: number, state: Json): Promise<SaveStateResult> {
    const db = this.#db();
    const text = encodeSaveState(executionId, fencingToken, state);
    this.#fenced(db);
    const current = db.executions.get(executionId);
    const refusal = refuseFenced(current, fencingToken);
    if (refusal !== undefined) return refusal;
    const saved = { ...current!, state: text };
    db.executions.set(saved.id, saved);
    return { status: 'saved', execution: decodeExecution(saved) };
  }

  async getExecution(id: string): Promise<ExecutionRecord | undefined> {
    const db = this.#db();
    checkNonEmptyString(id, 'id');
    const execution = db.executions.get(id);
    return execution === undefined ? undefined : decodeExecution(execution);
  }

  async unfinishedExecutions(): Promise<ExecutionRecord[]> {
    const db = this.#db();
    return [...db.executions.values()].filter((e) => e.outcome === 'running' || e.outcome === 'interrupted').map(decodeExecution);
  }

  async lastCompletedSlots(): Promise<Map<string, CompletedSlot>> {
    const db = this.#db();
    const last = new Map<string, CompletedSlot>();
    for (const e of db.executions.values()) {
      if (!FINAL_OUTCOMES.has(e.outcome)) continue;
      const seen = last.get(e.taskId);
      if (seen === undefined || newestFirst(e, seen) < 0) {
        last.set(e.taskId, { scheduleVersion: e.scheduleVersion, nominalMs: e.nominalMs, outcome: e.outcome });
      }
    }
    return last;
  }

  async highWaterMarks(): Promise<Map<string, number>> {
    const db = this.#db();
    const marks = new Map<string, number>();
    for (const task of db.tasks.values()) if (task.highWaterMarkMs !== null) marks.set(task.id, task.highWaterMarkMs);
    return marks;
  }

  async history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> {
    const db = this.#db();
    const { limit, before } = resolveHistoryOptions(taskId, options);
    const all = [...(db.byTask.get(taskId) ?? [])].map((id) => db.executions.get(id)!);
    const page = all.filter((e) => before === null || isOlderThan(e, before)).sort(newestFirst).slice(0, limit);
    return { executions: page.map(decodeExecution), next: nextCursor(page, limit) };
  }

  async pruneHistory(olderThanMs: number): Promise<number> {
    const db = this.#db();
    checkTimeMs(olderThanMs, 'olderThanMs');
    this.#fenced(db);
    let deleted = 0;
    for (const e of [...db.executions.values()]) {
      if (!FINAL_OUTCOMES.has(e.outcome) || e.endedAtMs === null || e.endedAtMs >= olderThanMs) continue;
      db.executions.delete(e.id);
      db.byTask.get(e.taskId)?.delete(e.id);
      deleted++;
    }
    return deleted;
  }

  async pruneEndedTasks(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult> {
    const db = this.#db();
    checkPruneTasksArguments(olderThanMs, after, limit);
    this.#fenced(db);
    return this.pruneEndedTasksOf(db, olderThanMs, after, limit, () => false);
  }

  /** @internal pruneEndedTasks() on checked arguments, keeping the tasks `keep` names too (the cluster store's with open rows). */
  protected pruneEndedTasksOf(db: MemoryDatabase, olderThanMs: number, after: string | null, limit: number, keep: (id: string) => boolean): PruneTasksResult {
    // No index here: the ended tasks past the cursor in (status, id) order, as SQLite and IndexedDB read them from theirs.
    const from = after === null ? undefined : decodeEndedCursor(after);
    const past = (t: StoredTask) => from === undefined || t.status > from.status || (t.status === from.status && t.id > from.id);
    const ended = [...db.tasks.values()].filter((t) => ENDED_STATUSES.has(t.status) && past(t));
    ended.sort((a, b) => (a.status === b.status ? (a.id < b.id ? -1 : 1) : a.status < b.status ? -1 : 1));
    const batch = ended.slice(0, limit);
    let deleted = 0;
    for (const t of batch) {
      if (t.updatedAtMs >= olderThanMs || (db.byTask.get(t.id)?.size ?? 0) > 0 || keep(t.id)) continue;
      db.tasks.delete(t.id);
      db.byTask.delete(t.id);
      deleted++;
    }
    const last = batch.at(-1);
    return { deleted, next: ended.length > limit && last !== undefined ? encodeEndedCursor(last.status, last.id) : null };
  }
}
