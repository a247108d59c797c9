// Holding a store's lease for a scheduler (the rules: src/store/lease.ts).
//
// acquire() takes the lease. A holder on this machine whose process is gone
// (owner-identity.ts) is replaced at once: a crashed scheduler restarted by
// its service manager does not wait for its own old lease to lapse. When
// another live scheduler holds it, acquire() rejects with
// StoreLockedError naming the holder, or, as a standby, waits: it tries again
// when the holder's lease would lapse (its expiry as last written), and at
// least every second (a clean stop releases the lease at once), so it takes
// over within the lease time of the holder's last renewal, or about a second
// after a clean stop. Once held,
// the lease is renewed every heartbeat. A renewal that finds the lease moved
// on (this process was paused or cut off past its lease and another took
// over) reports it lost; so does any write the store fences (the scheduler
// calls lost()). A renewal that fails (the store unreachable) is reported and
// tried again at the next beat: if the outage outlasts the lease, a standby
// may take over, and the next renewal or write finds out.
//
// Times: the lease's expiry is wall time, by the store's clock where it has
// one (PostgreSQL: the database's now()), else by the callers' (all
// processes on one machine read the same wall clock); the waits are timers
// on the scheduler's clock.
import type { Clock, TimerId } from '../time/clock.js';
import { StoreClosedError, StoreError, StoreFullError, StoreLockedError } from '../store/errors.js';
import { type AcquireResult, isLive, type LeaseHolder } from '../store/lease.js';
import type { Store } from '../store/store.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { holderIsDead, newOwnerIdentity } from './owner-identity.js';
import { StoreBackoff } from './store-backoff.js';

/**
 * How often a standby looks at the lease at most: a clean stop releases it,
 * and a rolling deploy's new process should take over within about a second,
 * not a whole heartbeat (10 s by default). A look is one small transaction.
 */
export const STANDBY_LOOK_MS = 1_000;

export interface LeaseOptions {
  /** How long the lease lasts without a renewal. */
  ttlMs: number;
  /** How often the holder renews it (and a standby looks at it). */
  heartbeatMs: number;
  /** Wait for the lease instead of failing when another scheduler holds it. */
  standby: boolean;
}

export interface LeaseKeeperHost {
  clock: Clock;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  /** The lease moved on: the scheduler must stop using the store (called once per lease held). */
  onLost(holder: LeaseHolder | undefined): void;
}

export class LeaseKeeper {
  readonly #store: Store;
  readonly #storeName: string;
  readonly #options: LeaseOptions;
  readonly #host: LeaseKeeperHost;
  #timer: TimerId | undefined;
  #held: LeaseHolder | undefined;
  #stopped = false;
  /** A wait in progress (a standby's, or after a store error): rejected by stop(). */
  #waiting: { reject(error: Error): void; holder: LeaseHolder | undefined } | undefined;
  /** After store errors while acquiring. */
  readonly #backoff = new StoreBackoff();

  constructor(store: Store, storeName: string, options: LeaseOptions, host: LeaseKeeperHost) {
    this.#store = store;
    this.#storeName = storeName;
    this.#options = options;
    this.#host = host;
  }

  /** The lease this keeper holds, if it holds one. */
  get held(): LeaseHolder | undefined {
    return this.#held;
  }

