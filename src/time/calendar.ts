// Calendar intervals: every N days, weeks or months on the local calendar of
// a time zone, keeping the wall-clock time of day across daylight saving.
//
// Why not a duration: '1d' is 24 hours of elapsed time, so a task at 09:00
// runs at 10:00 (or 08:00) local after a clock change; `{ days: 1 }` runs at
// 09:00 local every day, a slot being 23 or 25 hours after the one before.
// Months have no length at all: `{ months: 1 }` exists only on a calendar.
//
// The rules (the same for the in-memory and the durable scheduler):
// - The grid is computed from its anchor (startAt, else the registration
//   time), never from the previous slot: slot k is the anchor's local date
//   plus k units, at the anchor's local time of day. So it never drifts.
// - Month ends: a day the target month does not have becomes its last day.
//   Anchored on Jan 31: Feb 28 (Feb 29 in a leap year), Mar 31, Apr 30...
//   Anchored on Feb 29 2024, yearly by { months: 12 }: Feb 28 2025.
// - Daylight saving, with cron's policy and `dst` option (src/time/cron.ts):
//   a local time that a clock change skips runs at the instant the gap ends
//   (gap 'run-at-first-valid', the default) or not at all (gap 'skip'); one
//   it repeats runs at its first occurrence (overlap 'once', the default) or
//   at both (overlap 'both').
// - Slot 0 is the anchor itself (an instant, so it always exists).
//
// Local wall times are numbers as in src/time/zone-offsets.ts (fields written as
// UTC): adding days to one is exact, whatever the zone does.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { type CronDstOptions, type CronDstPolicy, resolveDstPolicy, requireTimeZone } from './cron.js';
import { DATE_LIMIT_MS } from './duration.js';
import { DAY_MS, ZoneOffsets } from './zone-offsets.js';

/**
 * A calendar interval: exactly one of `days`, `weeks` or `months`, a whole
 * number from 1 to 100,000. Read on the local calendar of the task's
 * `timezone` (UTC by default): the time of day is kept across daylight
 * saving, and a month keeps its anchor's day (the month's last day when it
 * is shorter). Unlike the duration strings '1d' and '1w' (fixed 24 h and
 * 7 × 24 h of elapsed time).
 * @example { days: 1 }   // 09:00 local every day, 23 or 25 h apart across a clock change
 * @example { months: 1 } // anchored on Jan 31: Feb 28 (29 in a leap year), Mar 31, Apr 30...
 */
export type CalendarPeriod = { days: number } | { weeks: number } | { months: number };

export type CalendarUnit = 'days' | 'weeks' | 'months';
const UNITS: readonly CalendarUnit[] = ['days', 'weeks', 'months'];
/** The stored form: ISO 8601 durations of one calendar part ('P1D', 'P2W', 'P1M'). */
const UNIT_LETTER: Readonly<Record<CalendarUnit, string>> = { days: 'D', weeks: 'W', months: 'M' };
const STORED_PERIOD = /^P([1-9]\d{0,5})([DWM])$/;
const MAX_COUNT = 100_000;

/** A validated calendar interval. */
export interface ResolvedCalendarPeriod {
  readonly unit: CalendarUnit;
  readonly count: number;
}

