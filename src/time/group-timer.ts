// Group timing: one clock read for a group of short runs instead of one per run.
//
// Why: reading the clock costs more than running a small task. performance.now()
// takes ~25 ns on bare metal and ~55 ns in the virtual machines this project is
// measured on, while the engine dispatches a no-op task in less than that. So
// the run loop times *one-shot runs that return at once* in groups: it reads
// the clock once the group is complete, and charges the group's elapsed time
// to the scheduler's runtime total (stats().runtimeMs) as one sum.
//
// What that gives up: the runtime of each run in the group. A one-shot task
// that returned has ended, its handle is stale, so its own stats can no
// longer be read; a taskstart or taskfinish listener (they report every run)
// turns grouping off; every other run (periodic, async, interrupted, with a
// timeout or retries) is timed on its own. A grouped run that throws is timed
// from its group's start (no clock was read when it started): its taskfail
// event's runtimeMs includes the group's earlier runs, under ~50 µs, a price
// paid so that a taskfail listener (a common one: log every failure) costs
// the runs that succeed nothing.
//
// Group size adapts so that a group stays short: it doubles (up to
// MAX_GROUP_RUNS) while groups take under TARGET_GROUP_MS, and drops back when
// a group takes longer than twice that. A long run inside a group therefore
// delays the next clock read, and so the slice check and the release of due
// timers, by at most the group's other runs: under TARGET_GROUP_MS in total
// while the runs stay short.

/** A group this short doubles its size next time (ms). */
export const TARGET_GROUP_MS = 0.05;
/** Most runs timed by one clock read. */
export const MAX_GROUP_RUNS = 64;

export class GroupTimer {
  /** Runs the current group holds before the clock must be read. */
  #size = 1;
  #left = 1;
  /** Runs since the group started. */
  #runs = 0;
  #startMs = 0;

  /** Opens a group at a clock reading. */
  start(nowMs: number): void {
    this.#startMs = nowMs;
    this.#runs = 0;
    this.#left = this.#size;
  }

  /** Counts a run; true when the group is complete and the clock must be read. */
  counted(): boolean {
    this.#runs++;
    return --this.#left === 0;
  }

  /** Whether the group holds runs whose time has not been charged yet. */
  get open(): boolean {
    return this.#runs > 0;
  }

  /**
   * Closes the group at a fresh clock reading: answers the ms to charge (0 if
   * it held no run), adapts the size, and opens the next group at nowMs.
   */
  close(nowMs: number): number {
    const runs = this.#runs;
    const elapsedMs = runs === 0 ? 0 : Math.max(0, nowMs - this.#startMs);
    if (runs > 0) {
      if (elapsedMs < TARGET_GROUP_MS) this.#size = Math.min(this.#size * 2, MAX_GROUP_RUNS);
      else if (elapsedMs > 2 * TARGET_GROUP_MS) this.#size = Math.max(1, this.#size >> 2);
    }
    this.start(nowMs);
    return elapsedMs;
  }

  /** Runs per group right now (for tests). */
  get size(): number {
    return this.#size;
  }
}
