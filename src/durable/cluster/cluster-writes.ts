// A cluster process's writes to its store, batched: the ends of the runs
// that finished since the last commit, and the claim of rows for the room
// they made, in one transaction (ClusterStore.finishAndClaim).
//
// What must be cheap: a short job. Alone, its end is a transaction (a commit,
// an fsync) and the claim that takes its place another; with k runs ending
// together, k ends and the claim of the next k rows share one commit. Three
// choices make them meet:
// - A batch is written on a later host turn than its first write (the
//   clock's yieldToHost): the runs that end in this turn join it, and the
//   claim their room asks for.
// - A claim's limit is read when its batch is written, not when it was
//   asked: it covers the room of every end in the batch.
// - After a batch, the next waits two host turns: the rows the batch claimed
//   start (the engine runs them on its next turn), and the ends of short
//   ones join the next batch, instead of runs that started in different
//   batches staying out of step forever (3 rows in one batch, 1 in the next).
// - While rows this process claimed ahead wait in its local queue and leave
//   it turn after turn (short runs), a batch that is due waits for them, one
//   host turn at a time, until the queue is empty or a turn takes none: their
//   ends, and the claim of their room, join it. Without that, the batch
//   after a claim of ~100 rows carried the few that ended in its two turns,
//   the next the rest, every other one small: 54 rows a transaction on
//   average with a cap of 100 (bench/ab/cluster-profile.mjs).
// Batches are written one at a time, a batch holds at most one claim (the
// runner has one claim round at a time), and flush() writes at once.
//
// Starts: a row claimed for the local queue (stored unstarted) that started
// is named in the next batch (finishAndClaim's `started`), unless its end is
// in that batch already (the end closes the row). A start mark of a batch
// that failed waits for the next batch; none is sent for it alone.
//
// What a caller learns: its own result (a fenced end is refused alone; the
// others of its batch are written), and only after the batch's commit. A
// batch whose transaction fails rejects every write in it with the same
// error: the runner retries each end (and its claim round backs off).
//
// A failed batch may still have been written: a connection lost during its
// COMMIT leaves the outcome unknown (StoreOutcomeUnknownError). Its ends and
// start marks are safe to send again (an end that went in answers its retry
// as already stored, a start mark is a no-op the second time), but a claim that went
// in holds rows under this registration that nobody here knows: they would
// wait until this process stops or dies. So after any failed batch with a
// claim, the next claim names every row this process knows it holds
// (ClaimDueRequest.known: claimed, end not settled) and the store gives back
// the others, unstarted and without an attempt counted, in that claim's
// transaction. Any failure counts, not only the typed one: a store that
// cannot tell costs the same list once.
import type { AttemptRef, ClaimDueRequest, ClaimDueResult, ClusterStore, FinishRequest, FinishResult, ProcessRef } from '../../store/cluster.js';
import { checkFinish } from '../../store/cluster-rules.js';
import type { Clock } from '../../time/clock.js';

interface Waiter<Result> {
  resolve(result: Result): void;
  reject(error: unknown): void;
}

interface Finish extends Waiter<FinishResult> {
  request: FinishRequest;
}

interface Claim extends Waiter<ClaimDueResult> {
  process: ProcessRef;
  /** The functions this process defines (ClaimDueRequest.functions). */
  functions: readonly string[] | undefined;
  /** The rows to take (>= 1) and how many of them start at once, read when the batch is written. */
  limit(): ClaimRoom;
}

/** What a claim takes: `limit` rows, the `startNow` most urgent of them to start at once (the rest queue). */
export interface ClaimRoom {
  limit: number;
  startNow: number;
}

export class ClusterWrites {
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  #finishes: Finish[] = [];
  #claims: Claim[] = [];
  /** Rows claimed unstarted whose bodies started since the last batch. */
  #started: AttemptRef[] = [];
  /** Start marks of a batch that failed: they go with the next batch, and start none. */
  #unsent: AttemptRef[] = [];
  /** A batch is being written, or waits for its turn: writes added now join the next one. */
  #busy = false;
  /** Set while a batch waits for its host turn: flush() runs it at once. */
  #startNow: (() => void) | undefined;
  /** The rows this registration holds as far as it knows (execution id to token): claimed, end not settled. */
  #held = new Map<string, number>();
  /** The registration #held is of (a new one holds nothing of the old). */
  #epoch: number | undefined;
  /** A batch with a claim failed: the next claim reconciles (ClaimDueRequest.known). */
  #reconcile = false;
  #idle: Promise<void> = Promise.resolve();
  #settleIdle: (() => void) | undefined;

  /** How many claimed rows wait here to start (the local queue's length): see the header. */
  readonly #waiting: () => number;

