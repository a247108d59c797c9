// Errors of durable scheduling (the stores' own errors, StoreFullError,
// StoreCorruptError and UnstorablePayloadError among them, are in
// src/store/errors.ts and exported beside these).
import { defineError } from '../../bindings/errors.js';

/**
 * A persisted task names a function that no `define(name, fn)` registered.
 * Its record is left exactly as it was: defining the function later (in this
 * process or the next) runs it.
 */
export class FunctionNotDefinedError extends defineError('ERR_FUNCTION_NOT_DEFINED', 'FunctionNotDefinedError') {
  readonly functionName: string;
  /** The task naming it, when a task was being loaded. */
  readonly taskId: string | undefined;
  constructor(functionName: string, taskId?: string) {
    super(
      `${taskId === undefined ? '' : `task '${taskId}': `}no function is defined as '${functionName}': ` +
        `call scheduler.define('${functionName}', fn) before start() (the task's record is kept as it was)`,
    );
    this.functionName = functionName;
    this.taskId = taskId;
  }
}

/** A durable operation (define, schedule, history...) on a Scheduler made without a `store` option. */
export class NoStoreError extends defineError('ERR_NO_STORE', 'NoStoreError') {}
