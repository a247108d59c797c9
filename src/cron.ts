// Cron schedules: when does a cron expression next fire, in a given time zone?
//
// croner does all the cron work (parsing, calendar search, time zones, DST);
// this file only validates its inputs, turns its failures into typed errors,
// and narrows it to one question, "the first run strictly after wallMs", so
// that the scheduler owns the one host timer (see src/clock.ts). croner is
// used as a calculator: each Cron is built paused and without a callback, so
// it never arms a timer and never keeps a process alive, and without a name,
// so it is not kept in croner's global `scheduledJobs` list.
//
// Nothing depends on the host's time zone: the zone defaults to UTC rather
// than to the host's local time, and every result is an instant (ms since the
// epoch), not a local time.
//
// Daylight-saving transitions follow croner (Vixie cron's rules; see its
// README, "DST handling"), pinned by test/api/cron.test.ts. croner splits jobs
// in two by their second, minute and hour fields:
// - A fixed-time job has a single value in each (e.g. '30 2 * * *').
//   - Gap (spring forward; the local time does not exist): it runs once that
//     day, at the instant the gap ends, i.e. the first valid local time. In
//     America/New_York on 2026-03-08, '30 2 * * *' runs at 03:00 EDT
//     (07:00Z), not at 03:30.
//   - Overlap (fall back; the local time occurs twice): it runs once, at the
//     first occurrence (the earlier instant, still on summer time). Asked from
//     between the two occurrences, it skips the second and moves to the next
//     day.
// - An interval job has a wildcard, step, range or list in any of them (e.g.
//   '*/30 * * * *', and also '30 2,3 * * *').
//   - Gap: the local times that do not exist are skipped.
//   - Overlap: it runs at both occurrences of a repeated local time.
// A later change will make these policies configurable; until then this is
// the behaviour, and the tests fail if croner changes it.
import { Cron } from 'croner';
import { describeValue, InvalidArgumentError } from '../bindings/errors.js';
import { InvalidCronExpressionError, UnknownTimeZoneError } from './schedule-errors.js';

/** The largest |ms| a Date can hold (±100,000,000 days around the epoch). */
const MAX_DATE_MS = 8.64e15;

export interface CronScheduleOptions {
  /**
   * The IANA time zone the expression's fields are read in. Any name
   * `Intl.DateTimeFormat` accepts: case-insensitive, links like 'EST' and
   * 'Asia/Calcutta' included; UTC offsets like '+05:30' are refused.
   * @default 'UTC' (never the host's local zone, so results do not depend on it)
   * @example { timezone: 'Europe/London' }
   */
  timezone?: string;
}

/**
 * A validated cron expression in a time zone, asked only for its next run.
 * Accepts 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds
 * first), croner's extensions (L, W, #, + and ?), and the nicknames @yearly,
 * @annually, @monthly, @weekly, @daily, @midnight and @hourly. Refuses 7 fields
 * (a year), date strings (which croner would run once), @reboot, and
 * expressions that match no date at all ('0 0 30 2 *').
 *
 * @example
 * const daily = new CronSchedule('0 9 * * *', { timezone: 'America/New_York' });
 * daily.nextRunAfter(Date.parse('2026-03-07T12:00:00Z')); // 2026-03-07T14:00:00Z (EST)
 */
export class CronSchedule {
  readonly expression: string;
  /** The zone as given (not canonicalised), or 'UTC'. */
  readonly timezone: string;
  readonly #cron: Cron;

  constructor(expression: string, options: CronScheduleOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`options must be an object, received ${describeValue(options)}`);
    }
    requireExpressionShape(expression);
    const timezone = requireTimeZone(options.timezone);
    let cron: Cron;
    try {
      // fixedTimeRule is croner's default, spelled out because the DST
      // behaviour documented above depends on it.
      cron = new Cron(expression, { timezone, paused: true, mode: '5-or-6-parts', fixedTimeRule: 'single-value' });
    } catch (err) {
      const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
      throw invalidExpression(expression, `croner says: ${reason}`, err);
    }
    // Without a year field a pattern repeats every 400 years, so one that has no
    // run after 1970 has none at all (and croner searches up to the year 9999).
    if (cron.nextRun(new Date(0)) === null) throw invalidExpression(expression, 'it matches no date');
    this.expression = expression;
    this.timezone = timezone;
    this.#cron = cron;
  }

  /**
   * The first run strictly after `wallMs`, in ms since the epoch (always a
   * whole second), or null if there is none before the year 10000.
   */
  nextRunAfter(wallMs: number): number | null {
    if (typeof wallMs !== 'number' || !(Math.abs(wallMs) <= MAX_DATE_MS)) {
      throw new InvalidArgumentError(
        `wallMs must be a finite number of ms since the epoch (at most ±8.64e15), received ${describeValue(wallMs)}`,
      );
    }
    // croner drops the ms of its start and searches from the next whole
    // second, so a run exactly at wallMs is excluded and one later within the
    // same second cannot exist (runs are whole seconds).
    const next = this.#cron.nextRun(new Date(wallMs));
    return next === null ? null : next.getTime();
  }
}

const ALLOWED_EXPRESSION = "a cron expression of 5 or 6 fields or a nickname like '@hourly'";

function invalidExpression(expression: string, why: string, cause?: unknown): InvalidCronExpressionError {
  return new InvalidCronExpressionError(
    `expression must be ${ALLOWED_EXPRESSION}, received ${describeValue(expression)}: ${why}`,
    cause === undefined ? undefined : { cause },
  );
}

/** What croner would misread or does not check: a non-string, blank, or a date. */
function requireExpressionShape(expression: unknown): asserts expression is string {
  if (typeof expression !== 'string' || expression.trim() === '') {
    throw new InvalidCronExpressionError(`expression must be ${ALLOWED_EXPRESSION}, received ${describeValue(expression)}`);
  }
  // croner takes a string with a ':' for an ISO 8601 date to run once at; no
  // cron field contains one.
  if (expression.includes(':')) throw invalidExpression(expression, 'a date or time, not a cron expression');
}

function requireTimeZone(timezone: unknown): string {
  if (timezone === undefined) return 'UTC';
  // An empty string must not reach croner, which reads it as "host local time".
  if (typeof timezone === 'string' && timezone !== '') {
    try {
      new Intl.DateTimeFormat(undefined, { timeZone: timezone });
      return timezone;
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
    }
  }
  throw new UnknownTimeZoneError(
    `timezone must be an IANA time zone name like 'Europe/London', received ${describeValue(timezone)}`,
  );
}
