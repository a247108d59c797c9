// The durable part of SchedulerOptions (store, clockWatch, retention),
// checked once when the Scheduler is made.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { ClockWatchOptions } from '../time/clock-watch.js';
import { type Duration, parseDurationMs } from '../time/duration.js';
import { refuseDurableOnlyOptions, type SchedulerOptions } from '../tasks/scheduler-options.js';
import type { DurableOptions } from './durable-scheduler.js';
import { MAX_LEASE_TTL_MS } from '../store/lease.js';
import type { LeaseOptions } from './lease-keeper.js';
import { resolveStoreOption } from './store-option.js';
import { retryRecord } from './task-options.js';

export const DEFAULT_RETENTION = Object.freeze({ maxAgeMs: 30 * 86_400_000, intervalMs: 3_600_000 });
const RETENTION_KEYS = new Set(['maxAgeMs', 'intervalMs']);

function resolveRetention(value: unknown): DurableOptions['retention'] {
  if (value === false) return false;
  if (value === undefined) return DEFAULT_RETENTION;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`options.retention must be false or { maxAgeMs, intervalMs }, received ${describeValue(value)}`);
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!RETENTION_KEYS.has(key)) throw new InvalidArgumentError(`options.retention.${key} is not an option (known: maxAgeMs, intervalMs)`);
  }
  const maxAgeMs = o.maxAgeMs === undefined ? DEFAULT_RETENTION.maxAgeMs : parseDurationMs('options.retention.maxAgeMs', o.maxAgeMs as Duration);
  const intervalMs = o.intervalMs === undefined ? DEFAULT_RETENTION.intervalMs : parseDurationMs('options.retention.intervalMs', o.intervalMs as Duration);
  if (intervalMs === 0) throw new InvalidArgumentError('options.retention.intervalMs must be > 0, received 0');
  return { maxAgeMs, intervalMs };
}

function resolveClockWatch(value: unknown): ClockWatchOptions | false {
  if (value === false || value === undefined) return value ?? {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`options.clockWatch must be false or ClockWatch options, received ${describeValue(value)}`);
  }
  return value as ClockWatchOptions;
}

export const DEFAULT_LEASE = Object.freeze({ ttlMs: 30_000, heartbeatMs: 10_000 });
const LEASE_KEYS = new Set(['ttlMs', 'heartbeatMs']);

function resolveLease(value: unknown, standby: unknown): LeaseOptions {
  if (standby !== undefined && typeof standby !== 'boolean') {
    throw new InvalidArgumentError(`options.standby must be a boolean, received ${describeValue(standby)}`);
  }
  if (value === undefined) return { ...DEFAULT_LEASE, standby: standby === true };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`options.lease must be { ttlMs, heartbeatMs }, received ${describeValue(value)}`);
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!LEASE_KEYS.has(key)) throw new InvalidArgumentError(`options.lease.${key} is not an option (known: ttlMs, heartbeatMs)`);
  }
  const ttlMs = o.ttlMs === undefined ? DEFAULT_LEASE.ttlMs : parseDurationMs('options.lease.ttlMs', o.ttlMs as Duration);
  if (!(ttlMs >= 100 && ttlMs <= MAX_LEASE_TTL_MS)) {
    throw new InvalidArgumentError(`options.lease.ttlMs must be from 100 ms to ${MAX_LEASE_TTL_MS} ms (a day), received ${describeValue(o.ttlMs)}`);
  }
  const heartbeatMs = o.heartbeatMs === undefined ? Math.min(DEFAULT_LEASE.heartbeatMs, ttlMs / 3) : parseDurationMs('options.lease.heartbeatMs', o.heartbeatMs as Duration);
  // A renewal must land well before the lease lapses, even when one is late.
  if (!(heartbeatMs >= 10 && heartbeatMs <= ttlMs / 2)) {
    throw new InvalidArgumentError(`options.lease.heartbeatMs must be from 10 ms to half of ttlMs (${ttlMs / 2} ms), received ${describeValue(o.heartbeatMs)}`);
  }
  return { ttlMs, heartbeatMs, standby: standby === true };
}

export const DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;
/** The largest limit accepted: a payload is written in one transaction and held in memory while live. */
const MAX_PAYLOAD_LIMIT_BYTES = 1 << 30;

function resolveMaxPayloadBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_PAYLOAD_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1024 || value > MAX_PAYLOAD_LIMIT_BYTES) {
    throw new InvalidArgumentError(`options.maxPayloadBytes must be an integer from 1024 to ${MAX_PAYLOAD_LIMIT_BYTES} (1 GiB), received ${describeValue(value)}`);
  }
  return value;
}

/** Seed 004's execution_timeout: 300 s. */
export const DEFAULT_DURABLE_TIMEOUT_MS = 300_000;

function resolveTimeoutMs(value: unknown): number | null {
  if (value === false) return null;
  if (value === undefined) return DEFAULT_DURABLE_TIMEOUT_MS;
  const ms = parseDurationMs('options.durableTimeoutMs', value as Duration);
  if (ms === 0) throw new InvalidArgumentError('options.durableTimeoutMs must be > 0 (false: no limit), received 0');
  return ms;
}

/** Seed 004's max_concurrent: 10. */
export const DEFAULT_MAX_CONCURRENT = 10;

function resolveMaxConcurrent(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_CONCURRENT;
  if (typeof value !== 'number' || !(value >= 1) || (!Number.isSafeInteger(value) && value !== Number.POSITIVE_INFINITY)) {
    throw new InvalidArgumentError(`options.maxConcurrent must be an integer >= 1 or Infinity, received ${describeValue(value)}`);
  }
  return value;
}

/** The durable options, or undefined for a scheduler without a store (the others are then refused). */
export function resolveDurableOptions(options: SchedulerOptions): DurableOptions | undefined {
  const source = resolveStoreOption(options.store);
  if (source === undefined) {
    refuseDurableOnlyOptions(options);
    return undefined;
  }
  if (options.allowPast !== undefined && typeof options.allowPast !== 'boolean') {
    throw new InvalidArgumentError(`options.allowPast must be a boolean, received ${describeValue(options.allowPast)}`);
  }
  return {
    allowPast: options.allowPast === true,
    timeoutMs: resolveTimeoutMs(options.durableTimeoutMs),
    retry: retryRecord(options.durableRetry, 'options.durableRetry'),
    maxConcurrent: resolveMaxConcurrent(options.maxConcurrent),
    source, clockWatch: resolveClockWatch(options.clockWatch), retention: resolveRetention(options.retention),
    lease: resolveLease(options.lease, options.standby), maxPayloadBytes: resolveMaxPayloadBytes(options.maxPayloadBytes),
  };
}
