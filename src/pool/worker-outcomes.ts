// The outcomes a worker thread has not posted yet, and the errors of runs
// that cannot be reported as they are.
//
// A worker reports the outcomes of a batch in one message (worker.ts): four
// numbers per task (handle, dispatch number, OUT_* code, runtime ms) and its
// value (the result, or the error as ErrorData). postMessage clones the whole
// message or throws and sends nothing, so one result that cannot be cloned (a
// function, a class instance with private state) must not take the batch
// down with it: the batch is then posted task by task, and a value that
// cannot go becomes that task's OUT_UNCLONEABLE outcome. The worker goes on.
import type { MessagePort } from 'node:worker_threads';
import { PoolTaskCancelledError, TaskTimeoutError, UncloneableError } from './errors.js';
import type { Run } from './context.js';
import { errorData, type FromWorker, OUT_UNCLONEABLE } from './protocol.js';

/** The error of a value that cannot be sent to the main thread. */
export function uncloneable(what: string, err: unknown): UncloneableError {
  return new UncloneableError(`${what} cannot be sent to the main thread: ${(err as Error)?.message ?? String(err)}`);
}

/** The run is asked to stop for good: its ctx.signal aborts (now, or when the task first reads it). */
export function abortRun(run: Run, reason: 'cancelled' | 'timeout'): void {
  if (run.abortReason !== undefined) return;
  run.abortReason = reason === 'timeout' ? new TaskTimeoutError('the task ran past its timeoutMs') : new PoolTaskCancelledError('the task was cancelled');
  run.controller?.abort(run.abortReason);
}

/** Outcomes buffered before a flush is forced: a batch's worth and more (a worker flushes every round). */
const CAPACITY = 256;

export class OutcomeBuffer {
  readonly #port: MessagePort;
  /** Four numbers per outcome, reused: postMessage copies what it sends. */
  readonly #numbers = new Float64Array(4 * CAPACITY);
  readonly #values: unknown[] = [];

  constructor(port: MessagePort) {
    this.#port = port;
  }

  push(handle: number, dispatch: number, code: number, runtimeMs: number, value: unknown): void {
    const count = this.#values.length;
    if (count === CAPACITY) {
      this.flush();
      this.push(handle, dispatch, code, runtimeMs, value);
      return;
    }
    const numbers = this.#numbers;
    numbers[4 * count] = handle;
    numbers[4 * count + 1] = dispatch;
    numbers[4 * count + 2] = code;
    numbers[4 * count + 3] = runtimeMs;
    this.#values.push(value);
  }

  /** Posts what is buffered, in one message if every value can be cloned. */
  flush(): void {
    const values = this.#values;
    const count = values.length;
    if (count === 0) return;
    const numbers = this.#numbers;
    try {
      this.#post({ t: 'results', n: numbers.slice(0, 4 * count), v: values });
    } catch {
      for (let v = 0; v < count; v++) {
        const n = numbers.slice(v * 4, v * 4 + 4);
        try {
          this.#post({ t: 'results', n, v: [values[v]] });
        } catch (err) {
          n[2] = OUT_UNCLONEABLE;
          this.#post({ t: 'results', n, v: [errorData(uncloneable("the task's result", err))] });
        }
      }
    }
    values.length = 0;
  }

  #post(message: FromWorker): void {
    this.#port.postMessage(message);
  }
}
