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
// What it costs afterwards: every call site into the core has then seen a
// second wasm instance, so V8 no longer inlines those calls (about 10 ns
// more per crossing here).
import type { Core } from '../../bindings/core.js';
import type { Clock, TimerId } from '../clock.js';
import type { TaskSlots } from './task-slots.js';

/** How long a scheduler must have held no task before its core is replaced (ms). */
export const RENEW_AFTER_IDLE_MS = 1000;
/** A core is replaced only if it holds more than this beyond a fresh one. */
export const RENEW_ABOVE_BYTES = 4 * 2 ** 20;

export class CoreRenewal {
  readonly #core: Core;
  readonly #clock: Clock;
  readonly #slots: TaskSlots;
  #timer: TimerId | undefined;
  /** When the run loop last went idle with the core empty (clock time). */
  #emptySinceMs = 0;

  constructor(core: Core, clock: Clock, slots: TaskSlots) {
    this.#core = core;
    this.#clock = clock;
    this.#slots = slots;
  }

  /** The run loop went idle at nowMs: if the core is empty and holds memory it no longer needs, replace it after a while. */
  idle(nowMs: number): void {
    if (!this.#worthIt()) return;
    this.#emptySinceMs = nowMs;
    this.#timer ??= this.#clock.setTimer(this.#check, RENEW_AFTER_IDLE_MS, { keepAlive: false });
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
    const waitedMs = this.#clock.now() - this.#emptySinceMs;
    if (waitedMs < RENEW_AFTER_IDLE_MS) {
      this.#timer = this.#clock.setTimer(this.#check, RENEW_AFTER_IDLE_MS - waitedMs, { keepAlive: false });
      return;
    }
    if (this.#core.renew()) this.#slots.shrink();
  };
}
