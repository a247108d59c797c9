// The runs of one worker thread's seat, one at a time: starting a task's run
// (its arguments and saved state read from shared memory, the seat's current
// task and segment start written for the watchdog), calling its function,
// ending the run (its outcome buffered for the batch's message) and the
// runtime not yet charged to the core, which the loop charges under the lock
// at the start of its next round (worker.ts).
import { performance } from 'node:perf_hooks';
import type { instantiateCore } from '../../bindings/load.js';
import * as L from '../../bindings/layout.generated.js';
import { PoolTaskContext, type Run, type RunHost } from './context.js';
import * as P from './protocol.js';
import type { TaskFunction, TaskModules } from './task-modules.js';
import type { OutcomeBuffer } from './worker-outcomes.js';
import type { SharedViews } from './worker-views.js';

export class SeatRuns {
  current: Run | undefined;
  // The current run's clock (performance.now() ms): when it started, how far its runtime was charged, when
  // shouldYield() may next look at the core. Fields of the seat, not of each run: one run is current at a time.
  startedAt = 0;
  chargedUntil = 0;
  nextClaimCheck = 0;
  /** Whether nothing has happened since the last run ended (the next run may start at that time). */
  endedJustNow = false;
  #lastEndedAt = 0;
  /** Runtime (ms) not yet charged to each returned task, with its weight: three numbers per task. */
  #toCharge = new Float64Array(3 * 2 * L.POOL_TAKE_MAX);
  #toChargeCount = 0;
  readonly #host: RunHost;
  readonly #f64: Float64Array;
  readonly #b64: number;
  readonly #clockOffsetMs: number;
  readonly #views: SharedViews;
  readonly #modules: TaskModules;
  readonly #outcomes: OutcomeBuffer;

  constructor(host: RunHost, f64: Float64Array, b64: number, clockOffsetMs: number, views: SharedViews, modules: TaskModules, outcomes: OutcomeBuffer) {
    this.#host = host;
    this.#f64 = f64;
    this.#b64 = b64;
    this.#clockOffsetMs = clockOffsetMs;
    this.#views = views;
    this.#modules = modules;
    this.#outcomes = outcomes;
  }

  /** Under the lock: charges the runtime of the runs that ended since the last call. */
  chargeEnded(w: ReturnType<typeof instantiateCore>): void {
    const charges = this.#toCharge;
    for (let i = 0; i < this.#toChargeCount; i += 3) w.chargeWeighted(charges[i] as number, charges[i + 1] as number, charges[i + 2] as number);
    this.#toChargeCount = 0;
  }

  /**
   * Runs one task; answers its runtime in ms, synchronously when the task is
   * (a tiny task pays for no promise and no microtask turn), or a promise of
   * it when the task returned one or its module failed to load.
   */
  runOne(handle: number, known: TaskFunction | undefined): number | Promise<number> {
    const views = this.#views;
    const at = views.entry(handle);
    const side = views.side;
    const argsLength = side[at + P.T_ARGS_LEN] as number;
    const args = argsLength === P.ARGS_NUMBER ? side[at + P.T_ARGS] : argsLength === P.ARGS_UNDEFINED ? undefined : views.read(side[at + P.T_ARGS] as number, argsLength);
    const stateLength = side[at + P.T_STATE_LEN] as number;
    const run: Run = {
      loop: this.#host,
      handle,
      dispatch: side[at + P.T_DISPATCH] as number,
      attempt: side[at + P.T_ATTEMPT] as number,
      weight: side[at + P.T_WEIGHT] as number,
      state: stateLength === P.STATE_NONE ? undefined : views.read(side[at + P.T_STATE] as number, stateLength),
      controller: undefined,
      abortReason: undefined,
      interrupted: false,
      saved: false,
      uncloneable: undefined,
    };
    const kind = side[at + P.T_KIND] as number;
    if (kind < 0) {
      // Settled already (cancelled while this thread held it): not run; the main thread ignores this outcome.
      this.endedJustNow = false;
      this.#f64[this.#b64 + P.W_CURRENT] = 0;
      this.#outcomes.push(handle, run.dispatch, P.OUT_THREW, 0, P.errorData(new Error('skipped: the task was settled before it started')));
      return 0;
    }
    // The module is imported before the run starts (the loop's load): its time is no task's quantum, grace or timeout.
    const fn = known ?? this.#modules.get(kind);
    return fn === undefined ? this.#callOnceLoaded(run, kind, args) : this.#call(run, fn, args);
  }

  /** Starts the run and calls the function; see runOne for what it answers. */
  #call(run: Run, fn: TaskFunction, args: unknown): number | Promise<number> {
    this.#begin(run);
    let value: unknown;
    try {
      value = fn(args, new PoolTaskContext(run));
      if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') return this.#settle(run, value as PromiseLike<unknown>);
    } catch (err) {
      return this.#end(run, P.OUT_THREW, P.errorData(err));
    }
    return this.#end(run, P.OUT_RETURNED, value);
  }

