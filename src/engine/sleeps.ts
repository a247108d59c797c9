// ctx.sleep(ms): the run waits ms on the clock and lets other tasks run
// meanwhile, including in its own concurrency slot.
//
// While asleep, the task stays RUNNING in the core (its run is in progress:
// a timeout or a cancel still reaches it) but holds no concurrency slot
// (flights.ts), so with `concurrency: 1` the next task starts at once. When
// the sleep ends, the run takes a slot again and goes on, as an async run
// whose awaited promise resolved does: at once if one is free, else the
// first one freed (woken runs first come, first served, before any new run
// starts). It is not requeued in the core: its run was admitted already (and
// a fixed-rate run keeps its nominal time). describe() shows a sleeping task
// as such, with its wake-up time.
//
// Cases that give nothing back: a sleep in a run that has ended (its result
// was returned without awaiting it), a second sleep while asleep
// (Promise.all of two), a sleep while the scheduler stops (drain keeps the
// run in flight to let it finish). Those simply wait.
import * as L from '../../bindings/layout.generated.js';
import type { CoreExports } from '../../bindings/load.js';
import type { Clock, TimerId } from '../time/clock.js';
import { type Duration, parseDurationMs } from '../time/duration.js';
import type { RunState } from '../tasks/task-context.js';
import type { Flights } from './flights.js';
import { slotOf, type TaskSlots } from './task-slots.js';

export interface SleepParts {
  w: CoreExports;
  clock: Clock;
  slots: TaskSlots;
  flights: Flights;
  /** The scheduler is running or paused (not stopping or stopped): a sleep gives the slot back. */
  accepting: () => boolean;
}

export class Sleeps {
  readonly #parts: SleepParts;

  constructor(parts: SleepParts) {
    this.#parts = parts;
  }

  sleep(run: RunState, ms: Duration): Promise<void> {
    let delayMs: number;
    try {
      delayMs = parseDurationMs('sleep: ms', ms);
    } catch (error) {
      // An async method rejects, never throws.
      return Promise.reject(error);
    }
    const { w, clock, slots, flights } = this.#parts;
    const handle = run.handle;
    const slot = slotOf(handle);
    return new Promise<void>((resolve, reject) => {
      run.controller ??= new AbortController();
      const signal = run.controller.signal;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const releases =
        !run.settled && !run.parked && this.#parts.accepting() && w.taskState(handle) === L.STATE_RUNNING &&
        (slots.extrasOf(slot)?.sleepUntilMs ?? -1) < 0;
      let timer: TimerId | undefined;
      const onAbort = () => {
        if (timer !== undefined) clock.clearTimer(timer);
        // The run is being cancelled, timed out or stopped: its settlement takes it out of `sleeping`.
        reject(signal.reason);
      };
      const nowMs = clock.now();
      if (releases) {
        // Its runtime so far is charged now; the time asleep is not runtime.
        w.charge(handle, nowMs - run.segmentStartMs);
        run.segmentStartMs = nowMs;
        flights.sleep(slot, run, nowMs + delayMs);
      }
      timer = clock.setTimer(() => {
        timer = undefined;
        const done = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        // A run waiting for a slot after waking can still be aborted: the listener stays until it goes on.
        if (releases) this.#woke(run, slot, done);
        else done();
      }, delayMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** A run that gave its slot back woke up: it takes a slot again, at once or when one is freed. */
  #woke(run: RunState, slot: number, resolve: () => void): void {
    const { slots, flights } = this.#parts;
    const ex = slots.extrasOf(slot);
    // Ended meanwhile (settled without awaiting the sleep): nothing to resume.
    if (run.settled || ex === undefined || ex.run !== run) {
      resolve();
      return;
    }
    flights.wakeUp(slot, run, resolve);
  }
}
