// A Clock whose time moves only when a test says so, for deterministic tests
// of everything in timeslice that waits, times out or yields.
//
// The model is one host event loop, Node's, at a frozen instant:
// - timers run by due time, then in the order they were set; a timer never
//   runs before now() reaches its due time. This clock keeps no order of its
//   own: each timer is a once task in a private Core (round-robin policy),
//   whose timer heap is keyed by (due time, arrival) and whose ready order is
//   then release order. The core is advanced whenever now() moves, so the
//   timers released at an instant stay ahead of any 0 ms timer set at it (a
//   0 ms timer goes straight to the core's ready order), and the clock runs
//   timers in the order the core pops them. The real clock leaves equal due
//   times to the host; this one guarantees (due time, order set).
// - yieldToHost callbacks are macrotasks in a FIFO. At one instant the loop
//   alternates two phases, as Node's does: a timers phase runs the timers due
//   that were armed before the phase began, then a check phase runs the
//   macrotasks queued before it began. Whatever those callbacks arm or queue
//   for the same instant waits for the next round. So a 0 ms timer set by a
//   timer runs after a macrotask that timer queued, as in Node.
// - after every callback the clock awaits one real host macrotask (setImmediate
//   in Node, a MessageChannel message elsewhere). The host runs every queued
//   microtask before its next macrotask, so promise continuations started by
//   the callback, however long their chain, settle before the next callback
//   runs, just as they would between two real macrotasks. Those host functions
//   are captured when this module loads, so vi.useFakeTimers() cannot stall it.
// - time moves only in advance() and runUntilIdle(), and only once the current
//   instant has nothing left to run: straight to the next due timer, or to the
//   target. The cost is one real host turn per callback (microseconds).
// What the clock is configured with is virtual-clock-options.ts; how a run
// of callbacks is counted and spaced by real host turns is virtual-clock-steps.ts.
import { describeValue, InvalidArgumentError, InvalidStateError } from '../../bindings/errors.js';
import { requireTimeMs } from '../../bindings/validate.js';
import type { Clock, TimerId, TimerOptions } from '../time/clock.js';
import { Core, layout } from '../../bindings/index.js';
import { VirtualClockNotIdleError } from './errors.js';
import { DEFAULT_MAX_STEPS, requireFunction, requireStepCount, type RunUntilIdleOptions, type VirtualClockOptions } from './virtual-clock-options.js';
import { hostTurn, spend, type StepBudget } from './virtual-clock-steps.js';

export type { RunUntilIdleOptions, VirtualClockOptions } from './virtual-clock-options.js';

interface VirtualTimer {
  readonly dueMs: number;
  /** Order set: tells the timers armed before a timers phase from those armed during it. */
  readonly seq: number;
  /** The timer's once task in the core, or 0 once fired or cleared. */
  handle: number;
  fn: (() => void) | undefined;
  /** TimerOptions.keepAlive: runUntilIdle() waits only for timers that keep a process running. */
  readonly keepAlive: boolean;
}

export class VirtualClock implements Clock {
  #nowMs: number;
  /** wallNow() - now(): the wall start, minus the monotonic start, plus every jump. */
  #wallOffsetMs: number;
  readonly #maxStepsPerInstant: number;
  /** Orders the timers: one once task each. */
  readonly #core = new Core();
  /** Pending timers by core handle. */
  readonly #timerOfHandle = new Map<number, VirtualTimer>();
  readonly #timerOfId = new WeakMap<object, VirtualTimer>();
  #nextSeq = 0;
  /** Pending timers set with keepAlive (the default). */
  #keepAliveTimers = 0;
  readonly #macrotasks: Array<(() => void) | undefined> = [];
  #macrotaskHead = 0;
  /** The async method running now, if any: they must not overlap. */
  #running: string | undefined;

