// Async runs in flight: a task that returned a promise stays RUNNING in the
// core until it settles, and counts against the scheduler's `concurrency`.
// A run parked in ctx.yield() is not in flight (it waits its turn in the
// ready queue and must not hold a concurrency slot meanwhile); resumed, it is
// again. A run asleep in ctx.sleep() holds no slot either (it stays RUNNING
// in the core, counted in `sleeping`); woken, it takes a slot at once if one
// is free, else the next one freed (woken runs first come, first served,
// ahead of new runs). A run with a timeoutMs has a timer while in progress.
// stop() drains every run in progress: in flight, asleep, or parked (resumed
// at once).
import type { CoreExports } from '../../bindings/load.js';
import type { Clock } from '../time/clock.js';
import type { RunState } from '../tasks/task-context.js';
import type { TaskSlots } from './task-slots.js';

export class Flights {
  /** Runs in flight now (holding a concurrency slot). */
  count = 0;
  /** Runs asleep in ctx.sleep() now (holding none). */
  sleeping = 0;
  readonly #slots: TaskSlots;
  readonly #clock: Clock;
  readonly #concurrency: number;
  /** Woken sleepers waiting for a slot, first come, first served (their slot and resumer). */
  readonly #woken: Array<{ slot: number; run: RunState; resume: () => void }> = [];
  /** Called once a run leaves flight (a concurrency slot is free). */
  readonly #onLeave: () => void;
  #drainWaiters: Array<() => void> = [];

  constructor(slots: TaskSlots, clock: Clock, concurrency: number, onLeave: () => void) {
    this.#slots = slots;
    this.#clock = clock;
    this.#concurrency = concurrency;
    this.#onLeave = onLeave;
  }

  /** The run returned a promise. onTimeout fires after timeoutMs (0: never) unless it left flight first. */
  enter(slot: number, run: RunState, timeoutMs: number, onTimeout: () => void): void {
    const ex = this.#slots.extrasFor(slot);
    ex.run = run;
    // Asleep already (ctx.sleep() in its synchronous part): no slot until it wakes.
    if (ex.sleepUntilMs < 0) {
      run.inflight = true;
      this.count++;
    }
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
    if (ex.sleepUntilMs >= 0) {
      ex.sleepUntilMs = -1;
      this.sleeping--;
      this.#checkDrained();
    }
    if (!run.inflight) return;
    run.inflight = false;
    this.count--;
    // A woken sleeper takes the slot first; otherwise the loop may start a new run.
    if (this.#woken.length > 0) this.#resumeWoken();
    this.#checkDrained();
    this.#onLeave();
  }

  /** The run falls asleep in ctx.sleep() until untilMs: it gives its concurrency slot back. */
  sleep(slot: number, run: RunState, untilMs: number): void {
    const ex = this.#slots.extrasFor(slot);
    ex.run = run;
    ex.sleepUntilMs = untilMs;
    this.sleeping++;
    if (!run.inflight) return;
    run.inflight = false;
    this.count--;
    this.#onLeave();
  }

  /** The run woke up: it takes a slot at once if one is free, else the next one freed; `resume` continues it then. */
  wakeUp(slot: number, run: RunState, resume: () => void): void {
    this.#woken.push({ slot, run, resume });
    if (this.count < this.#concurrency) this.#resumeWoken();
  }

  /** The first woken sleeper still waiting takes a free slot. */
  #resumeWoken(): void {
    while (this.#woken.length > 0 && this.count < this.#concurrency) {
      const { slot, run, resume } = this.#woken.shift() as { slot: number; run: RunState; resume: () => void };
      const ex = this.#slots.extrasOf(slot);
      // Ended while it waited (cancelled, timed out): its settlement took it out of `sleeping`.
      if (ex === undefined || ex.run !== run || ex.sleepUntilMs < 0 || run.settled) {
        resume();
        continue;
      }
      ex.sleepUntilMs = -1;
      this.sleeping--;
      run.segmentStartMs = this.#clock.now();
      run.inflight = true;
      this.count++;
      resume();
    }
  }

  /** Woken sleepers waiting for a slot (describe()). */
  isWaitingForSlot(slot: number): boolean {
    return this.#woken.some((entry) => entry.slot === slot);
  }

  /**
   * Draining: runs parked in ctx.yield() wait in the ready queue for a loop
   * that no longer runs. They go on at once, out of their turn, to finish.
   */
  resumeParked(w: CoreExports, nowMs: number): void {
    for (const ex of [...this.#slots.extras.values()]) {
      const run = ex.run;
      const resume = ex.resume;
      if (run === undefined || resume === undefined || !run.parked) continue;
      if (w.take(run.handle, nowMs) < 0) continue;
      ex.resume = undefined;
      run.segmentStartMs = nowMs;
      this.resumeNow(run);
      resume();
    }
  }

  /** A run back in flight at once, queueing for nothing (a scheduler draining as it stops). */
  resumeNow(run: RunState): void {
    run.parked = false;
    if (run.inflight) return;
    run.inflight = true;
    this.count++;
  }

  #checkDrained(): void {
    if (this.count === 0 && this.sleeping === 0 && this.#drainWaiters.length > 0) {
      for (const resolve of this.#drainWaiters.splice(0)) resolve();
    }
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

  /** Resolves once no run is in flight or asleep. */
  drained(): Promise<void> {
    if (this.count === 0 && this.sleeping === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
  }
}