  /** The function is not imported yet (its import failed in the loop's load, or it was never loaded): imported now, or the run fails with the import's error. */
  async #callOnceLoaded(run: Run, kind: number, args: unknown): Promise<number> {
    let fn: TaskFunction;
    try {
      fn = await this.#modules.load(kind);
    } catch (err) {
      this.#begin(run);
      return this.#end(run, P.OUT_THREW, P.errorData(err));
    }
    return this.#call(run, fn, args);
  }

  /** An asynchronous task's run: ends when its promise settles. */
  async #settle(run: Run, promise: PromiseLike<unknown>): Promise<number> {
    try {
      return this.#end(run, P.OUT_RETURNED, await promise);
    } catch (err) {
      return this.#end(run, P.OUT_THREW, P.errorData(err));
    }
  }

  /** The run starts: it is the seat's current task, its segment's clock starts. */
  #begin(run: Run): void {
    // A clock read costs ~85 ns here (performance.now() checks its receiver): the
    // run that ended just before (nothing else done since) lends its end time.
    const startedAt = this.endedJustNow ? this.#lastEndedAt : performance.now();
    this.endedJustNow = false;
    // The segment's start first: the watchdog reads the current task, then its start.
    this.#f64[this.#b64 + P.W_SEGMENT_START] = startedAt + this.#clockOffsetMs;
    this.#f64[this.#b64 + P.W_CURRENT] = run.handle;
    this.current = run;
    this.startedAt = startedAt;
    this.chargedUntil = startedAt;
    this.nextClaimCheck = 0;
  }

  /** The run ended (returned `value`, or threw: code): its outcome is buffered, its runtime to be charged. Answers the runtime, ms. */
  #end(run: Run, returnedCode: number, returnedValue: unknown): number {
    let code = returnedCode;
    let value = returnedValue;
    if (code === P.OUT_RETURNED && run.interrupted && run.saved) {
      code = P.OUT_YIELDED;
      value = undefined;
    }
    if (run.uncloneable !== undefined) {
      code = P.OUT_UNCLONEABLE;
      value = P.errorData(run.uncloneable);
    }
    const endedAt = performance.now();
    this.#lastEndedAt = endedAt;
    this.endedJustNow = true;
    this.#f64[this.#b64 + P.W_CURRENT] = 0;
    this.current = undefined;
    const runtime = endedAt - this.startedAt;
    this.#charge(run.handle, endedAt - this.chargedUntil, run.weight);
    this.#outcomes.push(run.handle, run.dispatch, code, runtime, value);
    return runtime;
  }

  /** Runtime to charge to a task under the lock, at the start of the next round. */
  #charge(handle: number, ms: number, weight: number): void {
    let charges = this.#toCharge;
    const at = this.#toChargeCount;
    if (at + 3 > charges.length) {
      charges = new Float64Array(2 * charges.length);
      charges.set(this.#toCharge);
      this.#toCharge = charges;
    }
    charges[at] = handle;
    charges[at + 1] = ms;
    charges[at + 2] = weight;
    this.#toChargeCount = at + 3;
  }
}
