// One owner per store (C6): the lease. A store that several processes (or
// browser tabs) can open keeps one lease record: who holds it (owner id, host,
// pid), since when, until when (renewed by the holder's heartbeat), and an
// epoch that every new holder bumps. It decides who may write:
//
// - acquire: granted when nobody holds the lease, when it expired (the holder
//   stopped renewing: dead, hung or paused), when the caller holds it
//   already, or when the caller names the exact holder it found dead (same
//   machine, pid gone: a crash restarted at once need not wait for the lease
//   to lapse); a new holder gets epoch + 1. Otherwise it is refused, naming
//   the holder, so a second scheduler can say who has the store.
// - renew: only the holder of the current epoch can; anyone else learns that
//   the lease moved on.
// - fencing: once a store instance has acquired the lease, every write it
//   makes checks, inside its own transaction, that the lease still has its
//   owner id and epoch, and is refused (LeaseLostError, nothing written)
//   otherwise. So a process that was paused past its lease (GC, SIGSTOP) and
//   wakes up cannot complete, fail, retry or save the state of a slot the new
//   owner recovered, nor claim new ones: the database, not the paused
//   process's idea of the time, decides.
// - release: the holder gives the lease up (a clean stop), so a standby can
//   take over at once; the instance writes nothing more until it acquires again.
//
// Expiry compares times the callers pass (the store reads no clock): for one
// machine's SQLite file or one browser's IndexedDB, every process reads the
// same wall clock. Where the platform knows better than the clock that the
// holder is gone (IndexedDB with Web Locks: a tab's lock lives exactly as long
// as the tab), the store asks decideTakeover instead. A store instance that
// never acquired the lease is not fenced (tools and tests using a store directly).
//
// The rules are here once; each store applies them in its own transaction.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { LeaseLostError } from './errors.js';
import { checkId, checkObject, invalid } from './validate.js';

/** The lease as stored: who holds the store, and until when. */
export interface LeaseHolder {
  /** Chosen by the holder, unique per scheduler start (a random UUID). */
  ownerId: string;
  /** The holder's host name (os.hostname(), or 'browser'), for messages. */
  host: string;
  /** The holder's process id (0 in a browser), for messages. */
  pid: number;
  /** Bumped by every new holder; every fenced write presents it. */
  epoch: number;
  /** When this holder acquired the lease (wall ms). */
  sinceMs: number;
  /** When the lease lapses unless renewed (wall ms); 0 once released. */
  expiresAtMs: number;
}

export interface LeaseRequest {
  ownerId: string;
  host: string;
  pid: number;
  /**
   * The caller's wall time, ms since the epoch. A store with a clock of its
   * own decides by that one instead (PostgreSQL: the database's now()), so
   * the lease's times (sinceMs, expiresAtMs) are then the store's.
   */
  nowMs: number;
  /** How long the lease lasts without a renewal. */
  ttlMs: number;
  /**
   * Take the lease even though it has not lapsed, provided it is still held by
   * exactly this owner and epoch: the caller found that holder's process dead
   * (the same machine, its pid gone). If anyone else holds it meanwhile, the
   * request is refused as usual.
   */
  replacing?: HeldLease;
}

export type AcquireResult =
  /** The caller holds the lease; `previous` is the holder it replaced (expired or released), if any. */
  | { status: 'acquired'; lease: LeaseHolder; previous: LeaseHolder | undefined }
  /** Someone else holds a live lease. */
  | { status: 'held'; holder: LeaseHolder };

export type RenewResult =
  | { status: 'renewed'; lease: LeaseHolder }
  /** The lease moved on (another holder took it over, or it was released): the caller no longer owns the store. */
  | { status: 'lost'; holder: LeaseHolder | undefined };

/** What a store instance remembers of its own lease. */
export type HeldLease = Pick<LeaseHolder, 'ownerId' | 'epoch'>;

/** The longest lease accepted: a day. */
export const MAX_LEASE_TTL_MS = 86_400_000;

