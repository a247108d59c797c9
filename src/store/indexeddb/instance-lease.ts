// What one IndexedDbStore instance knows of the store's lease (C6): the lease
// it acquired (HeldLease | 'released' | undefined, as in every store), and,
// where Web Locks exist, the lock `timeslice:<name>` it holds meanwhile
// (web-lock.ts says why). The rules are lease.ts's; this file applies them to
// the `lease` object store in the store's transactions and keeps the lock in
// step with the record:
//
// - acquire: without Web Locks, decideAcquire on the record. With them, first
//   the lock (ifAvailable): refused means `held`, naming the record's holder;
//   granted means the previous holder is gone, so decideTakeover takes the
//   record over even before it lapses. An instance holding the lock already (a second
//   acquire by the same scheduler) just applies the rule again. A failed
//   record write frees the lock it was granted.
// - renew: decideRenew on the record; a lost lease frees the lock, or the tab
//   would keep every later holder out while it can write nothing.
// - release: the record's expiry set to 0, then the lock freed.
// - close (and a versionchange that closes the connection): the lock freed,
//   the record left as it is (as in every store: it lapses unless renewed).
//
// acquire, renew, release and dropLock run one at a time, so a release or a
// close never overtakes the acquire whose lock it must free.
import type { IDBPTransaction } from 'idb';
import {
  type AcquireResult, checkFence, decideAcquire, decideRenew, decideTakeover, type HeldLease, holds, type LeaseHolder, type LeaseRequest,
  type RenewResult,
} from '../lease.js';
import { type AllStores, LEASE_KEY, type TimesliceDb } from './schema.js';
import { tryWebLock, unrecordedHolder, type WebLock } from './web-lock.js';

type WriteTx = IDBPTransaction<TimesliceDb, AllStores, 'readwrite'>;

/** How the lease reaches the database: the store's own transactions. */
export interface LeaseDatabase {
  /** Runs `fn` in one readwrite transaction (unfenced), resolved once committed. */
  transaction<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** The lease record, read in a transaction of its own. */
  read(): Promise<LeaseHolder | undefined>;
}

export class InstanceLease {
  readonly #path: string;
  readonly #locks: LockManager | null;
  readonly #lockName: string;
  readonly #database: LeaseDatabase;
  /** Undefined until this instance acquires the lease (unfenced), 'released' after it gives it up. */
  #lease: HeldLease | 'released' | undefined;
  /** The store's Web Lock, while this instance holds the lease. */
  #webLock: WebLock | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  /** `path` names the store in errors; `locks` null: the record alone decides. */
  constructor(path: string, locks: LockManager | null, lockName: string, database: LeaseDatabase) {
    this.#path = path;
    this.#locks = locks;
    this.#lockName = lockName;
    this.#database = database;
  }

  /** The fence, inside a write transaction: throws LeaseLostError when this instance's lease moved on (no read at all if it never took one). */
  async fence(tx: WriteTx): Promise<void> {
    if (this.#lease === undefined) return;
    checkFence(this.#path, await tx.objectStore('lease').get(LEASE_KEY), this.#lease);
  }

  acquire(request: LeaseRequest): Promise<AcquireResult> {
    return this.#serial(async () => {
      if (this.#locks === null || this.#webLock !== undefined) return this.#acquireRecord(request, this.#webLock !== undefined);
      const lock = await tryWebLock(this.#locks, this.#lockName, () => {
        if (this.#webLock === lock) this.#webLock = undefined;
      });
      if (lock === undefined) return { status: 'held', holder: (await this.#database.read()) ?? unrecordedHolder(request) };
      try {
        const result = await this.#acquireRecord(request, true);
        this.#webLock = lock;
        return result;
      } catch (error) {
        await lock.release();
        throw error;
      }
    });
  }

  renew(nowMs: number, ttlMs: number): Promise<RenewResult> {
    return this.#serial(async () => {
      const result = await this.#database.transaction(async (tx): Promise<RenewResult> => {
        const leases = tx.objectStore('lease');
        const current = await leases.get(LEASE_KEY);
        const mine = this.#lease;
        if (mine === undefined || mine === 'released') return { status: 'lost', holder: current };
        const renewed = decideRenew(current, mine, nowMs, ttlMs);
        if (renewed.status === 'renewed') await leases.put(renewed.lease, LEASE_KEY);
        return renewed;
      });
      if (result.status === 'lost') await this.#dropWebLock();
      return result;
    });
  }

  release(): Promise<void> {
    return this.#serial(async () => {
      const mine = this.#lease;
      if (mine === undefined || mine === 'released') return;
      this.#lease = 'released';
      try {
        await this.#database.transaction(async (tx) => {
          const leases = tx.objectStore('lease');
          const current = await leases.get(LEASE_KEY);
          if (holds(current, mine)) await leases.put({ ...current, expiresAtMs: 0 }, LEASE_KEY);
        });
      } finally {
        await this.#dropWebLock();
      }
    });
  }

  /** Frees the Web Lock (the store closes); the record is left to lapse. */
  dropLock(): Promise<void> {
    return this.#serial(() => this.#dropWebLock());
  }

  /** The acquire rule on the record, in one transaction; `holderGone`: this instance holds the Web Lock (decideTakeover). */
  async #acquireRecord(request: LeaseRequest, holderGone: boolean): Promise<AcquireResult> {
    const result = await this.#database.transaction(async (tx) => {
      const leases = tx.objectStore('lease');
      const current = await leases.get(LEASE_KEY);
      const decided = holderGone ? decideTakeover(current, request) : decideAcquire(current, request);
      if (decided.status === 'acquired') await leases.put(decided.lease, LEASE_KEY);
      return decided;
    });
    if (result.status === 'acquired') this.#lease = { ownerId: result.lease.ownerId, epoch: result.lease.epoch };
    return result;
  }

  async #dropWebLock(): Promise<void> {
    const lock = this.#webLock;
    this.#webLock = undefined;
    await lock?.release();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => {});
    return run;
  }
}
