// The engine: a scheduler's parts, wired together, and what the facade asks
// of them (lifecycle, registration, queries). The run loop itself, between
// the host event loop and the core, is run-loop.ts. The parts:
// task-slots.ts (the JS side of the task table), task-controls.ts (what a
// handle does), settlement.ts (what happens when a run ends), flights.ts
// (async runs in flight), turns.ts (quantum and slice), async-budget.ts
// (async runs and the slice), sleeps.ts (ctx.sleep), due-timer.ts (the one
// host timer), registration-clock.ts, task-events.ts, idle.ts (onIdle),
// failure-reports.ts (onError), task-outcome.ts (how a task ended).
import type { CoreInstance, Policy } from '../../bindings/core-instance.js';
import * as L from '../../bindings/layout.generated.js';
import type { CoreExports } from '../../bindings/load.js';
import { errorForStatus } from '../../bindings/errors.js';
import type { Clock } from '../time/clock.js';
import type { WallSchedule } from '../time/schedule-window.js';
import type { TaskErrorInfo } from '../error-reporting.js';
import type { SchedulerEvents } from '../events.js';
import { isPreset, type ResolvedTaskOptions } from '../tasks/options.js';
import type { ResolvedSchedulerOptions } from '../tasks/scheduler-options.js';
import { SchedulerStoppedError } from '../errors.js';
import type { TaskContext } from '../tasks/task-context.js';
import { TaskHandle } from '../tasks/task-handle.js';
import { AsyncBudget } from './async-budget.js';
import { CoreRenewal } from './core-renewal.js';
import { DueTimer } from './due-timer.js';
import { FailureReports } from './failure-reports.js';
import { Flights } from './flights.js';
import { IdleWaiters, noRunReadyOrRunning } from './idle.js';
import { type LifecycleState, RunLoop } from './run-loop.js';
import { Settlement } from './settlement.js';
import { TaskControls } from './task-controls.js';
import { RegistrationClock } from './registration-clock.js';
import { abortRun } from './runs.js';
import { Sleeps } from './sleeps.js';
import { type EngineCounters, TaskEmitter } from './task-events.js';
import { BOOK_TASKS, LARGE_ID_GENERATION, LargeIdBook, OutcomeBook } from './task-outcome.js';
import { slotOf, type TaskFn, TaskSlots } from './task-slots.js';
import { Turns } from './turns.js';

export type { TaskFn } from './task-slots.js';
export type { EngineCounters } from './task-events.js';
export type { LifecycleState } from './run-loop.js';

export class Engine {
  readonly core: CoreInstance;
  readonly #w: CoreExports;
  readonly clock: Clock;
  readonly options: ResolvedSchedulerOptions;
  readonly events: SchedulerEvents;
  readonly counters: EngineCounters = { timeouts: 0, listenerErrors: 0 };
  readonly #slots: TaskSlots;
  readonly #flights: Flights;
  /** What a TaskHandle does to its task. */
  readonly controls: TaskControls;
  readonly #due: DueTimer;
  readonly #registrationClock: RegistrationClock;
  /** Quantum and slice: which turns are held across the host's (turns.ts). */
  readonly #turns: Turns;
  readonly #loop: RunLoop;
  readonly #idle = new IdleWaiters(() => this.#isIdle());
  /** Failed attempts go to options.onError (failure-reports.ts). */
  readonly #failures: FailureReports;
  /** Replaces an emptied core that grew, once idle (core-renewal.ts). */
  readonly #renewal: CoreRenewal;
  /** The book the next registrations' handles share, and how many more it takes (task-outcome.ts). */
  #book: OutcomeBook | undefined;
  #bookLeft = 0;
  /**
   * A handle nobody sees, kept so that a TaskHandle is always alive. The map
   * (hidden class) a handle gets is held only weakly by V8 (by the
   * constructor's transitions), as is every map that optimized code embeds:
   * when a full collection found no handle alive (every task of a burst
   * ended, its handles dropped), the map died and V8 threw away the
   * optimized code of run(), after() and TaskHandle's constructor ("weak
   * objects" in --trace-deopt), which then ran unoptimized until compiled
   * again. Field changes (an id past the small-integer range) generalize
   * the map in place, so this one instance keeps the map every handle has.
   */
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: never read; being referenced is its whole job
  readonly #handleMapKept: TaskHandle;

