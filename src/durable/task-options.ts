// Durable registrations: the options of scheduler.schedule() and
// scheduleMany(), checked at the call (C5) and turned into the TaskRecord the
// store keeps. Exactly one timing option says when the task runs: `at`,
// `after`, `every` (fixed rate), `recurring` (fixed delay) or `cron`.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { type CronDstOptions, CronSchedule, type CronGapPolicy, type CronOverlapPolicy, resolveDstPolicy } from '../time/cron.js';
import { dateMs, type Duration, MAX_DURATION_MS, parseDurationMs } from '../time/duration.js';
import { type Priority, priorityClass, priorityName } from '../tasks/priorities.js';
import { type RetryOptions, resolveRetry } from '../tasks/retry.js';
import type { SlotConstraints } from '../constraints/slot-constraints.js';
import { DurableFunction } from './durable-context.js';
import { durableConstraints } from './task-constraints.js';
import { checkJsonSize } from '../store/json.js';
import type { Json, MisfirePolicy, MisfireRecord, ScheduleKind, TaskRecord } from '../store/records.js';
import { readOptions } from '../tasks/read-options.js';
import { MAX_ID_LENGTH } from '../store/validate.js';
import type { CalendarPeriod } from '../time/calendar-period.js';
import type { ScheduleWindowOptions } from '../time/schedule-window.js';
import { checkWindowKeys, cronFirstSlot, everyTiming, isCalendarEvery, recurringTiming, windowOf } from './repeat-timing.js';

/** What a task does with runs it missed (see src/durable/missed-runs.ts). */
export interface MissedRunOptions {
  /**
   * 'skip': missed runs are skipped; 'run-once': they coalesce into one run;
   * 'catch-up': each runs, within catchUpWindowMs and up to catchUpMax.
   * @default 'run-once'
   */
  policy?: MisfirePolicy;
  /** A run at most this late is not missed: it simply runs. @default '30s' */
  graceMs?: Duration;
  /** 'catch-up': only missed runs this recent run. @default no limit */
  catchUpWindowMs?: Duration | null;
  /** 'catch-up': at most this many missed runs run (the newest). @default no limit */
  catchUpMax?: number | null;
}

