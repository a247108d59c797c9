// The run loop: between the host event loop and the core.
//
// What must be cheap: a no-op task, scheduled and run. Every "what runs
// next, and when" question is the core's: the loop pops, runs, and reports
// back (settlement.ts: complete, retry, requeue), then yields to the host
// once its slice is spent so I/O, timers and rendering keep flowing.
//
// The fast path: a one-shot task with shared preset options (nothing but a
// priority), no `done` promise, no taskstart or taskfinish listener (the
// events every run emits; a taskfail listener only hears a run that throws,
// and a throw takes the general path anyway), that returns at once. It is
// popped, run and completed with nothing allocated but its context (one
// field: the run's state is made only if the task asks for it, see
// task-context.ts; none for a function that declares no parameter, see
// #sharedContext), and timed in a group (group-timer.ts). Everything else
// takes the general path (general-path.ts, then settlement.ts), which times
// each run on its own.
//
// Async runs: a task returning a promise stays RUNNING in the core while in
// flight (counted against `concurrency`), and the continuations it leaves
// count against the slice (async-budget.ts). A `ctx.yield()` requeues it in
// the core and parks its continuation (turns.ts); popping it again resumes
// the continuation (and the loop lets microtasks run before popping the next
// task, so the continuation's synchronous part runs in its turn). A turn held
// across the host's goes on first. The loop is also the host of every
// TaskContext: shouldYield(), yield() and sleep() are asked of it.
import type { CoreInstance } from '../../bindings/core-instance.js';
import type { CoreExports } from '../../bindings/load.js';
import type { Clock } from '../time/clock.js';
import type { Duration } from '../time/duration.js';
import { EVENT_FINISH, EVENT_START, type SchedulerEvents } from '../events.js';
import { GroupTimer } from '../time/group-timer.js';
import type { ResolvedSchedulerOptions } from '../tasks/scheduler-options.js';
import { RunState, TaskContext } from '../tasks/task-context.js';
import type { AsyncBudget } from './async-budget.js';
import type { DueTimer } from './due-timer.js';
import type { Flights } from './flights.js';
import { GeneralPath, type RunHost } from './general-path.js';
import type { Settlement } from './settlement.js';
import type { Sleeps } from './sleeps.js';
import type { EngineCounters, TaskEmitter } from './task-events.js';
import { slotOf, type TaskFn, type TaskSlots } from './task-slots.js';
import type { Turns } from './turns.js';

export type LifecycleState = 'idle' | 'running' | 'paused' | 'stopping' | 'stopped';

// What #runFast did with a popped task.
const NOT_FAST = 0;
const FAST_RETURNED = 1;
const FAST_DONE = 2;
const FAST_SETTLED_ALONE = 3;
/**
 * The events a run that returns at once emits: while either has a listener,
 * runs are timed and reported one by one. The others (taskfail, taskretry,
 * taskinterrupt, taskoverrun, taskskip) come only from runs the fast path
 * hands to the general one, or from periodic tasks, which never take it.
 */
const PER_RUN_EVENTS = EVENT_START | EVENT_FINISH;
export interface RunLoopParts {
  w: CoreExports;
  core: CoreInstance;
  clock: Clock;
  options: ResolvedSchedulerOptions;
  events: SchedulerEvents;
  counters: EngineCounters;
  slots: TaskSlots;
  flights: Flights;
  due: DueTimer;
  emitter: TaskEmitter;
  turns: Turns;
  sleeps: Sleeps;
  budget: AsyncBudget;
  settlement: Settlement;
  /** The loop went idle at nowMs (nothing ready, or the concurrency limit): onIdle() may resolve. */
  afterIdle: (nowMs: number) => void;
}

