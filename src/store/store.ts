// The Store: the only thing the scheduler knows about storage.
//
// Two kinds of record (records.ts): a TaskRecord per registered task, and an
// ExecutionRecord per schedule slot (task id, schedule version, nominal time).
// The contract the scheduler builds its promises on:
//
// - C2, one record per slot: the database itself enforces it (a UNIQUE
//   constraint in SQLite, a unique index in IndexedDB). claim() and
//   recordSkipped() report a slot that already has a record; they never
//   write a second one and never fail the batch for it.
// - C3, fencing: every attempt of a slot gets a fresh fencing token. Only the
//   holder of the current token may complete the attempt or save its state; a
//   stale attempt's write is refused and reported, never applied.
// - C4, the high-water mark: claiming or skipping a slot moves the task's mark
//   to the slot's nominal time if later; it never goes back. A slot at or
//   below the mark that has no record (pruned, or never claimed) is refused.
// - Atomicity: every method that writes does so in one transaction: all of it
//   is stored, or (it rejects and) none of it is.
// - Durability: a returned promise means committed. SqliteStore commits with
//   synchronous=FULL by default; IndexedDbStore with durability 'strict'.
// - Validation first: arguments are checked before any transaction begins;
//   a refused call rejects with InvalidArgumentError or
//   UnstorablePayloadError and writes nothing. Every method is async and
//   rejects, never throws synchronously.
// - C6, one owner: the lease (lease.ts). Once an instance has acquired it,
//   every write it makes checks in its transaction that the lease is still
//   its own (owner id and epoch) and rejects with LeaseLostError, writing
//   nothing, when it moved on. An instance that never acquired it is unfenced.
// - No clock: the store never reads the time; every timestamp is an argument.
// - Reads (get*, loadTasks batches, history, the recovery queries) each see
//   one committed state; they never see half of a write.
//
// MemoryStore is the reference implementation; test/persistence/store-contract.ts
// is the suite every store passes.
import type { PutStatus } from './codec.js';
import type { InvalidTaskRecordError } from './errors.js';
import type { AcquireResult, LeaseHolder, LeaseRequest, RenewResult } from './lease.js';
import type { ExecutionOutcome, ExecutionRecord, Json, SlotKey, TaskPatch, TaskRecord, TaskStatus } from './records.js';
import type { QueriedTask, TaskQuery } from './task-query.js';

export type { PutStatus } from './codec.js';

/** Start a slot's first attempt. */
export interface ClaimRequest extends SlotKey {
  startedAtMs: number;
}

/** Record that a slot will not run, and why (misfire policy, overlap, ...). */
export interface SkipRequest extends SlotKey {
  /** Why the slot was not run, e.g. 'misfire:skip' or 'missed beyond catch-up window'. Non-empty. */
  reason: string;
  recordedAtMs: number;
}

/** Why a slot was not claimed (or skipped). Reported per slot, never thrown. */
export type SlotRefusal =
  /** The slot already has a record (claimed, completed or skipped): the same slot is never recorded twice (C2). */
  | { status: 'duplicate'; existing: ExecutionRecord }
  /** No task has this id. */
  | { status: 'unknown-task' }
  /** The task's schedule changed since the slot was computed: the slot belongs to an old version. */
  | { status: 'schedule-changed'; scheduleVersion: number }
  /** The task is completed, failed or cancelled: it runs no more slots. */
  | { status: 'task-ended'; taskStatus: TaskStatus }
  /** The slot is at or below the task's high-water mark (as it was before this batch) and has no record (C4). */
  | { status: 'below-high-water-mark'; highWaterMarkMs: number };

export type ClaimResult = { status: 'claimed'; execution: ExecutionRecord } | SlotRefusal;
export type SkipResult = { status: 'recorded'; execution: ExecutionRecord } | SlotRefusal;

/** Why a fenced write (complete, saveState, retry) was refused. Reported, never thrown. */
export type FenceRefusal =
  | { status: 'unknown-execution' }
  /** A newer attempt holds the slot: the token presented is not the current one (C3). */
  | { status: 'stale-token'; current: ExecutionRecord }
  /** This attempt has already ended (a repeated completion, or recovery marked it interrupted). */
  | { status: 'already-ended'; current: ExecutionRecord };

