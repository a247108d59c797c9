// The data of a MemoryClusterStore: a MemoryDatabase (tasks, executions) plus
// the cluster's tables: processes, pending rows, and which process holds
// which running execution. Several MemoryClusterStore instances over one
// database are several processes on one PostgreSQL database; the database's
// clock is the one every instance reads (the store decides "now", cluster.ts).
//
// A slot's state across the tables: pending (a row in `pending`, and an
// execution record only if an earlier attempt ran), running (an execution
// record `running`, and a row in `held`), or recorded (an execution record
// only). The row in `held` keeps what the claim replaced, so a rescue or a
// give-back can put the slot back exactly as it was offered.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { StoredExecution } from './codec.js';
import type { ClusterProcess, OfferWatcher, PendingSlot } from './cluster.js';
import { MemoryDatabase } from './memory-database.js';
import { checkObject } from './validate.js';

/** A pending row as the memory database keeps it. */
export interface PendingRow extends PendingSlot {
  /** Offer order: the tie-break between equal ranks. */
  sequence: number;
}

/** A running execution claimed through claimDue(): by whom, and what it was before. */
export interface HeldRow {
  ownerId: string;
  epoch: number;
  fencingToken: number;
  /** The pending row it was claimed from. */
  row: PendingRow;
  /** The execution record before the claim (undefined for a slot's first attempt). */
  before: StoredExecution | undefined;
  /** Its body started (or was claimed to start at once): a rescue interrupts it; otherwise it gives it back unstarted. */
  started: boolean;
}

/** Where the store reads the time: a Clock's wall time (a VirtualClock in tests). */
export interface WallClock {
  wallNow(): number;
}

export interface MemoryClusterDatabaseOptions {
  /** The database server's clock. @default the host's wall clock (Date.now) */
  clock?: WallClock;
}

const HOST_CLOCK: WallClock = { wallNow: () => Date.now() };

export class MemoryClusterDatabase extends MemoryDatabase {
  /** @internal */ readonly clock: WallClock;
  /** @internal Registered processes by owner id. */ readonly processes = new Map<string, Omit<ClusterProcess, 'running'>>();
  /** @internal Pending rows by execution id. */ readonly pending = new Map<string, PendingRow>();
  /** @internal Running executions claimed through claimDue(), by execution id. */ readonly held = new Map<string, HeldRow>();
  /** @internal The last process epoch handed out. */ epoch = 0;
  /** @internal The last offer sequence number. */ sequence = 0;
  /** @internal The watchers of offers (ClusterStore.watchOffers) of every store on this database. */ readonly watchers = new Set<OfferWatcher>();

  /** @example const database = new MemoryClusterDatabase({ clock: virtualClock }); */
  constructor(options: MemoryClusterDatabaseOptions = {}) {
    super();
    checkObject(options, 'options');
    for (const key of Object.keys(options)) {
      if (key !== 'clock') throw new InvalidArgumentError(`options.${key} is not a MemoryClusterDatabase option (known: clock)`);
    }
    const clock = options.clock as WallClock | undefined;
    if (clock !== undefined && typeof (clock as Partial<WallClock>)?.wallNow !== 'function') {
      throw new InvalidArgumentError(`options.clock must be an object with a wallNow() method (a Clock), received ${describeValue(clock)}`);
    }
    this.clock = clock ?? HOST_CLOCK;
  }

  /** The server's now: whole ms, as a database timestamp column would hold it. */
  nowMs(): number {
    return Math.floor(this.clock.wallNow());
  }

  /** @internal The task's open scheduled slot at `scheduleVersion` (pending or held), if any. */
  openSlot(taskId: string, scheduleVersion: number): PendingRow | undefined {
    for (const row of this.pending.values()) if (row.taskId === taskId && row.scheduleVersion === scheduleVersion) return row;
    for (const { row } of this.held.values()) if (row.taskId === taskId && row.scheduleVersion === scheduleVersion) return row;
    return undefined;
  }

  /** The earliest due time of the rows made pending in this turn, told once it ends. */
  #noticeMs: number | undefined;

  /**
   * @internal A call made rows pending, the earliest due at `dueMs` (undefined:
   * none). A call does all its work in one turn, as one transaction: each
   * watcher is told once, a microtask later (after the call returned, as a
   * NOTIFY reaches listeners after its transaction committed), of the
   * earliest due time of the turn, however many rows or parts (finishAndClaim's ends) wrote them.
   */
  offered(dueMs: number | undefined): void {
    if (dueMs === undefined) return;
    if (this.#noticeMs !== undefined) {
      this.#noticeMs = Math.min(this.#noticeMs, dueMs);
      return;
    }
    this.#noticeMs = dueMs;
    queueMicrotask(() => {
      const noticeMs = this.#noticeMs as number;
      this.#noticeMs = undefined;
      for (const watcher of this.watchers) watcher.offered(noticeMs);
    });
  }

  /** @internal Removes the cluster rows of every task no longer stored (after pruneEndedTasks). */
  dropDeletedTasks(): void {
    for (const [id, row] of this.pending) if (!this.tasks.has(row.taskId)) this.pending.delete(id);
    for (const [id, held] of this.held) if (!this.tasks.has(held.row.taskId)) this.held.delete(id);
  }

  /** @internal Removes every cluster row of a task (its records go with deleteTask). */
  dropTask(taskId: string): void {
    for (const [id, row] of this.pending) if (row.taskId === taskId) this.pending.delete(id);
    for (const [id, held] of this.held) if (held.row.taskId === taskId) this.held.delete(id);
  }
}

/** A PendingSlot as the API returns it (without the memory sequence). */
export function pendingSlot({ sequence: _sequence, ...slot }: PendingRow): PendingSlot {
  return slot;
}