export class RunLoop implements RunHost {
  /** The scheduler's lifecycle state: the loop runs only while 'running'. */
  state: LifecycleState = 'idle';
  readonly #w: CoreExports;
  readonly #core: CoreInstance;
  readonly #clock: Clock;
  readonly #options: ResolvedSchedulerOptions;
  readonly #events: SchedulerEvents;
  readonly #slots: TaskSlots;
  readonly #flights: Flights;
  readonly #due: DueTimer;
  readonly #turns: Turns;
  readonly #sleeps: Sleeps;
  readonly #budget: AsyncBudget;
  readonly #settlement: Settlement;
  readonly #general: GeneralPath;
  readonly #afterIdle: (nowMs: number) => void;
  #tickQueued = false;
  #sliceStartMs = 0;
  /**
   * The run whose code is executing now, or #noRun. Never undefined: with
   * the field alternating between a context and undefined, V8 11 (Node 20)
   * measured ~150 ns more per no-op task (bench/suites/dispatch) than with
   * it always holding a context.
   */
  #current: RunState;
  /** A settled stand-in for "no run is executing". */
  readonly #noRun: RunState;
  /**
   * The context of the fast-path run executing now, or #noContext (never
   * undefined, for the reason above), with its task and its start: what its
   * state is made of if the task asks for it (stateOf).
   */
  #fastContext: TaskContext;
  readonly #noContext: TaskContext;
  /**
   * The context the fast path passes to a function that declares no
   * parameter (fn.length 0, as `() => work()`), reused from run to run while
   * nothing asks it for its state. A context made per run was the one
   * allocation of the run phase (32 bytes): a 1e5 burst then outgrew V8's
   * 16 MB new space and took a scavenge that copied the closures still queued
   * (11-16 ms of a 35 ms burst, bench/ab/dispatch-count.mjs), where the
   * floor-scheduler took none. Such a function reaches its context only
   * through `arguments`, a rest or a default parameter; for those, one
   * object stands for the runs in turn: during a run it is that run's, and
   * between runs it answers as a settled run, as a kept context does. Once
   * anything asks it for its state (stateOf), it becomes that run's for good
   * and the next run takes a new one. A function that declares its context
   * gets one of its own per run, as before.
   */
  #sharedContext: TaskContext;
  #fastHandle = 0;
  #fastStartMs = 0;
  /** Group timing on (options.groupTiming): short one-shot runs share clock reads. */
  readonly #grouped: boolean;
  readonly #group = new GroupTimer();

  constructor(parts: RunLoopParts) {
    this.#w = parts.w;
    this.#core = parts.core;
    this.#clock = parts.clock;
    this.#options = parts.options;
    this.#events = parts.events;
    this.#slots = parts.slots;
    this.#flights = parts.flights;
    this.#due = parts.due;
    this.#turns = parts.turns;
    this.#sleeps = parts.sleeps;
    this.#budget = parts.budget;
    this.#settlement = parts.settlement;
    this.#afterIdle = parts.afterIdle;
    this.#general = new GeneralPath(parts, this);
    this.#grouped = parts.options.groupTiming;
    this.#noRun = new RunState(this, 0, 1, 0, undefined);
    this.#noRun.settled = true;
    this.#current = this.#noRun;
    this.#noContext = this.#noRun.context;
    this.#fastContext = this.#noContext;
    this.#sharedContext = new TaskContext(this);
  }