  /** Takes the lease (waiting for it as a standby); then renews it every heartbeat until stop() or its loss. */
  async acquire(): Promise<LeaseHolder> {
    const identity = await newOwnerIdentity();
    let replacing: LeaseHolder | undefined;
    for (;;) {
      if (this.#stopped) throw stoppedError(this.#storeName);
      const nowMs = this.#host.clock.wallNow();
      const request = { ...identity, nowMs, ttlMs: this.#options.ttlMs };
      let result: AcquireResult;
      try {
        result = await this.#store.acquireLease(replacing === undefined ? request : { ...request, replacing });
      } catch (error) {
        // A store busy with another process's write (SQLite's lock, held even by a process paused mid-transaction),
        // or briefly unreachable: try again after the backoff. A damaged or closed store is not retried.
        if (!isTransient(error)) throw error;
        const retryInMs = this.#backoff.next();
        this.#host.emit('storeerror', { operation: 'acquireLease', error, retryInMs });
        await this.#wait(retryInMs, undefined);
        continue;
      }
      this.#backoff.reset();
      if (this.#stopped) {
        // stop() came while the store answered: give back what it granted.
        if (result.status === 'acquired') await this.#store.releaseLease();
        throw stoppedError(this.#storeName);
      }
      if (result.status === 'acquired') {
        this.#held = result.lease;
        const previous = result.previous;
        this.#host.emit('leaseacquired', {
          holder: result.lease, previous, takeover: previous !== undefined && previous.expiresAtMs !== 0 && previous.ownerId !== identity.ownerId,
        });
        this.#beat();
        return result.lease;
      }
      // Its process is gone (killed, and this is its restart): take the lease over now, if it is still that holder's.
      if (replacing === undefined && holderIsDead(result.holder, identity)) {
        replacing = result.holder;
        continue;
      }
      replacing = undefined;
      if (!this.#options.standby) throw new StoreLockedError(this.#storeName, result.holder);
      await this.#waitFor(result.holder, nowMs);
    }
  }

  /** A standby's wait: until the holder's lease would lapse, at most a heartbeat or STANDBY_LOOK_MS. */
  #waitFor(holder: LeaseHolder, nowMs: number): Promise<void> {
    // A store that times the lease by its own clock (PostgreSQL's now()) may call held what looks lapsed by this one:
    // then no expiry to wait for here, only the next look (a wait of 0 would ask again at once, and again).
    const untilLapseMs = isLive(holder, nowMs) ? holder.expiresAtMs - nowMs + 1 : Number.POSITIVE_INFINITY;
    const delayMs = Math.min(this.#options.heartbeatMs, STANDBY_LOOK_MS, untilLapseMs);
    this.#host.emit('standby', { holder, retryInMs: delayMs });
    return this.#wait(delayMs, holder);
  }

  /** Waits delayMs, unless stop() comes first (then rejects: with StoreLockedError naming `holder` if known). */
  #wait(delayMs: number, holder: LeaseHolder | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#waiting = { reject, holder };
      this.#timer = this.#host.clock.setTimer(() => {
        this.#timer = undefined;
        this.#waiting = undefined;
        resolve();
      }, delayMs);
    });
  }

  #beat(): void {
    this.#timer = this.#host.clock.setTimer(() => {
      this.#timer = undefined;
      void this.#renew();
    }, this.#options.heartbeatMs);
  }

  async #renew(): Promise<void> {
    if (this.#stopped || this.#held === undefined) return;
    try {
      const result = await this.#store.renewLease(this.#host.clock.wallNow(), this.#options.ttlMs);
      if (this.#stopped || this.#held === undefined) return;
      if (result.status === 'lost') {
        this.lost(result.holder);
        return;
      }
      this.#held = result.lease;
    } catch (error) {
      if (this.#stopped) return;
      this.#host.emit('storeerror', { operation: 'renewLease', error, retryInMs: this.#options.heartbeatMs });
    }
    this.#beat();
  }

  /** The lease moved on (a renewal or a fenced write found out): stops renewing and tells the host, once. */
  lost(holder: LeaseHolder | undefined): void {
    if (this.#held === undefined) return;
    this.#held = undefined;
    this.#clearTimer();
    this.#host.onLost(holder);
  }

  /** Stops renewing (and a standby's wait, which then rejects with StoreLockedError). */
  stop(): void {
    this.#stopped = true;
    this.#clearTimer();
    const waiting = this.#waiting;
    this.#waiting = undefined;
    if (waiting !== undefined) waiting.reject(waiting.holder === undefined ? stoppedError(this.#storeName) : new StoreLockedError(this.#storeName, waiting.holder));
  }

  /** Stops and gives the lease up, so a standby takes over at once. */
  async release(): Promise<void> {
    this.stop();
    if (this.#held === undefined) return;
    this.#held = undefined;
    await this.#store.releaseLease();
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#host.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }
}

/** Whether a store error may pass by itself (a busy or unreachable store), as opposed to a damaged, closed or misused one. */
function isTransient(error: unknown): boolean {
  return StoreError.is(error) || StoreFullError.is(error);
}

function stoppedError(storeName: string): StoreClosedError {
  return new StoreClosedError(`${storeName}: the scheduler stopped before it acquired the store's lease`);
}
