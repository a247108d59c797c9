// What becomes of a task when a worker reports how its run ended, and of a
// failed attempt: the main thread's half of a task's life after dispatch.
//
// Workers post outcomes in batches (worker.ts): handle, dispatch number, code,
// runtime, and a value. An outcome whose dispatch number is not the task's
// current one belongs to a run that was already recovered (its thread was
// terminated or died) and is ignored, so every task ends exactly once. Under
// the lock: end the task in the core, requeue it (a yield), or schedule its
// retry; after the lock: settle the promises, wake workers, arm the due timer.
import * as L from '../../bindings/layout.generated.js';
import { retryDelayMs } from '../tasks/retry.js';
import { TaskError, TaskTimeoutError, UncloneableError } from './errors.js';
import type { PoolParts } from './pool-parts.js';
import * as P from './protocol.js';
import type { TaskRecord } from './task-record.js';

export interface OutcomesHost extends PoolParts {
  now(): number;
  wake(cls: number, count: number): void;
}

/** The error of an attempt that ran past its timeoutMs. */
export function timeoutError(r: TaskRecord): TaskTimeoutError {
  return new TaskTimeoutError(`the task ran past its timeoutMs (${r.options.timeoutMs} ms) on attempt ${r.attempt}`);
}

export class Outcomes {
  readonly #host: OutcomesHost;
  #dueTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(host: OutcomesHost) {
    this.#host = host;
  }

  /** A worker's batch of outcomes (P.FromWorker 'results'). */
  onResults(numbers: Float64Array | number[], values: unknown[]): void {
    const { w, book, control, counters, events } = this.#host;
    // Settled after the lock is released: the tasks that returned (with the index of their value), and the failures.
    const returned: TaskRecord[] = [];
    const returnedAt: number[] = [];
    let failed: Array<[TaskRecord, unknown]> | undefined;
    let requeued = 0;
    let retried = false;
    control.lock();
    const now = this.#host.now();
    for (let i = 0, v = 0; i < numbers.length; i += 4, v++) {
      const handle = numbers[i] as number;
      const r = book.current(handle, numbers[i + 1] as number);
      if (r === undefined) {
        counters.staleOutcomes++;
        continue;
      }
      const code = numbers[i + 2] as number;
      let error: unknown;
      if (r.cancelled) {
        w.complete(handle, now, L.COMPLETE_FINAL);
        book.release(r);
        continue;
      }
      if (r.timedOut) {
        error = timeoutError(r);
      } else if (code === P.OUT_RETURNED) {
        w.complete(handle, now, 0);
        book.release(r);
        counters.completed++;
        returned.push(r);
        returnedAt.push(v);
        continue;
      } else if (code === P.OUT_YIELDED) {
        r.ranMs += numbers[i + 3] as number;
        w.requeue(handle, now, L.REQUEUE_PREEMPTED);
        counters.yields++;
        requeued++;
        events.defer('yield', { task: handle, attempt: r.attempt, atMs: now });
        continue;
      } else if (code === P.OUT_UNCLONEABLE) {
        // Not retried: the same task would make the same value again.
        w.complete(handle, now, L.COMPLETE_FAILED);
        book.release(r);
        (failed ??= []).push([r, new UncloneableError((values[v] as P.ErrorData).message)]);
        continue;
      } else {
        const data = values[v] as P.ErrorData;
        error = new TaskError(data.message, data.name, data.code, data.stack);
      }
      if (this.retry(r, now, error)) retried = true;
      else (failed ??= []).push([r, error]);
    }
    control.unlock();
    events.flush();
    for (let i = 0; i < returned.length; i++) (returned[i] as TaskRecord).resolve(values[returnedAt[i] as number]);
    if (failed !== undefined) for (const [r, error] of failed) this.fail(r, error);
    if (requeued > 0) this.#host.wake(L.CLASS_COUNT - 1, requeued);
    if (retried) this.armDueTimer();
  }

  /** Under the lock: retries the failed attempt if the policy allows (true), else ends the task in the core (false). Its event is deferred (events.flush()). */
  retry(r: TaskRecord, nowMs: number, error: unknown): boolean {
    const { w, book, counters, events } = this.#host;
    const retry = r.options.retry;
    if (r.attempt < retry.attempts) {
      book.nextAttempt(r);
      w.retry(r.handle, nowMs, retryDelayMs(retry, r.attempt, Math.random));
      counters.retries++;
      events.defer('retry', { task: r.handle, attempt: r.attempt, error, atMs: nowMs });
      return true;
    }
    w.complete(r.handle, nowMs, L.COMPLETE_FAILED);
    book.release(r);
    return false;
  }

  /** Rejects a task that failed for good (after the lock is released). */
  fail(r: TaskRecord, error: unknown): void {
    this.#host.counters.failed++;
    this.#host.events.emit('fail', { task: r.handle, error, atMs: this.#host.now() });
    r.reject(error);
  }

  /** Arms the one timer for the earliest retry due. */
  armDueTimer(): void {
    if (this.#dueTimer !== undefined) clearTimeout(this.#dueTimer);
    const { w, control } = this.#host;
    const due = w.nextDue();
    if (due === Number.POSITIVE_INFINITY) return;
    this.#dueTimer = setTimeout(
      () => {
        this.#dueTimer = undefined;
        control.lock();
        const moved = w.advance(this.#host.now());
        control.unlock();
        if (moved > 0) this.#host.wake(L.CLASS_COUNT - 1, moved);
        this.armDueTimer();
      },
      Math.max(0, Math.ceil(due - this.#host.now())),
    );
  }

  stop(): void {
    if (this.#dueTimer !== undefined) clearTimeout(this.#dueTimer);
    this.#dueTimer = undefined;
  }
}
