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

export interface TaskRecord {
  handle: number;
  readonly kind: number;
  readonly options: ResolvedPoolTaskOptions;
  readonly argsOffset: number;
  readonly argsLength: number;
  stateOffset: number;
  stateLength: number;
  attempt: number;
  /** Times it was terminated to make room for more urgent work (options.maxTerminations). */
  terminations: number;
  /** Time this attempt has run on workers so far, ms (its finished runs; the watchdog adds the current one). */
  ranMs: number;
  /** This attempt ran past its timeoutMs: however its run ends, the attempt fails with TaskTimeoutError. */
  timedOut: boolean;
  /** Settled already (cancelled, or failed for good while a worker still ran it): its outcome is ignored. */
  cancelled: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  onAbort: (() => void) | undefined;
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
