// The engine: the run loop between the host event loop and the core.
//
// What must be cheap: a no-op task, scheduled and run. Per task the engine
// keeps its function in an array indexed by the core's slot, and anything
// more only for tasks that need it (task-slots.ts). Every "what runs next, and
// when" question is the core's: the engine pops, runs, and reports back
// (settlement.ts: complete, retry, requeue), then yields to the host once its
// slice budget is spent so I/O, timers and rendering keep flowing. The parts:
// task-controls.ts (what a handle does), flights.ts (async runs in flight),
// due-timer.ts (the one host timer), registration-clock.ts, task-events.ts.
//
// The fast path: a one-shot task with shared preset options (nothing but a
// priority), no `done` promise, no listeners, that returns at once. It is
// popped, run and completed with nothing allocated but its context, and timed
// in a group (group-timer.ts). Everything else takes the general path
// (#start, then settlement.ts), which times each run on its own.
//
// Async runs: a task returning a promise stays RUNNING in the core while in
// flight (counted against `concurrency`). A `ctx.yield()` requeues it in the
// core and parks its continuation; popping it again resumes the continuation
// (and the loop lets microtasks run before popping the next task, so the
// continuation's synchronous part runs in its turn).
import * as L from '../../bindings/layout.generated.js';
import type { Core, Policy } from '../../bindings/core.js';
import type { CoreExports } from '../../bindings/load.js';
import { errorForStatus } from '../../bindings/errors.js';
import type { Clock } from '../clock.js';
import type { CronSchedule } from '../cron.js';
import type { Duration } from '../duration.js';
import { ConsoleErrorReporter, type TaskErrorInfo } from '../error-reporting.js';
import { EVENT_INTERRUPT, EVENT_SKIP, EVENT_START, type SchedulerEvents } from '../events.js';
import { GroupTimer } from '../group-timer.js';
import { isPreset, type ResolvedSchedulerOptions, type ResolvedTaskOptions } from '../options.js';
import { SchedulerStoppedError, TaskTimeoutError } from '../scheduler-errors.js';
import { type ContextHost, HOST_TURN, type RunState, TaskContext, TURN_OVER } from '../task-context.js';
import { AsyncBudget } from './async-budget.js';
import { DueTimer } from './due-timer.js';
import { Flights } from './flights.js';
import { IdleWaiters } from './idle.js';
import { Settlement } from './settlement.js';
import { TaskControls } from './task-controls.js';
import { RegistrationClock } from './registration-clock.js';
import { abortRun } from './runs.js';
import { Sleeps } from './sleeps.js';
import { type EngineCounters, TaskEmitter } from './task-events.js';
import type { OutcomeSink } from './task-outcome.js';
import { slotOf, type TaskFn, TaskSlots } from './task-slots.js';
import { Turns } from './turns.js';

export type { TaskFn } from './task-slots.js';
export type { EngineCounters } from './task-events.js';
export type LifecycleState = 'idle' | 'running' | 'paused' | 'stopping' | 'stopped';

/** #invoke's answer when the run was settled or put in flight there. */
const HANDED_OFF: unique symbol = Symbol('handed off');

// What #runFast did with a popped task.
const NOT_FAST = 0;
const FAST_RETURNED = 1;
const FAST_DONE = 2;
const FAST_SETTLED_ALONE = 3;

export class Engine implements ContextHost {
  readonly core: Core;
  readonly #w: CoreExports;
  readonly clock: Clock;
  readonly options: ResolvedSchedulerOptions;
  readonly events: SchedulerEvents;
  readonly counters: EngineCounters = { timeouts: 0, listenerErrors: 0 };
  readonly #slots: TaskSlots;
  readonly #flights: Flights;
  readonly #settlement: Settlement;
  /** What a TaskHandle does to its task. */
  readonly controls: TaskControls;
  readonly #emitter: TaskEmitter;
  readonly #due: DueTimer;
  readonly #registrationClock: RegistrationClock;
  /** Quantum and slice: which turns are held across the host's (turns.ts). */
  readonly #turns: Turns;
  readonly #sleeps: Sleeps;
  /** How many async runs a slice may start: their continuations count against it (async-budget.ts). */
  readonly #budget: AsyncBudget;
  readonly #idle = new IdleWaiters(() => this.#isIdle());
  /** The default onError, and where a throwing onError is reported. */
  readonly #console: ConsoleErrorReporter;
  #state: LifecycleState = 'idle';
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
  /** Group timing on (options.groupTiming): short one-shot runs share clock reads. */
  readonly #grouped: boolean;
  readonly #group = new GroupTimer();

