// Every error timeslice throws is a TimesliceError with a stable `code`.
// `X.is(err)` checks the code rather than the prototype, because errors that
// cross a worker boundary arrive as structured clones where instanceof fails.
import {
  STATUS_BAD_ARGUMENT, STATUS_BAD_HANDLE, STATUS_BAD_OPCODE, STATUS_BATCH_TOO_LARGE,
  STATUS_EMPTY, STATUS_NO_MEMORY, STATUS_STALE_HANDLE, STATUS_WRONG_STATE,
} from './layout.generated.js';

export class TimesliceError extends Error {
  readonly code: string = 'ERR_TIMESLICE';
  static is(err: unknown): err is TimesliceError {
    return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string' &&
      (err as { code: string }).code.startsWith('ERR_');
  }
}

/** A TimesliceError subclass with a literal code and a code-checking static is(). */
export function defineError<Code extends string>(code: Code, name: string) {
  return class extends TimesliceError {
    override readonly code: Code = code;
    override readonly name: string = name;
    static override is(err: unknown): err is TimesliceError & { code: Code } {
      return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
    }
  };
}

/** An argument is of the wrong type or out of range. */
export class InvalidArgumentError extends /* @__PURE__ */ defineError('ERR_INVALID_ARGUMENT', 'InvalidArgumentError') {}
/** A number that is not a task handle (never handed out by the core). */
export class InvalidHandleError extends /* @__PURE__ */ defineError('ERR_INVALID_HANDLE', 'InvalidHandleError') {}
/** A handle whose task has ended (completed or cancelled); its slot may hold another task now. */
export class StaleHandleError extends /* @__PURE__ */ defineError('ERR_STALE_HANDLE', 'StaleHandleError') {}
/** The task is not in a state that allows the operation. */
export class InvalidStateError extends /* @__PURE__ */ defineError('ERR_INVALID_STATE', 'InvalidStateError') {}
/** The core's memory cannot grow any further. */
export class CoreOutOfMemoryError extends /* @__PURE__ */ defineError('ERR_CORE_OUT_OF_MEMORY', 'CoreOutOfMemoryError') {}
/** A batch was malformed: unknown opcode, or more commands than the buffer holds. */
export class BatchError extends /* @__PURE__ */ defineError('ERR_BATCH', 'BatchError') {}

/** The error for a negative status the core returned from `operation`. */
export function errorForStatus(status: number, operation: string): TimesliceError {
  const what = `${operation}: `;
  switch (status) {
    case STATUS_BAD_HANDLE: return new InvalidHandleError(`${what}not a task handle`);
    case STATUS_STALE_HANDLE: return new StaleHandleError(`${what}the task has ended (completed or cancelled)`);
    case STATUS_BAD_ARGUMENT: return new InvalidArgumentError(`${what}an argument is out of range`);
    case STATUS_WRONG_STATE: return new InvalidStateError(`${what}the task is not in a state that allows this`);
    case STATUS_EMPTY: return new InvalidStateError(`${what}no task is ready`);
    case STATUS_NO_MEMORY: return new CoreOutOfMemoryError(`${what}the core cannot grow its memory`);
    case STATUS_BAD_OPCODE: return new BatchError(`${what}unknown batch opcode`);
    case STATUS_BATCH_TOO_LARGE: return new BatchError(`${what}batch larger than the command or output buffer`);
    default: return new TimesliceError(`${what}unexpected core status ${status}`);
  }
}

/** "NaN (number)", "'5' (string)": what a bad argument was, for messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `'${value}' (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${String(value)} (${typeof value})`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  return `a value of type ${Array.isArray(value) ? 'array' : typeof value}`;
}

/**
 * A part of timeslice that a browser build loads on demand was used before it
 * was loaded (the WebAssembly core, cron support, durable tasks), or could
 * not be loaded (the .wasm fetch failed). The message says what to await.
 */
export class NotLoadedError extends /* @__PURE__ */ defineError('ERR_NOT_LOADED', 'NotLoadedError') {}

/**
 * The InvalidArgumentError of an argument that is not what is allowed, in the
 * words every check uses: "`name` must be `allowed`, received <value and its
 * type>". Built here once rather than spelled out at each check, so that the
 * template is in a bundle once (every application carries the checks).
 */
export function mustBe(name: string, allowed: string, value: unknown): InvalidArgumentError {
  return new InvalidArgumentError(`${name} must be ${allowed}, received ${describeValue(value)}`);
}
