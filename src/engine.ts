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
import type { ResolvedSchedulerOptions, ResolvedTaskOptions } from './options.js';
import { priorityName } from './priorities.js';
import { retryDelayMs } from './retry.js';
import { SchedulerStoppedError, TaskCancelledError, TaskEndedError, TaskTimeoutError } from './scheduler-errors.js';
import { type ContextHost, type RunState, TaskContext } from './task-context.js';

/** Aborts a run's signal (creating it if the task has not asked for it yet, so a later read sees it aborted). */
function abortRun(run: RunState, reason: unknown): void {
  run.controller ??= new AbortController();
  if (!run.controller.signal.aborted) run.controller.abort(reason);
}

export type TaskFn<Result = unknown> = (ctx: TaskContext) => Result | PromiseLike<Result>;
export type LifecycleState = 'idle' | 'running' | 'paused' | 'stopping' | 'stopped';

const SLOT_SCALE = 2 ** L.HANDLE_SLOT_BITS;

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

  constructor(core: Core, clock: Clock, options: ResolvedSchedulerOptions, events: SchedulerEvents) {
    this.core = core;
    this.#w = core.exports;
    this.clock = clock;
    this.options = options;
    this.events = events;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  get inflight(): number {
    return this.#inflight;
  }

  fnOf(handle: number): TaskFn | undefined {
    return this.#fns[handle % SLOT_SCALE];
  }

  optionsOf(handle: number): ResolvedTaskOptions | undefined {
    return this.#opts[handle % SLOT_SCALE];
  }

  cronOf(handle: number): CronSchedule | undefined {
    return this.#extras.get(handle % SLOT_SCALE)?.cron;
  }

  isInflight(handle: number): boolean {
    return this.#extras.get(handle % SLOT_SCALE)?.run !== undefined;
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
    const nowMs = this.clock.now();
    const handle = this.#w.register(nowMs, options.priorityClass, options.nice, kind, delayMs, periodMs);
    if (handle < 0) throw errorForStatus(handle, 'register');
    const slot = handle % SLOT_SCALE;
    this.#fns[slot] = fn;
    this.#opts[slot] = options;
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
    const slot = handle % SLOT_SCALE;
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
      this.#extrasFor(handle % SLOT_SCALE).pauseAfterRun = true;
      return;
    }
    this.#check(this.#w.pause(handle), 'pause');
  }

  resumeTask(handle: number): void {
    const state = this.liveState(handle, 'resume');
    const ex = this.#extras.get(handle % SLOT_SCALE);
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
    const ex = this.#extrasFor(handle % SLOT_SCALE);
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
    let nowMs = this.clock.now();
    for (;;) {
      if (nowMs >= this.#nextDueMs) {
        w.advance(nowMs);
        this.#nextDueMs = w.nextDue();
      }
      if (this.#inflight >= this.options.concurrency) break;
      const handle = w.pop(nowMs);
      if (handle < 0) break;
      const continued = this.#start(handle, nowMs);
      // A run that settled synchronously already read the clock when it ended.
      nowMs = this.#settledAtMs >= nowMs ? this.#settledAtMs : this.clock.now();
      if (continued) {
        // Let the resumed continuation run its synchronous part first.
        queueMicrotask(() => {
          this.#current = undefined;
          this.#loop(sliceStartMs);
        });
        return;
      }
      if (this.#state !== 'running') return;
      if (nowMs - sliceStartMs >= this.options.sliceMs) {
        this.#wake();
        return;
      }
    }
    this.#armTimer(nowMs);
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
    const slot = handle % SLOT_SCALE;
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
    const run: RunState = {
      handle, attempt: ex?.attempt ?? 1, segmentStartMs: nowMs, interrupted: false, savedState: false,
      state: ex?.state, noReschedule: false, settled: false, controller: undefined, inflight: false, parked: false,
      context: undefined,
    };
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
      this.#enterFlight(slot, run);
      (result as PromiseLike<unknown>).then(
        (value) => this.#settle(run, true, value),
        (error) => this.#settle(run, false, error),
      );
    } else if (!run.settled) {
      this.#settle(run, true, result);
    }
    return false;
  }

  #enterFlight(slot: number, run: RunState): void {
    const ex = this.#extrasFor(slot);
    ex.run = run;
    run.inflight = true;
    this.#inflight++;
    const timeoutMs = (this.#opts[slot] as ResolvedTaskOptions).timeoutMs;
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
    const slot = handle % SLOT_SCALE;
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
    const options = this.#opts[slot] as ResolvedTaskOptions;
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
    const options = this.#opts[slot] as ResolvedTaskOptions;
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
    const options = this.#opts[handle % SLOT_SCALE];
    const fn = this.#fns[handle % SLOT_SCALE];
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
    const slot = handle % SLOT_SCALE;
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
