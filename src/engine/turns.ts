// Turns: the quantum is a task's, the slice is the run loop's.
//
// quantumMs is how long a run may go before ctx.shouldYield() asks it to let
// the other tasks have their turn: it saves its state and returns (or awaits
// ctx.yield()), and is requeued behind them (an interruption). sliceMs is how
// long the run loop may keep the thread before the host gets a turn (timers,
// I/O, rendering). When the slice runs out first, shouldYield() answers true
// as well, the task hands the thread back the same way, but it keeps its
// turn: it stays RUNNING in the core across the host's turn (held), is not
// charged yet, and the loop continues it before anything else, with the rest
// of its quantum (its segment start moved back by what it used). So a 15 ms
// quantum with a 5 ms slice runs a CPU-bound task 15 ms, in three slices,
// before the next task starts.
//
// More urgent work: under the priority and deadline policies (the point of
// which is urgency), shouldYield() also answers true, ending the turn, as
// soon as a task of a more urgent class is ready, and a held turn is given up
// if one arrived during the host's turn. Under round-robin and fair a waiting
// task of another class never cuts a quantum short: equal turns for all (fair
// then weighs them by vruntime).
import * as L from '../../bindings/layout.generated.js';
import type { CoreInstance } from '../../bindings/core-instance.js';
import type { CoreExports } from '../../bindings/load.js';
import { EVENT_INTERRUPT, type SchedulerEvents } from '../events.js';
import type { ResolvedSchedulerOptions } from '../tasks/scheduler-options.js';
import { HOST_TURN, type RunState, TURN_OVER } from '../tasks/task-context.js';
import type { DueTimer } from './due-timer.js';
import type { Flights } from './flights.js';
import type { TaskEmitter } from './task-events.js';
import { slotOf, type TaskSlots } from './task-slots.js';

export interface TurnParts {
  w: CoreExports;
  core: CoreInstance;
  slots: TaskSlots;
  flights: Flights;
  due: DueTimer;
  emitter: TaskEmitter;
  events: SchedulerEvents;
  options: ResolvedSchedulerOptions;
}

export class Turns {
  /** The task whose turn is held across the host's turn, or 0. */
  held = 0;
  readonly #w: CoreExports;
  readonly #core: CoreInstance;
  readonly #slots: TaskSlots;
  readonly #flights: Flights;
  readonly #due: DueTimer;
  readonly #emitter: TaskEmitter;
  readonly #events: SchedulerEvents;
  readonly #quantumMs: number;
  readonly #sliceMs: number;
  /** priority and deadline: a more urgent class waiting ends a turn. */
  readonly #urgentCuts: boolean;

  constructor(parts: TurnParts) {
    this.#w = parts.w;
    this.#core = parts.core;
    this.#slots = parts.slots;
    this.#flights = parts.flights;
    this.#due = parts.due;
    this.#emitter = parts.emitter;
    this.#events = parts.events;
    this.#quantumMs = parts.options.quantumMs;
    this.#sliceMs = parts.options.sliceMs;
    this.#urgentCuts = parts.options.policy === 'priority' || parts.options.policy === 'deadline';
  }

  /**
   * ctx.shouldYield(): true when the run's quantum is spent or more urgent
   * work waits (its turn is over), or when the loop's slice is spent while
   * the run is the loop's current one (the host's turn: it keeps its own).
   */
  shouldYield(run: RunState, nowMs: number, current: boolean, sliceStartMs: number): boolean {
    if (nowMs - run.segmentStartMs >= this.#quantumMs || (this.#urgentCuts && this.moreUrgentWaits(run.handle, nowMs))) {
      run.interrupted = TURN_OVER;
      return true;
    }
    if (current && nowMs - sliceStartMs >= this.#sliceMs) {
      if (run.interrupted !== TURN_OVER) run.interrupted = HOST_TURN;
      return true;
    }
    return false;
  }

  /**
   * ctx.yield(): parks the run's continuation until the loop continues it.
   * After shouldYield() answered for the host's turn, the task keeps its turn
   * (held); after it answered that the turn is over, it goes behind the
   * others (an interruption); of its own accord, it keeps its place ahead of
   * newer equal tasks (as scheduler.yield()). The caller wakes the loop.
   */
  yieldRun(run: RunState, nowMs: number): Promise<void> {
    const w = this.#w;
    const handle = run.handle;
    const ex = this.#slots.extrasFor(slotOf(handle));
    const runtimeMs = nowMs - run.segmentStartMs;
    if (run.interrupted === HOST_TURN) {
      this.hold(handle, runtimeMs);
    } else if (run.interrupted === TURN_OVER) {
      w.charge(handle, runtimeMs);
      w.requeue(handle, nowMs, L.REQUEUE_PREEMPTED);
      if (this.#events.wanted & EVENT_INTERRUPT) this.#emitter.emit('taskinterrupt', handle, run.attempt, nowMs, { runtimeMs });
    } else {
      w.charge(handle, runtimeMs);
      w.requeue(handle, nowMs, L.REQUEUE_KEEP_PLACE);
    }
    run.interrupted = 0;
    ex.run = run;
    this.#flights.park(run);
    return new Promise<void>((resolve) => {
      ex.resume = resolve;
    });
  }

  /** A ready task of a more urgent class than the task's. */
  moreUrgentWaits(handle: number, nowMs: number): boolean {
    this.#due.releaseDue(nowMs);
    const top = this.#w.peek();
    return top > 0 && this.#core.priorityClassOf(top) < this.#core.priorityClassOf(handle);
  }

  /** The task keeps its turn across the host's: RUNNING in the core, continued first, `usedMs` of its quantum spent. */
  hold(handle: number, usedMs: number): void {
    this.#slots.extrasFor(slotOf(handle)).heldUsedMs = usedMs;
    this.held = handle;
  }

  /**
   * The held task, to be continued now; or -1 if it ended meanwhile, or if
   * it gave up its turn (paused, or a more urgent class arrived under the
   * priority and deadline policies): then it was charged and requeued.
   */
  takeHeld(nowMs: number): number {
    const handle = this.held;
    this.held = 0;
    if (this.#w.taskState(handle) !== L.STATE_RUNNING) return -1;
    const ex = this.#slots.extrasFor(slotOf(handle));
    if (!ex.pauseAfterRun && !(this.#urgentCuts && this.moreUrgentWaits(handle, nowMs))) return handle;
    this.release(handle, nowMs);
    return -1;
  }

  /** Ends a held turn: charges it and requeues the task (paused if it asked to be). */
  release(handle: number, nowMs: number): void {
    const w = this.#w;
    if (w.taskState(handle) !== L.STATE_RUNNING) return;
    const ex = this.#slots.extrasFor(slotOf(handle));
    w.charge(handle, ex.heldUsedMs);
    ex.heldUsedMs = -1;
    if (ex.resume !== undefined) {
      // A parked continuation keeps its place; it resumes when popped.
      w.requeue(handle, nowMs, L.REQUEUE_KEEP_PLACE);
    } else {
      w.requeue(handle, nowMs, L.REQUEUE_PREEMPTED);
      if (this.#events.wanted & EVENT_INTERRUPT) this.#emitter.emit('taskinterrupt', handle, ex.attempt, nowMs, { runtimeMs: 0 });
    }
    if (ex.pauseAfterRun) {
      ex.pauseAfterRun = false;
      w.pause(handle);
    }
  }
}
