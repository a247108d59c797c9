// MemoryClusterStore: the reference cluster store (cluster.ts), a MemoryStore
// with the cluster's tables (memory-cluster-database.ts). Each method does
// all of its work synchronously once its checks passed, so a call is one
// transaction and concurrent calls from several instances (processes) over
// one database serialise, as row locks make them on PostgreSQL: what the
// contract suite checks of every cluster store, this one holds by
// construction, simply. It reads the time only from its database's clock.
import { applyPatch, decodeExecution, decodeTask, type StoredExecution, type StoredTask } from './codec.js';
import type {
  AttemptRef, ClaimDueRequest, ClaimDueResult, ClaimedSlot, ClusterProcess, ClusterStore, DeregisterRequest, FinishAndClaimResult, FinishRequest, FinishResult, GiveBackResult,
  HeartbeatResult, OfferRequest, OfferResult, OfferWatch, OfferWatcher, PendingSlot, ProcessRef, ProcessRequest, PruneRoundResult, PruneTasksRoundResult, RegisterResult, RescueResult,
} from './cluster.js';
import {
  byUrgency, checkAttemptRefs, checkClaimDue, checkDeregister, checkLeaseMs, checkOffers, checkOfferWatcher, checkProcessRef, checkProcessRequest, checkPruneRound, encodeFinish, LEASE_EXPIRED_ERROR_TEXT,
} from './cluster-rules.js';
import { StoreClosedError } from './errors.js';
import { FINAL_OUTCOMES } from './history-order.js';
import { type HeldRow, MemoryClusterDatabase, type PendingRow, pendingSlot } from './memory-cluster-database.js';
import { MemoryStore } from './memory-store.js';
import { executionIdOf, isManualSlot, type SlotKey } from './records.js';
import {
  advanceHighWaterMark, type BatchTask, claimedExecution, completedExecution, refuseByTask, refuseFenced, refuseSlot, retriedExecution, runningStatus,
  skippedExecution, updatesTask,
} from './slot-rules.js';
import type { OpenInfo, PruneTasksResult, SkipRequest, SkipResult } from './store.js';
import { checkArray, checkId, checkObject, checkPruneTasksArguments, invalid } from './validate.js';

export { MemoryClusterDatabase, type MemoryClusterDatabaseOptions, type WallClock } from './memory-cluster-database.js';

export interface MemoryClusterStoreOptions {
  /** The shared data: every store (process) of one cluster gets the same one. @default a new database on the host's clock */
  database?: MemoryClusterDatabase;
}

export class MemoryClusterStore extends MemoryStore implements ClusterStore {
  override readonly database: MemoryClusterDatabase;
  #open = false;
  /** This store's watchers (closed with it). */
  readonly #watchers = new Set<OfferWatcher>();

  /** @example const database = new MemoryClusterDatabase({ clock }); const a = new MemoryClusterStore({ database }); */
  constructor(options: MemoryClusterStoreOptions = {}) {
    checkObject(options, 'options');
    const database = options.database ?? new MemoryClusterDatabase();
    if (!(database instanceof MemoryClusterDatabase)) throw invalid('options.database', 'a MemoryClusterDatabase', database);
    super({ ...options, database });
    this.database = database;
  }

  override async open(): Promise<OpenInfo> {
    const info = await super.open();
    this.#open = true;
    return info;
  }

