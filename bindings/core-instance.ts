// `CoreInstance`: one instance of the WebAssembly core as a scheduler engine
// holds it: instantiated on the embedded (or a given) module, its settings
// (policy, quantum, class deadlines), views over its memory that are rebuilt
// whenever the wasm memory has grown (growth detaches the old ArrayBuffer),
// renewal, and the reads of the task table (one 64-byte row per task, see
// assembly/layout.ts) and counters (snapshots.ts). The engine drives the
// core through the raw exports on its hot paths; the validated operation
// per call (register, pop, complete...) and the batch writer are the public
// `Core`'s (core.ts), which an application that only uses Scheduler does not
// carry (test/dist/size.test.ts).
import * as L from './layout.generated.js';
import { errorForStatus, InvalidArgumentError, describeValue } from './errors.js';
import { type CoreExports, embeddedModule, instantiateCore } from './load.js';
import { slotOfHandle } from './handles.js';
import { requireClass, requireHandle, requirePositiveMs, requireTimeMs } from './validate.js';
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

/** A status the core returned, or the typed error of a negative one. */
export function checked(status: number, operation: string): number {
  if (status < 0) throw errorForStatus(status, operation);
  return status;
}

export class CoreInstance {
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
    // A fresh core's ids must start above every one handed out: none left (after some 5e8 reuses of one slot), none renewed.
    const high = old.highestGeneration();
    if (high >= L.MAX_GENERATION) return false;
    const { f64 } = this.views();
    const countersAt = old.countersPtr() >>> 3;
    const counters = f64.slice(countersAt, countersAt + L.COUNTER_COUNT);
    const fresh = instantiateCore(this.#module);
    checked(fresh.init(), 'renew');
    checked(fresh.setFirstGeneration(high + 1), 'renew');
    checked(fresh.setPolicy(this.#settings.policy), 'renew');
    if (this.#settings.quantumMs !== undefined) checked(fresh.setQuantum(this.#settings.quantumMs), 'renew');
    for (const [cls, ms] of this.#settings.deadlinesMs) checked(fresh.setClassDeadline(cls, ms), 'renew');
    new Float64Array(fresh.memory.buffer, fresh.countersPtr(), L.COUNTER_COUNT).set(counters);
    Object.assign(old, fresh);
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

  get policy(): Policy {
    return POLICIES[this.#wasm.getPolicy()] as Policy;
  }

  setPolicy(policy: Policy): void {
    const code = POLICY_CODES[policy];
    if (code === undefined || !Object.hasOwn(POLICY_CODES, policy)) {
      throw new InvalidArgumentError(`policy must be one of ${POLICIES.join(', ')}, received ${describeValue(policy)}`);
    }
    checked(this.#wasm.setPolicy(code), 'setPolicy');
    this.#settings.policy = code;
  }

  setQuantum(quantumMs: number): void {
    checked(this.#wasm.setQuantum(requirePositiveMs('quantumMs', quantumMs)), 'setQuantum');
    this.#settings.quantumMs = quantumMs;
  }

  setClassDeadline(priorityClass: number, deadlineMs: number): void {
    checked(this.#wasm.setClassDeadline(requireClass('priorityClass', priorityClass), requireTimeMs('deadlineMs', deadlineMs)), 'setClassDeadline');
    this.#settings.deadlinesMs.set(priorityClass, deadlineMs);
  }


  /** The handle pop() would return, or 0. */
  peek(): number {
    const handle = this.#wasm.peek();
    return handle === L.STATUS_EMPTY ? 0 : handle;
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

  /** The priority class of a live task (no validation: for hot paths that hold a live handle). */
  priorityClassOf(handle: number): number {
    const { u8 } = this.views();
    return u8[taskFieldAddress(this.#wasm.columnBaseOf(L.COL_TASKS), slotOfHandle(handle), L.FIELD_CLASS)] as number;
  }

  /** The task's state; throws StaleHandleError once it has ended. */
  state(handle: number): TaskState {
    const code = checked(this.#wasm.taskState(requireHandle(handle)), 'state');
    return STATE_NAMES[code] as TaskState;
  }

  /** How many ready tasks would run before this ready task (O(n)). */
  readyRank(handle: number): number {
    return checked(this.#wasm.readyRank(requireHandle(handle)), 'readyRank');
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

}
