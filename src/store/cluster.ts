// The cluster capability of a store: many scheduler processes sharing one
// durable schedule (docs/design/cluster.md). A store that has it implements
// ClusterStore beside Store; the one-owner methods stay as they are.
//
// The shape, in one paragraph: slots are rows. A slot that will run is
// materialised as a *pending* row before it is due (offerSlots: a one-off's
// slot with its registration, a recurring task's next slot with the end of
// the previous run, finishClaimed's `next`). Processes register (an epoch, a
// lease) and heartbeat; each takes the most urgent due pending rows it can
// start (claimDue: by rank, the nominal time plus the class's deadline
// offset), which become `running` executions with a fresh fencing token.
// Ending one (finishClaimed) is fenced by that token, and in the same
// transaction records the slots its claimer skipped and offers the task's
// next slot. A process whose lease expired has its running rows put back to
// pending by whoever calls rescueExpired() first (no leader); a process that
// stops gives its rows back at once (deregister).
//
// The rules every cluster store keeps (the contract, test/persistence/contract/cluster-cases.ts):
// - The store's clock decides: what is due, when a lease expires, every
//   timestamp the store writes for the cluster (startedAtMs of a claim, a
//   rescue's endedAtMs). Each result carries that clock's `nowMs`, so a
//   process can measure its own skew. N process clocks never vote.
// - C2: a slot key is at most one row, pending or recorded; and a task has at
//   most one *open* scheduled slot (pending or running), so N processes that
//   each offer "the next slot" of a task materialise one row, and a task's
//   slots run one after another as they do under one owner. (Manual slots,
//   schedule version 0, are exempt: each is its own row.)
// - No overlap: a pending row is claimed by one claimDue() only; concurrent
//   claimers take disjoint rows (FOR UPDATE SKIP LOCKED on PostgreSQL).
// - C3: every claim gives a fresh fencing token; a finish with any other
//   token, or after the row was rescued, is refused and reported, never
//   applied. Token fencing is exact, so the process epoch is not checked on
//   finish: a process past its lease whose rows nobody rescued yet may still
//   finish them (nobody else can be running them). A finish is idempotent:
//   the end already stored for that token, sent again (its first try's
//   COMMIT went through but the answer was lost), is answered `completed`
//   with `alreadyStored` and writes nothing; any other end of an ended
//   attempt (another outcome, a rescue's `interrupted`) is refused.
// - C1: a slot is a row from the commit that offered it; rescue and
//   deregister put rows back, they never drop one. A row whose attempts are
//   used up is *not* failed by the rescue: it is handed to its next claimer
//   marked `exhausted`, who ends it as failed and offers the task's next slot
//   in the same transaction (the store cannot compute a schedule's next slot,
//   and a failure that offered none would end a recurring task's chain).
// - Atomicity and validation as for Store (store.ts header).
import type { ExecutionRecord, SlotKey, TaskRecord } from './records.js';
import type { LoadTasksOptions, PutStatus } from './store.js';
import type { CompleteRequest, FenceRefusal, PruneTasksResult, SkipRequest, SkipResult, SlotRefusal, Store } from './store.js';
import type { OfferWatch, OfferWatcher } from './offer-watch.js';
import type { ClusterProcess, HeartbeatResult, ProcessRef, ProcessRequest, RegisterResult } from './cluster-process.js';

export type { OfferWatch, OfferWatcher } from './offer-watch.js';
export type { ClusterProcess, HeartbeatResult, ProcessRef, ProcessRequest, RegisterResult } from './cluster-process.js';

/** A slot to materialise as a pending row. */
export interface OfferRequest extends SlotKey {
  /** Due (claimable) from this store-clock time: the nominal time, or a retry's time after its backoff. */
  dueMs: number;
  /** Claim order, most urgent (smallest) first: the nominal time plus the class's deadline offset. */
  rankMs: number;
  /** How many attempts the slot may have (the task's retry policy), >= 1. */
  maxAttempts: number;
}

/** A pending row: a slot waiting for a claimer. */
export interface PendingSlot extends SlotKey {
  /** The execution id (executionIdOf(slot)). */
  id: string;
  dueMs: number;
  rankMs: number;
  maxAttempts: number;
  /** Attempts the slot has had so far (0 for a fresh slot; rescued and retried slots have more). */
  attempts: number;
}