/** A durable registration: a defined function, its JSON params, and when it runs. */
export interface DurableTaskOptions<Params extends Json = Json> extends ScheduleWindowOptions {
  /** The task's stable id; scheduling an id again replaces that task. @default a random UUID */
  id?: string;
  /** What `scheduler.define(name, fn)` returned (params then type-checked), or the name it was defined under. */
  fn: string | DurableFunction<Params>;
  /** Passed to the function as its first argument: JSON only (no functions, cycles, BigInt, Dates). @default null */
  params?: NoInfer<Params>;
  /**
   * Run once at this wall-clock time: within a Date's range, at most
   * MAX_DURATION_MS (1e15 ms) ahead. More than the grace window
   * (`missed.graceMs`) in the past, it is refused with PastScheduleError
   * unless `allowPast` is true (then it runs now).
   */
  at?: Date | number;
  /**
   * Accept an `at` in the past (it runs now). Without it the scheduler's
   * `allowPast` option decides.
   * @default the scheduler's allowPast (false)
   */
  allowPast?: boolean;
  /** Run once, this long from now (`after: 0`: now; never refused as past). */
  after?: Duration;
  /**
   * Run every period at a fixed rate (the grid is kept across restarts); first
   * run one period from now, or at `startAt`. A duration ('7d': 7 × 24 h of
   * elapsed time), or a calendar interval (`{ days: 1 }`, `{ weeks: 1 }`,
   * `{ months: 1 }`) read on the calendar of `timezone`: the local time of day
   * kept across daylight saving (with `dst`), a month keeping its anchor's day
   * (the month's last when shorter). See CalendarPeriod.
   * @example { every: '7d', startAt: nextSundayMidnight } // seed 004's weekly maintenance
   * @example { every: { months: 1 }, timezone: 'Europe/Paris', startAt: Date.parse('2026-01-31T09:00:00+01:00') }
   */
  every?: Duration | CalendarPeriod;
  /**
   * Run repeatedly, this long after each run ends (fixed delay); first run
   * this long from now, or at `startAt` (at once when it is past); none
   * starts after `endAt`, and the task then completes.
   * @example { recurring: '10m', startAt: mondayAt8, endAt: fridayAt18 }
   */
  recurring?: Duration;
  /** Run at each instant a cron expression names (5 or 6 fields), read in `timezone`. */
  cron?: string;
  /** IANA time zone of `cron` or of a calendar interval (`every: { days: 1 }`). @default 'UTC' */
  timezone?: string;
  /**
   * What `cron` or a calendar interval runs when a clock change skips or
   * repeats local times (see CronDstOptions); kept with the task, so it holds
   * across restarts.
   * @default { gap: 'run-at-first-valid', overlap: 'once' }
   * @example { cron: '30 2 * * *', timezone: 'America/New_York', dst: { gap: 'skip' } }
   */
  dst?: CronDstOptions;
  /** Shown in history and events. @default the id */
  name?: string;
  description?: string;
  /** The module (or component) that owns the task. */
  ownerModule?: string;
  /** Anything else to keep with the task (JSON). @default null */
  metadata?: Json;
  /** @default 'normal' */
  priority?: Priority;
  /** @default { policy: 'run-once', graceMs: '30s' } */
  missed?: MissedRunOptions;
  /**
   * Attempts per slot, a crash counting as one: a run cut short by a dead
   * process is retried on the next start while attempts are left.
   * @default { attempts: 3, backoff: 'exponential', delayMs: 1000 }
   */
  retry?: number | RetryOptions;
  /**
   * The task ends after this many runs (whichever comes first of this and
   * `endAt`). The in-memory scheduler takes the same option (or maxRuns).
   * @default no limit
   */
  maxExecutions?: number;
  /**
   * How long one attempt may run: past it, its `ctx.signal` aborts with
   * TaskTimeoutError and the attempt is recorded as failed with that error,
   * then retried by `retry` (as an in-memory task's timeoutMs). Kept with the
   * task, so it holds across restarts.
   * @default the scheduler's durableTimeoutMs ('300s')
   */
  timeoutMs?: Duration;
  /**
   * Which slots may run: working hours and blackouts in a time zone, at most
   * `maxPerDay` runs per local day, and a hook registered with
   * `scheduler.defineAdmit(name, fn)`, named by `admit`. A refused slot is
   * recorded as skipped with its reason, or moved (`inadmissible: 'defer'`).
   * Kept with the task. Recurring tasks only.
   * @default every slot runs
   * @example { workingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }, timezone: 'Europe/Berlin', inadmissible: 'defer' }
   */
  constraints?: SlotConstraints<string>;
}

/** Durable tasks get three attempts by default, so a crash mid-run is retried (C1). */
export const DEFAULT_DURABLE_ATTEMPTS = 3;
export const DEFAULT_GRACE_MS = 30_000;

const KEYS = new Set([
  'id', 'fn', 'params', 'at', 'after', 'every', 'recurring', 'cron', 'timezone', 'dst', 'name', 'description', 'ownerModule',
  'metadata', 'priority', 'missed', 'retry', 'maxExecutions', 'allowPast', 'timeoutMs', 'constraints', 'startAt', 'endAt',
]);
const TIMING_KEYS = ['at', 'after', 'every', 'recurring', 'cron'] as const;
const MISSED_KEYS = new Set(['policy', 'graceMs', 'catchUpWindowMs', 'catchUpMax']);

function optionalString(value: unknown, path: string, key: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(`${path}.${key} must be a non-empty string, received ${describeValue(value)}`);
  return value;
}

function checkObjectOf(value: unknown, path: string, known: Set<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${path} must be an object, received ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new InvalidArgumentError(`${path}.${key} is not an option (known: ${[...known].join(', ')})`);
  }
  return value as Record<string, unknown>;
}

