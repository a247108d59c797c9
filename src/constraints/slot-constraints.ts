// Slot constraints (seed 003's CalendarPlanner): which slots of a recurring
// task may run. The options a user writes, checked at the call (C5), and the
// plain record they resolve to: that record is what a durable task stores
// (JSON, so every store keeps it alike) and what admission.ts judges slots by.
//
// Why the admit hook is a name for durable tasks: a function cannot be stored,
// and a task recovered after a restart must be judged by the same rules it was
// registered with, before anyone registers it again. So, as with define() for
// task bodies, durable tasks name a hook registered with defineAdmit(name, fn);
// the declarative part (hours, blackouts, cap) is stored whole. In-memory
// tasks live no longer than their closure, so they take the function itself.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { cronScheduleClass } from '../parts/cron.js';
import { requireTimeZone } from '../time/dst-policy.js';
import { DATE_LIMIT_MS, type Duration, parseDurationMs } from '../time/duration.js';

/** A day of the week, as working hours name it. */
export type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
export const WEEKDAYS: readonly Weekday[] = Object.freeze(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat']);

/**
 * A window of local wall-clock time on some days of the week, in the
 * constraints' time zone. `from` is inside, `to` is not; `to: '24:00'` is the
 * end of the day. A window that would cross midnight is two windows.
 * @example { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }
 */
export interface WorkingHours {
  /** @default ['mon', 'tue', 'wed', 'thu', 'fri'] */
  days?: readonly Weekday[];
  /** 'HH:MM', 00:00 to 23:59. */
  from: string;
  /** 'HH:MM', after `from`, up to 24:00. */
  to: string;
}

/**
 * A stretch of time in which no slot runs: a date-time range (`from`
 * inclusive, `to` exclusive; Dates, ms since the epoch or ISO strings), or a
 * recurring window that opens at each instant of a cron expression (read in
 * the constraints' time zone) and lasts `duration`.
 * @example { name: 'release freeze', from: '2026-12-20T00:00:00Z', to: '2027-01-04T00:00:00Z' }
 * @example { name: 'nightly backup', cron: '0 2 * * *', duration: '1h' }
 */
export type Blackout =
  | { name: string; from: Date | number | string; to: Date | number | string }
  | { name: string; cron: string; duration: Duration };

/** What an admit hook is asked about: one slot, at the instant it would start. */
export interface AdmitSlot {
  /** The task's id (a durable task's string id, an in-memory task's number). */
  taskId: string | number;
  /** When the slot is due by the task's schedule (ms since the epoch). */
  nominalMs: number;
  /** The instant being judged: the nominal time, now for a late slot, or an instant a deferral tries. */
  atMs: number;
  /** Runs already admitted on the local day of `atMs` (the `maxPerDay` count). */
  runsToday: number;
}

/**
 * A check of anything else: true admits the slot; false, or a string (the
 * reason, kept in the history), refuses it. Synchronous, and best pure: a
 * deferral asks it about instants ahead.
 */
export type AdmitFn = (slot: AdmitSlot) => boolean | string;

/** What a task does with a slot its constraints refuse. */
export type InadmissiblePolicy = 'skip' | 'defer';

/**
 * Which slots of a recurring task (interval or cron) may run. A slot is judged
 * at the instant it would start; one refused is skipped (recorded with its
 * reason) or, with `inadmissible: 'defer'`, moved to the next instant all the
 * constraints admit.
 * @example { workingHours: { from: '09:00', to: '17:00' }, timezone: 'Europe/Paris', maxPerDay: 3, inadmissible: 'defer' }
 */
export interface SlotConstraints<Hook = string> {
  /** The IANA time zone of working hours, cron blackouts and the day of `maxPerDay`. @default the task's cron timezone, else 'UTC' */
  timezone?: string;
  /** When slots may run; several windows admit their union. @default any time */
  workingHours?: WorkingHours | readonly WorkingHours[];
  /** When no slot runs, each with a name the skip reason gives. @default none */
  blackouts?: readonly Blackout[];
  /** At most this many runs per local day (manual runs not counted). @default no limit */
  maxPerDay?: number;
  /**
   * Anything else: a durable task names a hook registered with
   * `scheduler.defineAdmit(name, fn)` (it is kept with the task); an in-memory
   * task passes the function.
   */
  admit?: Hook;
  /**
   * 'skip': a refused slot is recorded as skipped with its reason. 'defer': it
   * runs at the next admissible instant instead; the schedule's slots up to
   * that instant fold into that run.
   * @default 'skip'
   */
  inadmissible?: InadmissiblePolicy;
}

/** A working-hours window as stored: days as numbers (0 = Sunday), minutes of the local day. */
export interface HoursRecord {
  days: number[];
  fromMinute: number;
  toMinute: number;
}

export type BlackoutRecord = { name: string; fromMs: number; toMs: number } | { name: string; cron: string; durationMs: number };

/** SlotConstraints as stored with a task (JSON), every default resolved. */
export interface ConstraintsRecord {
  timeZone: string;
  workingHours: HoursRecord[] | null;
  blackouts: BlackoutRecord[];
  maxPerDay: number | null;
  /** The name of a hook registered with defineAdmit() (durable), or null. */
  admit: string | null;
  inadmissible: InadmissiblePolicy;
}

const KEYS = new Set(['timezone', 'workingHours', 'blackouts', 'maxPerDay', 'admit', 'inadmissible']);
const HOURS_KEYS = new Set(['days', 'from', 'to']);
const WEEKDAYS_DEFAULT = [1, 2, 3, 4, 5];
const HH_MM = /^([01]\d|2[0-4]):([0-5]\d)$/;

function objectOf(value: unknown, path: string, known: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${path} must be an object, received ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.has(key)) throw new InvalidArgumentError(`${path}.${key} is not an option (known: ${[...known].join(', ')})`);
  }
  return value as Record<string, unknown>;
}

