// `Core`: the typed face of one core instance. It validates every argument
// before it crosses (NaN must never reach the wasm), turns negative statuses
// into typed errors, and reads the task table (one 64-byte row per task, see
// assembly/layout.ts) through views that are rebuilt whenever the wasm memory
// has grown (growth detaches the old ArrayBuffer). Reading a task row or the
// counters into a plain object is snapshots.ts.
import * as L from './layout.generated.js';
import { errorForStatus, InvalidArgumentError, describeValue } from './errors.js';
import { type CoreExports, embeddedModule, instantiateCore } from './load.js';
import { slotOfHandle } from './handles.js';
import { requireClass, requireHandle, requireNice, requirePositiveMs, requireTimeMs } from './validate.js';
import { CoreBatch } from './batch.js';
import { KIND_CODES, KIND_NAMES, type TaskKind } from './task-kinds.js';

export type { TaskKind } from './task-kinds.js';
export type { CoreCounters, TaskSnapshot, TaskState } from './snapshots.js';
import { taskFieldAddress } from './columns.js';
import { type CoreCounters, readCounters, readSnapshot, type TaskSnapshot, type TaskState } from './snapshots.js';

export type Policy = 'deadline' | 'priority' | 'fair' | 'round-robin';

export const POLICIES: readonly Policy[] = Object.freeze(['deadline', 'priority', 'fair', 'round-robin']);
const POLICY_CODES: Readonly<Record<Policy, number>> = Object.freeze({
  deadline: L.POLICY_DEADLINE,
  priority: L.POLICY_PRIORITY,
  fair: L.POLICY_FAIR,
  'round-robin': L.POLICY_ROUND_ROBIN,
});
const STATE_NAMES: Readonly<Record<number, TaskState>> = Object.freeze({
  [L.STATE_WAITING]: 'waiting',
  [L.STATE_READY]: 'ready',
  [L.STATE_RUNNING]: 'running',
  [L.STATE_PAUSED]: 'paused',
});

export interface CoreOptions {
  /** A compiled core module (the debug build, say). @default the embedded release build */
  module?: WebAssembly.Module;
  /** The memory of a module built with an imported memory (the shared build: bindings/shared.ts). */
  memory?: WebAssembly.Memory;
  /**
   * Attach to a memory another instance has initialised (a pool worker): do
   * not call init(), which would empty the core under every other instance.
   * @default false
   */
  attach?: boolean;
}


