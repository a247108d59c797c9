// The store as the scheduler writes to it once it owns it: the same Store,
// except that a write refused by the lease (LeaseLostError: another scheduler
// took the store over) is reported once, here, before it rejects: counted as
// a 'writefenced' event, and the loss of the lease handed to the scheduler,
// which then stops its durable work. Every write path (registrations, claims,
// skips, completions, saved states, retention, recovery) goes through it, so
// none can miss a lost lease.
import { LeaseLostError } from '../store/errors.js';
import type { AcquireResult, LeaseHolder, LeaseRequest, RenewResult } from '../store/lease.js';
import type { ExecutionRecord, Json, TaskPatch, TaskRecord } from '../store/records.js';
import type {
  ClaimRequest, ClaimResult, CompletedSlot, CompleteRequest, CompleteResult, EndResult, HistoryOptions, HistoryPage, LoadTasksOptions, OpenInfo, PutStatus,
  PruneTasksResult, RetryRequest, RetryResult, SaveStateResult, SkipRequest, SkipResult, SlotWritesResult, Store,
} from '../store/store.js';

export interface FenceHost {
  /** A write was refused by the lease. */
  onFenced(operation: string, error: LeaseLostError): void;
}

/** Whether a store call failed because the lease moved on (nothing to retry: the store is another's now). */
export function isFenced(error: unknown): boolean {
  return LeaseLostError.is(error);
}

export class FencedStore implements Store {
  readonly #store: Store;
  readonly #host: FenceHost;
  /** Set when the session that made this ended: every later write rejects with it. */
  #retired: Error | undefined;

  constructor(store: Store, host: FenceHost) {
    this.#store = store;
    this.#host = host;
  }

  get kind(): string {
    return this.#store.kind;
  }

  /**
   * The session is over (its lease lost, the scheduler failed or stopped):
   * writes still in flight from it are refused with `error`, even if the same
   * store instance is later owned again by a new session. Its attempts were
   * taken over; their writes must not land under a lease they do not hold.
   */
  retire(error: Error): void {
    this.#retired ??= error;
  }

  #write<T>(operation: string, write: () => Promise<T>): Promise<T> {
    const retired = this.#retired;
    if (retired !== undefined) {
      if (isFenced(retired)) this.#host.onFenced(operation, retired as LeaseLostError);
      return Promise.reject(retired);
    }
    return write().catch((error: unknown) => {
      if (isFenced(error)) this.#host.onFenced(operation, error as LeaseLostError);
      throw error;
    });
  }

  open(): Promise<OpenInfo> { return this.#store.open(); }
  close(): Promise<void> { return this.#store.close(); }
  acquireLease(request: LeaseRequest): Promise<AcquireResult> { return this.#store.acquireLease(request); }
  renewLease(nowMs: number, ttlMs: number): Promise<RenewResult> { return this.#store.renewLease(nowMs, ttlMs); }
  releaseLease(): Promise<void> { return this.#store.releaseLease(); }
  getLease(): Promise<LeaseHolder | undefined> { return this.#store.getLease(); }

  putTasks(tasks: readonly TaskRecord[]): Promise<PutStatus[]> { return this.#write('putTasks', () => this.#store.putTasks(tasks)); }
  updateTask(id: string, patch: TaskPatch): Promise<TaskRecord | undefined> { return this.#write('updateTask', () => this.#store.updateTask(id, patch)); }
  deleteTask(id: string): Promise<boolean> { return this.#write('deleteTask', () => this.#store.deleteTask(id)); }
  claim(slots: readonly ClaimRequest[]): Promise<ClaimResult[]> { return this.#write('claim', () => this.#store.claim(slots)); }
  retry(request: RetryRequest): Promise<RetryResult> { return this.#write('retry', () => this.#store.retry(request)); }
  complete(request: CompleteRequest): Promise<CompleteResult> { return this.#write('complete', () => this.#store.complete(request)); }
  /** The store's own (one transaction), or, for a store without it, complete() each, then claim(). */
  completeAndClaim(completions: readonly CompleteRequest[], claims: readonly ClaimRequest[]): Promise<SlotWritesResult> {
    const store = this.#store;
    // Named as what it writes: a batch of only ends is reported as 'complete', of only claims as 'claim'.
    const operation = claims.length === 0 ? 'complete' : completions.length === 0 ? 'claim' : 'completeAndClaim';
    if (store.completeAndClaim !== undefined) return this.#write(operation, () => store.completeAndClaim!(completions, claims));
    return this.#write(operation, async () => {
      const completed: EndResult[] = [];
      for (const request of completions) completed.push(await store.complete(request));
      return { completed, claimed: claims.length === 0 ? [] : await store.claim(claims) };
    });
  }
  saveState(executionId: string, fencingToken: number, state: Json): Promise<SaveStateResult> {
    return this.#write('saveState', () => this.#store.saveState(executionId, fencingToken, state));
  }
  recordSkipped(skips: readonly SkipRequest[]): Promise<SkipResult[]> { return this.#write('recordSkipped', () => this.#store.recordSkipped(skips)); }
  pruneHistory(olderThanMs: number): Promise<number> { return this.#write('pruneHistory', () => this.#store.pruneHistory(olderThanMs)); }
  /** The store's own; a store without it keeps its ended tasks (nothing deleted, the scan done). */
  pruneEndedTasks(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult> {
    const store = this.#store;
    if (store.pruneEndedTasks === undefined) return Promise.resolve({ deleted: 0, next: null });
    return this.#write('pruneEndedTasks', () => store.pruneEndedTasks!(olderThanMs, after, limit));
  }

  getTask(id: string): Promise<TaskRecord | undefined> { return this.#store.getTask(id); }
  loadTasks(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]> { return this.#store.loadTasks(options); }
  getExecution(id: string): Promise<ExecutionRecord | undefined> { return this.#store.getExecution(id); }
  unfinishedExecutions(): Promise<ExecutionRecord[]> { return this.#store.unfinishedExecutions(); }
  lastCompletedSlots(): Promise<Map<string, CompletedSlot>> { return this.#store.lastCompletedSlots(); }
  highWaterMarks(): Promise<Map<string, number>> { return this.#store.highWaterMarks(); }
  history(taskId: string, options?: HistoryOptions): Promise<HistoryPage> { return this.#store.history(taskId, options); }
}
