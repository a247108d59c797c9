// Cron schedules: when does a cron expression next fire, in a given time zone,
// and what happens on the days the zone's clock jumps (daylight saving)?
//
// croner does the cron work: parsing, and the calendar search for the next
// local time matching the fields. It is asked on a clock without daylight
// saving (utcOffset 0, where a "local time" is its fields written as UTC, as
// in src/time/zone-offsets.ts); src/time/zone-offsets.ts maps each matching local time
// back to instants with Intl, and the DST policy below decides which of those
// instants run. croner's own DST handling (Vixie cron's, which treats
// fixed-time and interval jobs differently) is therefore never used. croner is
// a calculator here: the Cron is built paused and without a callback, so it
// never arms a timer or keeps a process alive, and without a name, so it is
// not kept in croner's global `scheduledJobs` list. The scheduler owns the one
// host timer (see src/time/clock.ts) and asks only "the first run strictly after
// wallMs".
//
// Nothing depends on the host's time zone: the zone defaults to UTC rather
// than to the host's local time, Intl is always given the zone, and every
// result is an instant (ms since the epoch).
//
// The DST policy (CronDstOptions), the same for every expression:
// - gap, the clock goes forward and some local times never happen (New York,
//   2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:00-02:59 do not exist):
//   - 'run-at-first-valid' (default): if any local time the expression names
//     falls in the gap, the job runs once at the instant the gap ends (03:00
//     EDT), however many it names there. If the gap's end matches by itself,
//     that is the same run.
//   - 'skip': local times in the gap do not run.
// - overlap, the clock goes back and some local times happen twice (New York,
//   2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:00-01:59 happen twice):
//   - 'once' (default): only the first occurrence (on summer time) runs.
//   - 'both': both occurrences run, an hour apart.
// Why these defaults: every local time the expression names runs exactly once,
// none lost in a gap and none doubled in an overlap, which is what a daily
// '30 2 * * *' job wants. The price is paid by interval jobs: '*/15 * * * *'
// has no run in the repeated hour (its local times already ran) and runs once
// at 03:00 for the skipped hour. A job that must keep a steady pace should use
// overlap: 'both', or every(), which counts elapsed time and never reads the
// wall clock.
//
// Every change of a zone's offset is treated so, not only daylight saving
// (Samoa skipping 2011-12-30 is a gap of a whole day). A run at the end of a
// gap is a whole second, as every run is; the next run after it is the first
// local time after the gap. src/time/zone-offsets.ts lists what is assumed of
// tzdata (one change in any 48 hours, none over a day); the oracle test
// (test/api/cron-dst-oracle.test.ts) checks the result minute by minute.
import { Cron } from 'croner';
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { InvalidCronExpressionError } from '../errors.js';
import { type CronDstOptions, type CronDstPolicy, requireOptionsObject, resolveDstPolicy, requireTimeZone } from './dst-policy.js';
import { DAY_MS, type OffsetTransition, ZoneOffsets } from './zone-offsets.js';

// The DST policy and zone checks live in ./dst-policy.ts (no croner), shared with calendar intervals.
export { resolveDstPolicy, requireTimeZone } from './dst-policy.js';
export type { CronDstOptions, CronDstPolicy, CronGapPolicy, CronOverlapPolicy } from './dst-policy.js';

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
  timezone?: string | undefined;
  /**
   * What happens to local times that a daylight-saving change skips or
   * repeats; see CronDstOptions.
   * @default { gap: 'run-at-first-valid', overlap: 'once' }
   * @example { timezone: 'America/New_York', dst: { gap: 'skip', overlap: 'both' } }
   */
  dst?: CronDstOptions | undefined;
}

const OPTION_KEYS = ['timezone', 'dst'];

/**
 * A validated cron expression in a time zone, asked only for its next run.
 * Accepts 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds
 * first), croner's extensions (L, W, #, + and ?), and the nicknames `@yearly`,
 * `@annually`, `@monthly`, `@weekly`, `@daily`, `@midnight` and `@hourly`. Refuses 7 fields
 * (a year), date strings (which croner would run once), @reboot, and
 * expressions that match no date at all ('0 0 30 2 *').
 *
 * @example
 * const daily = new CronSchedule('0 9 * * *', { timezone: 'America/New_York' });
 * daily.nextRunAfter(Date.parse('2026-03-07T12:00:00Z')); // 2026-03-07T14:00:00Z (EST)
 */
export class CronSchedule {
  readonly kind = 'cron';
  readonly expression: string;
  /** The zone as given (not canonicalised), or 'UTC'. */
  readonly timezone: string;
  /** The DST policy, defaults filled in. */
  readonly dst: CronDstPolicy;
  /** croner on a clock without DST: its times are local wall times. */
  readonly #cron: Cron;
  readonly #zone: ZoneOffsets;

