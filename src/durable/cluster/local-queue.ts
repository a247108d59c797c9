// A cluster process's local queue: rows it claimed beyond what it can start
// now (maxConcurrent), waiting here for a free place, most urgent first.
//
// What must be cheap: a short job. Claimed one place at a time, each job
// costs a claim transaction of its own; claimed ahead, one claim statement
// takes the rows of many jobs, and their ends share the commits of the
// batches that follow (cluster-writes.ts). The price is fairness across the
// cluster: a row queued here waits for this process while another may be
// idle. So the queue is kept to about QUEUE_HORIZON_MS of work at the run
// time measured here (an average over the recent bodies): short jobs queue
// up to the `localQueue` option's cap, jobs of a second or more queue
// nothing, and a process that has run nothing yet claims only what it can
// start.
//
// A queued row is held in the store but stored as unstarted (claimDue's
// startNow): if this process dies, a rescue interrupts it and allows it one
// attempt more (it never ran). When it starts, the runner names it in its
// next batch (finishAndClaim's `started`).
import type { Held } from './claimed-slots.js';

/** About how long (ms of this process's work) the queued rows wait at most. */
export const QUEUE_HORIZON_MS = 100;

/** Weight of the newest body's run time in the average. */
const RUN_TIME_WEIGHT = 0.2;

export class LocalQueue {
  readonly #cap: number;
  /** Waiting rows, by rank (equal ranks in claim order). */
  #rows: Held[] = [];
  /** Average body run time (ms); undefined until a body ended here. */
  #runMs: number | undefined;

  /** `cap`: the most rows queued (the `localQueue` option, 0 for none). */
  constructor(cap: number) {
    this.#cap = cap;
  }

  get length(): number {
    return this.#rows.length;
  }

  /** Adds a row in rank order, after the queued rows of an equal rank. */
  insert(held: Held): void {
    const rank = held.claimed.rankMs;
    let i = this.#rows.length;
    while (i > 0 && this.#rows[i - 1]!.claimed.rankMs > rank) i--;
    this.#rows.splice(i, 0, held);
  }

  /** The most urgent waiting row, removed. */
  shift(): Held | undefined {
    return this.#rows.shift();
  }

  /** Removes a row (given back or ended before it started); false if it was not queued. */
  remove(held: Held): boolean {
    const i = this.#rows.indexOf(held);
    if (i < 0) return false;
    this.#rows.splice(i, 1);
    return true;
  }

  clear(): void {
    this.#rows = [];
  }

  /** A body ran `ms` here. */
  noteRun(ms: number): void {
    const runMs = Math.max(0, ms);
    this.#runMs = this.#runMs === undefined ? runMs : this.#runMs + RUN_TIME_WEIGHT * (runMs - this.#runMs);
  }

  /** How many rows to hold queued beyond `maxConcurrent` running ones: QUEUE_HORIZON_MS of work, at most the cap. */
  depth(maxConcurrent: number): number {
    if (this.#cap === 0 || this.#runMs === undefined || !Number.isFinite(maxConcurrent)) return 0;
    // A body under 0.01 ms counts as 0.01 ms: the cap bounds the rest.
    const rows = Math.floor((QUEUE_HORIZON_MS * maxConcurrent) / Math.max(this.#runMs, 0.01));
    return Math.min(this.#cap, rows);
  }
}
