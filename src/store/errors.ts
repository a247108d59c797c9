// Errors of the persistence stores. Same pattern as bindings/errors.ts: a
// literal `code`, and a static `is()` that checks the code, so a clone that
// crossed a worker boundary is still recognised.
import { defineError } from '../../bindings/errors.js';
import type { LeaseHolder } from './lease.js';

/**
 * The database file is not a database this store can read: a garbage header,
 * a truncated file, another kind of file, or pages SQLite reports malformed.
 * The file is left exactly as it was: never replaced by an empty database.
 */
export class StoreCorruptError extends /* @__PURE__ */ defineError('ERR_STORE_CORRUPT', 'StoreCorruptError') {
  /** The file (or IndexedDB database name) that could not be read. */
  readonly path: string;
  constructor(path: string, why: string, options?: ErrorOptions) {
    super(`${path}: not a usable timeslice database (${why}); the file was left untouched`, options);
    this.path = path;
  }
}

/** A write did not fit (disk or quota full, or the store's size limit): nothing of it was written. */
export class StoreFullError extends /* @__PURE__ */ defineError('ERR_STORE_FULL', 'StoreFullError') {
  readonly path: string;
  constructor(path: string, options?: ErrorOptions) {
    super(`${path}: the store is full (disk, quota or size limit); the write was rolled back, nothing of it was stored`, options);
    this.path = path;
  }
}

/**
 * A value that JSON cannot represent exactly (a function, a symbol, a BigInt,
 * undefined, NaN or Infinity, a cycle, a Date, Map or class instance) was
 * refused before anything was written.
 */
export class UnstorablePayloadError extends /* @__PURE__ */ defineError('ERR_UNSTORABLE_PAYLOAD', 'UnstorablePayloadError') {
  /** Where in the value: `tasks[3].params.a.b`. */
  readonly path: string;
  constructor(path: string, what: string, options?: ErrorOptions) {
    super(`${path} cannot be stored: ${what} (only JSON values are stored: null, booleans, finite numbers, strings, arrays and plain objects)`, options);
    this.path = path;
  }
}

/**
 * A JSON payload (durable params, metadata, a saved state) is larger than the
 * scheduler's limit (`maxPayloadBytes`, 1 MiB by default): refused before
 * anything was written. Keep large data elsewhere and pass a reference.
 */
export class PayloadTooLargeError extends /* @__PURE__ */ defineError('ERR_PAYLOAD_TOO_LARGE', 'PayloadTooLargeError') {
  readonly path: string;
  readonly maxBytes: number;
  constructor(path: string, maxBytes: number) {
    super(
      `${path} is larger than ${maxBytes} bytes as JSON (the scheduler's maxPayloadBytes); store large data elsewhere and pass a reference, or raise the limit`,
    );
    this.path = path;
    this.maxBytes = maxBytes;
  }
}

/**
 * A stored task record that cannot be read into a task: malformed JSON, or
 * values no task can have (a row edited by hand: `period_ms = -5`, `at_ms =
 * 'abc'`). The row is left as it is; schedule the task again to replace it,
 * or delete it. Recovery reports such tasks (`invalidTasks`) and goes on
 * with the others.
 */
export class InvalidTaskRecordError extends /* @__PURE__ */ defineError('ERR_INVALID_TASK_RECORD', 'InvalidTaskRecordError') {
  readonly taskId: string;
  constructor(taskId: string, why: string, options?: ErrorOptions) {
    super(`task '${taskId}': the stored record is invalid (${why}); it was left as it is: schedule the task again to replace it, or delete it`, options);
    this.taskId = taskId;
  }
}

/** The store is not open (open() was not awaited, or close() was called). */
export class StoreClosedError extends /* @__PURE__ */ defineError('ERR_STORE_CLOSED', 'StoreClosedError') {}

/** The database was written by a newer timeslice (a schema version this one does not know). */
export class StoreSchemaTooNewError extends /* @__PURE__ */ defineError('ERR_STORE_SCHEMA_TOO_NEW', 'StoreSchemaTooNewError') {}

/** Any other failure of the underlying database; `cause` holds the driver's error. */
export class StoreError extends /* @__PURE__ */ defineError('ERR_STORE', 'StoreError') {}

/**
 * The connection was lost while COMMIT was on its way: the write may or may
 * not have been stored, and which cannot be known from here. Unlike the other
 * store errors, it does not mean "nothing was written": a caller that retries
 * must do so idempotently (a cluster claim is reconciled by the next one:
 * ClaimDueRequest.known).
 */
export class StoreOutcomeUnknownError extends /* @__PURE__ */ defineError('ERR_STORE_OUTCOME_UNKNOWN', 'StoreOutcomeUnknownError') {}

/** "host pid 123 (owner …, epoch 4) since 2026-…": who holds a store, for messages. */
export function describeHolder(holder: LeaseHolder): string {
  return `${holder.host} pid ${holder.pid} (owner ${holder.ownerId}, epoch ${holder.epoch}) since ${new Date(holder.sinceMs).toISOString()}`;
}

/**
 * Another scheduler holds the store's lease (C6: one owner per store): a
 * second process on the same SQLite file, or a second tab on the same
 * IndexedDB database. `holder` names it. Start the second one with
 * `{ standby: true }` to have it wait and take over when the lease lapses.
 */
export class StoreLockedError extends /* @__PURE__ */ defineError('ERR_STORE_LOCKED', 'StoreLockedError') {
  readonly path: string;
  readonly holder: LeaseHolder;
  constructor(path: string, holder: LeaseHolder, options?: ErrorOptions) {
    super(`${path}: held by another scheduler, ${describeHolder(holder)}; one scheduler owns a store at a time (start this one with { standby: true } to wait for the lease)`, options);
    this.path = path;
    this.holder = holder;
  }
}

/**
 * A write was refused because this store instance no longer holds the lease
 * it acquired: another scheduler took the store over (this one was paused or
 * cut off past its lease), or it released it. Nothing of the write was stored.
 */
export class LeaseLostError extends /* @__PURE__ */ defineError('ERR_LEASE_LOST', 'LeaseLostError') {
  readonly path: string;
  /** Who holds the lease now, if anyone. */
  readonly holder: LeaseHolder | undefined;
  constructor(path: string, holder: LeaseHolder | undefined, why: string) {
    super(`${path}: write refused, ${why}${holder === undefined || holder.expiresAtMs === 0 ? '' : `; held by ${describeHolder(holder)}`}`);
    this.path = path;
    this.holder = holder;
  }
}