export type OfferResult =
  | { status: 'offered'; slot: PendingSlot }
  /** The task already has an open scheduled slot (pending or running), maybe this very one: nothing was written. */
  | { status: 'open-slot'; slot: SlotKey }
  /** The slot or its task refuses it, as claim() would: duplicate (already recorded), unknown-task, schedule-changed, task-ended, below-high-water-mark. */
  | SlotRefusal;

export interface ClaimDueRequest extends ProcessRef {
  /** How many rows to take at most: what the process can start now (1 to 10,000). */
  limit: number;
  /**
   * Only rows whose task runs one of these functions (the names this process
   * defines; at most 10,000 non-empty strings): rows of other functions are
   * left for the processes that define them, so a rolling deploy (old and
   * new code side by side) does not pass rows back and forth. Omitted: rows
   * of any function.
   */
  functions?: readonly string[];
  /**
   * How many of the rows taken, most urgent first, the process starts at
   * once (0 to 10,000; omitted: all of them). The others wait in its local
   * queue, held but unstarted (ClaimedSlot.started false), until a later
   * finishAndClaim() names them in `started`: a rescue ends an unstarted row
   * as an interrupted attempt like any other (its next start has a higher
   * attempt number) but allows the slot one attempt more, the one it never
   * ran, so a dead process's queue does not use up its rows' retries.
   */
  startNow?: number;
  /**
   * Reconciliation after a call whose outcome is unknown (its COMMIT may have
   * gone through: StoreOutcomeUnknownError): every row this process holds as
   * far as it knows (claimed, its end not yet settled). A row held under this
   * registration that is not named here (by id and token) was claimed by that
   * call, whose answer never came: no body of it ran, so it goes back to
   * pending as it was before that claim (no attempt counted, as deregister's
   * `unstarted`), before this claim takes rows. Omitted: nothing is given back.
   */
  known?: readonly AttemptRef[];
}

/** A held row by its attempt: finishAndClaim()'s `started`, deregister()'s `unstarted`. */
export interface AttemptRef {
  executionId: string;
  fencingToken: number;
}

/** A row claimDue() handed to a process: now a running execution under a fresh token. */
export interface ClaimedSlot {
  execution: ExecutionRecord;
  /** The task, as claimed: its definition (function name, params, retry, schedule) for the body and the next slot. */
  task: TaskRecord;
  dueMs: number;
  rankMs: number;
  maxAttempts: number;
  /**
   * The slot's attempts are used up (its last holder died running it): the
   * body must not run; finish it as failed (offering the task's next slot).
   * Its attempt is not incremented.
   */
  exhausted: boolean;
  /**
   * Stored as started (ClaimDueRequest.startNow). False: stored as waiting
   * in the claimer's local queue (a rescue allows it one attempt more) until
   * finishAndClaim() names it in `started`.
   */
  started: boolean;
}

export type ClaimDueResult =
  | {
    status: 'claimed';
    /** Most urgent first (rank, then the order rows were offered in). */
    claimed: ClaimedSlot[];
    /** The earliest due time of a pending row left that this claim could have taken (of its `functions`; maybe <= nowMs when `limit` cut the batch), or null: when to look again. */
    nextDueMs: number | null;
    nowMs: number;
  }
  /** The process is not registered under this epoch (it was rescued, or deregistered): nothing was claimed; register again. */
  | { status: 'not-registered'; nowMs: number }
  /** Its lease expired (nobody rescued it yet): nothing was claimed; heartbeat first. */
  | { status: 'lease-expired'; nowMs: number };

/** How a claimed slot ends, and what its claimer writes with the end. */
export interface FinishRequest extends Omit<CompleteRequest, 'outcome'> {
  /**
   * As complete(), or `skipped`: the claimer did not run it (its missed-run
   * policy or constraints said so), with `skipReason`. `skipped` leaves the
   * attempt count where it was before the claim.
   */
  outcome: CompleteRequest['outcome'] | 'skipped';
  /** Required with `skipped`, refused otherwise. */
  skipReason?: string;
  /**
   * With `failed` or `interrupted` only: the slot is pending again from this
   * store-clock time, for another attempt (a retry after its backoff). The
   * task keeps the slot open, so no `next` with it.
   */
  retryAtMs?: number;
  /** Other slots the claimer decided not to run (missed, refused), recorded as recordSkipped() would. */
  skipped?: readonly SkipRequest[];
  /** The task's next slot, offered after the end (so the task's open slot is this one). */
  next?: OfferRequest;
}

