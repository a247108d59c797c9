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
import type { ResolvedCalendarPeriod } from './calendar-period.js';
import { type CronDstOptions, type CronDstPolicy, resolveDstPolicy, requireTimeZone } from './dst-policy.js';
import { DATE_LIMIT_MS } from './duration.js';
import { DAY_MS, ZoneOffsets } from './zone-offsets.js';

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
