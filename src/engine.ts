// The engine: the run loop between the host event loop and the core.
//
// What must be cheap: a no-op task, scheduled and run. Per task the engine
// keeps two array entries indexed by the core's slot (the function and its
// resolved options, usually a shared preset); anything else a task needs
// (saved state, retry attempt, a `done` promise, a cron schedule, an in-flight
// run) lives in `#extras`, created only for tasks that need it. Every
// "what runs next, and when" question is the core's: the engine pops, runs,
// and reports back (complete, retry, requeue), then yields to the host once
// its slice budget is spent so I/O, timers and rendering keep flowing.
//
// The fast path: a one-shot task with shared preset options (nothing but a
// priority), no `done` promise, no listeners, that returns at once. It is
// popped, run and completed with nothing allocated but its context, and timed
// in a group (group-timer.ts). Everything else takes the general path
// (#start, #settle), which times each run on its own.
//
// Async runs: a task returning a promise stays RUNNING in the core while in
// flight (counted against `concurrency`). A `ctx.yield()` requeues it in the
// core and parks its continuation; popping it again resumes the continuation
// (and the loop lets microtasks run before popping the next task, so the
// continuation's synchronous part runs in its turn).
import * as L from '../bindings/layout.generated.js';
import type { Core, Policy, TaskSnapshot } from '../bindings/core.js';
import type { CoreExports } from '../bindings/load.js';
import { errorForStatus } from '../bindings/errors.js';
import type { Clock, TimerId } from './clock.js';
import type { CronSchedule } from './cron.js';
import { type Duration, parseDurationMs } from './duration.js';
import {
  EVENT_FAIL, EVENT_FINISH, EVENT_INTERRUPT, EVENT_OVERRUN, EVENT_RETRY, EVENT_SKIP, EVENT_START,
  type SchedulerEvents, type TaskEventDetail, type TaskEventType,
} from './events.js';
import { GroupTimer } from './group-timer.js';
import { DEFAULT_TASK_OPTIONS, isPreset, type ResolvedSchedulerOptions, type ResolvedTaskOptions } from './options.js';
import { priorityName } from './priorities.js';
import { retryDelayMs } from './retry.js';
import { SchedulerStoppedError, TaskCancelledError, TaskEndedError, TaskTimeoutError } from './scheduler-errors.js';
import { type ContextHost, type RunState, TaskContext } from './task-context.js';

function newRun(handle: number, attempt: number, segmentStartMs: number, state: unknown): RunState {
  return {
    handle, attempt, segmentStartMs, interrupted: false, savedState: false, state, noReschedule: false, settled: false,
    controller: undefined, inflight: false, parked: false, context: undefined,
  };
}

/** Aborts a run's signal (creating it if the task has not asked for it yet, so a later read sees it aborted). */
function abortRun(run: RunState, reason: unknown): void {
  run.controller ??= new AbortController();
  if (!run.controller.signal.aborted) run.controller.abort(reason);
}

export type TaskFn<Result = unknown> = (ctx: TaskContext) => Result | PromiseLike<Result>;
export type LifecycleState = 'idle' | 'running' | 'paused' | 'stopping' | 'stopped';

const SLOT_MASK = 2 ** L.HANDLE_SLOT_BITS - 1;

/**
 * The slot of a handle (generation * 2^24 + slot, an integer below 2^53): its
 * low 24 bits. `&` keeps the low 32 bits of such an integer exactly, and is a
 * single instruction where `%` on a double is a call.
 */
function slotOf(handle: number): number {
  return handle & SLOT_MASK;
}

// What #runFast did with a popped task.
const NOT_FAST = 0;
const FAST_DONE = 1;
const FAST_SETTLED_ALONE = 2;

/** Registrations that may share one clock reading (see #registrationClock). */
const REGISTRATIONS_PER_CLOCK_READ = 64;

