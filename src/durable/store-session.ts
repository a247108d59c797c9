// The store as one start of a durable scheduler holds it: opened once, owned
// (its lease acquired, lease-keeper.ts) before anything is written, written
// through group-commit batchers, and closed on stop. Reads need only an open
// store; writes need the lease, so a second scheduler on the same store
// cannot write anything (C6), and a standby's writes wait until it owns it.
//
// A session can fail for good: a store that could not be opened or recovered
// (StoreCorruptError...), or whose lease moved on while the scheduler is no
// standby. From then on every call rejects with that same error and nothing
// is written: a damaged file is not made worse, another's store is not touched.
import type { Clock } from '../time/clock.js';
import { LeaseLostError, StoreLockedError } from '../store/errors.js';
import type { LeaseHolder } from '../store/lease.js';
import type { TaskRecord } from '../store/records.js';
import type { PutStatus, SkipRequest, SkipResult, Store } from '../store/store.js';
import { withVouchedRecords } from '../store/validate.js';
import { WriteBatcher } from '../store/write-batcher.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { FencedStore } from './fenced-store.js';
import { LeaseKeeper, type LeaseOptions } from './lease-keeper.js';
import { SlotWrites } from './slot-writes.js';
import type { StoreSource } from './store-option.js';

/** Registrations per transaction, at most (a WriteBatcher batch). */
export const MAX_REGISTRATIONS_PER_BATCH = 10_000;

export interface SessionHost {
  clock: Clock;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  /** The lease moved on (a renewal or a fenced write found out); called once per lease held. */
  onLeaseLost(holder: LeaseHolder | undefined): void;
}

/** The batched writes of an owned store: the calls of one tick share one transaction. */
export interface SessionWrites {
  registrations: WriteBatcher<TaskRecord, PutStatus>;
  /** Attempts' ends and slots' claims, committed together (slot-writes.ts). */
  slots: SlotWrites;
  skips: WriteBatcher<SkipRequest, SkipResult>;
}

export class StoreSession {
  readonly #source: StoreSource;
  readonly #lease: LeaseOptions;
  readonly #host: SessionHost;
  #opened: Promise<Store> | undefined;
  #owned: Promise<Store> | undefined;
  #fenced: FencedStore | undefined;
  #keeper: LeaseKeeper | undefined;
  #writes: SessionWrites | undefined;
  #failure: Error | undefined;

  constructor(source: StoreSource, lease: LeaseOptions, host: SessionHost) {
    this.#source = source;
    this.#lease = lease;
    this.#host = host;
  }

  /** The error every call rejects with, once the session failed. */
  get failure(): Error | undefined {
    return this.#failure;
  }

  /** The store, opened (once). Enough for reads, which a store that is only another's (StoreLockedError) still serves. */
  opened(): Promise<Store> {
    if (this.#failure !== undefined && !StoreLockedError.is(this.#failure)) return Promise.reject(this.#failure);
    this.#opened ??= this.#source.get().then(async (store) => {
      await store.open();
      return store;
    });
    return this.#opened;
  }

  /**
   * The store, opened and owned: the lease acquired (a standby waits for it;
   * otherwise StoreLockedError names the holder), writes fenced by it and
   * batched (`writes`). Once per lease: after a lost lease, a standby's next
   * call acquires it again.
   */
  owned(): Promise<Store> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#owned ??= this.opened().then(async (store) => {
      const fenced = new FencedStore(store, { onFenced: (operation, error) => this.#onFenced(operation, error) });
      const keeper = new LeaseKeeper(fenced, this.#source.description, this.#lease, {
        clock: this.#host.clock,
        emit: (type, detail) => this.#host.emit(type, detail),
        onLost: (holder) => this.#host.onLeaseLost(holder),
      });
      this.#keeper = keeper;
      await keeper.acquire();
      this.#fenced = fenced;
      this.#writes = {
        // Only the scheduler's own records come here, checked as they were built.
        registrations: new WriteBatcher({ write: (tasks) => withVouchedRecords(tasks, () => fenced.putTasks(tasks)), maxBatchSize: MAX_REGISTRATIONS_PER_BATCH }),
        slots: new SlotWrites(fenced, this.#host.clock),
        skips: new WriteBatcher({ write: (skips) => fenced.recordSkipped(skips) }),
      };
      return fenced;
    });
    return this.#owned;
  }

  /**
   * The store for the writes of this session's own tasks (claims, skips,
   * completions, saved states): owned() while the session lasts; once it
   * failed, its retired FencedStore, so that what its attempts still write
   * is refused (and counted as fenced) instead of waiting or being retried.
   */
  writer(): Promise<Store> {
    return this.#failure !== undefined && this.#fenced !== undefined ? Promise.resolve(this.#fenced) : this.owned();
  }

  /**
   * The batched writes, defined once owned() resolved. They write through the
   * FencedStore: once the session failed, what they still hold is refused.
   */
  get writes(): SessionWrites | undefined {
    return this.#writes;
  }

  #onFenced(operation: string, error: LeaseLostError): void {
    this.#host.emit('writefenced', { operation, error });
    this.#keeper?.lost(error.holder);
  }

  /**
   * Every later write rejects with `error` and nothing more is written, by
   * this session: writes still in flight from it are refused too, even if a
   * new session later owns the same store instance (FencedStore.retire).
   * Reads go on only when the store is merely another scheduler's
   * (StoreLockedError), unless `close`. A store that failed otherwise, or
   * with `close`, is closed if the scheduler made it.
   */
  async fail(error: Error, { close = false } = {}): Promise<void> {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    this.#keeper?.stop();
    const locked = StoreLockedError.is(error);
    this.#fenced?.retire(locked ? new LeaseLostError(this.#source.description, (error as StoreLockedError).holder, 'this scheduler lost the store\'s lease') : error);
    if (locked && !close) return;
    const store = await this.#opened?.catch(() => undefined);
    if (store !== undefined && this.#source.owned) await store.close().catch(() => {});
  }

  /** Flushes what is queued, releases the lease (a standby takes over at once) and closes the store if the scheduler made it. */
  async close(): Promise<void> {
    const keeper = this.#keeper;
    keeper?.stop();
    // A store that never opened (a corrupt file...) has nothing to flush or close; its error went to `ready`.
    const store = await this.#opened?.catch(() => undefined);
    if (store === undefined) return;
    const writes = this.#writes;
    if (writes !== undefined && this.#failure === undefined) {
      await writes.registrations.flush().catch(() => {});
      await writes.slots.flush().catch(() => {});
      await writes.skips.flush().catch(() => {});
    }
    await keeper?.release().catch(() => {});
    // A failed store was closed by fail(), unless it was only another's.
    if (this.#source.owned && (this.#failure === undefined || StoreLockedError.is(this.#failure))) await store.close();
  }
}
