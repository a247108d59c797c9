// The batch writer: fills the core's command buffer with many operations and
// runs them in one crossing (see assembly/commands.ts). Every argument is
// validated as it is written, exactly as Core's single-call methods do.
//
//   const batch = core.batch();
//   for (const job of jobs) batch.register(job.cls);     // index 0, 1, ...
//   const popped = batch.run(nowMs, 64);                 // one call
//   batch.result(0);   // handle of the first registration (or throws its error)
//   batch.output(0);   // first task to run
import * as L from './layout.generated.js';
import { BatchError, errorForStatus, mustBe } from './errors.js';
import type { CoreExports } from './load.js';
import { KIND_CODES, type TaskKind } from './task-kinds.js';
import { requireClass, requireHandle, requireNice, requirePositiveMs, requireTimeMs } from './validate.js';

/** What a batch needs of its Core (an interface, so that batch.ts does not import core.ts, which makes batches). */
export interface BatchHost {
  readonly exports: Pick<CoreExports, 'commandBufferPtr' | 'outputBufferPtr' | 'runBatch'>;
  views(): { u32: Uint32Array; f64: Float64Array };
}

export class CoreBatch {
  readonly #core: BatchHost;
  /** Addresses of the command and output buffers: static data, fixed for the instance's life. */
  readonly #commands: number;
  readonly #outputs: number;
  // Views over the wasm memory, taken once and again after every run(): a batch
  // grows the memory only while it runs. A Core method called between two
  // writes may grow it too, which detaches these views (their length drops to
  // 0), so #views() checks that one number instead of asking Core per command.
  #u32: Uint32Array;
  #f64: Float64Array;
  #count = 0;
  #ran = 0;
  #popped = 0;

  constructor(core: BatchHost) {
    this.#core = core;
    this.#commands = core.exports.commandBufferPtr();
    this.#outputs = core.exports.outputBufferPtr();
    const { u32, f64 } = core.views();
    this.#u32 = u32;
    this.#f64 = f64;
  }

  #refreshViews(): void {
    const { u32, f64 } = this.#core.views();
    this.#u32 = u32;
    this.#f64 = f64;
  }

  /** The float view, rebuilt only if memory grew since it was taken. */
  #views(): Float64Array {
    if (this.#f64.length === 0) this.#refreshViews();
    return this.#f64;
  }

  /** Commands written and not yet run. */
  get length(): number {
    return this.#count;
  }

  /** Room left before run() must be called. */
  get remaining(): number {
    return L.CMD_CAPACITY - this.#count;
  }

  #write(op: number, arg: number, a: number, b: number): number {
    if (this.#count >= L.CMD_CAPACITY) throw new BatchError(`batch is full (${L.CMD_CAPACITY} commands): call run() first`);
    const f64 = this.#views();
    const u32 = this.#u32;
    const index = this.#count++;
    const record = this.#commands + index * L.CMD_STRIDE;
    u32[(record + L.CMD_OP) >>> 2] = op;
    u32[(record + L.CMD_ARG) >>> 2] = arg;
    f64[(record + L.CMD_A) >>> 3] = a;
    f64[(record + L.CMD_B) >>> 3] = b;
    return index;
  }

  register(priorityClass = L.CLASS_NORMAL, nice = 0, kind: TaskKind = 'once', delayMs = 0, periodMs = 0): number {
    const kindCode = KIND_CODES[kind];
    if (kindCode === undefined || !Object.hasOwn(KIND_CODES, kind)) {
      throw mustBe('kind', `one of ${Object.keys(KIND_CODES).join(', ')}`, kind);
    }
    requireClass('priorityClass', priorityClass);
    requireNice('nice', nice);
    requireTimeMs('delayMs', delayMs);
    if (kindCode === L.KIND_ONCE) requireTimeMs('periodMs', periodMs);
    else requirePositiveMs('periodMs', periodMs);
    const arg = priorityClass | (kindCode << 8) | ((nice - L.NICE_MIN) << 16);
    return this.#write(L.OP_REGISTER, arg, delayMs, periodMs);
  }

  cancel(handle: number): number {
    return this.#write(L.OP_CANCEL, 0, requireHandle(handle), 0);
  }

  setClass(handle: number, priorityClass: number): number {
    requireHandle(handle);
    return this.#write(L.OP_SET_CLASS, requireClass('priorityClass', priorityClass), handle, 0);
  }

  setNice(handle: number, nice: number): number {
    requireHandle(handle);
    return this.#write(L.OP_SET_NICE, requireNice('nice', nice) - L.NICE_MIN, handle, 0);
  }

  charge(handle: number, elapsedMs: number): number {
    requireHandle(handle);
    return this.#write(L.OP_CHARGE, 0, handle, requireTimeMs('elapsedMs', elapsedMs));
  }

  complete(handle: number, failed = false, final = false): number {
    const flags = (failed ? L.COMPLETE_FAILED : 0) | (final ? L.COMPLETE_FINAL : 0);
    return this.#write(L.OP_COMPLETE, flags, requireHandle(handle), 0);
  }

  requeue(handle: number, options: { keepPlace?: boolean; preempted?: boolean } = {}): number {
    const mode = (options.keepPlace ? L.REQUEUE_KEEP_PLACE : 0) | (options.preempted ? L.REQUEUE_PREEMPTED : 0);
    return this.#write(L.OP_REQUEUE, mode, requireHandle(handle), 0);
  }

  retry(handle: number, delayMs: number): number {
    requireHandle(handle);
    return this.#write(L.OP_RETRY, 0, handle, requireTimeMs('delayMs', delayMs));
  }

  pause(handle: number): number {
    return this.#write(L.OP_PAUSE, 0, requireHandle(handle), 0);
  }

  resume(handle: number): number {
    return this.#write(L.OP_RESUME, 0, requireHandle(handle), 0);
  }

  runNow(handle: number): number {
    return this.#write(L.OP_RUN_NOW, 0, requireHandle(handle), 0);
  }

  /**
   * Runs every written command at nowMs, releases due timers and pops up to
   * maxOut ready tasks (read them with output(i)). Returns how many were popped.
   */
  run(nowMs: number, maxOut = 0): number {
    requireTimeMs('nowMs', nowMs);
    if (!Number.isInteger(maxOut) || maxOut < 0 || maxOut > L.OUT_CAPACITY) {
      throw mustBe('maxOut', `an integer from 0 to ${L.OUT_CAPACITY}`, maxOut);
    }
    const count = this.#count;
    this.#count = 0;
    const popped = this.#core.exports.runBatch(count, nowMs, maxOut);
    this.#refreshViews();
    if (popped < 0) throw errorForStatus(popped, 'batch.run');
    this.#ran = count;
    this.#popped = popped;
    return popped;
  }

  /** The raw answer of command i of the last run: a handle, or a status (negative = refused). */
  rawResult(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#ran) {
      throw mustBe('index', `an integer from 0 to ${this.#ran - 1}`, index);
    }
    return this.#views()[(this.#commands + index * L.CMD_STRIDE + L.CMD_RESULT) >>> 3] as number;
  }

  /** The answer of command i of the last run; throws the typed error if it was refused. */
  result(index: number): number {
    const value = this.rawResult(index);
    if (value < 0) throw errorForStatus(value, 'batch command');
    return value;
  }

  /** Handle i of the tasks the last run popped. */
  output(index: number): number {
    if (!Number.isInteger(index) || index < 0 || index >= this.#popped) {
      throw mustBe('index', `an integer from 0 to ${this.#popped - 1}`, index);
    }
    return this.#views()[(this.#outputs >>> 3) + index] as number;
  }
}