/** The default policy, one frozen object shared by every record that does not set its own. */
const DEFAULT_MISSED: MisfireRecord = Object.freeze({ policy: 'run-once', graceMs: DEFAULT_GRACE_MS, catchUpWindowMs: null, catchUpMax: null });

export function resolveMissed(value: unknown, path: string): MisfireRecord {
  if (value === undefined) return DEFAULT_MISSED;
  const o = checkObjectOf(value, path, MISSED_KEYS);
  const policy = o.policy ?? 'run-once';
  if (policy !== 'skip' && policy !== 'run-once' && policy !== 'catch-up') {
    throw new InvalidArgumentError(`${path}.policy must be 'skip', 'run-once' or 'catch-up', received ${describeValue(policy)}`);
  }
  if (policy !== 'catch-up' && (o.catchUpWindowMs != null || o.catchUpMax != null)) {
    throw new InvalidArgumentError(`${path}.catchUpWindowMs and catchUpMax apply only to policy 'catch-up', received policy ${describeValue(policy)}`);
  }
  const catchUpMax = o.catchUpMax ?? null;
  if (catchUpMax !== null && (typeof catchUpMax !== 'number' || !Number.isSafeInteger(catchUpMax) || catchUpMax < 1)) {
    throw new InvalidArgumentError(`${path}.catchUpMax must be an integer >= 1 or null, received ${describeValue(catchUpMax)}`);
  }
  return {
    policy,
    graceMs: o.graceMs === undefined ? DEFAULT_GRACE_MS : parseDurationMs(`${path}.graceMs`, o.graceMs as Duration),
    catchUpWindowMs: o.catchUpWindowMs == null ? null : parseDurationMs(`${path}.catchUpWindowMs`, o.catchUpWindowMs as Duration),
    catchUpMax: catchUpMax as number | null,
  };
}

let defaultRetry: Json | undefined;

/** The retry policy as stored (JSON, every default filled in). */
export function retryRecord(value: unknown, path: string): Json {
  if (value === undefined) return (defaultRetry ??= Object.freeze(retryRecord(DEFAULT_DURABLE_ATTEMPTS, path) as object) as Json);
  let resolved: ReturnType<typeof resolveRetry>;
  try {
    resolved = resolveRetry(value);
  } catch (error) {
    throw new InvalidArgumentError(`${path}: ${(error as Error).message}`);
  }
  return {
    attempts: resolved.attempts, backoff: resolved.exponential ? 'exponential' : 'fixed', delayMs: resolved.delayMs,
    maxDelayMs: resolved.maxDelayMs, jitter: resolved.jitter,
  };
}

interface Timing {
  scheduleKind: ScheduleKind;
  atMs: number | null;
  delayMs: number | null;
  periodMs: number | null;
  cronExpression: string | null;
  timeZone: string | null;
  dstGap: CronGapPolicy | null;
  dstOverlap: CronOverlapPolicy | null;
  calendarPeriod: string | null;
  startAtMs: number | null;
  endAtMs: number | null;
  nextExecutionMs: number | null;
}

/** Duration strings already parsed ('1h', '30s'): registrations repeat a few, and the parse is a regex. */
const DURATION_CACHE = new Map<string, number>();

/** A duration option in ms (at most MAX_DURATION_MS, as in-memory tasks'); the option's path is built only for an error. */
function durationOf(value: unknown, path: string, key: string): number {
  if (typeof value === 'number' && value >= 0 && value <= MAX_DURATION_MS) return value;
  if (typeof value === 'string') {
    const cached = DURATION_CACHE.get(value);
    if (cached !== undefined) return cached;
    const ms = parseDurationMs(`${path}.${key}`, value);
    if (DURATION_CACHE.size < 1000) DURATION_CACHE.set(value, ms);
    return ms;
  }
  return parseDurationMs(`${path}.${key}`, value as Duration);
}

