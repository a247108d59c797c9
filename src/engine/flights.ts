// Async runs in flight: a task that returned a promise stays RUNNING in the
// core until it settles, and counts against the scheduler's `concurrency`.
// A run parked in ctx.yield() is not in flight (it waits its turn in the
// ready queue and must not hold a concurrency slot meanwhile); resumed, it is
// again. A run with a timeoutMs has a timer while in flight.
import type { Clock } from '../clock.js';
import type { RunState } from '../task-context.js';
import type { TaskSlots } from './task-slots.js';

export class Flights {
  /** Runs in flight now. */
  count = 0;
  readonly #slots: TaskSlots;
  readonly #clock: Clock;
  /** Called once a run leaves flight (a concurrency slot is free). */
  readonly #onLeave: () => void;
  #drainWaiters: Array<() => void> = [];

  constructor(slots: TaskSlots, clock: Clock, onLeave: () => void) {
    this.#slots = slots;
    this.#clock = clock;
    this.#onLeave = onLeave;
  }

  /** The run returned a promise. onTimeout fires after timeoutMs (0: never) unless it left flight first. */
  enter(slot: number, run: RunState, timeoutMs: number, onTimeout: () => void): void {
    const ex = this.#slots.extrasFor(slot);
    ex.run = run;
    run.inflight = true;
    this.count++;
    if (timeoutMs > 0) {
      ex.timeoutTimer = this.#clock.setTimer(() => {
        ex.timeoutTimer = undefined;
        if (!run.settled) onTimeout();
      }, timeoutMs);
    }
  }

  /** The run settled or was cancelled: it leaves flight (and parking), its timer cleared. */
  leave(slot: number): void {
    const ex = this.#slots.extrasOf(slot);
    const run = ex?.run;
    if (ex === undefined || run === undefined) return;
    if (ex.timeoutTimer !== undefined) this.#clock.clearTimer(ex.timeoutTimer);
    ex.timeoutTimer = undefined;
    ex.run = undefined;
    ex.resume = undefined;
    if (!run.inflight) return;
    run.inflight = false;
    this.count--;
    if (this.count === 0 && this.#drainWaiters.length > 0) {
      for (const resolve of this.#drainWaiters.splice(0)) resolve();
    }
    this.#onLeave();
  }

  /** A run in flight yields: it waits in the ready queue, holding no concurrency slot. */
  park(run: RunState): void {
    if (!run.inflight) return;
    run.inflight = false;
    run.parked = true;
    this.count--;
  }

  /** A parked run was picked again: back in flight. */
  unpark(run: RunState): void {
    if (!run.parked) return;
    run.parked = false;
    run.inflight = true;
    this.count++;
  }

  /** Resolves once no run is in flight. */
  drained(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }
}