  override async close(): Promise<void> {
    this.#open = false;
    for (const watcher of this.#watchers) this.database.watchers.delete(watcher);
    this.#watchers.clear();
    await super.close();
  }

  #db(): MemoryClusterDatabase {
    if (!this.#open) throw new StoreClosedError('memory cluster store: not open (await store.open() first), or closed');
    return this.database;
  }

  override deleteTask(id: string): Promise<boolean> {
    // The task's rows go in the same turn as its records: no claim sees one without the other.
    const deleted = super.deleteTask(id);
    if (this.#open && typeof id === 'string') this.database.dropTask(id);
    return deleted;
  }

  override pruneEndedTasks(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult> {
    // The memory store deletes synchronously before it answers: the rows of the deleted tasks go in the same turn.
    const result = super.pruneEndedTasks(olderThanMs, after, limit);
    if (this.#open) this.database.dropDeletedTasks();
    return result;
  }

  /** One prune at a time holds by construction here, as for pruneHistoryRound: never `busy`. A task with an open row stays. */
  async pruneEndedTasksRound(olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksRoundResult> {
    const db = this.#db();
    checkPruneTasksArguments(olderThanMs, after, limit);
    const open = new Set([...db.pending.values()].map((row) => row.taskId));
    for (const held of db.held.values()) open.add(held.row.taskId);
    return { status: 'pruned', ...this.pruneEndedTasksOf(db, olderThanMs, after, limit, (id) => open.has(id)) };
  }

  async registerProcess(request: ProcessRequest): Promise<RegisterResult> {
    const db = this.#db();
    checkProcessRequest(request);
    const nowMs = db.nowMs();
    // Registering again under the same owner id replaces the row: the old epoch's holdings are orphans the next rescue puts back.
    const stored = {
      ownerId: request.ownerId, host: request.host, pid: request.pid, version: request.version, epoch: ++db.epoch,
      startedAtMs: nowMs, heartbeatAtMs: nowMs, expiresAtMs: nowMs + request.leaseMs,
    };
    db.processes.set(stored.ownerId, stored);
    return { process: { ...stored, running: 0 }, nowMs };
  }

  async heartbeat(process: ProcessRef, leaseMs: number): Promise<HeartbeatResult> {
    const db = this.#db();
    checkProcessRef(process, 'process');
    checkLeaseMs(leaseMs, 'leaseMs');
    const nowMs = db.nowMs();
    const stored = db.processes.get(process.ownerId);
    if (stored === undefined || stored.epoch !== process.epoch) return { status: 'lost', nowMs };
    const renewed = { ...stored, heartbeatAtMs: nowMs, expiresAtMs: nowMs + leaseMs };
    db.processes.set(renewed.ownerId, renewed);
    return { status: 'renewed', process: withRunning(db, renewed), nowMs };
  }

  async deregister(request: DeregisterRequest): Promise<GiveBackResult> {
    const db = this.#db();
    checkDeregister(request);
    const nowMs = db.nowMs();
    const stored = db.processes.get(request.ownerId);
    let returned = 0;
    let interrupted = 0;
    if (stored === undefined || stored.epoch !== request.epoch) return { returned, interrupted, nowMs };
    const unstarted = new Map((request.unstarted ?? []).map((u) => [u.executionId, u.fencingToken]));
    for (const [id, held] of db.held) {
      if (held.ownerId !== request.ownerId || held.epoch !== request.epoch) continue;
      if (unstarted.get(id) === held.fencingToken && returnUnstarted(db, id, held)) returned++;
      else if (interruptHeld(db, id, held, nowMs)) interrupted++;
    }
    db.processes.delete(request.ownerId);
    db.offered(returned + interrupted > 0 ? nowMs : undefined);
    return { returned, interrupted, nowMs };
  }

  async processes(): Promise<ClusterProcess[]> {
    const db = this.#db();
    return [...db.processes.values()].sort((a, b) => a.epoch - b.epoch).map((p) => withRunning(db, p));
  }

  async offerSlots(offers: readonly OfferRequest[]): Promise<OfferResult[]> {
    const db = this.#db();
    checkOffers(offers);
    const results = offers.map((offer) => offerSlot(db, offer));
    db.offered(earliestOffered(results));
    return results;
  }

  async claimDue(request: ClaimDueRequest): Promise<ClaimDueResult> {
    const db = this.#db();
    checkClaimDue(request);
    return claimDue(db, request);
  }

  async finishClaimed(request: FinishRequest): Promise<FinishResult> {
    const db = this.#db();
    return finishClaimed(db, request, encodeFinish(request));
  }

  async finishAndClaim(finishes: readonly FinishRequest[], claim?: ClaimDueRequest, started?: readonly AttemptRef[]): Promise<FinishAndClaimResult> {
    const db = this.#db();
    checkArray(finishes, 'finishes');
    const encoded = finishes.map((request) => encodeFinish(request));
    if (claim !== undefined) checkClaimDue(claim);
    if (started !== undefined) checkAttemptRefs(started, 'started');
    for (const { executionId, fencingToken } of started ?? []) {
      const held = db.held.get(executionId);
      if (held?.fencingToken === fencingToken) held.started = true;
    }
    const finished = finishes.map((request, i) => finishClaimed(db, request, encoded[i]!));
    return { finished, claimed: claim === undefined ? undefined : claimDue(db, claim) };
  }

  async rescueExpired(): Promise<RescueResult> {
    const db = this.#db();
    const nowMs = db.nowMs();
    const expired = [...db.processes.values()].filter((p) => p.expiresAtMs <= nowMs);
    for (const p of expired) db.processes.delete(p.ownerId);
    let interrupted = 0;
    let returned = 0;
    for (const [id, held] of db.held) {
      // Held under an epoch no live registration has: its process expired now, or registered again since (orphans).
      if (db.processes.get(held.ownerId)?.epoch === held.epoch) continue;
      if (!held.started) {
        if (returnUnstarted(db, id, held)) returned++;
      } else if (interruptHeld(db, id, held, nowMs)) interrupted++;
    }
    db.offered(interrupted + returned > 0 ? nowMs : undefined);
    return { expired: expired.map(({ ownerId, epoch }) => ({ ownerId, epoch })), returned, interrupted, nowMs };
  }

  /** One prune at a time holds by construction here (a call is one synchronous turn): never `busy`. */
  async pruneHistoryRound(olderThanMs: number, limit: number): Promise<PruneRoundResult> {
    const db = this.#db();
    checkPruneRound(olderThanMs, limit);
    let deleted = 0;
    for (const e of db.executions.values()) {
      if (deleted === limit) break;
      if (!FINAL_OUTCOMES.has(e.outcome) || e.endedAtMs === null || e.endedAtMs >= olderThanMs || db.pending.has(e.id)) continue;
      db.executions.delete(e.id);
      db.byTask.get(e.taskId)?.delete(e.id);
      deleted++;
    }
    return { status: 'pruned', deleted };
  }

  async pendingSlots(taskId?: string): Promise<PendingSlot[]> {
    const db = this.#db();
    if (taskId !== undefined) checkId(taskId, 'taskId');
    return [...db.pending.values()].filter((row) => taskId === undefined || row.taskId === taskId).sort(byUrgency).map(pendingSlot);
  }

  /** Tells `watcher` of the offers of every store on this database, after each call that made rows pending (a microtask later). */
  async watchOffers(watcher: OfferWatcher): Promise<OfferWatch> {
    const db = this.#db();
    checkOfferWatcher(watcher);
    // Its own entry: the same watcher object given twice is two watches.
    const own: OfferWatcher = { offered: (dueMs) => watcher.offered(dueMs), interrupted: () => {}, resumed: () => {} };
    db.watchers.add(own);
    this.#watchers.add(own);
    return {
      close: async () => {
        db.watchers.delete(own);
        this.#watchers.delete(own);
      },
    };
  }
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

/** The earliest due time among the rows these offers made pending, if any. */
function earliestOffered(results: ReadonlyArray<OfferResult | undefined>): number | undefined {
  let dueMs: number | undefined;
  for (const r of results) if (r?.status === 'offered') dueMs = earliest(dueMs, r.slot.dueMs);
  return dueMs;
}

/** claimDue() of a checked request, in the caller's turn. */
function claimDue(db: MemoryClusterDatabase, request: ClaimDueRequest): ClaimDueResult {
  const nowMs = db.nowMs();
  const process = db.processes.get(request.ownerId);
  if (process === undefined || process.epoch !== request.epoch) return { status: 'not-registered', nowMs };
  if (process.expiresAtMs <= nowMs) return { status: 'lease-expired', nowMs };
  // Rows of functions this process does not define are not its to take (nor to drop when stale): the filter comes first.
  const functions = request.functions === undefined ? undefined : new Set(request.functions);
  const mine = (row: PendingRow) => functions === undefined || functions.has(db.tasks.get(row.taskId)?.functionName as string);
  const due = [...db.pending.values()].filter((row) => row.dueMs <= nowMs && mine(row)).sort(byUrgency);
  const claimed: ClaimedSlot[] = [];
  // A task's runs never overlap (a manual run beside a scheduled one): a row of a task with a row held waits.
  const busy = new Set([...db.held.values()].map((held) => held.row.taskId));
  const startNow = request.startNow ?? request.limit;
  for (const row of due) {
    if (claimed.length === request.limit) break;
    if (busy.has(row.taskId)) continue;
    const slot = claimRow(db, row, request, nowMs, claimed.length < startNow);
    if (slot === undefined) continue;
    claimed.push(slot);
    busy.add(row.taskId);
  }
  let nextDueMs: number | null = null;
  for (const row of db.pending.values()) if ((nextDueMs === null || row.dueMs < nextDueMs) && mine(row)) nextDueMs = row.dueMs;
  return { status: 'claimed', claimed, nextDueMs, nowMs };
}

/** finishClaimed() of a checked request (`encoded` its encodeFinish()), in the caller's turn. */
function finishClaimed(db: MemoryClusterDatabase, request: FinishRequest, encoded: ReturnType<typeof encodeFinish>): FinishResult {
  const current = db.executions.get(request.executionId);
  const refusal = refuseFenced(current, request.fencingToken);
  if (refusal !== undefined) return refusal;
  const held = db.held.get(current!.id);
  const ended: StoredExecution =
    request.outcome === 'skipped'
      ? { ...skippedExecution({ ...current!, reason: request.skipReason!, recordedAtMs: request.endedAtMs }), attempt: held?.row.attempts ?? 0, fencingToken: current!.fencingToken, state: current!.state }
      : completedExecution(current!, { ...encoded, request: { ...request, outcome: request.outcome } });
  // Decide the task's patch before writing anything: a patch refused here writes nothing.
  const task = db.tasks.get(ended.taskId);
  const patched = request.taskUpdate !== undefined && updatesTask(task, ended) ? applyPatch(task, request.taskUpdate, 'request.taskUpdate') : task;
  putExecution(db, ended);
  if (patched !== undefined) db.tasks.set(patched.id, patched);
  db.held.delete(ended.id);
  if (request.retryAtMs !== undefined) {
    const from = held?.row ?? { ...slotOf(ended), id: ended.id, dueMs: ended.nominalMs, rankMs: ended.nominalMs, maxAttempts: ended.attempt + 1, attempts: 0, sequence: 0 };
    db.pending.set(ended.id, { ...from, dueMs: Math.floor(request.retryAtMs), attempts: ended.attempt, sequence: ++db.sequence });
  }
  const skipped = recordSkips(db, request.skipped ?? []);
  const next = request.next === undefined ? undefined : offerSlot(db, request.next);
  db.offered(earliest(request.retryAtMs === undefined ? undefined : Math.floor(request.retryAtMs), earliestOffered([next])));
  const taskNow = db.tasks.get(ended.taskId);
  return { status: 'completed', execution: decodeExecution(ended), task: taskNow === undefined ? undefined : decodeTask(taskNow), skipped, next };
}

function slotOf({ taskId, scheduleVersion, nominalMs }: SlotKey): SlotKey {
  return { taskId, scheduleVersion, nominalMs };
}

function withRunning(db: MemoryClusterDatabase, p: Omit<ClusterProcess, 'running'>): ClusterProcess {
  let running = 0;
  for (const held of db.held.values()) if (held.ownerId === p.ownerId && held.epoch === p.epoch) running++;
  return { ...p, running };
}

/** A task as the slot rules read it; the high-water mark is not checked for rows (they were checked when offered). */
function batchTask(task: StoredTask, checkMark: boolean): BatchTask {
  return { task: { ...task }, highWaterMarkBefore: checkMark ? task.highWaterMarkMs : null, statusBefore: task.status };
}

function offerSlot(db: MemoryClusterDatabase, offer: OfferRequest): OfferResult {
  const stored = db.tasks.get(offer.taskId);
  const id = executionIdOf(offer);
  const existing = db.executions.get(id);
  // A slot with an open record (a retry pending, a rescued attempt) is the open slot below; a closed record is a duplicate.
  const closed = existing !== undefined && existing.outcome !== 'running' && existing.outcome !== 'interrupted' && !db.pending.has(id);
  // Refused as claim() refuses, except that the task's open slot is named before the high-water mark is compared.
  const refusal = refuseSlot(offer, stored === undefined ? undefined : batchTask(stored, false), closed ? existing : undefined);
  if (refusal !== undefined) return refusal;
  const open = isManualSlot(offer) ? (db.pending.has(id) || db.held.has(id) ? offer : undefined) : db.openSlot(offer.taskId, offer.scheduleVersion);
  if (open !== undefined) return { status: 'open-slot', slot: slotOf(open) };
  const markRefusal = refuseByTask(offer, batchTask(stored!, true));
  if (markRefusal !== undefined) return markRefusal;
  const row: PendingRow = {
    ...slotOf(offer), id, dueMs: Math.floor(offer.dueMs), rankMs: offer.rankMs, maxAttempts: offer.maxAttempts, attempts: 0, sequence: ++db.sequence,
  };
  db.pending.set(id, row);
  return { status: 'offered', slot: pendingSlot(row) };
}

/** Claims one due row for `by`, or drops it (and returns undefined) when its task no longer runs it. */
function claimRow(db: MemoryClusterDatabase, row: PendingRow, by: ProcessRef, nowMs: number, started: boolean): ClaimedSlot | undefined {
  const stored = db.tasks.get(row.taskId);
  const task = stored === undefined ? undefined : batchTask(stored, false);
  if (task === undefined || refuseByTask(row, task) !== undefined) {
    db.pending.delete(row.id);
    return undefined;
  }
  const before = db.executions.get(row.id);
  const exhausted = row.attempts >= row.maxAttempts;
  const token = ++db.fencingToken;
  const execution: StoredExecution =
    before === undefined
      ? claimedExecution({ ...slotOf(row), startedAtMs: nowMs }, token)
      : exhausted
        ? { ...before, fencingToken: token, outcome: 'running', endedAtMs: null }
        : retriedExecution(before, nowMs, token);
  advanceHighWaterMark(task, row);
  task.task.status = runningStatus(task.task.status);
  db.tasks.set(task.task.id, task.task);
  putExecution(db, execution);
  db.pending.delete(row.id);
  db.held.set(row.id, { ownerId: by.ownerId, epoch: by.epoch, fencingToken: token, row, before, started });
  return { execution: decodeExecution(execution), task: decodeTask(task.task), dueMs: row.dueMs, rankMs: row.rankMs, maxAttempts: row.maxAttempts, exhausted, started };
}

/** A running row back to pending as an interrupted attempt (rescue, or a stop that could not drain it). */
function interruptHeld(db: MemoryClusterDatabase, id: string, held: HeldRow, nowMs: number): boolean {
  db.held.delete(id);
  const current = db.executions.get(id);
  if (current === undefined || current.outcome !== 'running' || current.fencingToken !== held.fencingToken) return false;
  putExecution(db, { ...current, outcome: 'interrupted', endedAtMs: nowMs, error: LEASE_EXPIRED_ERROR_TEXT });
  db.pending.set(id, { ...held.row, attempts: current.attempt });
  pendTask(db, current.taskId);
  return true;
}

/** An unstarted claim back to pending as it was before it: no attempt counted. */
function returnUnstarted(db: MemoryClusterDatabase, id: string, held: HeldRow): boolean {
  db.held.delete(id);
  const current = db.executions.get(id);
  if (current === undefined || current.outcome !== 'running' || current.fencingToken !== held.fencingToken) return false;
  if (held.before === undefined) {
    db.executions.delete(id);
    db.byTask.get(current.taskId)?.delete(id);
  } else {
    putExecution(db, held.before);
  }
  db.pending.set(id, held.row);
  pendTask(db, current.taskId);
  return true;
}

/** A task whose running slot went back to pending is pending again (an ended one stays ended). */
function pendTask(db: MemoryClusterDatabase, taskId: string): void {
  const task = db.tasks.get(taskId);
  if (task?.status === 'running') db.tasks.set(taskId, { ...task, status: 'pending' });
}

/** recordSkipped()'s rules, in the caller's transaction. */
function recordSkips(db: MemoryClusterDatabase, skips: readonly SkipRequest[]): SkipResult[] {
  const tasks = new Map<string, BatchTask>();
  return skips.map((skip) => {
    let task = tasks.get(skip.taskId);
    const stored = db.tasks.get(skip.taskId);
    if (task === undefined && stored !== undefined) tasks.set(skip.taskId, (task = batchTask(stored, true)));
    const id = executionIdOf(skip);
    const refusal = refuseSlot(skip, task, db.executions.get(id));
    if (refusal !== undefined) return refusal;
    const execution = skippedExecution(skip);
    putExecution(db, execution);
    advanceHighWaterMark(task!, skip);
    db.tasks.set(task!.task.id, task!.task);
    return { status: 'recorded', execution: decodeExecution(execution) };
  });
}

function putExecution(db: MemoryClusterDatabase, execution: StoredExecution): void {
  db.executions.set(execution.id, execution);
  let ids = db.byTask.get(execution.taskId);
  if (ids === undefined) db.byTask.set(execution.taskId, (ids = new Set()));
  ids.add(execution.id);
}
