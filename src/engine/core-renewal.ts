// Giving memory back after a burst.
//
// A wasm memory never shrinks: a core that once held a million tasks keeps
// their rows (~67 MB) for the life of the process. So once a scheduler has
// held no task at all for RENEW_AFTER_IDLE_MS, and its core holds more than
// RENEW_ABOVE_BYTES beyond a fresh one, the core is replaced by a fresh
// instance (Core.renew(): the same settings and counters, task ids above
// every one handed out) and the old memory goes with the garbage.
//
// Why wait: a workload of repeated bursts would otherwise grow the memory
// again at each burst (page faults, the arena's relayouts); a second of
// nothing to do is long next to any burst worth giving memory back for. The
// timer does not keep the process running (keepAlive: false), and nothing
// runs while tasks live: periodic tasks, timers and durable tasks all count.
// The JS side's per-slot arrays, which keep their length, are emptied too.
//
// Bursts that come back. A fresh core grows again with the next burst, and
// memory the process has just been handed is dear on first touch: on the
// 2-core VM this project is measured on, 12-17 us of CPU (27-110 us of
// wall time) per 4 KB page written the first time, against 0.04-0.18 us
// after (bench/ab/first-touch.mjs); a task row is 64 bytes, so a
// burst into a fresh core paid ~300 ns of CPU per task more than one into
// the grown core (bench/ab/dispatch-ab.mjs with IDLE_MS=1300, 1e5 tasks:
// 2081 against 577 ns per task). So the wait adapts, as V8's own memory
// reducer backs off: when the core has grown back past the threshold within
// REGROWN_WITHIN_MS of its last renewal, the wait becomes twice the longer
// of the wait and the time the core stayed small (up to
// RENEW_AFTER_IDLE_MAX_MS), so bursts that keep their cadence find the core
// grown; when a renewal was left alone longer than that, the wait is back
// to RENEW_AFTER_IDLE_MS. (A 1e6 burst writes ~19,000 fresh pages: ~0.3 s
// of CPU here, paid again at every burst into a renewed core.) A single burst still gives its memory
// back after a second; a scheduler that bursts every few seconds keeps its
// rows between the bursts.
// What it costs afterwards: every call site into the core has then seen a
// second wasm instance, so V8 no longer inlines those calls (about 10 ns
// more per crossing here).
import type { CoreInstance } from '../../bindings/core-instance.js';
import type { Clock, TimerId } from '../time/clock.js';
import type { TaskSlots } from './task-slots.js';

/** How long a scheduler must have held no task before its core is replaced (ms). */
export const RENEW_AFTER_IDLE_MS = 1000;
/** A core is replaced only if it holds more than this beyond a fresh one. */
export const RENEW_ABOVE_BYTES = 4 * 2 ** 20;
/** The longest wait the backoff reaches (ms). */
export const RENEW_AFTER_IDLE_MAX_MS = 60_000;
/** A core grown back within this long of its renewal lengthens the wait (ms). */
export const REGROWN_WITHIN_MS = 30_000;

export class CoreRenewal {
  readonly #core: CoreInstance;
  readonly #clock: Clock;
  readonly #slots: TaskSlots;
  #timer: TimerId | undefined;
  /** When the run loop last went idle with the core empty (clock time). */
  #emptySinceMs = 0;
  /** How long the core must have been empty before it is replaced (ms): adapts, see the header. */
  #waitMs = RENEW_AFTER_IDLE_MS;
  /** When the core was last replaced (clock time), or -1. */
  #renewedAtMs = -1;

  constructor(core: CoreInstance, clock: Clock, slots: TaskSlots) {
    this.#core = core;
    this.#clock = clock;
    this.#slots = slots;
  }

  /** The run loop went idle at nowMs: if the core is empty and holds memory it no longer needs, replace it after a while. */
  idle(nowMs: number): void {
    if (!this.#worthIt()) return;
    if (this.#renewedAtMs >= 0) {
      // The first time the renewed core is found grown again: adapt the wait.
      // Twice the wait, or twice the time the core stayed small, whichever is longer: a cadence of bursts seen once is covered.
      const regrownAfterMs = nowMs - this.#renewedAtMs;
      const regrownSoon = regrownAfterMs < REGROWN_WITHIN_MS;
      this.#waitMs = regrownSoon ? Math.min(2 * Math.max(this.#waitMs, regrownAfterMs), RENEW_AFTER_IDLE_MAX_MS) : RENEW_AFTER_IDLE_MS;
      this.#renewedAtMs = -1;
    }
    this.#emptySinceMs = nowMs;
    this.#timer ??= this.#clock.setTimer(this.#check, this.#waitMs, { keepAlive: false });
  }

  /** The scheduler stopped: nothing more to do. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  #worthIt(): boolean {
    return this.#core.surplusBytes > RENEW_ABOVE_BYTES && this.#core.liveTasks === 0;
  }

  readonly #check = (): void => {
    this.#timer = undefined;
    // Tasks came meanwhile: the loop going idle once they are done arms this again.
    if (!this.#worthIt()) return;
    const nowMs = this.#clock.now();
    const waitedMs = nowMs - this.#emptySinceMs;
    if (waitedMs < this.#waitMs) {
      this.#timer = this.#clock.setTimer(this.#check, this.#waitMs - waitedMs, { keepAlive: false });
      return;
    }
    if (this.#core.renew()) {
      this.#slots.shrink();
      this.#renewedAtMs = nowMs;
    }
  };
}
