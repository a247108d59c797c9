// The store's Web Lock: one exclusive lock per database and origin, beside
// the lease record, for browsers (navigator.locks).
//
// Why a lock as well as the record: the record's expiry compares wall clocks,
// and a tab that closes or crashes leaves a live-looking record behind until
// it expires. A Web Lock is held by a document and freed by the browser the
// moment that document goes away (closed, crashed, navigated), whatever any
// clock says. So with Web Locks:
//
// - the lock says who is alive: a tab whose ifAvailable request is refused
//   reports the store held (naming whoever the record names, even a record
//   that looks expired: its holder is alive, maybe hung or throttled);
// - a tab granted the lock knows the previous holder is gone and takes the
//   record over with the next epoch, even before it expires;
// - the record still carries the epoch every write is fenced by.
//
// The lock is requested with ifAvailable (a tab never queues behind another)
// and held by keeping the callback's promise pending until release(). Nothing
// here reads a clock or touches IndexedDB: the store does both.
import type { LeaseHolder, LeaseRequest } from '../lease.js';

/** An exclusive Web Lock this instance holds. */
export interface WebLock {
  /** Frees the lock; resolves once the lock manager has let it go. Idempotent. */
  release(): Promise<void>;
}

/** The lock's name: one per IndexedDB database (both are per origin). */
export function webLockName(databaseName: string): string {
  return `timeslice:${databaseName}`;
}

/**
 * Takes the lock if nobody holds it, resolving to it, or to undefined at once
 * when it is held. `onLost` runs if the lock is taken away while held (another
 * context requested it with `steal: true`). Rejects with the lock manager's
 * error (SecurityError in an opaque origin).
 */
export function tryWebLock(locks: LockManager, name: string, onLost: () => void): Promise<WebLock | undefined> {
  return new Promise((resolve, reject) => {
    let granted = false;
    let free: () => void = () => {};
    const held = new Promise<void>((r) => {
      free = r;
    });
    // Settles after the callback's promise does and the lock is let go (rejects if stolen).
    let ended: Promise<void> = Promise.resolve();
    const lock: WebLock = {
      release: () => {
        free();
        return ended;
      },
    };
    const request = locks.request(name, { mode: 'exclusive', ifAvailable: true }, (granting) => {
      if (granting === null) {
        resolve(undefined);
        return undefined;
      }
      granted = true;
      resolve(lock);
      return held;
    });
    ended = request.then(
      () => {},
      (error: unknown) => {
        if (granted) onLost();
        else reject(error);
      },
    );
  });
}

/**
 * Who holds the store when its lock is taken but there is no lease record yet
 * (the holder was granted the lock a moment ago and has not committed its
 * record): a holder to name in the refusal, with epoch 0.
 */
export function unrecordedHolder(request: LeaseRequest): LeaseHolder {
  return {
    ownerId: 'unknown', host: 'another tab (lease record not yet written)', pid: 0, epoch: 0, sinceMs: request.nowMs,
    expiresAtMs: request.nowMs + request.ttlMs,
  };
}