/** How an attempt ended. `interrupted` leaves the slot open for retry(); the rest are final. */
export type EndingOutcome = Exclude<ExecutionOutcome, 'running' | 'skipped'>;

export interface CompleteRequest {
  executionId: string;
  /** The token claim() or retry() gave this attempt. */
  fencingToken: number;
  outcome: EndingOutcome;
  endedAtMs: number;
  /** What the body returned (JSON). @default null */
  result?: Json;
  /** The error it failed with, as JSON (name, message, code...). @default null */
  error?: Json;
  /** Written to the task in the same transaction: next execution, count, status, last error. @default no change */
  taskUpdate?: TaskPatch;
  /**
   * The attempt's span (tracing): stored as the record's traceId and spanId
   * unless the record has them already (from an earlier attempt). @default none
   */
  trace?: ExecutionTrace;
}

/** An attempt's OpenTelemetry span, as an execution record keeps it. */
export interface ExecutionTrace {
  /** 32 lowercase hex digits, not all zero. */
  traceId: string;
  /** 16 lowercase hex digits, not all zero. */
  spanId: string;
}

export type CompleteResult = { status: 'completed'; execution: ExecutionRecord; task: TaskRecord | undefined } | FenceRefusal;

/** How completeAndClaim() ended one attempt: as complete() answers, without the task. */
export type EndResult = { status: 'completed'; execution: ExecutionRecord } | FenceRefusal;

/** What completeAndClaim() did: one result per completion and per claim, each in its request's place. */
export interface SlotWritesResult {
  completed: EndResult[];
  claimed: ClaimResult[];
}

export interface RetryRequest {
  executionId: string;
  /** The current attempt's token: whoever retries must have seen the latest attempt. */
  fencingToken: number;
  startedAtMs: number;
}

export type RetryResult =
  | { status: 'retried'; execution: ExecutionRecord }
  | { status: 'unknown-execution' }
  | { status: 'stale-token'; current: ExecutionRecord }
  /** Only a `failed` or `interrupted` attempt may be retried (a running one is first ended as interrupted). */
  | { status: 'not-retryable'; current: ExecutionRecord };

export type SaveStateResult = { status: 'saved'; execution: ExecutionRecord } | FenceRefusal;

/** The last completed (final-outcome) slot of a task. */
export interface CompletedSlot {
  scheduleVersion: number;
  nominalMs: number;
  outcome: ExecutionOutcome;
}

/** Where a history page starts: the position of the last record of the previous page. */
export interface HistoryCursor {
  nominalMs: number;
  scheduleVersion: number;
}

export interface HistoryOptions {
  /** Records per page, 1 to 10,000. @default 100 */
  limit?: number;
  /** Only records strictly older (by nominal time, then schedule version) than this. @default the newest */
  before?: HistoryCursor;
}

export interface HistoryPage {
  /** Newest first: by nominal time, then schedule version, descending. */
  executions: ExecutionRecord[];
  /** Pass as `before` for the next page; null when this page is the last. */
  next: HistoryCursor | null;
}

export interface LoadTasksOptions {
  /** Records per yielded batch, 1 to 100,000. @default 5000 */
  batchSize?: number;
  /**
   * Receives each stored record that cannot be read into a task (malformed
   * JSON, impossible values), which is then left out of the batches; without
   * it, loadTasks() rejects with the first InvalidTaskRecordError.
   */
  onInvalid?: (error: InvalidTaskRecordError) => void;
}

export interface OpenInfo {
  /** The schema version the database is at after open (migrations applied). */
  schemaVersion: number;
}

export interface Store {
  /** 'memory', 'sqlite' or 'indexeddb': for messages. */
  readonly kind: string;

