// What a TaskHandle can do to its task: cancel, pause, resume, run now,
// re-prioritise, and its `done` promise. Each call first checks the task is
// alive (TaskEndedError once it has ended: a handle used late fails loudly).
// A running task cannot leave the core mid-run: pause() takes effect when the
// run ends, cancel() aborts the run's signal and ends the task at once.
import * as L from '../../bindings/layout.generated.js';
import type { CoreExports } from '../../bindings/load.js';
import { errorForStatus } from '../../bindings/errors.js';
import type { Clock } from '../time/clock.js';
import { TaskEndedError } from '../errors.js';
import type { Flights } from './flights.js';
import { abortRun } from './runs.js';
import { CANCELLED, cancelledError } from './task-outcome.js';
import { slotOf, type TaskSlots } from './task-slots.js';

export interface TaskControlParts {
  w: CoreExports;
  slots: TaskSlots;
  flights: Flights;
  clock: Clock;
  /** Work may be ready: make sure the run loop runs. */
  wake: () => void;
  /** The core's timer heap changed: re-arm the host timer. */
  afterTimerChange: () => void;
  /** A task ended outside a run (cancelled): onIdle() may resolve. */
  afterEnd: () => void;
}

export class TaskControls {
  readonly #w: CoreExports;
  readonly #slots: TaskSlots;
  readonly #flights: Flights;
  readonly #clock: Clock;
  readonly #wake: () => void;
  readonly #afterTimerChange: () => void;
  readonly #afterEnd: () => void;

  constructor(parts: TaskControlParts) {
    this.#w = parts.w;
    this.#slots = parts.slots;
    this.#flights = parts.flights;
    this.#clock = parts.clock;
    this.#wake = parts.wake;
    this.#afterTimerChange = parts.afterTimerChange;
    this.#afterEnd = parts.afterEnd;
  }

  /** The core state of a live task; TaskEndedError once it has ended. */
  liveState(handle: number, operation: string): number {
    const state = this.#w.taskState(handle);
    if (state === L.STATUS_STALE_HANDLE) throw new TaskEndedError(`${operation}: task ${handle} has ended`);
    if (state < 0) throw errorForStatus(state, operation);
    return state;
  }

  /**
   * Ends the task at once, in O(1): nothing here depends on how many tasks
   * live. The cancellation error is made only if someone can see it now (a
   * run to abort, a `done` already read); otherwise the handle records
   * CANCELLED and `done` makes the error if it is read later.
   */
  /** Cancels a live task; false (and nothing done) when it has already ended. */
  cancel(handle: number, reason?: unknown): boolean {
    // Out of the core first, in one crossing that also answers for an ended task:
    // whatever the abort below runs (the run's signal listeners) sees it ended.
    const status = this.#w.cancel(handle);
    if (status < 0) {
      if (status === L.STATUS_STALE_HANDLE) return false;
      throw errorForStatus(status, 'cancel');
    }
    const slot = slotOf(handle);
    this.#slots.cancels++;
    const ex = this.#slots.extrasOf(slot);
    const run = ex?.run;
    const running = run !== undefined && !run.settled;
    const error = reason instanceof Error ? reason : running || ex?.done !== undefined ? cancelledError(handle) : CANCELLED;
    if (running) {
      run.settled = true;
      abortRun(run, error);
      this.#flights.leave(slot);
    }
    this.#slots.end(handle, false, error);
    this.#afterEnd();
    return true;
  }

  pause(handle: number): void {
    const state = this.liveState(handle, 'pause');
    if (state === L.STATE_PAUSED) return;
    if (state === L.STATE_RUNNING) {
      this.#slots.extrasFor(slotOf(handle)).pauseAfterRun = true;
      return;
    }
    this.#check(this.#w.pause(handle), 'pause');
  }

  resume(handle: number): void {
    const state = this.liveState(handle, 'resume');
    const ex = this.#slots.extrasOf(slotOf(handle));
    if (ex) ex.pauseAfterRun = false;
    if (state !== L.STATE_PAUSED) return;
    this.#check(this.#w.resume(handle, this.#clock.now()), 'resume');
    this.#afterTimerChange();
    this.#wake();
  }

  runNow(handle: number): void {
    const state = this.liveState(handle, 'runNow');
    if (state === L.STATE_PAUSED) this.resume(handle);
    if (this.#w.taskState(handle) === L.STATE_WAITING) this.#check(this.#w.runNow(handle, this.#clock.now()), 'runNow');
    this.#wake();
  }

  setPriority(handle: number, priorityClass: number): void {
    this.liveState(handle, 'setPriority');
    this.#check(this.#w.setClass(handle, priorityClass), 'setPriority');
  }

  /** The `done` promise of a live task (a handle asks the engine only while its task lives). */
  done(handle: number): Promise<unknown> {
    this.liveState(handle, 'done');
    return this.#slots.doneOf(slotOf(handle));
  }

  #check(status: number, operation: string): void {
    if (status < 0) throw errorForStatus(status, operation);
  }
}