  /** The host timer fired: run the loop now, unless a turn is already queued. */
  timerFired(): void {
    if (!this.#tickQueued) this.#tick();
  }

  /** Work may be ready: make sure the loop runs (in a new host macrotask). */
  wake(): void {
    if (this.state !== 'running' || this.#tickQueued) return;
    this.#tickQueued = true;
    this.#clock.yieldToHost(this.#tick);
  }

  readonly #tick = (): void => {
    this.#tickQueued = false;
    const nowMs = this.#clock.now();
    this.#budget.sliceStarted(nowMs);
    this.#loop(nowMs);
  };

  #loop(sliceStartMs: number): void {
    if (this.state !== 'running') return;
    this.#sliceStartMs = sliceStartMs;
    const w = this.#w;
    const group = this.#group;
    let nowMs = this.#clock.now();
    group.start(nowMs);
    // A task popped by the previous completion (completeAndPop), not run yet.
    let handle = -1;
    for (;;) {
      let held = false;
      if (handle < 0) {
        this.#due.releaseDue(nowMs);
        // A turn held across the host's goes on first (turns.ts).
        if (this.#turns.held !== 0) {
          handle = this.#turns.takeHeld(nowMs);
          held = handle > 0;
        }
        if (!held) {
          if (this.#flights.count >= this.#options.concurrency) break;
          // Async runs started this slice leave continuations that run before the host's turn.
          if (this.#budget.starts !== 0 && this.#budget.spent(nowMs - sliceStartMs) && w.peek() > 0) {
            nowMs = this.#closeGroup() ?? nowMs;
            this.#budget.yielded(nowMs);
            this.wake();
            return;
          }
          handle = w.pop(nowMs);
          if (handle < 0) break;
        }
      }
      const fast = this.#grouped && !held ? this.#runFast(handle, nowMs) : NOT_FAST;
      if (fast === FAST_RETURNED || fast === FAST_DONE) {
        const groupComplete = group.counted();
        if (fast === FAST_RETURNED) {
          if (!groupComplete && this.state === 'running') {
            // Nothing the run did can change what the loop checks before a pop
            // (the clock is not read, no run entered flight): complete it and
            // pop the next in one crossing.
            handle = w.completeAndPop(handle, nowMs);
            continue;
          }
          w.complete(handle, nowMs, 0);
        }
        handle = -1;
        if (this.state !== 'running') {
          this.#closeGroup();
          return;
        }
        if (!groupComplete) continue;
        nowMs = this.#clock.now();
        w.chargeGroup(group.close(nowMs));
      } else if (fast === FAST_SETTLED_ALONE) {
        handle = -1;
        // Timed from the group's start (nowMs, no reading since): the group's
        // runs so far are in its runtime, and the group is charged nothing.
        group.close(nowMs);
        nowMs = this.#settlement.settledAtMs >= nowMs ? this.#settlement.settledAtMs : this.#clock.now();
        group.start(nowMs);
      } else {
        // Timed on its own: charge the group so far first.
        if (group.open) {
          nowMs = this.#clock.now();
          w.chargeGroup(group.close(nowMs));
        }
        const continued = this.#general.start(handle, nowMs);
        handle = -1;
        // A run that settled synchronously already read the clock when it ended.
        nowMs = this.#settlement.settledAtMs >= nowMs ? this.#settlement.settledAtMs : this.#clock.now();
        group.start(nowMs);
        if (continued) {
          // Let the resumed continuation run its synchronous part first.
          queueMicrotask(() => {
            this.#current = this.#noRun;
            this.#loop(sliceStartMs);
          });
          return;
        }
      }
      if (this.state !== 'running') {
        this.#closeGroup();
        return;
      }
      if (nowMs - sliceStartMs >= this.#options.sliceMs) {
        this.#budget.yielded(nowMs);
        this.wake();
        return;
      }
    }
    nowMs = this.#closeGroup() ?? nowMs;
    this.#budget.idled();
    this.#due.arm(nowMs);
    this.#afterIdle(nowMs);
  }

  /** Charges the runs of an open group; the clock reading it took, if any. */
  #closeGroup(): number | undefined {
    if (!this.#group.open) return undefined;
    const nowMs = this.#clock.now();
    this.#w.chargeGroup(this.#group.close(nowMs));
    return nowMs;
  }

  /**
   * Runs a popped task on the fast path if it qualifies (see the header).
   * FAST_RETURNED: it returned at once, nothing else to do; the loop
   * completes it and charges it with its group. FAST_DONE: it ran and is
   * over (it cancelled itself), to be charged with its group.
   * FAST_SETTLED_ALONE: it ran but threw, returned a promise or asked to be
   * resumed, and the general path took it from there. NOT_FAST: nothing was
   * done; it must take the general path.
   */
  #runFast(handle: number, nowMs: number): number {
    const slot = slotOf(handle);
    const slots = this.#slots;
    if (slots.opts[slot] !== undefined || (this.#events.wanted & PER_RUN_EVENTS) !== 0 || (slots.extras.size !== 0 && slots.extras.has(slot))) return NOT_FAST;
    const fn = slots.fns[slot] as TaskFn;
    let context = this.#sharedContext;
    if (fn.length !== 0) context = new TaskContext(this);
    else if (context.run !== this) this.#sharedContext = context = new TaskContext(this);
    const cancelsBefore = slots.cancels;
    this.#fastHandle = handle;
    this.#fastStartMs = nowMs;
    this.#fastContext = context;
    let result: unknown;
    try {
      result = fn(context);
    } catch (error) {
      this.#leaveFast();
      this.#settle(this.#fastState(context), false, error);
      return FAST_SETTLED_ALONE;
    }
    this.#leaveFast();
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      this.#general.runAsync(slot, this.#fastState(context), result as PromiseLike<unknown>);
      return FAST_SETTLED_ALONE;
    }
    // Cancelled while it ran (by itself, or by a task it ran): cancel() ended
    // it, and its slot may already hold a task it registered.
    if (slots.cancels !== cancelsBefore && this.#w.taskState(handle) < 0) return FAST_DONE;
    // The run's state, if the task asked for anything.
    const run = context.run === this ? undefined : (context.run as RunState);
    if (run?.interrupted || (slots.extras.size !== 0 && slots.extras.has(slot))) {
      // It asked to be resumed, or for its `done` promise: the general path settles it.
      this.#settle(run ?? this.#fastState(context), true, result);
      return FAST_SETTLED_ALONE;
    }
    if (run !== undefined) run.settled = true;
    slots.endReturned(handle, result);
    return FAST_RETURNED;
  }

  /** The fast-path run is no longer executing. */
  #leaveFast(): void {
    this.#fastContext = this.#noContext;
    this.#current = this.#noRun;
  }

  /** The state of the last fast-path run (context), made if the task never asked for it. */
  #fastState(context: TaskContext): RunState {
    if (context.run !== this) return context.run as RunState;
    const run = new RunState(this, this.#fastHandle, 1, this.#fastStartMs, undefined, context);
    context.run = run;
    return run;
  }

  #settle(run: RunState, ok: boolean, valueOrError: unknown): void {
    this.#settlement.settle(run, ok, valueOrError);
  }