  /**
   * Opens the database: creates the schema or runs the pending migrations
   * (recording the schema version), and checks the file is a readable database
   * (StoreCorruptError otherwise, the file untouched). Rejects with
   * StoreSchemaTooNewError for a database from a newer timeslice.
   * Idempotent: a second call resolves to the same info.
   */
  open(): Promise<OpenInfo>;
  /** Closes the database. Idempotent. Every other call afterwards rejects with StoreClosedError. */
  close(): Promise<void>;

  /**
   * Takes the store's lease for this instance (one transaction), or reports
   * the live holder: granted when nobody holds it, when it lapsed, or when
   * this owner id holds it already; a new holder gets the next epoch. From
   * then on every write of this instance is fenced by it (see the header).
   */
  acquireLease(request: LeaseRequest): Promise<AcquireResult>;
  /**
   * Extends this instance's lease to nowMs + ttlMs (a store with a clock of
   * its own, PostgreSQL's, takes its now instead of nowMs). 'lost' when the lease
   * moved on (or this instance never held one): its writes are refused from
   * then on, until it acquires the lease again.
   */
  renewLease(nowMs: number, ttlMs: number): Promise<RenewResult>;
  /** Gives this instance's lease up (if it still holds it), so another can take it at once; its writes are refused afterwards. Idempotent. */
  releaseLease(): Promise<void>;
  /** The lease record, whoever holds it (expired or released ones included); undefined if it was never taken. */
  getLease(): Promise<LeaseHolder | undefined>;

  /**
   * Registers task records, all in one transaction: every record is checked
   * first, and one bad record rejects the call with nothing written. Resolves
   * to what happened to each, in order (codec.ts mergeUpsert): `created`;
   * `unchanged` (the same definition: the stored task keeps its next slot,
   * count, status and error); `updated` (the definition changed under the
   * same timing: definition replaced, the rest kept, an ended task pending
   * again); `rescheduled` (the timing changed: schedule version + 1, count 0,
   * pending, next slot from the record). createdAtMs stays; the high-water
   * mark is the later of the two. One id twice in a batch ends as if the two
   * were written one after the other. Idempotent: writing the same records
   * again changes nothing. (To change a task's status, count or next slot,
   * use updateTask.)
   */
  putTasks(tasks: readonly TaskRecord[]): Promise<PutStatus[]>;
  /**
   * Changes a task's mutable fields (one transaction). Changing a schedule
   * field bumps scheduleVersion. Resolves to the updated record, or undefined
   * when no task has this id. Idempotent (the same patch twice bumps the
   * version once). Cancelling a task is `updateTask(id, { status: 'cancelled' })`.
   */
  updateTask(id: string, patch: TaskPatch): Promise<TaskRecord | undefined>;
  /** The task, or undefined; rejects with InvalidTaskRecordError for a stored record that cannot be read into a task. */
  getTask(id: string): Promise<TaskRecord | undefined>;
  /**
   * Every task, in batches, in an order stable for the store (not by id). Each
   * batch is read in its own short transaction, so other calls may run between
   * batches; a task written meanwhile may or may not appear, none appears twice.
   */
  loadTasks(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]>;
  /**
   * The tasks matching `query`'s filters whose id sorts after `query.afterId`,
   * in id order (the store's string order), at most `query.limit`, each with
   * its last execution (task-query.ts). One read: one committed state.
   * Optional: a scheduler over a store without it reads every task
   * (loadTasks) and filters them itself. The stores that ship answer from
   * their indexes.
   */
  queryTasks?(query: TaskQuery): Promise<QueriedTask[]>;
  /** Deletes a task and its execution history (one transaction). Resolves to whether it existed. Idempotent. */
  deleteTask(id: string): Promise<boolean>;