function timing(scheduleKind: ScheduleKind, nextExecutionMs: number | null, fields: Partial<Timing>): Timing {
  return {
    scheduleKind, atMs: fields.atMs ?? null, delayMs: fields.delayMs ?? null, periodMs: fields.periodMs ?? null,
    cronExpression: fields.cronExpression ?? null, timeZone: fields.timeZone ?? null, dstGap: fields.dstGap ?? null,
    dstOverlap: fields.dstOverlap ?? null, calendarPeriod: fields.calendarPeriod ?? null, startAtMs: fields.startAtMs ?? null,
    endAtMs: fields.endAtMs ?? null, nextExecutionMs,
  };
}

function resolveTiming(o: Record<string, unknown>, path: string, wallNowMs: number): Timing {
  checkWindowKeys(o, path);
  let count = 0;
  for (const key of TIMING_KEYS) if (o[key] !== undefined) count++;
  if (count !== 1) {
    const given = TIMING_KEYS.filter((key) => o[key] !== undefined);
    throw new InvalidArgumentError(
      `${path} must set exactly one of at, after, every, recurring or cron, received ${given.length === 0 ? 'none' : given.join(' and ')}`,
    );
  }
  if (o.timezone !== undefined && o.cron === undefined && o.every === undefined) throw new InvalidArgumentError(`${path}.timezone applies only to cron and every`);
  if (o.dst !== undefined && o.cron === undefined && o.every === undefined) throw new InvalidArgumentError(`${path}.dst applies only to cron and every`);
  if (o.at !== undefined) {
    // The same bounds as Scheduler.at(): a Date's range, at most MAX_DURATION_MS ahead.
    const atMs = Math.round(dateMs(`${path}.at`, o.at, wallNowMs));
    return timing('once', atMs, { atMs });
  }
  if (o.after !== undefined) {
    const delayMs = durationOf(o.after, path, 'after');
    const atMs = Math.round(wallNowMs + delayMs);
    return timing('once', atMs, { atMs, delayMs });
  }
  const timeZone = o.timezone === undefined ? null : (o.timezone as string);
  if (o.every !== undefined && isCalendarEvery(o.every)) {
    // CalendarSchedule checks the zone and dst as cron does; stored like a cron task's.
    const t = everyTiming(o, path, wallNowMs, windowOf(o, path, wallNowMs), null);
    const dst = o.dst === undefined ? null : resolveDstPolicy(o.dst);
    return timing('fixed-rate', t.nextExecutionMs, { ...t, timeZone, dstGap: dst?.gap ?? null, dstOverlap: dst?.overlap ?? null });
  }
  if (o.every !== undefined || o.recurring !== undefined) {
    const key = o.every !== undefined ? 'every' : 'recurring';
    const periodMs = durationOf(o[key], path, key);
    if (!(periodMs >= 1)) throw new InvalidArgumentError(`${path}.${key} must be at least 1 ms, received ${describeValue(o[key])}`);
    if (key === 'recurring') {
      const t = recurringTiming(wallNowMs, windowOf(o, path, wallNowMs), periodMs);
      return timing('fixed-delay', t.nextExecutionMs, t);
    }
    const t = everyTiming(o, path, wallNowMs, windowOf(o, path, wallNowMs), periodMs);
    return timing('fixed-rate', t.nextExecutionMs, t);
  }
  // CronSchedule checks dst as Scheduler.cron() does (same messages and codes).
  const schedule = new CronSchedule(o.cron as string, { timezone: timeZone ?? undefined, dst: o.dst as CronDstOptions | undefined });
  const window = windowOf(o, path, wallNowMs);
  const nextMs = cronFirstSlot(schedule, path, wallNowMs, window);
  // Stored as resolved (both choices made) when given; null, the default, when not.
  const dst = o.dst === undefined ? null : schedule.dst;
  return timing('cron', nextMs, {
    cronExpression: schedule.expression, timeZone, dstGap: dst?.gap ?? null, dstOverlap: dst?.overlap ?? null, ...window,
  });
}

/** The registration's allowPast (durableTaskRecord() checked it), or `defaultValue` without one. */
export function allowsPast(options: unknown, defaultValue: boolean): boolean {
  return (options as { allowPast?: boolean }).allowPast ?? defaultValue;
}

