// MemoryClusterStore: the reference cluster store (cluster.ts), a MemoryStore
// with the cluster's tables (memory-cluster-database.ts). Each method does
// all of its work synchronously once its checks passed, so a call is one
// transaction and concurrent calls from several instances (processes) over
// one database serialise, as row locks make them on PostgreSQL: what the
// contract suite checks of every cluster store, this one holds by
// construction, simply. It reads the time only from its database's clock.
//
// This file is the store's methods (the process registry, checks, watches,
// pruning); what they do to the rows is memory-cluster-rows.ts.
import type {
  AttemptRef, ClaimDueRequest, ClaimDueResult, ClusterProcess, ClusterStore, DeregisterRequest, FinishAndClaimResult, FinishRequest, FinishResult, GiveBackResult,
  HeartbeatResult, OfferRequest, OfferResult, OfferWatch, OfferWatcher, PendingSlot, ProcessRef, ProcessRequest, PruneRoundResult, PruneTasksRoundResult, RegisterResult, RescueResult,
} from './cluster.js';
import {
  byUrgency, checkAttemptRefs, checkClaimDue, checkDeregister, checkLeaseMs, checkOffers, checkOfferWatcher, checkProcessRef, checkProcessRequest, checkPruneRound, encodedFinish, encodeFinish,
} from './cluster-rules.js';
import { StoreClosedError } from './errors.js';
import { FINAL_OUTCOMES } from './history-order.js';
import { MemoryClusterDatabase, pendingSlot } from './memory-cluster-database.js';
import { claimDue, earliestOffered, finishClaimed, interruptHeld, offerSlot, returnUnstarted } from './memory-cluster-rows.js';
import { MemoryStore } from './memory-store.js';
import type { OpenInfo, PruneTasksResult } from './store.js';
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
    const encoded = finishes.map((request) => encodedFinish(request));
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
    for (const [id, held] of db.held) {
      // Held under an epoch no live registration has: its process expired now, or registered again since (orphans).
      if (db.processes.get(held.ownerId)?.epoch === held.epoch) continue;
      if (interruptHeld(db, id, held, nowMs)) interrupted++;
    }
    db.offered(interrupted > 0 ? nowMs : undefined);
    return { expired: expired.map(({ ownerId, epoch }) => ({ ownerId, epoch })), returned: 0, interrupted, nowMs };
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

function withRunning(db: MemoryClusterDatabase, p: Omit<ClusterProcess, 'running'>): ClusterProcess {
  let running = 0;
  for (const held of db.held.values()) if (held.ownerId === p.ownerId && held.epoch === p.epoch) running++;
  return { ...p, running };
}
