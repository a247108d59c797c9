// Calendar periods as values: what every() and schedule({ every }) accept
// ({ days | weeks | months: n }), and their stored text ('P1D', 'P2W', 'P1M').
// Apart from src/time/calendar.ts (the slots), so the stores can check a stored
// period without loading the time zone and cron code.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { isCalendarPeriod } from './duration.js';

// In duration.ts, which every() reads first: a plain every('5m') loads nothing of this module.
export { isCalendarPeriod } from './duration.js';

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