  /**
   * The context of the task whose code is executing right now: during a run's
   * synchronous part, and during the synchronous part of a continuation the
   * engine resumed. Undefined elsewhere (after a task awaits something else).
   */
  currentContext(): TaskContext | undefined {
    if (this.#fastContext !== this.#noContext) return this.#fastContext;
    return this.#current.settled ? undefined : this.#current.context;
  }

  setCurrent(run: RunState | undefined): void {
    this.#current = run ?? this.#noRun;
  }

  // ---- ContextHost: what a TaskContext asks of the engine ----

  stateOf(context: TaskContext): RunState {
    // The fast-path run executing now asks first: its state, the current run from now on.
    if (context === this.#fastContext) {
      const run = this.#fastState(context);
      this.#current = run;
      return run;
    }
    // Its run has ended (the fast path made no state for it): what a settled run answers.
    const ended = new RunState(this, 0, 1, 0, undefined, context);
    ended.settled = true;
    return ended;
  }

  shouldYield(run: RunState): boolean {
    if (run.settled) return true;
    return this.#turns.shouldYield(run, this.#clock.now(), this.#current === run, this.#sliceStartMs);
  }

  yield(run: RunState): Promise<void> {
    if (run.settled || this.state === 'stopping' || this.state === 'stopped') return Promise.resolve();
    const parked = this.#turns.yieldRun(run, this.#clock.now());
    this.wake();
    return parked;
  }

  sleep(run: RunState, ms: Duration): Promise<void> {
    return this.#sleeps.sleep(run, ms);
  }
}
