// Durations as options: a number of ms, or a short human string ('5m',
// '1h30m'). Parsed once when options are resolved, so the rest of src/ only
// ever sees ms. The grammar is strict on purpose: '5 minutes', '5', '30m1h'
// or '1M' (a month in some libraries, a minute in others) are refused rather
// than guessed at.
import { describeValue, InvalidArgumentError, mustBe } from '../../bindings/errors.js';
import type { CalendarPeriod } from './calendar-period.js';

/**
 * A duration: a number of milliseconds from 0 to MAX_DURATION_MS (1e15), or a string of one or more
 * `<number><unit>` parts, with units `w` (7 days), `d`, `h`, `m` or `min`
 * (minutes), `s` and `ms`, in lower case. Parts may be separated by whitespace;
 * the number may have a decimal fraction ('1.5s'); each unit appears at most
 * once, largest first. A bare number string ('5000') is refused: its unit would
 * be a guess. So are `M`, `mo` and `y`: months and years have no fixed length
 * (the error suggests the calendar interval `{ months: 1 }`). Days and weeks
 * are fixed lengths (24 h, 7 × 24 h), not calendar days: for a task that keeps
 * its local time of day across daylight saving, use `{ days: 1 }` with a
 * timezone (see CalendarPeriod).
 *
 * @example
 * const a: Duration = 250;        // 250 ms
 * const b: Duration = '250ms';    // 250 ms
 * const c: Duration = '1.5s';     // 1500 ms
 * const d: Duration = '1h 30m';   // 5_400_000 ms
 * const e: Duration = '1w2d';     // 777_600_000 ms
 */
export type Duration = number | string;

/**
 * The longest delay, period, timeout or other duration timeslice takes: 1e15
 * ms, about 31,688 years. One bound for every duration (in-memory and durable
 * tasks alike), small enough that now + a duration is still an exact integer
 * and a valid Date (whose range is ±8.64e15 ms around 1970).
 */
export const MAX_DURATION_MS = 1e15;
const MAX_DURATION_TEXT = 'at most 1e15 ms (about 31,688 years, MAX_DURATION_MS)';

const UNIT_MS = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, min: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
/** Largest first: the order the parts of a duration must come in (`m` and `min` are one unit). */
const UNIT_RANK: Readonly<Record<Unit, number>> = { w: 0, d: 1, h: 2, m: 3, min: 3, s: 4, ms: 5 };

/** The whole string: parts, optionally separated (and surrounded) by whitespace. */
const DURATION_SHAPE = /^\s*(?:\d+(?:\.\d+)?(?:ms|min|[wdhms])\s*)+$/;
/** One part: integer digits, fraction digits, unit. `ms` and `min` before `m`/`s` so they win. */
const PART = /(\d+)(?:\.(\d+))?(ms|min|[wdhms])/g;
/** A number and the letters after it, in a string the grammar refused: to say what was wrong with its unit. */
const NUMBER_AND_UNIT = /\d(?:\.\d+)?\s*([a-z]+)/gi;

/**
 * The duration `value` in ms. Throws InvalidArgumentError, naming the option
 * `name`, for anything but a number from 0 to MAX_DURATION_MS or a
 * well-formed duration string of at most that.
 *
 * @example
 * parseDurationMs('delayMs', '1h30m'); // 5_400_000
 * parseDurationMs('delayMs', 250);     // 250
 */
export function parseDurationMs(name: string, value: Duration): number {
  if (typeof value === 'number') {
    if (value >= 0 && value <= MAX_DURATION_MS) return value;
    throw invalidDuration(name, value, value > MAX_DURATION_MS ? MAX_DURATION_TEXT : undefined);
  }
  if (typeof value !== 'string') throw invalidDuration(name, value);
  if (!DURATION_SHAPE.test(value)) throw invalidDuration(name, value, unitHint(value));

  let totalMs = 0;
  let previous = -1;
  for (const [, whole, fraction, unitText] of value.matchAll(PART)) {
    const unit = unitText as Unit;
    const rank = UNIT_RANK[unit];
    if (rank <= previous) throw invalidDuration(name, value, 'units go largest first, each at most once');
    previous = rank;
    const unitMs = UNIT_MS[unit];
    // Whole and fraction are scaled separately so that '1.1s' is exactly 1100,
    // not 1.1 * 1000 = 1100.0000000000002.
    totalMs += Number(whole) * unitMs;
    if (fraction !== undefined) totalMs += (Number(fraction) * unitMs) / 10 ** fraction.length;
  }
  if (!(totalMs <= MAX_DURATION_MS)) throw invalidDuration(name, value, MAX_DURATION_TEXT);
  return totalMs;
}

/** Why a refused string's unit is wrong, when it is one users write by habit from other libraries. */
function unitHint(text: string): string | undefined {
  for (const [, unit] of text.matchAll(NUMBER_AND_UNIT)) {
    if (unit === 'M' || /^mo(n(th)?s?)?$/i.test(unit!)) {
      return "'M' or 'mo' would be months (no fixed length): 'm' or 'min' is minutes; a monthly task takes the calendar interval { months: 1 }";
    }
    if (/^(y|yrs?|years?)$/i.test(unit!)) return 'years have no fixed length: use the calendar interval { months: 12 } for a yearly task';
    if (unit!.toLowerCase() in UNIT_MS && !(unit! in UNIT_MS)) return `units are lower case: '${unit!.toLowerCase()}', not '${unit}'`;
  }
  return undefined;
}

function invalidDuration(name: string, value: unknown, why?: string): InvalidArgumentError {
  const reason = why === undefined ? '' : ` (${why})`;
  return new InvalidArgumentError(
    `${name} must be a number of ms >= 0 or a duration like '5m' or '1h30m', received ${describeValue(value)}${reason}`,
  );
}

/** The latest time a Date holds, in ms since the epoch (minus it: the earliest). */
export const DATE_LIMIT_MS = 8.64e15;

/**
 * The time of `date` (a Date, or ms since the epoch) in ms since the epoch,
 * checked: within a Date's range, and at most MAX_DURATION_MS after
 * wallNowMs (a date in the past is fine: it means now).
 */
export function dateMs(name: string, date: unknown, wallNowMs: number): number {
  const atMs = date instanceof Date ? date.getTime() : date;
  if (typeof atMs !== 'number' || !(Math.abs(atMs) <= DATE_LIMIT_MS)) {
    throw mustBe(name, `a valid Date or a number of ms since the epoch from -8.64e15 to 8.64e15 (a Date's range)`, date);
  }
  if (atMs - wallNowMs > MAX_DURATION_MS) {
    throw mustBe(name, `${MAX_DURATION_TEXT} from now`, date);
  }
  return atMs;
}

/** A duration > 0, in ms. */
export function requirePositive(name: string, value: Duration): number {
  const ms = parseDurationMs(name, value);
  if (ms === 0) throw mustBe(name, '> 0', value);
  return ms;
}

/** True for a value that reads as a calendar interval object (rather than a Duration). */
export function isCalendarPeriod(value: unknown): value is CalendarPeriod {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