  constructor(options: VirtualClockOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`VirtualClock options must be an object, received ${describeValue(options)}`);
    }
    const startMs = requireTimeMs('startMs', options.startMs ?? 0);
    const wallStartMs = options.wallStartMs ?? Date.UTC(2026, 0, 1);
    if (typeof wallStartMs !== 'number' || !Number.isFinite(wallStartMs)) {
      throw new InvalidArgumentError(`wallStartMs must be a finite number of ms since the epoch, received ${describeValue(wallStartMs)}`);
    }
    this.#maxStepsPerInstant = requireStepCount('maxStepsPerInstant', options.maxStepsPerInstant ?? DEFAULT_MAX_STEPS);
    this.#nowMs = startMs;
    this.#wallOffsetMs = wallStartMs - startMs;
    this.#core.setPolicy('round-robin');
  }

  now(): number {
    return this.#nowMs;
  }

  wallNow(): number {
    return this.#nowMs + this.#wallOffsetMs;
  }

  setTimer(fn: () => void, delayMs: number, options?: TimerOptions): TimerId {
    requireFunction('setTimer: fn', fn);
    requireTimeMs('delayMs', delayMs);
    const dueMs = this.#nowMs + delayMs;
    // A delay too small to move a large now() is a 0 ms timer: ready at once, like one.
    const handle = this.#core.register(this.#nowMs, layout.CLASS_NORMAL, 0, 'once', dueMs > this.#nowMs ? delayMs : 0);
    const keepAlive = options?.keepAlive !== false;
    if (keepAlive) this.#keepAliveTimers++;
    const timer: VirtualTimer = { dueMs, seq: this.#nextSeq++, handle, fn, keepAlive };
    this.#timerOfHandle.set(handle, timer);
    // The id shows when the timer is due, for test failure messages.
    const id = Object.freeze({ dueMs });
    this.#timerOfId.set(id, timer);
    return id;
  }

  /** Cancels a pending timer; a timer that has fired or was cleared is ignored. */
  clearTimer(id: TimerId): void {
    const timer = typeof id === 'object' && id !== null ? this.#timerOfId.get(id) : undefined;
    if (timer === undefined) {
      throw new InvalidArgumentError(`clearTimer: id must be a timer id returned by this clock's setTimer, received ${describeValue(id)}`);
    }
    if (timer.handle !== 0) {
      this.#core.cancel(timer.handle);
      this.#timerOfHandle.delete(timer.handle);
      if (timer.keepAlive) this.#keepAliveTimers--;
      timer.handle = 0;
    }
    timer.fn = undefined;
  }

  yieldToHost(fn: () => void): void {
    requireFunction('yieldToHost: fn', fn);
    this.#macrotasks.push(fn);
  }

  /** Timers armed and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.#timerOfHandle.size;
  }

  /** yieldToHost callbacks not yet run. */
  get pendingMacrotasks(): number {
    return this.#macrotasks.length - this.#macrotaskHead;
  }

  /** When the earliest pending timer is due (on the now() axis), or undefined. */
  get nextTimerDueMs(): number | undefined {
    return this.#timerOfHandle.size === 0 ? undefined : this.#nextDueMs();
  }

  /**
   * Moves only the wall clock, forwards or back (an NTP step, a user changing
   * the time, or a machine asleep whose monotonic clock stopped, as Linux's
   * and macOS's do). Runs nothing.
   */
  jumpWall(ms: number): void {
    if (typeof ms !== 'number' || !Number.isFinite(ms)) {
      throw new InvalidArgumentError(`jumpWall(ms) must be a finite number of ms (negative to go back), received ${describeValue(ms)}`);
    }
    this.#wallOffsetMs += ms;
  }

  /**
   * Moves now() and wallNow() forward by ms at once and runs nothing, as for a
   * process that did not run meanwhile (stopped by SIGSTOP or a debugger, a
   * throttled tab, a machine asleep whose monotonic clock kept counting).
   * Timers that came due meanwhile run late, in (due time, order set), at the
   * next advance(), runUntilIdle() or flush(), and see the later now().
   */
  suspend(ms: number): void {
    requireTimeMs('suspend(ms)', ms);
    // Inside advance() the timers would already be running: a suspension can only come between two calls.
    if (this.#running !== undefined) {
      throw new InvalidStateError(`suspend: ${this.#running}() is still running on this VirtualClock; await it first`);
    }
    this.#moveTo(this.#nowMs + ms);
  }

  /**
   * Moves now() and wallNow() forward by ms at once, from inside a callback
   * (a task, a timer), running nothing: the callback stands for ms of
   * synchronous work, as a CPU-bound loop would take. Timers that come due
   * meanwhile run after the callback, late, at the later now(). What a
   * scheduler measures (slices, quanta, runtimes) sees the time pass.
   * Inside advance(ms), time can so end up beyond the target.
   * @example scheduler.run((ctx) => { while (!ctx.shouldYield()) clock.spend(0.5); });
   */
  spend(ms: number): void {
    requireTimeMs('spend(ms)', ms);
    this.#moveTo(this.#nowMs + ms);
  }

  /**
   * Moves time forward by ms, running in order every macrotask and every timer
   * due up to the target, including timers that callbacks set within it, and
   * letting promise continuations settle after each callback. A callback's
   * error rejects it, time left at that callback's instant. Asynchronous:
   * await it, or what it runs has not run yet.
   * @example
   * scheduler.after(100, () => log.push('ran'));
   * await clock.advance(100); // log is ['ran'] once this resolves
   */
  async advance(ms: number): Promise<void> {
    requireTimeMs('advance(ms)', ms);
    await this.#exclusive('advance', async () => {
      const targetMs = this.#nowMs + ms;
      await this.#settle(this.#instantBudget('advance'));
      for (let dueMs = this.#nextDueMs(); dueMs <= targetMs; dueMs = this.#nextDueMs()) {
        this.#moveTo(dueMs);
        await this.#settle(this.#instantBudget('advance'));
      }
      this.#moveTo(targetMs);
      await this.#settle(this.#instantBudget('advance'));
    });
  }

  /** The same as advance(ms). */
  runFor(ms: number): Promise<void> {
    return this.advance(ms);
  }

  /**
   * Runs macrotasks and timers, jumping time to each next due timer, until
   * none is left that keeps a process running (a timer set with keepAlive:
   * false runs only if due before one that does, as in a process that would
   * otherwise have exited). Rejects with VirtualClockNotIdleError after
   * maxSteps callbacks.
   */
  async runUntilIdle(options: RunUntilIdleOptions = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`runUntilIdle options must be an object, received ${describeValue(options)}`);
    }
    const maxSteps = requireStepCount('maxSteps', options.maxSteps ?? DEFAULT_MAX_STEPS);
    await this.#exclusive('runUntilIdle', async () => {
      const budget: StepBudget = {
        left: maxSteps,
        spent: () =>
          new VirtualClockNotIdleError(
            `runUntilIdle: still busy after maxSteps = ${maxSteps} callbacks, at ${this.#nowMs} ms with ` +
              `${this.pendingTimers} timers and ${this.pendingMacrotasks} macrotasks pending: ` +
              'an endless periodic task or yield loop? Stop it, or use advance(ms)',
          ),
      };
      await this.#settle(budget);
      for (let dueMs = this.#nextDueMs(); dueMs < Number.POSITIVE_INFINITY && this.#keepAliveTimers > 0; dueMs = this.#nextDueMs()) {
        this.#moveTo(dueMs);
        await this.#settle(budget);
      }
    });
  }

  /** Runs what is due now (macrotasks, 0 ms timers) and settles microtasks; time does not move. */
  async flush(): Promise<void> {
    await this.#exclusive('flush', () => this.#settle(this.#instantBudget('flush')));
  }

  /** Runs everything due at the current instant, Node-loop style (see the header), until nothing is. */
  async #settle(budget: StepBudget): Promise<void> {
    await hostTurn();
    for (let ran = true; ran; ) {
      ran = false;
      const phaseSeq = this.#nextSeq;
      // The core's ready order: released timers in (due, order set), then 0 ms timers as set.
      for (let timer = this.#readyTimer(); timer !== undefined && timer.seq < phaseSeq; timer = this.#readyTimer()) {
        spend(budget);
        const fn = this.#take(timer);
        await this.#run(fn);
        ran = true;
      }
      for (let count = this.pendingMacrotasks; count > 0; count--) {
        spend(budget);
        await this.#run(this.#shiftMacrotask());
        ran = true;
      }
    }
  }

  /**
   * Time moves: the core releases every timer now due into its ready order, so
   * they keep their place ahead of 0 ms timers set from here on.
   */
  #moveTo(ms: number): void {
    this.#nowMs = Math.max(this.#nowMs, ms);
    this.#core.advance(this.#nowMs);
  }

  /** When the next timer is due: the first ready one (due by now), else the core's earliest waiting one; Infinity if none. */
  #nextDueMs(): number {
    const ready = this.#readyTimer();
    return ready !== undefined ? ready.dueMs : this.#core.nextDueMs();
  }

  /** The timer the core would run next at this instant, if one is ready. */
  #readyTimer(): VirtualTimer | undefined {
    const handle = this.#core.peek();
    return handle === 0 ? undefined : this.#timerOfHandle.get(handle);
  }

  /** Takes the core's next ready timer (which must be `timer`) out of the clock and the core; its callback. */
  #take(timer: VirtualTimer): () => void {
    const handle = this.#core.pop(this.#nowMs);
    if (handle !== timer.handle) throw new Error(`VirtualClock: the core popped ${handle}, expected ${timer.handle}`);
    this.#core.complete(handle, this.#nowMs);
    this.#timerOfHandle.delete(handle);
    if (timer.keepAlive) this.#keepAliveTimers--;
    timer.handle = 0;
    const fn = timer.fn!;
    timer.fn = undefined;
    return fn;
  }

  async #run(fn: () => void): Promise<void> {
    fn();
    await hostTurn();
  }

  #shiftMacrotask(): () => void {
    const fn = this.#macrotasks[this.#macrotaskHead]!;
    this.#macrotasks[this.#macrotaskHead++] = undefined;
    if (this.#macrotaskHead === this.#macrotasks.length) {
      this.#macrotasks.length = 0;
      this.#macrotaskHead = 0;
    }
    return fn;
  }

  #instantBudget(method: string): StepBudget {
    const limit = this.#maxStepsPerInstant;
    return {
      left: limit,
      spent: () =>
        new VirtualClockNotIdleError(
          `${method}: ${limit} callbacks ran at ${this.#nowMs} ms without time moving (maxStepsPerInstant = ${limit}): ` +
            'a loop that yields to the host or sets 0 ms timers forever?',
        ),
    };
  }

  async #exclusive(method: string, body: () => Promise<void>): Promise<void> {
    if (this.#running !== undefined) {
      throw new InvalidStateError(`${method}: ${this.#running}() is still running on this VirtualClock; await it first`);
    }
    this.#running = method;
    try {
      await body();
    } finally {
      this.#running = undefined;
    }
  }
}