export function checkLeaseRequest(request: unknown): asserts request is LeaseRequest {
  checkObject(request, 'request');
  checkId(request.ownerId, 'request.ownerId');
  if (typeof request.host !== 'string') throw invalid('request.host', 'a string', request.host);
  if (!Number.isSafeInteger(request.pid) || (request.pid as number) < 0) throw invalid('request.pid', 'an integer >= 0', request.pid);
  checkLeaseTimes(request.nowMs, request.ttlMs);
  if (request.replacing !== undefined) {
    checkObject(request.replacing, 'request.replacing');
    checkId(request.replacing.ownerId, 'request.replacing.ownerId');
    if (!Number.isSafeInteger(request.replacing.epoch)) throw invalid('request.replacing.epoch', 'an integer', request.replacing.epoch);
  }
}

export function checkLeaseTimes(nowMs: unknown, ttlMs: unknown): void {
  if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) throw invalid('nowMs', 'a finite number of ms since the epoch', nowMs);
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs < 1 || ttlMs > MAX_LEASE_TTL_MS) {
    throw new InvalidArgumentError(`ttlMs must be a number of ms from 1 to ${MAX_LEASE_TTL_MS}, received ${describeValue(ttlMs)}`);
  }
}

/** Whether the lease binds anyone at `nowMs`. */
export function isLive(lease: LeaseHolder | undefined, nowMs: number): lease is LeaseHolder {
  return lease !== undefined && lease.expiresAtMs > nowMs;
}

/** The acquire rule: what the lease record becomes (or who refuses it). */
export function decideAcquire(current: LeaseHolder | undefined, request: LeaseRequest): AcquireResult {
  const expiresAtMs = request.nowMs + request.ttlMs;
  const replaced = request.replacing !== undefined && holds(current, request.replacing);
  if (isLive(current, request.nowMs) && current.ownerId !== request.ownerId && !replaced) return { status: 'held', holder: current };
  if (current !== undefined && current.ownerId === request.ownerId && isLive(current, request.nowMs)) {
    return { status: 'acquired', lease: { ...current, expiresAtMs }, previous: undefined };
  }
  const lease: LeaseHolder = {
    ownerId: request.ownerId, host: request.host, pid: request.pid, epoch: (current?.epoch ?? 0) + 1, sinceMs: request.nowMs, expiresAtMs,
  };
  return { status: 'acquired', lease, previous: current };
}

/** The renew rule: only the current epoch's holder renews (even a lapsed lease nobody took). */
export function decideRenew(current: LeaseHolder | undefined, mine: HeldLease, nowMs: number, ttlMs: number): RenewResult {
  if (!holds(current, mine) || current.expiresAtMs === 0) return { status: 'lost', holder: current };
  return { status: 'renewed', lease: { ...current, expiresAtMs: nowMs + ttlMs } };
}

/** Whether `current` is still `mine` (same owner, same epoch). */
export function holds(current: LeaseHolder | undefined, mine: HeldLease): current is LeaseHolder {
  return current !== undefined && current.ownerId === mine.ownerId && current.epoch === mine.epoch;
}

/**
 * The fencing check a store runs inside each write transaction of an instance
 * that acquired the lease: throws LeaseLostError (the write is rolled back)
 * when the lease moved on or was released. `mine` undefined: the instance
 * never acquired one, and is not fenced; 'released': it gave it up.
 */
export function checkFence(store: string, current: LeaseHolder | undefined, mine: HeldLease | 'released' | undefined): void {
  if (mine === undefined) return;
  if (mine === 'released') throw new LeaseLostError(store, current, 'this store instance released its lease');
  if (!holds(current, mine) || current.expiresAtMs === 0) throw new LeaseLostError(store, current, `the lease of epoch ${mine.epoch} moved on`);
}

/**
 * The acquire rule when something surer than the record's expiry says its
 * holder is gone (IndexedDB with Web Locks: this tab was granted the store's
 * lock, which a closed or crashed tab frees at once): decideAcquire as if the
 * record had lapsed now, so a live record of another owner is taken over with
 * the next epoch; `previous` is the record as it was. The same owner keeps its
 * epoch, as in decideAcquire.
 */
export function decideTakeover(current: LeaseHolder | undefined, request: LeaseRequest): AcquireResult {
  return decideAcquire(current, current === undefined ? request : { ...request, replacing: current });
}