function newTaskId(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The record a durable registration stores. Throws InvalidArgumentError,
 * UnstorablePayloadError or PayloadTooLargeError (params, metadata) naming `path`.
 */
export function durableTaskRecord(options: unknown, path: string, wallNowMs: number, maxPayloadBytes: number, defaultRetry?: Json): TaskRecord {
  // Read once into a plain object: a throwing getter or Proxy becomes an InvalidArgumentError naming its path.
  const given =
    typeof options === 'object' && options !== null && !Array.isArray(options)
      ? readOptions(options, path, KEYS, ['missed', 'retry', 'dst', 'constraints', 'every'])
      : options;
  const o = checkObjectOf(given, path, KEYS);
  const functionName = o.fn instanceof DurableFunction ? o.fn.name : o.fn;
  if (typeof functionName !== 'string' || functionName.length === 0) {
    throw new InvalidArgumentError(
      `${path}.fn must be what define() returned or the name of a defined function (a non-empty string), received ${describeValue(o.fn)}`,
    );
  }
  const id = o.id === undefined ? newTaskId() : o.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH) {
    throw new InvalidArgumentError(`${path}.id must be a string of 1 to ${MAX_ID_LENGTH} characters, received ${describeValue(id)}`);
  }
  const params = o.params === undefined ? null : o.params;
  checkJsonSize(params, `${path}.params`, maxPayloadBytes);
  const metadata = o.metadata === undefined ? null : o.metadata;
  checkJsonSize(metadata, `${path}.metadata`, maxPayloadBytes);
  const maxExecutions = o.maxExecutions ?? null;
  if (maxExecutions !== null && (typeof maxExecutions !== 'number' || !Number.isSafeInteger(maxExecutions) || maxExecutions < 1)) {
    throw new InvalidArgumentError(`${path}.maxExecutions must be an integer >= 1, received ${describeValue(maxExecutions)}`);
  }
  const timeoutMs = o.timeoutMs === undefined ? null : durationOf(o.timeoutMs, path, 'timeoutMs');
  if (timeoutMs === 0) throw new InvalidArgumentError(`${path}.timeoutMs must be > 0, received ${describeValue(o.timeoutMs)}`);
  const priority = o.priority === undefined ? 'normal' : priorityName(priorityClass(`${path}.priority`, o.priority));
  if (o.allowPast !== undefined && typeof o.allowPast !== 'boolean') {
    throw new InvalidArgumentError(`${path}.allowPast must be a boolean, received ${describeValue(o.allowPast)}`);
  }
  if (o.allowPast !== undefined && o.at === undefined) throw new InvalidArgumentError(`${path}.allowPast applies only to at`);
  const t = resolveTiming(o, path, wallNowMs);
  // Every field written out (what taskRecord() would fill in): one object shape for every registration.
  return {
    id,
    name: optionalString(o.name, path, 'name') ?? id,
    description: optionalString(o.description, path, 'description'),
    ownerModule: optionalString(o.ownerModule, path, 'ownerModule'),
    functionName,
    params,
    scheduleKind: t.scheduleKind,
    delayMs: t.delayMs,
    periodMs: t.periodMs,
    atMs: t.atMs,
    cronExpression: t.cronExpression,
    timeZone: t.timeZone,
    dstGap: t.dstGap,
    dstOverlap: t.dstOverlap,
    calendarPeriod: t.calendarPeriod,
    startAtMs: t.startAtMs,
    endAtMs: t.endAtMs,
    priority,
    misfire: resolveMissed(o.missed, `${path}.missed`),
    retry: o.retry === undefined && defaultRetry !== undefined ? defaultRetry : retryRecord(o.retry, `${path}.retry`),
    createdAtMs: wallNowMs,
    updatedAtMs: wallNowMs,
    lastExecutionMs: null,
    nextExecutionMs: t.nextExecutionMs,
    executionCount: 0,
    maxExecutions: maxExecutions as number | null,
    status: 'pending',
    lastError: null,
    metadata,
    timeoutMs,
    constraints: durableConstraints(o.constraints, `${path}.constraints`, t),
    scheduleVersion: 1,
    highWaterMarkMs: null,
  };
}