function minuteOf(value: unknown, path: string): number {
  const match = typeof value === 'string' ? HH_MM.exec(value) : null;
  const minute = match === null ? Number.NaN : Number(match[1]) * 60 + Number(match[2]);
  if (!(minute <= 24 * 60)) throw new InvalidArgumentError(`${path} must be a local time 'HH:MM' from '00:00' to '24:00', received ${describeValue(value)}`);
  return minute;
}

function resolveHours(value: unknown, path: string): HoursRecord {
  const o = objectOf(value, path, HOURS_KEYS);
  let days = WEEKDAYS_DEFAULT;
  if (o.days !== undefined) {
    if (!Array.isArray(o.days) || o.days.length === 0) {
      throw new InvalidArgumentError(`${path}.days must be a non-empty array of ${WEEKDAYS.map((d) => `'${d}'`).join(', ')}, received ${describeValue(o.days)}`);
    }
    days = o.days.map((day, i) => {
      const index = WEEKDAYS.indexOf(day as Weekday);
      if (index < 0) throw new InvalidArgumentError(`${path}.days[${i}] must be one of ${WEEKDAYS.map((d) => `'${d}'`).join(', ')}, received ${describeValue(day)}`);
      return index;
    });
    days = [...new Set(days)].sort((a, b) => a - b);
  }
  const fromMinute = minuteOf(o.from, `${path}.from`);
  const toMinute = minuteOf(o.to, `${path}.to`);
  if (fromMinute >= toMinute) {
    throw new InvalidArgumentError(`${path}: from (${String(o.from)}) must be before to (${String(o.to)}); a window across midnight is two windows`);
  }
  return { days, fromMinute, toMinute };
}

function instantOf(value: unknown, path: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (typeof ms !== 'number' || !(Math.abs(ms) <= DATE_LIMIT_MS)) {
    throw new InvalidArgumentError(`${path} must be a Date, ms since the epoch or an ISO date-time string, received ${describeValue(value)}`);
  }
  return Math.round(ms);
}

function resolveBlackout(value: unknown, path: string, timeZone: string): BlackoutRecord {
  const isCron = typeof value === 'object' && value !== null && 'cron' in value;
  const o = objectOf(value, path, new Set(isCron ? ['name', 'cron', 'duration'] : ['name', 'from', 'to']));
  if (typeof o.name !== 'string' || o.name.length === 0) throw new InvalidArgumentError(`${path}.name must be a non-empty string, received ${describeValue(o.name)}`);
  if (isCron) {
    // Checked (and its time zone) as a cron task's expression is.
    const schedule = new (cronScheduleClass(`${path}.cron`))(o.cron as string, { timezone: timeZone });
    const durationMs = parseDurationMs(`${path}.duration`, o.duration as Duration);
    if (!(durationMs >= 1)) throw new InvalidArgumentError(`${path}.duration must be at least 1 ms, received ${describeValue(o.duration)}`);
    return { name: o.name, cron: schedule.expression, durationMs };
  }
  const fromMs = instantOf(o.from, `${path}.from`);
  const toMs = instantOf(o.to, `${path}.to`);
  if (fromMs >= toMs) throw new InvalidArgumentError(`${path}: from must be before to, received ${describeValue(o.from)} and ${describeValue(o.to)}`);
  return { name: o.name, fromMs, toMs };
}

/**
 * The record of a task's `constraints` option, or null without one. `hook`
 * says what `admit` may be: a defined hook's name (durable) or a function
 * (in memory, kept apart by the caller: the record holds no function).
 */
