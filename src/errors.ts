// The error classes live beside the core's status codes (bindings/errors.ts),
// because the bindings are the first to throw them; this is their public home.
export {
  TimesliceError,
  InvalidArgumentError,
  InvalidHandleError,
  StaleHandleError,
  InvalidStateError,
  CoreOutOfMemoryError,
  BatchError,
} from '../bindings/errors.js';

import { defineError } from '../bindings/errors.js';

/**
 * An optional peer dependency that a feature needs is not installed
 * (`better-sqlite3` for the SQLite store, `piscina` for the worker pool).
 * `packageName` says which; the message gives the install command.
 */
export class MissingDependencyError extends defineError('ERR_MISSING_DEPENDENCY', 'MissingDependencyError') {
  constructor(
    readonly packageName: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
