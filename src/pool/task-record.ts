// What the main thread keeps per submitted task, and the side table workers
// read it from.
//
// The main thread owns a task's record from run() until it settles; the slot
// the core gave the task indexes both the record and the task's side-table
// entry (protocol.ts: function, arguments, saved state, weight, attempt,
// dispatch number). A record is found again from a worker's outcome by its
// handle and dispatch number: an outcome for an older run of the slot (a
// recovered run, or a task that ended and whose slot was reused) does not match.
import type { ResolvedPoolTaskOptions } from './options.js';
import type { PayloadArena } from './payload.js';
import * as P from './protocol.js';

/** A task function registered with pool.task(): pass it to run(). */
/** A worker function's first parameter, or Spec itself when Spec is not a function (`task<Args, Result>()`). */
// biome-ignore lint/suspicious/noExplicitAny: matches any worker function's signature
export type ArgsOf<Spec> = Spec extends (args: infer A, ...rest: any[]) => unknown ? A : Spec;
/** A worker function's awaited result, or Result when Spec is not a function. */
// biome-ignore lint/suspicious/noExplicitAny: matches any worker function's signature
export type ResultOf<Spec, Result> = Spec extends (...args: any[]) => infer Out ? Awaited<Out> : Result;

export class PoolTask<Args = unknown, Result = unknown> {
  /** @internal */
  readonly kind: number;
  readonly module: string;
  readonly export: string;
  /** @internal */
  constructor(kind: number, module: string, name: string) {
    this.kind = kind;
    this.module = module;
    this.export = name;
  }
  /** Types only: the argument and result of the function. */
  declare readonly __types?: [Args, Result];
}

/**
 * What the main thread keeps of one submitted task. Every task in flight has
 * one, so its size is paid for every task: a burst of 1e5 tiny tasks keeps
 * 1e5 records alive through several young-generation collections, each of
 * which copies them. The fields every task uses are the record's own; the
 * rest (a saved state, retries, terminations, time run so far, timeouts,
 * cancellation, a signal's listener) live in a TaskLife made the first time
 * one of them is set. Measured: the 16-field object this replaced cost 8% of
 * the CPU of a tiny-task burst.
 */
export class TaskRecord {
  handle = 0;
  readonly kind: number;
  readonly options: ResolvedPoolTaskOptions;
  readonly argsOffset: number;
  readonly argsLength: number;
  /** Settles the task's promise (with a value, or with a rejected promise: reject()). */
  readonly resolve: (value: unknown) => void;
  #life: TaskLife | undefined = undefined;

  constructor(kind: number, options: ResolvedPoolTaskOptions, argsOffset: number, argsLength: number, resolve: (value: unknown) => void) {
    this.kind = kind;
    this.options = options;
    this.argsOffset = argsOffset;
    this.argsLength = argsLength;
    this.resolve = resolve;
  }

  /**
   * Rejects the task's promise, through its resolve function: resolved with a
   * rejected promise, it rejects with the same error (a microtask turn later).
   * The record keeps no reject function: with a promise and its resolve
   * function, it would be kept for every task in flight, and a burst of 1e5
   * tiny tasks keeps 1e5 of them through several young-generation collections.
   */
  reject(error: unknown): void {
    this.resolve(Promise.reject(error));
  }

  #lived(): TaskLife {
    if (this.#life === undefined) this.#life = new TaskLife();
    return this.#life;
  }

  /** The saved state in the payload arena (offset, and length or STATE_NONE). */
  get stateOffset(): number {
    return this.#life?.stateOffset ?? 0;
  }
  set stateOffset(value: number) {
    this.#lived().stateOffset = value;
  }
  get stateLength(): number {
    return this.#life?.stateLength ?? P.STATE_NONE;
  }
  set stateLength(value: number) {
    this.#lived().stateLength = value;
  }
  /** The attempt running or next (1 first). */
  get attempt(): number {
    return this.#life?.attempt ?? 1;
  }
  set attempt(value: number) {
    this.#lived().attempt = value;
  }
  /** Times it was terminated to make room for more urgent work (options.maxTerminations). */
  get terminations(): number {
    return this.#life?.terminations ?? 0;
  }
  set terminations(value: number) {
    this.#lived().terminations = value;
  }
  /** Time this attempt has run on workers so far, ms (its finished runs; the watchdog adds the current one). */
  get ranMs(): number {
    return this.#life?.ranMs ?? 0;
  }
  set ranMs(value: number) {
    this.#lived().ranMs = value;
  }
  /** This attempt ran past its timeoutMs: however its run ends, the attempt fails with TaskTimeoutError. */
  get timedOut(): boolean {
    return this.#life?.timedOut ?? false;
  }
  set timedOut(value: boolean) {
    this.#lived().timedOut = value;
  }
  /** Settled already (cancelled, or failed for good while a worker still ran it): its outcome is ignored. */
  get cancelled(): boolean {
    return this.#life?.cancelled ?? false;
  }
  set cancelled(value: boolean) {
    this.#lived().cancelled = value;
  }
  /** The listener on options.signal, while the task is registered. */
  get onAbort(): (() => void) | undefined {
    return this.#life?.onAbort;
  }
  set onAbort(value: (() => void) | undefined) {
    this.#lived().onAbort = value;
  }
}