  /**
   * Starts the first attempt of each slot, in one transaction: inserts a
   * `running` execution (attempt 1, a fresh fencing token) and advances the
   * task's high-water mark. A slot that cannot be claimed is reported in its
   * place in the results (SlotRefusal), never thrown; a slot twice in one batch
   * is claimed once and reported as a duplicate the second time. Replaying a
   * committed claim reports duplicates, so claim() is idempotent.
   */
  claim(slots: readonly ClaimRequest[]): Promise<ClaimResult[]>;
  /**
   * Starts another attempt of a `failed` or `interrupted` slot (same execution
   * id, attempt + 1, a fresh fencing token, the saved state kept), in one
   * transaction. Refusals are reported, never thrown. Replay-safe rather than
   * idempotent: repeating a committed retry presents a token that is no longer
   * current, so it is refused as `stale-token` and never starts a third attempt.
   */
  retry(request: RetryRequest): Promise<RetryResult>;
  /**
   * Ends the current attempt and applies `taskUpdate`, in one transaction. A
   * stale token or an attempt that already ended is refused and reported
   * (nothing written, task untouched), so a repeated completion is harmless.
   * The refusal carries the record as stored: a caller whose earlier try
   * failed but may have been stored (StoreOutcomeUnknownError) finds its own
   * end there, an `already-ended` whose end is this request's
   * (isStoredEnd in slot-rules.ts).
   */
  complete(request: CompleteRequest): Promise<CompleteResult>;
  /**
   * The slot writes of a moment in one transaction: ends the attempts of
   * `completions` (each as complete() would, in order, its taskUpdate
   * included), then starts the slots of `claims` (as claim() would), so a
   * scheduler commits the runs that ended and the runs that take their place
   * with one fsync. Refusals are reported in place, as by those two methods;
   * a bad request rejects the whole call, writing nothing. Optional: a
   * scheduler over a store without it calls complete() and claim() instead.
   */
  completeAndClaim?(completions: readonly CompleteRequest[], claims: readonly ClaimRequest[]): Promise<SlotWritesResult>;
  /** Saves a running attempt's interruption state (JSON), replacing the last one, fenced like complete(). Idempotent. */
  saveState(executionId: string, fencingToken: number, state: Json): Promise<SaveStateResult>;
  /**
   * Records slots that will not run (outcome `skipped`, with the reason), in one
   * transaction, advancing the high-water mark like claim() and reporting
   * refusals the same way. Idempotent like claim().
   */
  recordSkipped(skips: readonly SkipRequest[]): Promise<SkipResult[]>;
  /** The execution, or undefined. */
  getExecution(id: string): Promise<ExecutionRecord | undefined>;

  /**
   * Recovery: executions still `running` or `interrupted` (ended by recovery,
   * not yet retried). Whether a `running` one's process is dead is the
   * caller's judgement: for a single process at start, all of them are.
   */
  unfinishedExecutions(): Promise<ExecutionRecord[]>;
  /** Recovery: per task id, the latest slot (by nominal time, then version) with a final outcome. */
  lastCompletedSlots(): Promise<Map<string, CompletedSlot>>;
  /** Recovery: per task id, its high-water mark (tasks without one are left out). */
  highWaterMarks(): Promise<Map<string, number>>;

  /** A task's executions, newest first, a page at a time. */
  history(taskId: string, options?: HistoryOptions): Promise<HistoryPage>;
  /**
   * Retention: deletes executions that ended before `olderThanMs` (open ones
   * are never deleted), in one transaction. Resolves to how many were deleted.
   * The high-water mark still guards the pruned slots (C4). Idempotent.
   */
  pruneHistory(olderThanMs: number): Promise<number>;
  /**
   * Retention of tasks, called after pruneHistory() with the same cutoff, in
   * batches: looks at the next `limit` tasks after the cursor `after` (null:
   * from the start; each store scans its own order, its ended tasks where it
   * indexes them) and deletes, in one transaction, those that ended
   * (completed, failed or cancelled) before `olderThanMs` by updatedAtMs and
   * keep no execution record (none open, none that ended at or after the
   * cutoff). Pending and running tasks are never deleted. Resolves to how
   * many were deleted and the cursor to continue from, null when the scan is
   * done. A deleted id is free: putTasks() of it makes a new task (version 1,
   * no high-water mark). Optional: a store without it keeps ended tasks.
   */
  pruneEndedTasks?(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult>;
}

/** One batch of pruneEndedTasks(). */
export interface PruneTasksResult {
  deleted: number;
  /** The cursor to pass as `after` for the next batch (opaque); null when the scan is done. */
  next: string | null;
}