export function resolveConstraints(value: unknown, path: string, defaultTimeZone: string | null, hook: 'name' | 'function'): ConstraintsRecord | null {
  if (value === undefined) return null;
  const o = objectOf(value, path, KEYS);
  const timeZone = requireTimeZone(o.timezone ?? defaultTimeZone ?? undefined, `${path}.timezone`);
  let workingHours: HoursRecord[] | null = null;
  if (o.workingHours !== undefined) {
    const windows = Array.isArray(o.workingHours) ? o.workingHours : [o.workingHours];
    if (windows.length === 0) throw new InvalidArgumentError(`${path}.workingHours must not be empty (omit it for any time)`);
    workingHours = windows.map((w, i) => resolveHours(w, Array.isArray(o.workingHours) ? `${path}.workingHours[${i}]` : `${path}.workingHours`));
  }
  if (o.blackouts !== undefined && !Array.isArray(o.blackouts)) throw new InvalidArgumentError(`${path}.blackouts must be an array, received ${describeValue(o.blackouts)}`);
  const blackouts = ((o.blackouts as unknown[] | undefined) ?? []).map((b, i) => resolveBlackout(b, `${path}.blackouts[${i}]`, timeZone));
  const maxPerDay = o.maxPerDay ?? null;
  if (maxPerDay !== null && (typeof maxPerDay !== 'number' || !Number.isSafeInteger(maxPerDay) || maxPerDay < 1)) {
    throw new InvalidArgumentError(`${path}.maxPerDay must be an integer >= 1, received ${describeValue(maxPerDay)}`);
  }
  let admit: string | null = null;
  if (o.admit !== undefined) {
    if (hook === 'name' && (typeof o.admit !== 'string' || o.admit.length === 0)) {
      throw new InvalidArgumentError(`${path}.admit must be the name of a hook registered with defineAdmit(name, fn) (a durable task cannot store a function), received ${describeValue(o.admit)}`);
    }
    if (hook === 'function' && typeof o.admit !== 'function') throw new InvalidArgumentError(`${path}.admit must be a function, received ${describeValue(o.admit)}`);
    if (hook === 'name') admit = o.admit as string;
  }
  const inadmissible = o.inadmissible ?? 'skip';
  if (inadmissible !== 'skip' && inadmissible !== 'defer') {
    throw new InvalidArgumentError(`${path}.inadmissible must be 'skip' or 'defer', received ${describeValue(inadmissible)}`);
  }
  return { timeZone, workingHours, blackouts, maxPerDay: maxPerDay as number | null, admit, inadmissible };
}

/** Checks a stored record (a store's validation of a task record): the shape resolveConstraints() writes. */
export function checkConstraintsRecord(value: unknown, path: string): void {
  const o = objectOf(value, path, new Set(['timeZone', 'workingHours', 'blackouts', 'maxPerDay', 'admit', 'inadmissible']));
  const bad = (key: string, what: string) => new InvalidArgumentError(`${path}.${key} must be ${what}, received ${describeValue(o[key])}`);
  if (typeof o.timeZone !== 'string' || o.timeZone.length === 0) throw bad('timeZone', 'a time zone name');
  if (o.workingHours !== null && !Array.isArray(o.workingHours)) throw bad('workingHours', 'an array or null');
  for (const w of (o.workingHours as HoursRecord[] | null) ?? []) {
    const ok = typeof w === 'object' && w !== null && Array.isArray(w.days) && w.days.every((d) => Number.isInteger(d) && d >= 0 && d <= 6) &&
      Number.isInteger(w.fromMinute) && Number.isInteger(w.toMinute) && w.fromMinute >= 0 && w.fromMinute < w.toMinute && w.toMinute <= 1440;
    if (!ok) throw bad('workingHours', 'windows of { days, fromMinute, toMinute }');
  }
  if (!Array.isArray(o.blackouts)) throw bad('blackouts', 'an array');
  for (const b of o.blackouts as Array<Record<string, unknown>>) {
    const ok = typeof b === 'object' && b !== null && typeof b.name === 'string' &&
      (typeof b.cron === 'string' ? Number.isFinite(b.durationMs) : Number.isFinite(b.fromMs) && Number.isFinite(b.toMs));
    if (!ok) throw bad('blackouts', 'blackouts of { name, fromMs, toMs } or { name, cron, durationMs }');
  }
  if (o.maxPerDay !== null && !(Number.isSafeInteger(o.maxPerDay) && (o.maxPerDay as number) >= 1)) throw bad('maxPerDay', 'an integer >= 1 or null');
  if (o.admit !== null && (typeof o.admit !== 'string' || o.admit.length === 0)) throw bad('admit', 'a hook name or null');
  if (o.inadmissible !== 'skip' && o.inadmissible !== 'defer') throw bad('inadmissible', "'skip' or 'defer'");
}