/** The part of a task's record only some tasks need (TaskRecord's accessors). */
class TaskLife {
  stateOffset = 0;
  stateLength = P.STATE_NONE;
  attempt = 1;
  terminations = 0;
  ranMs = 0;
  timedOut = false;
  cancelled = false;
  onAbort: (() => void) | undefined = undefined;
}

export class TaskBook {
  readonly side: P.GrowableSharedArrayBuffer;
  /** A fixed-length view of the side table (P.fixedView), made again when it grows. */
  #side64: Float64Array;
  #sideBytes: number;
  readonly #payload: PayloadArena;
  readonly #records: Array<TaskRecord | undefined> = [];
  /** Records not yet settled (submitted, queued, running). */
  live = 0;
  /** Called when live drops to 0. */
  onDrained: (() => void) | undefined;

  constructor(payload: PayloadArena) {
    this.#payload = payload;
    this.side = P.growableSharedArrayBuffer(1024 * P.TASK_WORDS * 8, P.MAX_TASK_SLOTS * P.TASK_WORDS * 8);
    this.#sideBytes = this.side.byteLength;
    this.#side64 = P.fixedView(Float64Array, this.side, 8);
  }

  /** Under the lock, after the core registered the task: its side-table entry. False if the table is full. */
  enter(r: TaskRecord, handle: number): boolean {
    const slot = P.slotOf(handle);
    const needed = (slot + 1) * P.TASK_WORDS * 8;
    if (needed > this.#sideBytes) {
      let bytes = this.#sideBytes;
      while (bytes < needed) bytes *= 2;
      if (bytes > this.side.maxByteLength) return false;
      this.side.grow(bytes);
      this.#sideBytes = bytes;
      this.#side64 = P.fixedView(Float64Array, this.side, 8);
    }
    r.handle = handle;
    const at = slot * P.TASK_WORDS;
    const side = this.#side64;
    side[at + P.T_KIND] = r.kind;
    side[at + P.T_ARGS] = r.argsOffset;
    side[at + P.T_ARGS_LEN] = r.argsLength;
    side[at + P.T_STATE_LEN] = P.STATE_NONE;
    side[at + P.T_WEIGHT] = r.options.weight;
    side[at + P.T_ATTEMPT] = 1;
    this.#records[slot] = r;
    return true;
  }

  /** The live record of a handle, or undefined (ended, or its slot holds another task now). */
  of(handle: number): TaskRecord | undefined {
    const r = this.#records[P.slotOf(handle)];
    return r !== undefined && r.handle === handle ? r : undefined;
  }

  /** The record of a handle whose run `dispatch` is the current one, or undefined (an outcome to ignore). */
  current(handle: number, dispatch: number): TaskRecord | undefined {
    const r = this.of(handle);
    if (r === undefined || this.#side64[P.slotOf(handle) * P.TASK_WORDS + P.T_DISPATCH] !== dispatch) return undefined;
    return r;
  }

  /** Under the lock: outcomes still in flight for the task's current run will be ignored. */
  newDispatch(r: TaskRecord): void {
    const at = P.slotOf(r.handle) * P.TASK_WORDS + P.T_DISPATCH;
    this.#side64[at] = (this.#side64[at] as number) + 1;
  }

  /** Under the lock: a worker holding the task and not running it yet will skip it. */
  stop(r: TaskRecord): void {
    this.#side64[P.slotOf(r.handle) * P.TASK_WORDS + P.T_KIND] = -r.kind;
  }

  nextAttempt(r: TaskRecord): void {
    r.attempt++;
    r.ranMs = 0;
    r.timedOut = false;
    this.#side64[P.slotOf(r.handle) * P.TASK_WORDS + P.T_ATTEMPT] = r.attempt;
  }

  /** The state a worker saved for the task (serialised there): read by whichever worker takes it next. RangeError when the arena is full. */
  saveState(r: TaskRecord, bytes: Uint8Array): void {
    const [offset, length] = this.#payload.storeBytes(bytes);
    if (r.stateLength >= 0) this.#payload.free(r.stateOffset, r.stateLength);
    r.stateOffset = offset;
    r.stateLength = length;
    const at = P.slotOf(r.handle) * P.TASK_WORDS;
    this.#side64[at + P.T_STATE] = offset;
    this.#side64[at + P.T_STATE_LEN] = length;
  }

  /** A submitted task (registered or not) is counted live. */
  admit(): void {
    this.live++;
  }

  /** The task's slot is free in the core (or it never had one): forget it, free its payload. */
  release(r: TaskRecord): void {
    if (r.handle !== 0 && this.#records[P.slotOf(r.handle)] === r) this.#records[P.slotOf(r.handle)] = undefined;
    if (r.argsLength >= 0) this.#payload.free(r.argsOffset, r.argsLength);
    if (r.stateLength >= 0) this.#payload.free(r.stateOffset, r.stateLength);
    if (r.onAbort !== undefined) r.options.signal?.removeEventListener('abort', r.onAbort);
    this.live--;
    if (this.live === 0) this.onDrained?.();
  }

  /** Every live record that reached the core. */
  all(): TaskRecord[] {
    return this.#records.filter((r): r is TaskRecord => r !== undefined);
  }
}