interface Deferred {
  promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Per-task state beyond function and options, created only when needed. */
interface Extras {
  attempt: number;
  state: unknown;
  completedRuns: number;
  done: Deferred | undefined;
  cron: CronSchedule | undefined;
  /** The run in progress (async, or parked in a yield). */
  run: RunState | undefined;
  /** A parked ctx.yield() continuation, resumed when the core pops the task again. */
  resume: (() => void) | undefined;
  timeoutTimer: TimerId | undefined;
  pauseAfterRun: boolean;
  detachSignal: (() => void) | undefined;
}

export interface EngineCounters {
  timeouts: number;
  /** Errors thrown by event listeners (they never stop the scheduler). */
  listenerErrors: number;
}

export class Engine implements ContextHost {
  readonly core: Core;
  readonly #w: CoreExports;
  readonly clock: Clock;
  readonly options: ResolvedSchedulerOptions;
  readonly events: SchedulerEvents;
  readonly counters: EngineCounters = { timeouts: 0, listenerErrors: 0 };
  readonly #fns: Array<TaskFn | undefined> = [];
  /** Options of each task, except one-shot tasks with a shared preset (see isPreset): the fast path knows them by absence. */
  readonly #opts: Array<ResolvedTaskOptions | undefined> = [];
  readonly #extras = new Map<number, Extras>();
  #state: LifecycleState = 'idle';
  #inflight = 0;
  #tickQueued = false;
  #timer: TimerId | undefined;
  #timerDueMs = Number.POSITIVE_INFINITY;
  #nextDueMs = Number.POSITIVE_INFINITY;
  #sliceStartMs = 0;
  /** Clock time the last run settled (saves a clock read per task in the loop). */
  #settledAtMs = -1;
  #current: RunState | undefined;
  #drainWaiters: Array<() => void> = [];
  /** Group timing on (options.groupTiming): short one-shot runs share clock reads. */
  readonly #grouped: boolean;
  readonly #group = new GroupTimer();
  /** A clock reading registrations may reuse (#registrationNowMs), and how many more may. */
  #registrationNowMs = 0;
  #registrationReadsLeft = 0;
  #registrationExpiryQueued = false;

  constructor(core: Core, clock: Clock, options: ResolvedSchedulerOptions, events: SchedulerEvents) {
    this.core = core;
    this.#w = core.exports;
    this.clock = clock;
    this.options = options;
    this.events = events;
    this.#grouped = options.groupTiming;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  get inflight(): number {
    return this.#inflight;
  }

  fnOf(handle: number): TaskFn | undefined {
    return this.#fns[slotOf(handle)];
  }

  optionsOf(handle: number): ResolvedTaskOptions {
    return this.#optionsOfSlot(slotOf(handle));
  }

  /** A preset's fields other than its class are the same for every class; the class is the core's. */
  #optionsOfSlot(slot: number): ResolvedTaskOptions {
    return this.#opts[slot] ?? DEFAULT_TASK_OPTIONS;
  }

  cronOf(handle: number): CronSchedule | undefined {
    return this.#extras.get(slotOf(handle))?.cron;
  }

  isInflight(handle: number): boolean {
    return this.#extras.get(slotOf(handle))?.run !== undefined;
  }