  constructor(core: CoreInstance, clock: Clock, options: ResolvedSchedulerOptions, events: SchedulerEvents) {
    this.core = core;
    const w = core.exports;
    this.#w = w;
    this.clock = clock;
    this.options = options;
    this.events = events;
    const slots = new TaskSlots(clock);
    this.#slots = slots;
    this.#failures = new FailureReports(options.onError, clock, this.counters);
    this.#renewal = new CoreRenewal(core, clock, slots);
    const flights = new Flights(slots, clock, options.concurrency, () => this.#loop.wake());
    this.#flights = flights;
    const emitter = new TaskEmitter(events, core, slots, this.counters);
    const due = new DueTimer(w, clock, () => this.#loop.timerFired());
    this.#due = due;
    this.#registrationClock = new RegistrationClock(clock, options.groupTiming);
    this.controls = new TaskControls({
      w, slots, flights, clock,
      wake: () => this.#loop.wake(), afterTimerChange: () => this.#afterTimerChange(), afterEnd: () => this.#idle.check(),
    });
    const sleeps = new Sleeps({ w, clock, slots, flights, accepting: () => this.state === 'running' || this.state === 'paused' });
    const turns = new Turns({ w, core, slots, flights, due, emitter, events, options });
    this.#turns = turns;
    const settlement = new Settlement({
      w, core, slots, flights, emitter, events, clock,
      random: options.random, afterTimerChange: () => this.#afterTimerChange(),
      reportError: (error, info, group) => this.reportError(error, info, group),
      hold: (handle, usedMs) => turns.hold(handle, usedMs),
    });
    this.#loop = new RunLoop({
      w, core, clock, options, events, counters: this.counters, slots, flights, due, emitter, turns, sleeps, settlement,
      budget: new AsyncBudget(options.sliceMs),
      afterIdle: (nowMs) => {
        this.#renewal.idle(nowMs);
        if (this.#idle.waiting) this.#idle.check();
      },
    });
    this.#handleMapKept = new TaskHandle(new OutcomeBook(this), 0);
  }

  get state(): LifecycleState {
    return this.#loop.state;
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

  cronOf(handle: number): WallSchedule | undefined {
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
    if (this.#loop.state === 'stopping') throw new SchedulerStoppedError('start: the scheduler is stopping; wait for stop() to settle');
    this.#loop.state = 'running';
    this.#due.refresh();
    this.#loop.wake();
    this.#due.arm(this.clock.now());
  }

  pause(): void {
    if (this.#loop.state === 'running') this.#loop.state = 'paused';
  }

  resume(): void {
    if (this.#loop.state === 'paused') this.start();
  }

  /** Stops; with drain, waits for running work, at most drainTimeoutMs (then aborts what still runs). */
  async stop(drain: boolean, drainTimeoutMs?: number): Promise<void> {
    if (this.#loop.state === 'idle' || this.#loop.state === 'stopped') {
      this.#loop.state = 'stopped';
      this.#idle.resolveAll();
      return;
    }
    this.#loop.state = 'stopping';
    this.#due.disarm();
    this.#renewal.stop();
    // A turn held across the host's would wait for a loop that no longer runs.
    if (this.#turns.held !== 0) this.#turns.release(this.#turns.held, this.clock.now());
    this.#turns.held = 0;
    if (!drain) {
      this.#abortRunning(new SchedulerStoppedError('the scheduler stopped without draining'));
    } else {
      this.#flights.resumeParked(this.#w, this.clock.now());
      if (drainTimeoutMs === undefined) await this.#flights.drained();
      else if (!(await this.#drainedWithin(drainTimeoutMs))) {
        this.#abortRunning(new SchedulerStoppedError(`the scheduler stopped: running work had not finished ${drainTimeoutMs} ms after stop()`));
      }
    }
    this.#loop.state = 'stopped';
    // Nothing runs any more: waiting for idle would never end.
    this.#idle.resolveAll();
    this.#failures.flush();
  }

  #abortRunning(error: SchedulerStoppedError): void {
    for (const ex of this.#slots.extras.values()) if (ex.run) abortRun(ex.run, error);
  }

  /** True once no run is in flight, false if timeoutMs passes first (on the scheduler's clock). */
  #drainedWithin(timeoutMs: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = this.clock.setTimer(() => resolve(false), timeoutMs);
      void this.#flights.drained().then(() => {
        this.clock.clearTimer(timer);
        resolve(true);
      });
    });
  }

  assertAccepting(operation: string): void {
    if (this.#loop.state === 'stopping' || this.#loop.state === 'stopped') {
      throw new SchedulerStoppedError(`${operation}: the scheduler is ${this.#loop.state}; it accepts no new work (call start() to accept work again)`);
    }
  }

  /** Reports a failed attempt to options.onError (failure-reports.ts); durable slots use it too. */
  reportError(error: unknown, info: TaskErrorInfo, group: string = info.name): void {
    this.#failures.report(error, info, group);
  }

  // ---- registration ----

  /**
   * register() for a one-shot task ready now (scheduler.run()): the path of
   * most tasks, without the branches of the delayed, periodic and cron kinds.
   */
  registerReady(fn: TaskFn, options: ResolvedTaskOptions): number {
    const handle = this.#w.register(this.#registrationClock.now(), options.priorityClass, options.nice, L.KIND_ONCE, 0, 0);
    if (handle < 0) throw errorForStatus(handle, 'register');
    const slot = slotOf(handle);
    this.#slots.fns[slot] = fn;
    if (!isPreset(options)) {
      this.#slots.opts[slot] = options;
      if (options.signal) this.#watchSignal(slot, handle, options.signal);
    }
    this.#loop.wake();
    return handle;
  }

  /**
   * register() for a one-shot task delayed by delayMs (scheduler.after()):
   * the path of most timers, without the periodic, cron and ready-now
   * branches (a delay of 0 takes register()).
   */
  registerAfter(fn: TaskFn, options: ResolvedTaskOptions, delayMs: number): number {
    if (delayMs === 0) return this.register(fn, options, L.KIND_ONCE, 0, 0);
    // A delay counts from a fresh reading: a reused one would make the task due early.
    const nowMs = this.clock.now();
    const handle = this.#w.register(nowMs, options.priorityClass, options.nice, L.KIND_ONCE, delayMs, 0);
    if (handle < 0) throw errorForStatus(handle, 'register');
    // Written out as in registerReady: a private method shared by both cost
    // run() 1.5x the CPU (V8 kept dropping its optimized code, bench/ab/dispatch-cold.mjs).
    const slot = slotOf(handle);
    this.#slots.fns[slot] = fn;
    if (!isPreset(options)) {
      this.#slots.opts[slot] = options;
      if (options.signal) this.#watchSignal(slot, handle, options.signal);
    }
    this.#due.noteDue(nowMs + delayMs);
    if (this.#loop.state === 'running') this.#due.armIfMoved(nowMs);
    return handle;
  }

  register(fn: TaskFn, options: ResolvedTaskOptions, kind: number, delayMs: number, periodMs: number, cron?: WallSchedule): number {
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
      if (this.#loop.state === 'running') this.#due.arm(nowMs);
    } else {
      this.#loop.wake();
    }
    return handle;
  }

  /**
   * Enters a task registered through the Scheduler in the outcome book its
   * handle reads how it ended from (so `done` can be read at any time), and
   * answers the book. `unbounded`: a periodic or cron task without maxRuns
   * (onIdle does not wait for it).
   */
  track(id: number, unbounded: boolean): OutcomeBook {
    let book = this.#book;
    if (book === undefined || this.#bookLeft === 0) {
      // One look at the core's generations per book, not per task (task-outcome.ts, LargeIdBook).
      book = this.#w.highestGeneration() < LARGE_ID_GENERATION ? new OutcomeBook(this) : new LargeIdBook(this);
      this.#book = book;
      this.#bookLeft = BOOK_TASKS;
    }
    this.#bookLeft--;
    const slots = this.#slots;
    slots.books[slotOf(id)] = book;
    if (unbounded) slots.trackUnbounded(slotOf(id));
    else slots.finiteLive++;
    return book;
  }

  /** The outcome book of a live task (a new one for a durable slot, which records no outcome). */
  bookOf(id: number): OutcomeBook {
    return this.#slots.books[slotOf(id)] ?? new OutcomeBook(this);
  }

  /** True while the task has not ended. */
  isLive(id: number): boolean {
    return this.#w.taskState(id) >= 0;
  }

  /** Resolves when nothing that ends by itself is left (see idle.ts). */
  onIdle(): Promise<void> {
    return this.#idle.wait();
  }

  /** Nothing that ends by itself is left (idle.ts says what counts). */
  #isIdle(): boolean {
    if (this.#slots.finiteLive > 0) return false;
    this.#due.releaseDue(this.clock.now());
    return noRunReadyOrRunning(this.core);
  }

  #watchSignal(slot: number, handle: number, signal: AbortSignal): void {
    const onAbort = () => {
      this.controls.cancel(handle, signal.reason); // false, doing nothing, if the task has ended
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.#slots.extrasFor(slot).detachSignal = () => signal.removeEventListener('abort', onAbort);
    if (signal.aborted) onAbort();
  }

  // ---- the run loop ----

  /** After the core's timer heap changed: refresh the cached earliest due time. */
  #afterTimerChange(): void {
    this.#due.refresh();
    if (this.#loop.state === 'running') this.#due.arm(this.clock.now());
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
    return this.#loop.currentContext();
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
