// The general path: a popped task run on its own, timed by itself, for every
// run the fast path (run-loop.ts) does not take: a task with options or a
// `done` promise, a listened taskstart or taskfinish, a periodic task, a held
// turn, a parked continuation to resume. It emits taskskip and taskstart,
// calls the task as the loop's current run, and hands the outcome to
// settlement.ts; a returned promise puts the run in flight (flights.ts) with
// its timeout. Kept apart from the loop so the loop's own methods stay small
// enough for V8 to inline: nothing here runs for a fast-path task unless it
// throws or returns a promise.
import type { CoreExports } from '../../bindings/load.js';
import { EVENT_SKIP, EVENT_START, type SchedulerEvents } from '../events.js';
import { TaskTimeoutError } from '../errors.js';
import { type ContextHost, RunState } from '../tasks/task-context.js';
import type { AsyncBudget } from './async-budget.js';
import type { Flights } from './flights.js';
import { abortRun } from './runs.js';
import type { Settlement } from './settlement.js';
import type { EngineCounters, TaskEmitter } from './task-events.js';
import { slotOf, type TaskFn, type TaskSlots } from './task-slots.js';

/** invoke's answer when the run was settled or put in flight there. */
const HANDED_OFF: unique symbol = Symbol('handed off');

export interface GeneralPathParts {
  w: CoreExports;
  events: SchedulerEvents;
  counters: EngineCounters;
  slots: TaskSlots;
  flights: Flights;
  emitter: TaskEmitter;
  budget: AsyncBudget;
  settlement: Settlement;
}

/** The run loop as the general path sees it: the host of every context, and the keeper of the current run. */
export interface RunHost extends ContextHost {
  /** This run's code is executing now (undefined: none is). */
  setCurrent(run: RunState | undefined): void;
}

export class GeneralPath {
  readonly #w: CoreExports;
  readonly #events: SchedulerEvents;
  readonly #counters: EngineCounters;
  readonly #slots: TaskSlots;
  readonly #flights: Flights;
  readonly #emitter: TaskEmitter;
  readonly #budget: AsyncBudget;
  readonly #settlement: Settlement;
  readonly #host: RunHost;

  constructor(parts: GeneralPathParts, host: RunHost) {
    this.#w = parts.w;
    this.#events = parts.events;
    this.#counters = parts.counters;
    this.#slots = parts.slots;
    this.#flights = parts.flights;
    this.#emitter = parts.emitter;
    this.#budget = parts.budget;
    this.#settlement = parts.settlement;
    this.#host = host;
  }

  /** Runs (or resumes) a popped task. True if a parked continuation was resumed. */
  start(handle: number, nowMs: number): boolean {
    const slot = slotOf(handle);
    const ex = this.#slots.extrasOf(slot);
    // A held turn goes on: its segment started as long ago as it has run (turns.ts).
    let startMs = nowMs;
    let held = false;
    if (ex !== undefined && ex.heldUsedMs >= 0) {
      startMs = nowMs - ex.heldUsedMs;
      ex.heldUsedMs = -1;
      held = true;
    }
    if (ex?.resume !== undefined && ex.run !== undefined) {
      const resume = ex.resume;
      ex.resume = undefined;
      ex.run.segmentStartMs = startMs;
      this.#flights.unpark(ex.run);
      this.#budget.starts++;
      // The continuation's synchronous part runs before the loop's next
      // microtask, so it is the current run until then (see currentContext).
      this.#host.setCurrent(ex.run);
      resume();
      return true;
    }
    const fn = this.#slots.fns[slot] as TaskFn;
    const run = new RunState(this.#host, handle, ex?.attempt ?? 1, startMs, ex?.state);
    if (held) {
      // The same turn: no new start to report.
    } else if (this.#events.wanted & EVENT_SKIP) {
      const skipped = this.#w.lastPopSkippedTicks();
      if (skipped > 0) this.#emitter.emit('taskskip', handle, run.attempt, nowMs, { count: skipped, reason: 'the run started a period or more late' });
    }
    if (!held && this.#events.wanted & EVENT_START) this.#emitter.emit('taskstart', handle, run.attempt, nowMs);
    const result = this.#invoke(slot, run, fn);
    if (result !== HANDED_OFF && !run.settled) this.#settlement.settle(run, true, result);
    return false;
  }

  /**
   * Calls a task as the current run. A throw settles the run as failed, a
   * returned promise puts it in flight: both answer HANDED_OFF. Otherwise the
   * value it returned, for the caller to settle.
   */
  #invoke(slot: number, run: RunState, fn: TaskFn): unknown {
    this.#host.setCurrent(run);
    let result: unknown;
    try {
      result = fn(run.context);
    } catch (error) {
      this.#host.setCurrent(undefined);
      this.#settlement.settle(run, false, error);
      return HANDED_OFF;
    }
    this.#host.setCurrent(undefined);
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      this.runAsync(slot, run, result as PromiseLike<unknown>);
      return HANDED_OFF;
    }
    return result;
  }

  /** A run returned a promise: in flight (with its timeout) until it settles. */
  runAsync(slot: number, run: RunState, result: PromiseLike<unknown>): void {
    this.#budget.starts++;
    const timeoutMs = this.#slots.optionsOf(slot).timeoutMs;
    this.#flights.enter(slot, run, timeoutMs, () => {
      this.#counters.timeouts++;
      const error = new TaskTimeoutError(`task '${this.#slots.nameOf(run.handle)}' (#${run.handle}) timed out after ${timeoutMs} ms`);
      abortRun(run, error);
      this.#settlement.settle(run, false, error);
    });
    result.then(
      (value) => this.#settlement.settle(run, true, value),
      (error) => this.#settlement.settle(run, false, error),
    );
  }
}