export class Core {
  /**
   * The raw exports: a plain object of our own (not the instance's frozen
   * one), so that renew() can point it at a fresh instance while every part
   * that holds it keeps holding the same object.
   */
  readonly #wasm: CoreExports;
  readonly #module: WebAssembly.Module;
  /** Built on a memory of someone else's (the pool's shared memory): never renewed. */
  readonly #sharedMemory: boolean;
  /** What the setters were given, applied again to a renewed instance. */
  readonly #settings: { policy: number; quantumMs: number | undefined; deadlinesMs: Map<number, number> } = {
    policy: L.POLICY_DEADLINE,
    quantumMs: undefined,
    deadlinesMs: new Map(),
  };
  /** Memory of a fresh instance, bytes. */
  readonly #freshBytes: number;
  #buffer: ArrayBuffer | SharedArrayBuffer;
  #u8: Uint8Array;
  #u32: Uint32Array;
  #f64: Float64Array;
  #batch: CoreBatch | undefined;

  constructor(options: CoreOptions = {}) {
    this.#module = options.module ?? embeddedModule();
    this.#sharedMemory = options.memory !== undefined;
    this.#wasm = { ...instantiateCore(this.#module, options.memory) };
    if (options.attach !== true) {
      const status = this.#wasm.init();
      if (status < 0) throw errorForStatus(status, 'Core');
    }
    this.#freshBytes = this.memoryBytes;
    this.#buffer = this.#wasm.memory.buffer;
    this.#u8 = new Uint8Array(this.#buffer);
    this.#u32 = new Uint32Array(this.#buffer);
    this.#f64 = new Float64Array(this.#buffer);
  }

  /** The raw exports, for benchmarks and the batch writer. No validation: NaN traps. */
  get exports(): CoreExports {
    return this.#wasm;
  }

  /** Bytes of wasm memory in use (the whole linear memory). */
  get memoryBytes(): number {
    return this.#wasm.memory.buffer.byteLength;
  }

  /** Bytes of wasm memory beyond what a fresh core holds: what renew() would give back. */
  get surplusBytes(): number {
    return this.memoryBytes - this.#freshBytes;
  }

  /** Tasks the core holds (registered and not ended). */
  get liveTasks(): number {
    const { f64 } = this.views();
    return f64[(this.#wasm.countersPtr() >>> 3) + L.COUNTER_LIVE] as number;
  }

  /**
   * Gives the core's memory back (a wasm memory never shrinks): when it holds
   * no task, replaces the wasm instance by a fresh one with the same policy,
   * quantum and class deadlines, the same counters, and task ids above every
   * one handed out so far, so that no handle of a task that ended ever names
   * a new one. `exports` stays the same object. False (nothing done) while a
   * task lives.
   */
  renew(): boolean {
    if (this.#sharedMemory) throw new InvalidArgumentError('renew: a core on a shared memory cannot be renewed');
    if (this.liveTasks !== 0) return false;
    const old = this.#wasm;
    const { f64 } = this.views();
    const countersAt = old.countersPtr() >>> 3;
    const counters = f64.slice(countersAt, countersAt + L.COUNTER_COUNT);
    const high = old.highestGeneration();
    const fresh = instantiateCore(this.#module);
    this.#check(fresh.init(), 'renew');
    this.#check(fresh.setFirstGeneration(high >= L.MAX_GENERATION ? 1 : high + 1), 'renew');
    this.#check(fresh.setPolicy(this.#settings.policy), 'renew');
    if (this.#settings.quantumMs !== undefined) this.#check(fresh.setQuantum(this.#settings.quantumMs), 'renew');
    for (const [cls, ms] of this.#settings.deadlinesMs) this.#check(fresh.setClassDeadline(cls, ms), 'renew');
    new Float64Array(fresh.memory.buffer, fresh.countersPtr(), L.COUNTER_COUNT).set(counters);
    Object.assign(old, fresh);
    this.#batch = undefined;
    // Drops the views of the old memory, so nothing of ours keeps it alive.
    this.views();
    return true;
  }

  /** Views over the current memory; rebuilt after growth. */
  views(): { u8: Uint8Array; u32: Uint32Array; f64: Float64Array } {
    if (this.#buffer !== this.#wasm.memory.buffer) {
      this.#buffer = this.#wasm.memory.buffer;
      this.#u8 = new Uint8Array(this.#buffer);
      this.#u32 = new Uint32Array(this.#buffer);
      this.#f64 = new Float64Array(this.#buffer);
    }
    return { u8: this.#u8, u32: this.#u32, f64: this.#f64 };
  }

  #check(status: number, operation: string): number {
    if (status < 0) throw errorForStatus(status, operation);
    return status;
  }

  get policy(): Policy {
    return POLICIES[this.#wasm.getPolicy()] as Policy;
  }

  setPolicy(policy: Policy): void {
    const code = POLICY_CODES[policy];
    if (code === undefined || !Object.hasOwn(POLICY_CODES, policy)) {
      throw new InvalidArgumentError(`policy must be one of ${POLICIES.join(', ')}, received ${describeValue(policy)}`);
    }
    this.#check(this.#wasm.setPolicy(code), 'setPolicy');
    this.#settings.policy = code;
  }

  setQuantum(quantumMs: number): void {
    this.#check(this.#wasm.setQuantum(requirePositiveMs('quantumMs', quantumMs)), 'setQuantum');
    this.#settings.quantumMs = quantumMs;
  }

  setClassDeadline(priorityClass: number, deadlineMs: number): void {
    this.#check(this.#wasm.setClassDeadline(requireClass('priorityClass', priorityClass), requireTimeMs('deadlineMs', deadlineMs)), 'setClassDeadline');
    this.#settings.deadlinesMs.set(priorityClass, deadlineMs);
  }

  /** The fair-policy weight of a nice level (1024 at nice 0). */
  niceWeight(nice: number): number {
    return this.#check(this.#wasm.niceWeight(requireNice('nice', nice)), 'niceWeight');
  }

  /**
   * A new task, ready now (delayMs 0) or due at nowMs + delayMs. Periodic kinds
   * need periodMs > 0. Returns its handle.
   */
  register(nowMs: number, priorityClass = L.CLASS_NORMAL, nice = 0, kind: TaskKind = 'once', delayMs = 0, periodMs = 0): number {
    const kindCode = KIND_CODES[kind];
    if (kindCode === undefined || !Object.hasOwn(KIND_CODES, kind)) {
      throw new InvalidArgumentError(`kind must be one of ${KIND_NAMES.join(', ')}, received ${describeValue(kind)}`);
    }
    requireTimeMs('nowMs', nowMs);
    requireClass('priorityClass', priorityClass);
    requireNice('nice', nice);
    requireTimeMs('delayMs', delayMs);
    if (kindCode === L.KIND_ONCE) requireTimeMs('periodMs', periodMs);
    else requirePositiveMs('periodMs', periodMs);
    return this.#check(this.#wasm.register(nowMs, priorityClass, nice, kindCode, delayMs, periodMs), 'register');
  }

  /** Moves every task due at or before nowMs to the ready heap; how many moved. */
  advance(nowMs: number): number {
    return this.#check(this.#wasm.advance(requireTimeMs('nowMs', nowMs)), 'advance');
  }

  /** Takes the next ready task and marks it running: its handle, or 0 if none is ready. */
  pop(nowMs: number): number {
    const handle = this.#wasm.pop(requireTimeMs('nowMs', nowMs));
    if (handle === L.STATUS_EMPTY) return 0;
    return this.#check(handle, 'pop');
  }

  /** The handle pop() would return, or 0. */
  peek(): number {
    const handle = this.#wasm.peek();
    return handle === L.STATUS_EMPTY ? 0 : handle;
  }

  /** The earliest due time of a waiting task, or Infinity. */
  nextDueMs(): number {
    return this.#wasm.nextDue();
  }

  /** Charges run time to a running task; true once its quantum is spent. */
  charge(handle: number, elapsedMs: number): boolean {
    requireHandle(handle);
    return this.#check(this.#wasm.charge(handle, requireTimeMs('elapsedMs', elapsedMs)), 'charge') === L.STATUS_SLICE_SPENT;
  }

  /**
   * A running task goes back to the ready heap. keepPlace: ahead of newer tasks
   * with an equal key (a yield); preempted: counted as a preemption.
   */
  requeue(handle: number, nowMs: number, options: { keepPlace?: boolean; preempted?: boolean } = {}): void {
    requireHandle(handle);
    const mode = (options.keepPlace ? L.REQUEUE_KEEP_PLACE : 0) | (options.preempted ? L.REQUEUE_PREEMPTED : 0);
    this.#check(this.#wasm.requeue(handle, requireTimeMs('nowMs', nowMs), mode), 'requeue');
  }

  /** A run ended: one-shot tasks end (handle goes stale; returns true), periodic ones are rescheduled unless final. */
  complete(handle: number, nowMs: number, failed = false, final = false): boolean {
    requireHandle(handle);
    const flags = (failed ? L.COMPLETE_FAILED : 0) | (final ? L.COMPLETE_FINAL : 0);
    return this.#check(this.#wasm.complete(handle, requireTimeMs('nowMs', nowMs), flags), 'complete') === L.STATUS_ENDED;
  }

  /** charge() then complete() in one crossing. True if the task ended. */
  finish(handle: number, nowMs: number, elapsedMs: number, failed = false, final = false): boolean {
    requireHandle(handle);
    requireTimeMs('nowMs', nowMs);
    requireTimeMs('elapsedMs', elapsedMs);
    const flags = (failed ? L.COMPLETE_FAILED : 0) | (final ? L.COMPLETE_FINAL : 0);
    return this.#check(this.#wasm.finish(handle, nowMs, elapsedMs, flags), 'finish') === L.STATUS_ENDED;
  }

  /** The live task's handle in a slot, or 0 if the slot is free (for listing every task). */
  handleOfSlot(slot: number): number {
    const { u8, u32 } = this.views();
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.#capacity(L.GROUP_TABLE)) return 0;
    const tasks = this.#wasm.columnBaseOf(L.COL_TASKS);
    if (u8[taskFieldAddress(tasks, slot, L.FIELD_STATE)] === L.STATE_FREE) return 0;
    return (u32[taskFieldAddress(tasks, slot, L.FIELD_GEN) >>> 2] as number) * 2 ** L.HANDLE_SLOT_BITS + slot;
  }

  #capacity(group: number): number {
    const { u32 } = this.views();
    return u32[(this.#wasm.groupCapacitiesPtr() >>> 2) + group] as number;
  }

  /** Slots below this may hold live tasks (the table's capacity). */
  get slotCapacity(): number {
    return this.#capacity(L.GROUP_TABLE);
  }

  /** A run ended; the task's next run is due at nextDueMs (>= nowMs), as for a cron task. */
  completeAt(handle: number, nowMs: number, nextDueMs: number, failed = false): void {
    requireHandle(handle);
    requireTimeMs('nowMs', nowMs);
    requireTimeMs('nextDueMs', nextDueMs);
    if (nextDueMs < nowMs) throw new InvalidArgumentError(`nextDueMs must not be before nowMs (${nowMs}), received ${describeValue(nextDueMs)}`);
    this.#check(this.#wasm.completeAt(handle, nowMs, nextDueMs, failed ? 1 : 0), 'completeAt');
  }

  /** The priority class of a live task (no validation: for hot paths that hold a live handle). */
  priorityClassOf(handle: number): number {
    const { u8 } = this.views();
    return u8[taskFieldAddress(this.#wasm.columnBaseOf(L.COL_TASKS), slotOfHandle(handle), L.FIELD_CLASS)] as number;
  }

  /** A run failed; the task is due again delayMs after nowMs (its nominal time is kept). */
  retry(handle: number, nowMs: number, delayMs: number): void {
    requireHandle(handle);
    this.#check(this.#wasm.retry(handle, requireTimeMs('nowMs', nowMs), requireTimeMs('delayMs', delayMs)), 'retry');
  }

  cancel(handle: number): void {
    this.#check(this.#wasm.cancel(requireHandle(handle)), 'cancel');
  }

  setClass(handle: number, priorityClass: number): void {
    requireHandle(handle);
    this.#check(this.#wasm.setClass(handle, requireClass('priorityClass', priorityClass)), 'setClass');
  }

  setNice(handle: number, nice: number): void {
    requireHandle(handle);
    this.#check(this.#wasm.setNice(handle, requireNice('nice', nice)), 'setNice');
  }

  pause(handle: number): void {
    this.#check(this.#wasm.pause(requireHandle(handle)), 'pause');
  }

  resume(handle: number, nowMs: number): void {
    requireHandle(handle);
    this.#check(this.#wasm.resume(handle, requireTimeMs('nowMs', nowMs)), 'resume');
  }

  runNow(handle: number, nowMs: number): void {
    requireHandle(handle);
    this.#check(this.#wasm.runNow(handle, requireTimeMs('nowMs', nowMs)), 'runNow');
  }

  /** The task's state; throws StaleHandleError once it has ended. */
  state(handle: number): TaskState {
    const code = this.#check(this.#wasm.taskState(requireHandle(handle)), 'state');
    return STATE_NAMES[code] as TaskState;
  }

  /** How many ready tasks would run before this ready task (O(n)). */
  readyRank(handle: number): number {
    return this.#check(this.#wasm.readyRank(requireHandle(handle)), 'readyRank');
  }

  /** Everything the core knows about one live task (snapshots.ts). */
  snapshot(handle: number): TaskSnapshot {
    const state = this.state(handle);
    return readSnapshot(this.#wasm, this.views(), handle, state);
  }

  /** A copy of the global counters (snapshots.ts). */
  counters(): CoreCounters {
    return readCounters(this.#wasm, this.views().f64);
  }

  /** The batch command writer of this core (one per core). */
  batch(): CoreBatch {
    this.#batch ??= new CoreBatch(this);
    return this.#batch;
  }
}