/** True for a value that reads as a calendar interval object (rather than a Duration). */
export function isCalendarPeriod(value: unknown): value is CalendarPeriod {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value` checked as a CalendarPeriod; InvalidArgumentError naming `name` otherwise. */
export function resolveCalendarPeriod(name: string, value: unknown): ResolvedCalendarPeriod {
  const keys = isCalendarPeriod(value) ? Object.keys(value) : [];
  const unit = keys[0] as CalendarUnit;
  if (keys.length !== 1 || !UNITS.includes(unit)) {
    const hint = keys.some((key) => /^(hours?|minutes?|seconds?|ms)$/.test(key)) ? " (hours and shorter are durations: write '1h' or '30m')" : '';
    throw new InvalidArgumentError(
      `${name} must be a duration like '5m' or a calendar interval with exactly one of days, weeks or months, like { months: 1 }, received ${describeValue(value)}${hint}`,
    );
  }
  const count = (value as Record<string, unknown>)[unit];
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new InvalidArgumentError(`${name}.${unit} must be an integer from 1 to ${MAX_COUNT}, received ${describeValue(count)}`);
  }
  return Object.freeze({ unit, count });
}

/** The stored text of a period: 'P1M', 'P2W', 'P3D'. */
export function calendarPeriodText(period: ResolvedCalendarPeriod): string {
  return `P${period.count}${UNIT_LETTER[period.unit]}`;
}

/** A stored period read back, or undefined if the text is not one. */
export function parseCalendarPeriodText(text: string): ResolvedCalendarPeriod | undefined {
  const match = STORED_PERIOD.exec(text);
  if (match === null) return undefined;
  const unit = UNITS.find((u) => UNIT_LETTER[u] === match[2]) as CalendarUnit;
  const count = Number(match[1]);
  return count <= MAX_COUNT ? Object.freeze({ unit, count }) : undefined;
}

export interface CalendarScheduleOptions {
  /** IANA time zone of the calendar. @default 'UTC' */
  timezone?: string | undefined;
  /** Local times a clock change skips or repeats (as cron's). @default { gap: 'run-at-first-valid', overlap: 'once' } */
  dst?: CronDstOptions | undefined;
}

/** Local date parts of a local wall time (see the header): year, month 0-11, day, and ms into the day. */
function localParts(localMs: number): { year: number; month: number; day: number; timeOfDayMs: number } {
  const date = new Date(localMs);
  const dayStartMs = Math.floor(localMs / DAY_MS) * DAY_MS;
  return { year: date.getUTCFullYear(), month: date.getUTCMonth(), day: date.getUTCDate(), timeOfDayMs: localMs - dayStartMs };
}

/** Local midnight of a date as a local wall time; setUTCFullYear so that years 0-99 are not read as 1900-1999. */
function localMidnight(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  return date.getTime();
}

/** Days in a month (0-11) of a year: the 0th day of the next month is this month's last. */
function daysInMonth(year: number, month: number): number {
  return new Date(localMidnight(year, month + 1, 0)).getUTCDate();
}

/**
 * The slots of a calendar interval from an anchor instant: asked for the
 * first slot strictly after an instant, as CronSchedule is.
 * @example
 * const monthly = new CalendarSchedule({ unit: 'months', count: 1 }, Date.parse('2026-01-31T09:00:00Z'));
 * monthly.nextRunAfter(Date.parse('2026-01-31T09:00:00Z')); // 2026-02-28T09:00:00Z
 */
export class CalendarSchedule {
  readonly kind = 'interval';
  readonly period: ResolvedCalendarPeriod;
  readonly anchorMs: number;
  readonly timezone: string;
  readonly dst: CronDstPolicy;
  /** How describe() names it. */
  readonly expression: string;
  readonly #zone: ZoneOffsets;
  /** The anchor as a local wall time, and its parts. */
  readonly #anchorLocalMs: number;
  readonly #anchor: ReturnType<typeof localParts>;
  /** Days per step for days and weeks; 0 for months. */
  readonly #stepDays: number;

  constructor(period: ResolvedCalendarPeriod, anchorMs: number, options: CalendarScheduleOptions = {}) {
    if (typeof anchorMs !== 'number' || !(Math.abs(anchorMs) <= DATE_LIMIT_MS)) {
      throw new InvalidArgumentError(`anchorMs must be ms since the epoch within a Date's range, received ${describeValue(anchorMs)}`);
    }
    this.period = period;
    this.anchorMs = anchorMs;
    this.timezone = requireTimeZone(options.timezone);
    this.dst = resolveDstPolicy(options.dst);
    this.expression = `every ${period.count} ${period.unit} in ${this.timezone} from ${new Date(anchorMs).toISOString()}`;
    this.#zone = new ZoneOffsets(this.timezone);
    this.#anchorLocalMs = this.#zone.localAt(anchorMs);
    this.#anchor = localParts(this.#anchorLocalMs);
    this.#stepDays = period.unit === 'months' ? 0 : period.unit === 'weeks' ? 7 * period.count : period.count;
  }

  /** Slot k's local wall time (k >= 1), or null past a Date's range. */
  localSlot(k: number): number | null {
    let localMs: number;
    if (this.#stepDays > 0) {
      localMs = this.#anchorLocalMs + k * this.#stepDays * DAY_MS;
    } else {
      const { year, month, day, timeOfDayMs } = this.#anchor;
      const monthIndex = month + k * this.period.count;
      const targetYear = year + Math.floor(monthIndex / 12);
      const targetMonth = monthIndex - Math.floor(monthIndex / 12) * 12;
      localMs = localMidnight(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth))) + timeOfDayMs;
    }
    return Math.abs(localMs) <= DATE_LIMIT_MS - 2 * DAY_MS ? localMs : null;
  }

  /** The instants slot k runs at (k >= 1), in order: none (a skipped gap), one, or two (overlap 'both'). */
  #instantsOfSlot(localMs: number): number[] {
    const at = this.#zone.instantsOf(localMs);
    if (at.kind === 'single') return [at.firstMs];
    if (at.kind === 'repeated') return this.dst.overlap === 'both' ? [at.firstMs, at.secondMs] : [at.firstMs];
    return this.dst.gap === 'run-at-first-valid' ? [at.gapEndMs] : [];
  }

  /** The first slot strictly after `wallMs` (the anchor itself if wallMs is before it), or null past a Date's range. */
  nextRunAfter(wallMs: number): number | null {
    if (wallMs < this.anchorMs) return this.anchorMs;
    for (let k = this.#stepsBefore(wallMs); ; k++) {
      const localMs = this.localSlot(k);
      if (localMs === null) return null;
      for (const instantMs of this.#instantsOfSlot(localMs)) if (instantMs > wallMs) return instantMs;
    }
  }

  /**
   * A step k >= 1 whose slot is surely at or before wallMs (or 1), to walk
   * forward from. Local and instant times differ by the zone's offset (at
   * most a day or so), so an estimate from elapsed time less three steps of
   * at least a day (two months for months) is safely early.
   */
  #stepsBefore(wallMs: number): number {
    if (this.#stepDays > 0) return Math.max(1, Math.floor((wallMs - this.anchorMs) / (this.#stepDays * DAY_MS)) - 3);
    const now = localParts(this.#zone.localAt(wallMs));
    const months = (now.year - this.#anchor.year) * 12 + (now.month - this.#anchor.month);
    return Math.max(1, Math.floor(months / this.period.count) - 3);
  }
}