  constructor(expression: string, options: CronScheduleOptions = {}) {
    const given = requireOptionsObject('options', options, OPTION_KEYS, 'a CronSchedule option');
    requireExpressionShape(expression);
    const timezone = requireTimeZone(given.timezone);
    const dst = resolveDstPolicy(given.dst);
    let cron: Cron;
    try {
      cron = new Cron(expression, { utcOffset: 0, paused: true, mode: '5-or-6-parts' });
    } catch (err) {
      const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
      throw invalidExpression(expression, `croner says: ${reason}`, err);
    }
    // Without a year field a pattern repeats every 400 years, so one that has no
    // run after 1970 has none at all (and croner searches up to the year 9999).
    if (cron.nextRun(new Date(0)) === null) throw invalidExpression(expression, 'it matches no date');
    this.expression = expression;
    this.timezone = timezone;
    this.dst = dst;
    this.#cron = cron;
    this.#zone = new ZoneOffsets(timezone);
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
    const zone = this.#zone;
    const offsetMs = zone.offsetAt(wallMs);
    const localMs = wallMs + offsetMs;
    const changedBack = this.#backwardChangeNear(wallMs, offsetMs);
    // The runs are first occurrences (or gap ends), which come in the order of
    // their local times, plus, with overlap 'both', second occurrences. A first
    // occurrence after wallMs is a local time the clock has not shown yet: past
    // localMs, or, in the repeated stretch after a change back, past the last
    // local time shown before the change. (#firstOccurrenceAfter would pass
    // over the repeated ones anyway; starting past them spares walking through
    // up to an hour of matches, 3,600 for a job every second.)
    let shownLocalMs = localMs;
    if (changedBack !== undefined && changedBack.atMs <= wallMs) {
      shownLocalMs = Math.max(localMs, changedBack.atMs + changedBack.offsetBeforeMs - 1);
    }
    const first = this.#firstOccurrenceAfter(shownLocalMs, wallMs);
    if (this.dst.overlap === 'once' || changedBack === undefined) return first;
    const second = this.#secondOccurrenceAfter(changedBack, wallMs);
    if (second === null) return first;
    return first === null ? second : Math.min(first, second);
  }

  /** The first run that is a local time's first occurrence (or a gap end), for local times after `shownLocalMs`. */
  #firstOccurrenceAfter(shownLocalMs: number, wallMs: number): number | null {
    for (let localMs = this.#matchAfter(shownLocalMs); localMs !== null; ) {
      const at = this.#zone.instantsOf(localMs);
      if (at.kind !== 'skipped') {
        if (at.firstMs > wallMs) return at.firstMs;
        localMs = this.#matchAfter(localMs);
      } else if (this.dst.gap === 'run-at-first-valid' && at.gapEndMs > wallMs) {
        return at.gapEndMs;
      } else {
        // The rest of the gap is skipped too: go on from its end.
        localMs = this.#matchAfter(at.gapEndLocalMs - 1);
      }
    }
    return null;
  }

  /**
   * With overlap 'both': the first second occurrence after `wallMs` of a local
   * time repeated by `change`. Only local times whose first occurrence was at
   * or before wallMs matter; the others run first as first occurrences.
   */
  #secondOccurrenceAfter(change: OffsetTransition, wallMs: number): number | null {
    // Repeated local times: [atMs + offsetAfterMs, atMs + offsetBeforeMs); a
    // repeated local time L happens again at L - offsetAfterMs.
    const localMs = this.#matchAfter(Math.max(wallMs + change.offsetAfterMs, change.atMs + change.offsetAfterMs - 1));
    if (localMs === null || localMs >= change.atMs + change.offsetBeforeMs) return null;
    return localMs - change.offsetAfterMs;
  }

  /**
   * A change of offset to a smaller one (the clock going back) within a day of
   * `wallMs`, before or (only needed for overlap 'both') after it.
   */
  #backwardChangeNear(wallMs: number, offsetMs: number): OffsetTransition | undefined {
    const zone = this.#zone;
    if (zone.offsetAt(wallMs - DAY_MS) > offsetMs) return zone.transitionIn(wallMs - DAY_MS, wallMs);
    if (this.dst.overlap === 'both' && zone.offsetAt(wallMs + DAY_MS) < offsetMs) return zone.transitionIn(wallMs, wallMs + DAY_MS);
    return undefined;
  }

  /** The first local time matching the fields, strictly after `localMs` (whole seconds), or null past the year 9999. */
  #matchAfter(localMs: number): number | null {
    if (localMs >= MAX_DATE_MS) return null;
    // croner drops the ms of its start and searches from the next whole second.
    const next = this.#cron.nextRun(new Date(Math.max(localMs, -MAX_DATE_MS)));
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