  constructor(store: ClusterStore, clock: Clock, waiting: () => number = () => 0) {
    this.#store = store;
    this.#clock = clock;
    this.#waiting = waiting;
  }

  /**
   * Resolves once the end is committed (or refused: FinishResult); rejects if
   * its batch failed (nothing of it was written), or at once if the request
   * is not valid (checked here, so that it fails no batch).
   */
  finish(request: FinishRequest): Promise<FinishResult> {
    try {
      checkFinish(request);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<FinishResult>((resolve, reject) => {
      this.#finishes.push({ request, resolve, reject });
      this.#wake(1);
    });
  }

  /** A row claimed unstarted started: named in the next batch (which this starts if none is coming). */
  started(ref: AttemptRef): void {
    this.#started.push(ref);
    this.#wake(1);
  }

  /** Claims `limit()` rows (read when the batch is written) after the ends of its batch; resolves once committed. */
  claim(process: ProcessRef, limit: () => ClaimRoom, functions?: readonly string[]): Promise<ClaimDueResult> {
    return new Promise<ClaimDueResult>((resolve, reject) => {
      this.#claims.push({ process, functions, limit, resolve, reject });
      this.#wake(1);
    });
  }

  /** Writes what waits now; resolves once everything added so far is written or failed (never rejects). */
  async flush(): Promise<void> {
    while (this.#busy) {
      this.#startNow?.();
      await this.#idle;
    }
  }

  /** Starts a batch after `turns` host turns, unless one is being written or waits (it starts the next itself). */
  #wake(turns: number): void {
    if (this.#busy) return;
    this.#busy = true;
    this.#idle = new Promise<void>((resolve) => (this.#settleIdle = resolve));
    this.#after(turns);
  }

  #after(turns: number): void {
    const start = () => {
      if (this.#startNow !== start) return;
      this.#startNow = undefined;
      void this.#write();
    };
    this.#startNow = start;
    // After `turns` turns, one more while the queue is not empty and shrank in the last turn (bounded by its length).
    let waiting = Infinity;
    const turn = (left: number): void =>
      this.#clock.yieldToHost(() => {
        if (left > 1) return turn(left - 1);
        const now = this.#waiting();
        if (now > 0 && now < waiting) {
          waiting = now;
          return turn(1);
        }
        start();
      });
    turn(turns);
  }

  async #write(): Promise<void> {
    const finishes = this.#finishes;
    this.#finishes = [];
    const claim = this.#claims.shift();
    let started = this.#unsent.length === 0 ? this.#started : [...this.#unsent, ...this.#started];
    this.#started = [];
    this.#unsent = [];
    if (started.length > 0 && finishes.length > 0) {
      const ending = new Set(finishes.map((f) => f.request.executionId));
      started = started.filter((ref) => !ending.has(ref.executionId));
    }
    let request: ClaimDueRequest | undefined;
    if (claim !== undefined) {
      const room = claim.limit();
      const limit = Math.max(1, room.limit);
      request = { ...claim.process, limit, startNow: Math.min(limit, Math.max(0, room.startNow)), ...(claim.functions === undefined ? {} : { functions: claim.functions }) };
      if (claim.process.epoch !== this.#epoch) {
        this.#epoch = claim.process.epoch;
        this.#held.clear();
        this.#reconcile = false;
      }
      if (this.#reconcile) request.known = [...this.#held].map(([executionId, fencingToken]) => ({ executionId, fencingToken }));
    }
    try {
      const { finished, claimed } = await this.#store.finishAndClaim(finishes.map((f) => f.request), request, started.length === 0 ? undefined : started);
      // An end settled either way (written, or refused: the row is no longer this attempt's) leaves the known rows.
      for (const f of finishes) this.#held.delete(f.request.executionId);
      if (claimed?.status === 'claimed') {
        if (request?.known !== undefined) this.#reconcile = false;
        for (const slot of claimed.claimed) this.#held.set(slot.execution.id, slot.execution.fencingToken);
      }
      for (let i = 0; i < finishes.length; i++) finishes[i]!.resolve(finished[i]!);
      claim?.resolve(claimed!);
    } catch (error) {
      // Maybe written (an unknown outcome): start marks and ends are sent again; a claim is reconciled by the next.
      if (claim !== undefined && claim.process.epoch === this.#epoch) this.#reconcile = true;
      this.#unsent = started;
      for (const f of finishes) f.reject(error);
      claim?.reject(error);
    }
    if (this.#finishes.length > 0 || this.#claims.length > 0 || this.#started.length > 0) {
      this.#after(2);
      return;
    }
    this.#busy = false;
    this.#settleIdle?.();
  }
}