  #extrasFor(slot: number): Extras {
    let ex = this.#extras.get(slot);
    if (ex === undefined) {
      ex = {
        attempt: 1, state: undefined, completedRuns: 0, done: undefined, cron: undefined, run: undefined,
        resume: undefined, timeoutTimer: undefined, pauseAfterRun: false, detachSignal: undefined,
      };
      this.#extras.set(slot, ex);
    }
    return ex;
  }

  // ---- lifecycle ----

  start(): void {
    if (this.#state === 'stopping') throw new SchedulerStoppedError('start: the scheduler is stopping; wait for stop() to settle');
    this.#state = 'running';
    this.#nextDueMs = this.#w.nextDue();
    this.#wake();
    this.#armTimer(this.clock.now());
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
      return;
    }
    this.#state = 'stopping';
    this.#disarmTimer();
    if (!drain) {
      const error = new SchedulerStoppedError('the scheduler stopped without draining');
      for (const ex of this.#extras.values()) if (ex.run) abortRun(ex.run, error);
    } else if (this.#inflight > 0) {
      await new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
    }
    this.#state = 'stopped';
  }

  assertAccepting(operation: string): void {
    if (this.#state === 'stopping' || this.#state === 'stopped') {
      throw new SchedulerStoppedError(`${operation}: the scheduler is ${this.#state}; it accepts no new work (call start() to accept work again)`);
    }
  }

  // ---- registration ----

  register(fn: TaskFn, options: ResolvedTaskOptions, kind: number, delayMs: number, periodMs: number, cron?: CronSchedule): number {
    // A delay counts from a fresh reading: a reused one would make the task due early.
    const nowMs = delayMs > 0 ? this.clock.now() : this.#registrationClock();
    const handle = this.#w.register(nowMs, options.priorityClass, options.nice, kind, delayMs, periodMs);
    if (handle < 0) throw errorForStatus(handle, 'register');
    const slot = slotOf(handle);
    this.#fns[slot] = fn;
    if (kind !== L.KIND_ONCE || !isPreset(options)) this.#opts[slot] = options;
    if (cron) this.#extrasFor(slot).cron = cron;
    if (options.signal) this.#watchSignal(slot, handle, options.signal);
    if (delayMs > 0) {
      if (nowMs + delayMs < this.#nextDueMs) this.#nextDueMs = nowMs + delayMs;
      this.#armTimer(nowMs);
    } else {
      this.#wake();
    }
    return handle;
  }

  /**
   * The time of a registration that is ready now. With group timing, up to
   * REGISTRATIONS_PER_CLOCK_READ registrations made in one synchronous run of
   * code share a clock reading (a microtask expires it): a burst of run()
   * calls is stamped with the time the burst started, which only makes those
   * tasks look a few microseconds older, and saves a ~50 ns read per task.
   */
  #registrationClock(): number {
    if (!this.#grouped) return this.clock.now();
    if (this.#registrationReadsLeft > 0) {
      this.#registrationReadsLeft--;
      return this.#registrationNowMs;
    }
    this.#registrationNowMs = this.clock.now();
    this.#registrationReadsLeft = REGISTRATIONS_PER_CLOCK_READ - 1;
    if (!this.#registrationExpiryQueued) {
      this.#registrationExpiryQueued = true;
      queueMicrotask(this.#expireRegistrationClock);
    }
    return this.#registrationNowMs;
  }

  readonly #expireRegistrationClock = (): void => {
    this.#registrationExpiryQueued = false;
    this.#registrationReadsLeft = 0;
  };

  #watchSignal(slot: number, handle: number, signal: AbortSignal): void {
    const onAbort = () => {
      if (this.#w.taskState(handle) >= 0) this.cancel(handle, signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    this.#extrasFor(slot).detachSignal = () => signal.removeEventListener('abort', onAbort);
    if (signal.aborted) onAbort();
  }

  // ---- task controls (through TaskHandle) ----

  /** The core state of a live task; TaskEndedError once it has ended. */
  liveState(handle: number, operation: string): number {
    const state = this.#w.taskState(handle);
    if (state === L.STATUS_STALE_HANDLE) throw new TaskEndedError(`${operation}: task ${handle} has ended`);
    if (state < 0) throw errorForStatus(state, operation);
    return state;
  }

  cancel(handle: number, reason?: unknown): void {
    this.liveState(handle, 'cancel');
    const slot = slotOf(handle);
    const run = this.#extras.get(slot)?.run;
    const error = reason instanceof Error ? reason : new TaskCancelledError(`task ${handle} was cancelled`);
    if (run && !run.settled) {
      run.settled = true;
      abortRun(run, error);
      this.#leaveFlight(slot);
    }
    this.#w.cancel(handle);
    this.#end(slot, false, error);
  }

  pauseTask(handle: number): void {
    const state = this.liveState(handle, 'pause');
    if (state === L.STATE_PAUSED) return;
    if (state === L.STATE_RUNNING) {
      this.#extrasFor(slotOf(handle)).pauseAfterRun = true;
      return;
    }
    this.#check(this.#w.pause(handle), 'pause');
  }

  resumeTask(handle: number): void {
    const state = this.liveState(handle, 'resume');
    const ex = this.#extras.get(slotOf(handle));
    if (ex) ex.pauseAfterRun = false;
    if (state !== L.STATE_PAUSED) return;
    this.#check(this.#w.resume(handle, this.clock.now()), 'resume');
    this.#afterTimerChange();
    this.#wake();
  }

  runNow(handle: number): void {
    const state = this.liveState(handle, 'runNow');
    if (state === L.STATE_PAUSED) this.resumeTask(handle);
    if (this.#w.taskState(handle) === L.STATE_WAITING) this.#check(this.#w.runNow(handle, this.clock.now()), 'runNow');
    this.#wake();
  }

  setPriority(handle: number, priorityClass: number): void {
    this.liveState(handle, 'setPriority');
    this.#check(this.#w.setClass(handle, priorityClass), 'setPriority');
  }

  done(handle: number): Promise<unknown> {
    this.liveState(handle, 'done');
    const ex = this.#extrasFor(slotOf(handle));
    if (ex.done === undefined) {
      let resolve!: (value: unknown) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<unknown>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A rejection nobody awaited must not crash the process: `done` is optional.
      promise.catch(() => {});
      ex.done = { promise, resolve, reject };
    }
    return ex.done.promise;
  }

  #check(status: number, operation: string): void {
    if (status < 0) throw errorForStatus(status, operation);
  }

  // ---- the run loop ----

  #wake(): void {
    if (this.#state !== 'running' || this.#tickQueued) return;
    this.#tickQueued = true;
    this.clock.yieldToHost(this.#tick);
  }

  readonly #tick = (): void => {
    this.#tickQueued = false;
    this.#loop(this.clock.now());
  };

  #loop(sliceStartMs: number): void {
    if (this.#state !== 'running') return;
    this.#sliceStartMs = sliceStartMs;
    const w = this.#w;
    const group = this.#group;
    let nowMs = this.clock.now();
    group.start(nowMs);
    for (;;) {
      if (nowMs >= this.#nextDueMs) {
        w.advance(nowMs);
        this.#nextDueMs = w.nextDue();
      }
      if (this.#inflight >= this.options.concurrency) break;
      const handle = w.pop(nowMs);
      if (handle < 0) break;
      const fast = this.#grouped ? this.#runFast(handle, nowMs) : NOT_FAST;
      if (fast === FAST_DONE) {
        if (!group.counted()) continue;
        nowMs = this.clock.now();
        w.chargeGroup(group.close(nowMs));
      } else if (fast === FAST_SETTLED_ALONE) {
        // Timed from the group's start (nowMs, no reading since): the group's
        // runs so far are in its runtime, and the group is charged nothing.
        group.close(nowMs);
        nowMs = this.#settledAtMs >= nowMs ? this.#settledAtMs : this.clock.now();
        group.start(nowMs);
      } else {
        // Timed on its own: charge the group so far first.
        if (group.open) {
          nowMs = this.clock.now();
          w.chargeGroup(group.close(nowMs));
        }
        const continued = this.#start(handle, nowMs);
        // A run that settled synchronously already read the clock when it ended.
        nowMs = this.#settledAtMs >= nowMs ? this.#settledAtMs : this.clock.now();
        group.start(nowMs);
        if (continued) {
          // Let the resumed continuation run its synchronous part first.
          queueMicrotask(() => {
            this.#current = undefined;
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
        this.#wake();
        return;
      }
    }
    nowMs = this.#closeGroup() ?? nowMs;
    this.#armTimer(nowMs);
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
   * FAST_DONE: it returned and completed here, to be charged with its group.
   * FAST_SETTLED_ALONE: it ran but threw, returned a promise or asked to be
   * resumed, and the general path took it from there. NOT_FAST: nothing was
   * done; it must take the general path.
   */
  #runFast(handle: number, nowMs: number): number {
    const slot = slotOf(handle);
    if (this.#opts[slot] !== undefined || this.events.wanted !== 0 || (this.#extras.size !== 0 && this.#extras.has(slot))) return NOT_FAST;
    const fn = this.#fns[slot] as TaskFn;
    const run = newRun(handle, 1, nowMs, undefined);
    this.#current = run;
    let result: unknown;
    try {
      result = fn((run.context = new TaskContext(this, run)));
    } catch (error) {
      this.#current = undefined;
      this.#settle(run, false, error);
      return FAST_SETTLED_ALONE;
    }
    this.#current = undefined;
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      this.#runAsync(slot, run, result as PromiseLike<unknown>);
      return FAST_SETTLED_ALONE;
    }
    if (run.settled) return FAST_DONE;
    if (run.interrupted || this.#extras.has(slot)) {
      // It asked to be resumed, or for its `done` promise: the general path settles it.
      this.#settle(run, true, result);
      return FAST_SETTLED_ALONE;
    }
    run.settled = true;
    // Not ENDED when the task cancelled itself: cancel() has ended it already,
    // and its slot may already hold a task the run registered.
    if (this.#w.complete(handle, nowMs, 0) === L.STATUS_ENDED) this.#fns[slot] = undefined;
    return FAST_DONE;
  }

  #armTimer(nowMs: number): void {
    const dueMs = this.#nextDueMs;
    if (this.#state !== 'running' || dueMs === this.#timerDueMs) return;
    this.#disarmTimer();
    if (dueMs === Number.POSITIVE_INFINITY) return;
    this.#timerDueMs = dueMs;
    this.#timer = this.clock.setTimer(this.#onTimer, Math.max(0, dueMs - nowMs));
  }

  #disarmTimer(): void {
    if (this.#timer !== undefined) this.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerDueMs = Number.POSITIVE_INFINITY;
  }

  readonly #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerDueMs = Number.POSITIVE_INFINITY;
    if (this.#tickQueued) return;
    this.#tick();
  };

  /** After the core's timer heap changed: refresh the cached earliest due time. */
  #afterTimerChange(): void {
    this.#nextDueMs = this.#w.nextDue();
    this.#armTimer(this.clock.now());
  }

  /** Runs (or resumes) a popped task. True if a parked continuation was resumed. */
  #start(handle: number, nowMs: number): boolean {
    const slot = slotOf(handle);
    const ex = this.#extras.size === 0 ? undefined : this.#extras.get(slot);
    if (ex?.resume !== undefined && ex.run !== undefined) {
      const resume = ex.resume;
      ex.resume = undefined;
      ex.run.segmentStartMs = nowMs;
      if (ex.run.parked) {
        ex.run.parked = false;
        ex.run.inflight = true;
        this.#inflight++;
      }
      // The continuation's synchronous part runs before the loop's next
      // microtask, so it is the current run until then (see currentContext).
      this.#current = ex.run;
      resume();
      return true;
    }
    const fn = this.#fns[slot] as TaskFn;
    const run = newRun(handle, ex?.attempt ?? 1, nowMs, ex?.state);
    if (this.events.wanted & EVENT_SKIP) {
      const skipped = this.#w.lastPopSkippedTicks();
      if (skipped > 0) this.#emit('taskskip', handle, run.attempt, nowMs, { count: skipped, reason: 'the run started a period or more late' });
    }
    if (this.events.wanted & EVENT_START) this.#emit('taskstart', handle, run.attempt, nowMs);
    this.#current = run;
    let result: unknown;
    try {
      result = fn((run.context = new TaskContext(this, run)));
    } catch (error) {
      this.#current = undefined;
      this.#settle(run, false, error);
      return false;
    }
    this.#current = undefined;
    if (result !== null && typeof result === 'object' && typeof (result as PromiseLike<unknown>).then === 'function') {
      this.#runAsync(slot, run, result as PromiseLike<unknown>);
    } else if (!run.settled) {
      this.#settle(run, true, result);
    }
    return false;
  }

  #runAsync(slot: number, run: RunState, result: PromiseLike<unknown>): void {
    this.#enterFlight(slot, run);
    result.then(
      (value) => this.#settle(run, true, value),
      (error) => this.#settle(run, false, error),
    );
  }

  #enterFlight(slot: number, run: RunState): void {
    const ex = this.#extrasFor(slot);
    ex.run = run;
    run.inflight = true;
    this.#inflight++;
    const timeoutMs = this.#optionsOfSlot(slot).timeoutMs;
    if (timeoutMs > 0) {
      ex.timeoutTimer = this.clock.setTimer(() => {
        ex.timeoutTimer = undefined;
        if (run.settled) return;
        this.counters.timeouts++;
        const error = new TaskTimeoutError(`task '${this.#nameOf(run.handle)}' (#${run.handle}) timed out after ${timeoutMs} ms`);
        abortRun(run, error);
        this.#settle(run, false, error);
      }, timeoutMs);
    }
  }

  #leaveFlight(slot: number): void {
    const ex = this.#extras.get(slot);
    const run = ex?.run;
    if (ex === undefined || run === undefined) return;
    if (ex.timeoutTimer !== undefined) this.clock.clearTimer(ex.timeoutTimer);
    ex.timeoutTimer = undefined;
    ex.run = undefined;
    ex.resume = undefined;
    if (run.inflight) {
      run.inflight = false;
      this.#inflight--;
      if (this.#inflight === 0 && this.#drainWaiters.length > 0) {
        for (const resolve of this.#drainWaiters.splice(0)) resolve();
      }
      this.#wake();
    }
  }

  /** A run ended (returned, threw, rejected or timed out): report it to the core. */
  #settle(run: RunState, ok: boolean, valueOrError: unknown): void {
    if (run.settled) return;
    run.settled = true;
    const w = this.#w;
    const handle = run.handle;
    const slot = slotOf(handle);
    if (run.parked) {
      // Timed out while parked in a yield (ready in the core, not running):
      // there is no run to report, so the task ends with the error.
      this.#leaveFlight(slot);
      w.cancel(handle);
      this.#end(slot, false, valueOrError);
      return;
    }
    if (run.inflight) this.#leaveFlight(slot);
    const nowMs = this.clock.now();
    this.#settledAtMs = nowMs;
    const runtimeMs = nowMs - run.segmentStartMs;
    const options = this.#optionsOfSlot(slot);
    if (ok && run.interrupted && run.savedState && !run.noReschedule) {
      // A task cancelled while it ran is already gone from the core: nothing to report.
      if (w.charge(handle, runtimeMs) < 0) return;
      const ex = this.#extrasFor(slot);
      ex.state = run.state;
      ex.attempt = run.attempt;
      w.requeue(handle, nowMs, L.REQUEUE_PREEMPTED);
      if (this.events.wanted & EVENT_INTERRUPT) this.#emit('taskinterrupt', handle, run.attempt, nowMs, { runtimeMs });
      this.#afterRun(slot, handle);
      return;
    }
    if (!ok && run.attempt < options.retry.attempts && !run.noReschedule) {
      if (w.charge(handle, runtimeMs) < 0) return;
      const delayMs = retryDelayMs(options.retry, run.attempt + 1, this.options.random);
      const ex = this.#extrasFor(slot);
      ex.attempt = run.attempt + 1;
      if (run.savedState) ex.state = run.state;
      w.retry(handle, nowMs, delayMs);
      if (this.events.wanted & EVENT_RETRY) this.#emit('taskretry', handle, run.attempt, nowMs, { runtimeMs, error: valueOrError, delayMs });
      this.#afterTimerChange();
      this.#afterRun(slot, handle);
      return;
    }
    if (this.events.wanted & (ok ? EVENT_FINISH : EVENT_FAIL)) {
      this.#emit(ok ? 'taskfinish' : 'taskfail', handle, run.attempt, nowMs, ok ? { runtimeMs } : { runtimeMs, error: valueOrError });
    }
    this.#completeRun(slot, handle, run, ok, valueOrError, nowMs, runtimeMs);
  }

  #completeRun(slot: number, handle: number, run: RunState, ok: boolean, valueOrError: unknown, nowMs: number, runtimeMs: number): void {
    const w = this.#w;
    const ex = this.#extras.size === 0 ? undefined : this.#extras.get(slot);
    const options = this.#optionsOfSlot(slot);
    let flags = ok ? 0 : L.COMPLETE_FAILED;
    let completedRuns = ok ? 1 : 0;
    if (ex !== undefined) {
      ex.attempt = 1;
      ex.state = undefined;
      if (ok) ex.completedRuns++;
      completedRuns = ex.completedRuns;
    }
    if (run.noReschedule || (options.maxRuns > 0 && completedRuns >= options.maxRuns)) {
      flags |= L.COMPLETE_FINAL;
    } else if (ex?.cron !== undefined) {
      const wallNowMs = this.clock.wallNow();
      const nextWallMs = ex.cron.nextRunAfter(wallNowMs);
      if (nextWallMs === null) {
        flags |= L.COMPLETE_FINAL;
      } else {
        if (w.charge(handle, runtimeMs) < 0) return;
        w.completeAt(handle, nowMs, nowMs + Math.max(0, nextWallMs - wallNowMs), flags);
        this.#afterTimerChange();
        this.#afterRun(slot, handle);
        return;
      }
    }
    const wantsSkips = (this.events.wanted & (EVENT_SKIP | EVENT_OVERRUN)) !== 0 && w.taskState(handle) === L.STATE_RUNNING;
    const before = wantsSkips ? this.core.snapshot(handle) : undefined;
    const status = w.finish(handle, nowMs, runtimeMs, flags);
    if (status === L.STATUS_ENDED) {
      this.#end(slot, ok, valueOrError);
      return;
    }
    // Negative: the task was cancelled while it ran (cancel() already ended it).
    if (status < 0) return;
    if (before) this.#emitSkips(handle, before, nowMs);
    this.#afterTimerChange();
    this.#afterRun(slot, handle);
  }

  #emitSkips(handle: number, before: TaskSnapshot, nowMs: number): void {
    const after = this.core.snapshot(handle);
    const missedBefore = before.missedTicks;
    if (after.overruns > before.overruns) {
      const overrunMs = nowMs - (before.dueMs + before.periodMs);
      this.#emit('taskoverrun', handle, 1, nowMs, { count: after.overruns - before.overruns, overrunMs });
    }
    if (after.missedTicks > missedBefore) {
      this.#emit('taskskip', handle, 1, nowMs, { count: after.missedTicks - missedBefore, reason: 'the previous run overran its period' });
    }
  }

  /** A task that asked to be paused while it ran is paused now. */
  #afterRun(slot: number, handle: number): void {
    const ex = this.#extras.get(slot);
    if (ex?.pauseAfterRun) {
      ex.pauseAfterRun = false;
      this.#w.pause(handle);
    }
  }

  /** The task is gone from the core: drop its JS state and settle `done`. */
  #end(slot: number, ok: boolean, valueOrError: unknown): void {
    this.#fns[slot] = undefined;
    this.#opts[slot] = undefined;
    const ex = this.#extras.size === 0 ? undefined : this.#extras.get(slot);
    if (ex === undefined) return;
    this.#extras.delete(slot);
    ex.detachSignal?.();
    if (ex.timeoutTimer !== undefined) this.clock.clearTimer(ex.timeoutTimer);
    if (ok) ex.done?.resolve(valueOrError);
    else ex.done?.reject(valueOrError);
  }

  /** The task's name: its `name` option, else its function's name, else task-<id>. */
  #nameOf(handle: number): string {
    const options = this.#opts[slotOf(handle)];
    const fn = this.#fns[slotOf(handle)];
    return options?.name ?? (fn?.name || `task-${handle}`);
  }

  nameOf(handle: number): string {
    return this.#nameOf(handle);
  }

  /** Moves due timers to the ready queue now (describe() shows what is really ready). */
  releaseDue(): void {
    const nowMs = this.clock.now();
    if (nowMs >= this.#nextDueMs) {
      this.#w.advance(nowMs);
      this.#nextDueMs = this.#w.nextDue();
    }
  }

  #emit(type: TaskEventType, handle: number, attempt: number, atMs: number, extra: Partial<TaskEventDetail> = {}): void {
    const detail: TaskEventDetail = {
      id: handle,
      name: this.#nameOf(handle),
      priority: priorityName(this.core.priorityClassOf(handle)),
      attempt,
      atMs,
      ...extra,
    };
    try {
      this.events.emit(type, detail);
    } catch {
      // dispatchEvent reports listener errors itself; one listener never stops the scheduler.
      this.counters.listenerErrors++;
    }
  }

  /**
   * The context of the task whose code is executing right now: during a run's
   * synchronous part, and during the synchronous part of a continuation the
   * engine resumed. Undefined elsewhere (after a task awaits something else).
   */
  currentContext(): TaskContext | undefined {
    return this.#current?.settled === false ? this.#current.context : undefined;
  }

  // ---- ContextHost: what a TaskContext asks of the engine ----

  shouldYield(run: RunState): boolean {
    if (run.settled) return true;
    const nowMs = this.clock.now();
    const sliceSpent = this.#current === run && nowMs - this.#sliceStartMs >= this.options.sliceMs;
    if (sliceSpent || nowMs - run.segmentStartMs >= this.options.quantumMs) {
      run.interrupted = true;
      return true;
    }
    if (nowMs >= this.#nextDueMs) {
      this.#w.advance(nowMs);
      this.#nextDueMs = this.#w.nextDue();
    }
    const top = this.#w.peek();
    if (top > 0 && this.core.priorityClassOf(top) < this.core.priorityClassOf(run.handle)) {
      run.interrupted = true;
      return true;
    }
    return false;
  }

  yield(run: RunState): Promise<void> {
    if (run.settled || this.#state === 'stopping' || this.#state === 'stopped') return Promise.resolve();
    const nowMs = this.clock.now();
    const handle = run.handle;
    const slot = slotOf(handle);
    this.#w.charge(handle, nowMs - run.segmentStartMs);
    this.#w.requeue(handle, nowMs, L.REQUEUE_KEEP_PLACE);
    const ex = this.#extrasFor(slot);
    ex.run = run;
    if (run.inflight) {
      // Parked, not in flight: it must not hold a concurrency slot while it waits its turn.
      run.inflight = false;
      run.parked = true;
      this.#inflight--;
    }
    const parked = new Promise<void>((resolve) => {
      ex.resume = resolve;
    });
    this.#wake();
    return parked;
  }

  sleep(run: RunState, ms: Duration): Promise<void> {
    const delayMs = parseDurationMs('ms', ms);
    return new Promise<void>((resolve, reject) => {
      run.controller ??= new AbortController();
      const signal = run.controller.signal;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        this.clock.clearTimer(timer);
        reject(signal.reason);
      };
      const timer = this.clock.setTimer(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, delayMs);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every live task's handle, in slot order. */
  *liveHandles(): Generator<number> {
    for (let slot = 0; slot < this.#fns.length; slot++) {
      if (this.#fns[slot] === undefined) continue;
      const handle = this.core.handleOfSlot(slot);
      if (handle > 0) yield handle;
    }
  }

  get policyName(): Policy {
    return this.core.policy;
  }
}