  constructor(core: Core, clock: Clock, options: ResolvedSchedulerOptions, events: SchedulerEvents) {
    this.core = core;
    this.#w = core.exports;
    this.clock = clock;
    this.options = options;
    this.events = events;
    this.#grouped = options.groupTiming;
    this.#noRun = new TaskContext(this, 0, 1, 0, undefined);
    this.#noRun.settled = true;
    this.#current = this.#noRun;
    this.#slots = new TaskSlots(clock);
    this.#console = new ConsoleErrorReporter(clock);
    this.#flights = new Flights(this.#slots, clock, options.concurrency, () => this.#wake());
    this.#emitter = new TaskEmitter(events, core, this.#slots, this.counters);
    this.#due = new DueTimer(this.#w, clock, () => {
      if (!this.#tickQueued) this.#tick();
    });
    this.#registrationClock = new RegistrationClock(clock, options.groupTiming);
    this.controls = new TaskControls({
      w: this.#w, slots: this.#slots, flights: this.#flights, clock,
      wake: () => this.#wake(), afterTimerChange: () => this.#afterTimerChange(), afterEnd: () => this.#idle.check(),
    });
    this.#budget = new AsyncBudget(options.sliceMs);
    this.#sleeps = new Sleeps({
      w: this.#w, clock, slots: this.#slots, flights: this.#flights,
      accepting: () => this.#state === 'running' || this.#state === 'paused',
    });
    this.#turns = new Turns({ w: this.#w, core, slots: this.#slots, due: this.#due, emitter: this.#emitter, events, options });
    this.#settlement = new Settlement({
      w: this.#w, core, slots: this.#slots, flights: this.#flights, emitter: this.#emitter, events, clock,
      random: options.random, afterTimerChange: () => this.#afterTimerChange(),
      reportError: (error, info, group) => this.reportError(error, info, group),
      hold: (handle, usedMs) => this.#turns.hold(handle, usedMs),
    });
  }

  get state(): LifecycleState {
    return this.#state;
  }

  get inflight(): number {
    return this.#flights.count;
  }

  fnOf(handle: number): TaskFn | undefined {
    return this.#slots.fns[slotOf(handle)];
  }

  optionsOf(handle: number): ResolvedTaskOptions {
    return this.#slots.optionsOf(slotOf(handle));
  }

  cronOf(handle: number): CronSchedule | undefined {
    return this.#slots.extrasOf(slotOf(handle))?.cron;
  }

  isInflight(handle: number): boolean {
    return this.#slots.extrasOf(slotOf(handle))?.run?.inflight === true;
  }

  nameOf(handle: number): string {
    return this.#slots.nameOf(handle);
  }

  // ---- lifecycle ----

  start(): void {
    if (this.#state === 'stopping') throw new SchedulerStoppedError('start: the scheduler is stopping; wait for stop() to settle');
    this.#state = 'running';
    this.#due.refresh();
    this.#wake();
    this.#due.arm(this.clock.now());
  }

  pause(): void {
    if (this.#state === 'running') this.#state = 'paused';
  }

  resume(): void {
    if (this.#state === 'paused') this.start();
  }

  async stop(drain: boolean): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'stopped') {
      this.#state = 'stopped';
      this.#idle.resolveAll();
      return;
    }
    this.#state = 'stopping';
    this.#due.disarm();
    // A turn held across the host's would wait for a loop that no longer runs.
    if (this.#turns.held !== 0) this.#turns.release(this.#turns.held, this.clock.now());
    this.#turns.held = 0;
    if (!drain) {
      const error = new SchedulerStoppedError('the scheduler stopped without draining');
      for (const ex of this.#slots.extras.values()) if (ex.run) abortRun(ex.run, error);
    } else {
      this.#resumeParked();
      await this.#flights.drained();
    }
    this.#state = 'stopped';
    // Nothing runs any more: waiting for idle would never end.
    this.#idle.resolveAll();
    this.#console.flush();
  }

  /**
   * Draining: runs parked in ctx.yield() (or woken from ctx.sleep()) wait in
   * the ready queue for a loop that no longer runs. They go on at once, out
   * of their turn, to finish.
   */
  #resumeParked(): void {
    const nowMs = this.clock.now();
    for (const ex of [...this.#slots.extras.values()]) {
      const run = ex.run;
      const resume = ex.resume;
      if (run === undefined || resume === undefined || !run.parked) continue;
      if (this.#w.take(run.handle, nowMs) < 0) continue;
      ex.resume = undefined;
      run.segmentStartMs = nowMs;
      this.#flights.resumeNow(run);
      resume();
    }
  }

  assertAccepting(operation: string): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new SchedulerStoppedError(`${operation}: the scheduler is ${this.#state}; it accepts no new work (call start() to accept work again)`);
    }
  }

  /**
   * Reports a failed attempt to options.onError (see error-reporting.ts):
   * the rate-limited console by default, nothing with `onError: false`.
   * Never throws: a throwing handler is itself reported to the console.
   * `group`: the name the console counts failures under.
   */
  reportError(error: unknown, info: TaskErrorInfo, group: string = info.name): void {
    const handler = this.options.onError;
    if (handler === false) return;
    if (handler === undefined) {
      this.#console.report(error, info, group);
      return;
    }
    try {
      handler(error, info);
    } catch (handlerError) {
      this.counters.listenerErrors++;
      this.#console.report(handlerError, { ...info, name: `onError, reporting '${info.name}'` }, 'onError');
    }
  }

  // ---- registration ----

  register(fn: TaskFn, options: ResolvedTaskOptions, kind: number, delayMs: number, periodMs: number, cron?: CronSchedule): number {
    // A delay counts from a fresh reading: a reused one would make the task due early.
    const nowMs = delayMs > 0 ? this.clock.now() : this.#registrationClock.now();
    const handle = this.#w.register(nowMs, options.priorityClass, options.nice, kind, delayMs, periodMs);
    if (handle < 0) throw errorForStatus(handle, 'register');
    const slot = slotOf(handle);
    this.#slots.fns[slot] = fn;
    if (kind !== L.KIND_ONCE || !isPreset(options)) this.#slots.opts[slot] = options;
    if (cron) this.#slots.extrasFor(slot).cron = cron;
    if (options.signal) this.#watchSignal(slot, handle, options.signal);
    if (delayMs > 0) {
      this.#due.noteDue(nowMs + delayMs);
      if (this.#state === 'running') this.#due.arm(nowMs);
    } else {
      this.#wake();
    }
    return handle;
  }

  /**
   * Gives a task registered through the Scheduler its handle, which the
   * engine tells how the task ended (so `done` can be read at any time).
   * `unbounded`: a periodic or cron task without maxRuns (onIdle does not wait for it).
   */
  track(id: number, handle: OutcomeSink, unbounded: boolean): void {
    const slots = this.#slots;
    slots.handles[slotOf(id)] = handle;
    if (unbounded) slots.trackUnbounded(slotOf(id));
    else slots.finiteLive++;
  }

  /** The handle a live task was registered with, if any. */
  handleOf(id: number): OutcomeSink | undefined {
    return this.#w.taskState(id) >= 0 ? this.#slots.handles[slotOf(id)] : undefined;
  }

  /** True while the task has not ended. */
  isLive(id: number): boolean {
    return this.#w.taskState(id) >= 0;
  }

  /** Resolves when nothing that ends by itself is left (see idle.ts). */
  onIdle(): Promise<void> {
    return this.#idle.wait();
  }

  #isIdle(): boolean {
    if (this.#slots.finiteLive > 0) return false;
    this.#due.releaseDue(this.clock.now());
    const counters = this.core.counters();
    return counters.ready === 0 && counters.running === 0;
  }

  #watchSignal(slot: number, handle: number, signal: AbortSignal): void {
    const onAbort = () => {
      if (this.#w.taskState(handle) >= 0) this.controls.cancel(handle, signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.#slots.extrasFor(slot).detachSignal = () => signal.removeEventListener('abort', onAbort);
    if (signal.aborted) onAbort();
  }

  // ---- the run loop ----

  #wake(): void {
    if (this.#state !== 'running' || this.#tickQueued) return;
    this.#tickQueued = true;
    this.clock.yieldToHost(this.#tick);
  }

  readonly #tick = (): void => {
    this.#tickQueued = false;
    const nowMs = this.clock.now();
    this.#budget.sliceStarted(nowMs);
    this.#loop(nowMs);
  };

  #loop(sliceStartMs: number): void {
    if (this.#state !== 'running') return;
    this.#sliceStartMs = sliceStartMs;
    const w = this.#w;
    const group = this.#group;
    let nowMs = this.clock.now();
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
          if (this.#flights.count >= this.options.concurrency) break;
          // Async runs started this slice leave continuations that run before the host's turn.
          if (this.#budget.starts !== 0 && this.#budget.spent(nowMs - sliceStartMs) && w.peek() > 0) {
            nowMs = this.#closeGroup() ?? nowMs;
            this.#budget.yielded(nowMs);
            this.#wake();
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
          if (!groupComplete && this.#state === 'running') {
            // Nothing the run did can change what the loop checks before a pop
            // (the clock is not read, no run entered flight): complete it and
            // pop the next in one crossing.
            handle = w.completeAndPop(handle, nowMs);
            continue;
          }
          w.complete(handle, nowMs, 0);
        }
        handle = -1;
        if (this.#state !== 'running') {
          this.#closeGroup();
          return;
        }
        if (!groupComplete) continue;
        nowMs = this.clock.now();
        w.chargeGroup(group.close(nowMs));
      } else if (fast === FAST_SETTLED_ALONE) {
        handle = -1;
        // Timed from the group's start (nowMs, no reading since): the group's
        // runs so far are in its runtime, and the group is charged nothing.
        group.close(nowMs);
        nowMs = this.#settlement.settledAtMs >= nowMs ? this.#settlement.settledAtMs : this.clock.now();
        group.start(nowMs);
      } else {
        // Timed on its own: charge the group so far first.
        if (group.open) {
          nowMs = this.clock.now();
          w.chargeGroup(group.close(nowMs));
        }
        const continued = this.#start(handle, nowMs);
        handle = -1;
        // A run that settled synchronously already read the clock when it ended.
        nowMs = this.#settlement.settledAtMs >= nowMs ? this.#settlement.settledAtMs : this.clock.now();
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
      if (this.#state !== 'running') {
        this.#closeGroup();
        return;
      }
      if (nowMs - sliceStartMs >= this.options.sliceMs) {
        this.#budget.yielded(nowMs);
        this.#wake();
        return;
      }
    }
    nowMs = this.#closeGroup() ?? nowMs;
    this.#budget.idled();
    this.#due.arm(nowMs);
    if (this.#idle.waiting) this.#idle.check();
  }

  /** Charges the runs of an open group; the clock reading it took, if any. */
  #closeGroup(): number | undefined {
    if (!this.#group.open) return undefined;
    const nowMs = this.clock.now();
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
    if (slots.opts[slot] !== undefined || this.events.wanted !== 0 || (slots.extras.size !== 0 && slots.extras.has(slot))) return NOT_FAST;
    const fn = slots.fns[slot] as TaskFn;
    const run = new TaskContext(this, handle, 1, nowMs, undefined);
    const cancelsBefore = slots.cancels;
    const result = this.#invoke(slot, run, fn);
    if (result === HANDED_OFF) return FAST_SETTLED_ALONE;
    // Cancelled while it ran (by itself, or by a task it ran): cancel() ended
    // it, and its slot may already hold a task it registered.
    if (slots.cancels !== cancelsBefore && this.#w.taskState(handle) < 0) return FAST_DONE;
    if (run.interrupted || (slots.extras.size !== 0 && slots.extras.has(slot))) {
      // It asked to be resumed, or for its `done` promise: the general path settles it.
      this.#settle(run, true, result);
      return FAST_SETTLED_ALONE;
    }
    run.settled = true;
    slots.endReturned(slot, result);
    return FAST_RETURNED;
  }

  /** After the core's timer heap changed: refresh the cached earliest due time. */
  #afterTimerChange(): void {
    this.#due.refresh();
    if (this.#state === 'running') this.#due.arm(this.clock.now());
  }

  /** Runs (or resumes) a popped task. True if a parked continuation was resumed. */
  #start(handle: number, nowMs: number): boolean {
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
      this.#current = ex.run;
      resume();
      return true;
    }
    const fn = this.#slots.fns[slot] as TaskFn;
    const run = new TaskContext(this, handle, ex?.attempt ?? 1, startMs, ex?.state);
    if (held) {
      // The same turn: no new start to report.
    } else if (this.events.wanted & EVENT_SKIP) {
      const skipped = this.#w.lastPopSkippedTicks();
      if (skipped > 0) this.#emitter.emit('taskskip', handle, run.attempt, nowMs, { count: skipped, reason: 'the run started a period or more late' });
    }
    if (!held && this.events.wanted & EVENT_START) this.#emitter.emit('taskstart', handle, run.attempt, nowMs);
    const result = this.#invoke(slot, run, fn);
    if (result !== HANDED_OFF && !run.settled) this.#settle(run, true, result);
    return false;
  }

  /**
   * Calls a task as the current run. A throw settles the run as failed, a
   * returned promise puts it in flight: both answer HANDED_OFF. Otherwise the
   * value it returned, for the caller to settle.
   */
  #invoke(slot: number, run: RunState, fn: TaskFn): unknown {
    this.#current = run;
    let result: unknown;
    try {
      result = fn(run);
    } catch (error) {
      this.#current = this.#noRun;
      this.#settle(run, false, error);
      return HANDED_OFF;
    }
    this.#current = this.#noRun;
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      this.#runAsync(slot, run, result as PromiseLike<unknown>);
      return HANDED_OFF;
    }
    return result;
  }

  #runAsync(slot: number, run: RunState, result: PromiseLike<unknown>): void {
    this.#budget.starts++;
    const timeoutMs = this.#slots.optionsOf(slot).timeoutMs;
    this.#flights.enter(slot, run, timeoutMs, () => {
      this.counters.timeouts++;
      const error = new TaskTimeoutError(`task '${this.#slots.nameOf(run.handle)}' (#${run.handle}) timed out after ${timeoutMs} ms`);
      abortRun(run, error);
      this.#settle(run, false, error);
    });
    result.then(
      (value) => this.#settle(run, true, value),
      (error) => this.#settle(run, false, error),
    );
  }

  #settle(run: RunState, ok: boolean, valueOrError: unknown): void {
    this.#settlement.settle(run, ok, valueOrError);
  }

  /** Moves due timers to the ready queue now (describe() shows what is really ready). */
  releaseDue(): void {
    this.#due.releaseDue(this.clock.now());
  }

  /**
   * The context of the task whose code is executing right now: during a run's
   * synchronous part, and during the synchronous part of a continuation the
   * engine resumed. Undefined elsewhere (after a task awaits something else).
   */
  currentContext(): TaskContext | undefined {
    return this.#current.settled ? undefined : this.#current;
  }

  // ---- ContextHost: what a TaskContext asks of the engine ----

  shouldYield(run: RunState): boolean {
    if (run.settled) return true;
    return this.#turns.shouldYield(run, this.clock.now(), this.#current === run, this.#sliceStartMs);
  }

  yield(run: RunState): Promise<void> {
    if (run.settled || this.#state === 'stopping' || this.#state === 'stopped') return Promise.resolve();
    const nowMs = this.clock.now();
    const handle = run.handle;
    const slot = slotOf(handle);
    const ex = this.#slots.extrasFor(slot);
    const runtimeMs = nowMs - run.segmentStartMs;
    if (run.interrupted === HOST_TURN) {
      // The slice is spent, not the quantum: the task keeps its turn across the host's (turns.ts).
      this.#turns.hold(handle, runtimeMs);
    } else if (run.interrupted === TURN_OVER) {
      // Its turn is over (shouldYield() said so): behind the others, as a run that returned would be.
      this.#w.charge(handle, runtimeMs);
      this.#w.requeue(handle, nowMs, L.REQUEUE_PREEMPTED);
      if (this.events.wanted & EVENT_INTERRUPT) this.#emitter.emit('taskinterrupt', handle, run.attempt, nowMs, { runtimeMs });
    } else {
      // A yield of its own accord keeps its place ahead of newer equal tasks (as scheduler.yield()).
      this.#w.charge(handle, runtimeMs);
      this.#w.requeue(handle, nowMs, L.REQUEUE_KEEP_PLACE);
    }
    run.interrupted = 0;
    ex.run = run;
    this.#flights.park(run);
    const parked = new Promise<void>((resolve) => {
      ex.resume = resolve;
    });
    this.#wake();
    return parked;
  }

  sleep(run: RunState, ms: Duration): Promise<void> {
    return this.#sleeps.sleep(run, ms);
  }

  /** True when a task woke from ctx.sleep() and waits for a concurrency slot to go on. */
  waitsForSlotAfterSleep(handle: number): boolean {
    return this.#flights.isWaitingForSlot(slotOf(handle));
  }

  /** When a task asleep in ctx.sleep() wakes up (clock time), or undefined if it is not asleep. */
  sleepingUntil(handle: number): number | undefined {
    const untilMs = this.#slots.extrasOf(slotOf(handle))?.sleepUntilMs ?? -1;
    return untilMs < 0 ? undefined : untilMs;
  }

  /** Every live task's handle, in slot order. */
  *liveHandles(): Generator<number> {
    for (const slot of this.#slots.liveSlots()) {
      const handle = this.core.handleOfSlot(slot);
      if (handle > 0) yield handle;
    }
  }

  get policyName(): Policy {
    return this.core.policy;
  }
}