export type FinishResult =
  | {
    status: 'completed';
    execution: ExecutionRecord;
    task: TaskRecord | undefined;
    skipped: SkipResult[];
    /** What became of `next` (undefined when none was given). */
    next: OfferResult | undefined;
    /**
     * This very end was already stored: the attempt ended under the same
     * token with the same outcome, end time, result and error (or skip
     * reason), as when an earlier call's COMMIT went through but its answer
     * was lost (StoreOutcomeUnknownError) and the end was sent again. Nothing
     * was written now; `execution` and `task` are as stored, `skipped` is
     * empty and `next` undefined (what that call recorded is not told again).
     */
    alreadyStored?: true;
  }
  /** The attempt's token is not the current one (the row was rescued and claimed again) or the row ended otherwise (rescued, given back, another end): nothing written. */
  | FenceRefusal;

export interface FinishAndClaimResult {
  /** One result per finish, in order. */
  finished: FinishResult[];
  /** The claim's result, after the finishes (undefined without a claim). */
  claimed: ClaimDueResult | undefined;
}

export interface DeregisterRequest extends ProcessRef {
  /**
   * Rows this process claimed and never started: pending again with the
   * attempt count they had before the claim (a claim the body never saw is
   * no attempt). Its other running rows are put back as rescue does.
   */
  unstarted?: readonly AttemptRef[];
}

export interface GiveBackResult {
  /** Rows pending again without losing an attempt (unstarted claims). */
  returned: number;
  /** Running rows ended as interrupted and pending again. */
  interrupted: number;
  nowMs: number;
}

export interface RescueResult extends GiveBackResult {
  /** The processes whose lease had expired, now removed. */
  expired: ProcessRef[];
}

/** One round of task retention in cluster mode (ClusterStore.pruneEndedTasksRound). */
export type PruneTasksRoundResult = ({ status: 'pruned' } & PruneTasksResult) | { status: 'busy' };

/** One round of retention in cluster mode (ClusterStore.pruneHistoryRound). */
export type PruneRoundResult =
  /** `deleted` records are gone; fewer than the limit means nothing older is left. */
  | { status: 'pruned'; deleted: number }
  /** Another process is pruning (it holds the store's prune lock): nothing was deleted, skip this round. */
  | { status: 'busy' };

export interface ClusterStore {
  /** Registers a process with a new epoch and a lease of leaseMs from the store's now. */
  registerProcess(request: ProcessRequest): Promise<RegisterResult>;
  /**
   * Renews the lease to now + leaseMs. Renewed even past its expiry while no
   * one rescued the process (it was paused, not replaced); lost once it was.
   */
  heartbeat(process: ProcessRef, leaseMs: number): Promise<HeartbeatResult>;
  /** A clean stop: gives back the process's rows and removes it, in one transaction. Idempotent. */
  deregister(request: DeregisterRequest): Promise<GiveBackResult>;
  /** Every registered process (expired ones included until rescued), by epoch. */
  processes(): Promise<ClusterProcess[]>;

