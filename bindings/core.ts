// `Core`: the typed face of one core instance for callers who drive the run
// loop themselves (`timeslice/core`, benchmarks, the VirtualClock). Each
// operation validates every argument before it crosses (NaN must never reach
// the wasm) and turns negative statuses into typed errors; the batch writer
// (batch.ts) does the same for many commands in one crossing. The instance
// itself (instantiation, settings, memory views, renewal, snapshots) is
// core-instance.ts, all a Scheduler's engine needs.
import * as L from './layout.generated.js';
import { InvalidArgumentError, describeValue } from './errors.js';
import { checked, CoreInstance } from './core-instance.js';
import { requireClass, requireHandle, requireNice, requirePositiveMs, requireTimeMs } from './validate.js';
import { CoreBatch } from './batch.js';
import { KIND_CODES, KIND_NAMES, type TaskKind } from './task-kinds.js';

export { CoreInstance, POLICIES, type CoreOptions, type Policy } from './core-instance.js';
export type { TaskKind } from './task-kinds.js';
export type { CoreCounters, TaskSnapshot, TaskState } from './snapshots.js';

export class Core extends CoreInstance {
  #batch: CoreBatch | undefined;

  /** As CoreInstance.renew(); the batch writer is made anew for the fresh instance. */
  override renew(): boolean {
    if (!super.renew()) return false;
    this.#batch = undefined;
    return true;
  }

  /** The fair-policy weight of a nice level (1024 at nice 0). */
  niceWeight(nice: number): number {
    return checked(this.exports.niceWeight(requireNice('nice', nice)), 'niceWeight');
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
    return checked(this.exports.register(nowMs, priorityClass, nice, kindCode, delayMs, periodMs), 'register');
  }

  /** Moves every task due at or before nowMs to the ready heap; how many moved. */
  advance(nowMs: number): number {
    return checked(this.exports.advance(requireTimeMs('nowMs', nowMs)), 'advance');
  }

  /** Takes the next ready task and marks it running: its handle, or 0 if none is ready. */
  pop(nowMs: number): number {
    const handle = this.exports.pop(requireTimeMs('nowMs', nowMs));
    if (handle === L.STATUS_EMPTY) return 0;
    return checked(handle, 'pop');
  }

  /** The earliest due time of a waiting task, or Infinity. */
  nextDueMs(): number {
    return this.exports.nextDue();
  }

  /** Charges run time to a running task; true once its quantum is spent. */
  charge(handle: number, elapsedMs: number): boolean {
    requireHandle(handle);
    return checked(this.exports.charge(handle, requireTimeMs('elapsedMs', elapsedMs)), 'charge') === L.STATUS_SLICE_SPENT;
  }

  /**
   * A running task goes back to the ready heap. keepPlace: ahead of newer tasks
   * with an equal key (a yield); preempted: counted as a preemption.
   */
  requeue(handle: number, nowMs: number, options: { keepPlace?: boolean; preempted?: boolean } = {}): void {
    requireHandle(handle);
    const mode = (options.keepPlace ? L.REQUEUE_KEEP_PLACE : 0) | (options.preempted ? L.REQUEUE_PREEMPTED : 0);
    checked(this.exports.requeue(handle, requireTimeMs('nowMs', nowMs), mode), 'requeue');
  }

  /** A run ended: one-shot tasks end (handle goes stale; returns true), periodic ones are rescheduled unless final. */
  complete(handle: number, nowMs: number, failed = false, final = false): boolean {
    requireHandle(handle);
    const flags = (failed ? L.COMPLETE_FAILED : 0) | (final ? L.COMPLETE_FINAL : 0);
    return checked(this.exports.complete(handle, requireTimeMs('nowMs', nowMs), flags), 'complete') === L.STATUS_ENDED;
  }

  /** charge() then complete() in one crossing. True if the task ended. */
  finish(handle: number, nowMs: number, elapsedMs: number, failed = false, final = false): boolean {
    requireHandle(handle);
    requireTimeMs('nowMs', nowMs);
    requireTimeMs('elapsedMs', elapsedMs);
    const flags = (failed ? L.COMPLETE_FAILED : 0) | (final ? L.COMPLETE_FINAL : 0);
    return checked(this.exports.finish(handle, nowMs, elapsedMs, flags), 'finish') === L.STATUS_ENDED;
  }

  /** A run ended; the task's next run is due at nextDueMs (>= nowMs), as for a cron task. */
  completeAt(handle: number, nowMs: number, nextDueMs: number, failed = false): void {
    requireHandle(handle);
    requireTimeMs('nowMs', nowMs);
    requireTimeMs('nextDueMs', nextDueMs);
    if (nextDueMs < nowMs) throw new InvalidArgumentError(`nextDueMs must not be before nowMs (${nowMs}), received ${describeValue(nextDueMs)}`);
    checked(this.exports.completeAt(handle, nowMs, nextDueMs, failed ? 1 : 0), 'completeAt');
  }

  /** A run failed; the task is due again delayMs after nowMs (its nominal time is kept). */
  retry(handle: number, nowMs: number, delayMs: number): void {
    requireHandle(handle);
    checked(this.exports.retry(handle, requireTimeMs('nowMs', nowMs), requireTimeMs('delayMs', delayMs)), 'retry');
  }

  cancel(handle: number): void {
    checked(this.exports.cancel(requireHandle(handle)), 'cancel');
  }

  setClass(handle: number, priorityClass: number): void {
    requireHandle(handle);
    checked(this.exports.setClass(handle, requireClass('priorityClass', priorityClass)), 'setClass');
  }

  setNice(handle: number, nice: number): void {
    requireHandle(handle);
    checked(this.exports.setNice(handle, requireNice('nice', nice)), 'setNice');
  }

  pause(handle: number): void {
    checked(this.exports.pause(requireHandle(handle)), 'pause');
  }

  resume(handle: number, nowMs: number): void {
    requireHandle(handle);
    checked(this.exports.resume(handle, requireTimeMs('nowMs', nowMs)), 'resume');
  }

  runNow(handle: number, nowMs: number): void {
    requireHandle(handle);
    checked(this.exports.runNow(handle, requireTimeMs('nowMs', nowMs)), 'runNow');
  }

  /** The batch command writer of this core (one per core). */
  batch(): CoreBatch {
    this.#batch ??= new CoreBatch(this);
    return this.#batch;
  }
}