  /** Materialises slots as pending rows, in one transaction; a slot that cannot be is reported in place (OfferResult), never thrown. */
  offerSlots(offers: readonly OfferRequest[]): Promise<OfferResult[]>;
  /**
   * Takes up to `limit` due pending rows (dueMs <= the store's now) of the
   * request's `functions` (all when omitted), most urgent first, and marks them running for this process with fresh tokens
   * (attempt + 1, the task running). Rows whose task was deleted, ended or
   * rescheduled since they were offered are dropped, not handed out. A row
   * of a task that has a row held (by any process) stays pending until that
   * one ends, and one claim takes at most one row per task: a task's runs
   * never overlap (a manual run and a scheduled one), as under one owner.
   */
  claimDue(request: ClaimDueRequest): Promise<ClaimDueResult>;
  /** Ends a claimed attempt (fenced by its token) with its skips and next slot, in one transaction. */
  finishClaimed(request: FinishRequest): Promise<FinishResult>;
  /**
   * Several finishClaimed() in order, then (with `claim`) a claimDue(), all
   * in one transaction (one commit): how a process ends the runs that
   * finished together and takes the rows for the room they made. Each finish
   * is fenced on its own: a refused one writes nothing and leaves the others
   * as they would be alone. Every request is checked first; one that is not
   * valid rejects the call and nothing is written. A call that fails writes
   * nothing, for any of them. `started`, written first: held rows claimed
   * unstarted (ClaimDueRequest.startNow) whose bodies this process started
   * since; a rescue no longer allows them an attempt more. A ref that is not
   * (or no longer) held under its token is ignored: its end is refused anyway.
   */
  finishAndClaim(finishes: readonly FinishRequest[], claim?: ClaimDueRequest, started?: readonly AttemptRef[]): Promise<FinishAndClaimResult>;
  /**
   * Puts the running rows of every process whose lease expired (by the
   * store's clock) back to pending as interrupted attempts, and removes those
   * processes. Any process may call it; concurrent calls rescue each row once.
   * A row held unstarted (claimed for a local queue, never named in
   * finishAndClaim's `started`) is interrupted too, and its slot allowed one
   * attempt more (`maxAttempts` + 1): each start keeps a higher attempt
   * number, and the attempt it never ran is not taken from its retries.
   */
  rescueExpired(): Promise<RescueResult>;
  /**
   * Retention in cluster mode, one bounded transaction: deletes at most
   * `limit` (1 to 100,000) executions that ended before `olderThanMs` with a
   * final outcome, as pruneHistory() does, except those whose slot has an
   * open row (a failed attempt waiting for its retry keeps its record until
   * the retry is claimed). One prune at a time per store: a call made while
   * another process's prune transaction runs deletes nothing and reports
   * `busy` (PostgreSQL: pg_try_advisory_xact_lock on a key named after the
   * schema), so N processes pruning in the same hour do the work once and
   * never wait on each other. Not fenced: cluster mode has no one-owner lease.
   */
  pruneHistoryRound(olderThanMs: number, limit: number): Promise<PruneRoundResult>;
  /**
   * Retention of ended tasks in cluster mode, one bounded transaction under
   * the same prune lock as pruneHistoryRound (`busy` when another process
   * holds it): Store.pruneEndedTasks() (the next `limit` tasks past the cursor
   * `after`, deleting those that ended before `olderThanMs` and keep no
   * record), except a task that still has an open row. Optional: a store
   * without it keeps ended tasks in cluster mode.
   */
  pruneEndedTasksRound?(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksRoundResult>;
  /** The pending rows of a task (or of all), by rank: for tools and tests. */
  pendingSlots(taskId?: string): Promise<PendingSlot[]>;
  /**
   * Optional: tells `watcher` of each committed transaction that made rows
   * pending, at most one notice per transaction (PostgreSQL: LISTEN/NOTIFY).
   * Resolves once watching, or once its first connection failed (told through
   * interrupted(); it keeps trying). A store without it, or one told not to
   * listen (`postgresStore(..., { listen: false })`), is polled.
   */
  watchOffers?(watcher: OfferWatcher): Promise<OfferWatch>;
  /**
   * Optional, for a process's start: the pending tasks that have no open row
   * (a registration cut off between its record and its offer), in batches as
   * loadTasks() yields them. A store without it has start() read every task
   * (with N processes starting beside a big schedule, N passes over all of
   * it, each offer refused as `open-slot`).
   */
  unofferedTasks?(options?: LoadTasksOptions): AsyncIterable<TaskRecord[]>;
  /** Optional, with unofferedTasks: how many tasks are pending or running. */
  liveTaskCount?(): Promise<number>;
  /**
   * Optional: a registration in one transaction where it can be: putTasks(),
   * then offerSlots() of the offers `offersOf` makes from the records as
   * stored (for an id the store had, its stored record; undefined: deleted
   * meanwhile). When every record was new, both commit together (one commit,
   * and no crash can leave a task without its row); when one merged into a
   * stored task, the offers go in a transaction of their own after the
   * records' (a stored task's open row may be held by a claim, which locks
   * the row before the task: locking the task first could deadlock).
   */
  registerTasks?(tasks: readonly TaskRecord[], offersOf: (stored: ReadonlyArray<TaskRecord | undefined>) => OfferRequest[]): Promise<RegisterTasksResult>;
}

/** What registerTasks() did: each record's PutStatus and stored record, and the offers' results. */
export interface RegisterTasksResult {
  statuses: PutStatus[];
  stored: Array<TaskRecord | undefined>;
  offers: OfferResult[];
}

/** Whether `store` has the cluster capability. */
export function isClusterStore(store: Store): store is Store & ClusterStore {
  const s = store as Partial<ClusterStore>;
  return typeof s.registerProcess === 'function' && typeof s.claimDue === 'function' && typeof s.finishClaimed === 'function';
}
