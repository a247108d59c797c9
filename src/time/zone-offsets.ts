// A time zone's UTC offsets, from Intl alone: what the local wall time is at an
// instant, and at which instants a local wall time happens (none, one or two).
//
// Why: cron fields are read on the local wall clock, but timers run on
// instants. croner answers "the next local time matching the fields" on a
// clock without daylight saving (src/time/cron.ts); this file maps each such local
// time back to instants, so that the DST policy is ours and explicit.
//
// Representation. A local wall time is a number: its fields written as if they
// were UTC, in ms (2026-03-08 02:30 local is Date.UTC(2026, 2, 8, 2, 30)). So
// local = instant + offset, and local times compare and add like instants.
// Nothing here reads the host's zone: Intl is always given the zone, and
// fields are turned into numbers with UTC arithmetic only.
//
// How instants of a local time are found (as the Temporal polyfill does): take
// the offsets a day before and a day after it, and keep each candidate instant
// (local - offset) whose own offset is that offset. Two survivors: the local
// time happens twice (an overlap, the clock went back). None: it never happens
// (a gap, the clock went forward), and the gap ends at the transition, found by
// bisection on whole seconds (transitions are whole seconds in tzdata).
//
// Assumptions, true of tzdata from 1970 to 2040 (scanned every 6 hours, all of
// Intl.supportedValuesOf('timeZone'), tzdata 2025c): an offset changes at most
// once in any 48 hours, and by at most 24 hours (Samoa skipped 2011-12-30). Before 1800 no zone has a
// transition, so offsets before it are read at 1800 (Intl prints years before
// 1 AD without an era, which would be misread).
//
// Costs: one formatToParts (~4 us) per offset. Each query does a few; the
// bisection (about 18 more) runs only within a day of a transition.

export const DAY_MS = 86_400_000;

/** Offsets before this instant are the offset at it (no zone has an earlier transition). */
const OFFSET_FLOOR_MS = Date.UTC(1800, 0, 1);
/** Offsets after this instant are the offset at it: the last instant a Date can hold. */
const OFFSET_CEILING_MS = 8.64e15;

/** Where a local wall time falls on the instant axis. */
export type LocalTimeInstants =
  /** It happens once, at `firstMs`. */
  | { readonly kind: 'single'; readonly firstMs: number }
  /** It happens twice (the clock went back): at `firstMs`, then again at `secondMs`. */
  | { readonly kind: 'repeated'; readonly firstMs: number; readonly secondMs: number }
  /** It never happens (the clock went forward): the gap ends at the instant `gapEndMs`, local time `gapEndLocalMs`. */
  | { readonly kind: 'skipped'; readonly gapEndMs: number; readonly gapEndLocalMs: number };

/** A change of offset: from the instant `atMs` on, the offset is `offsetAfterMs` instead of `offsetBeforeMs`. */
export interface OffsetTransition {
  readonly atMs: number;
  readonly offsetBeforeMs: number;
  readonly offsetAfterMs: number;
}

/** month/day/year, hour:minute:second, as en-US prints them with hourCycle h23. */
const EN_US_DATE_TIME = /^(\d+)\/(\d+)\/(\d+), (\d+):(\d+):(\d+)$/;

// One formatter per zone name: building one costs far more than using it.
const formatterOfZone = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatterOfZone.get(timeZone);
  if (format === undefined) {
    // h23: midnight is hour 0 (with hour12: false some engines print 24).
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatterOfZone.set(timeZone, format);
  }
  return format;
}

/** ms since the epoch of these UTC fields; years 0-99 are not taken for 1900-1999. */
export function utcFromFields(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}

export class ZoneOffsets {
  readonly #format: Intl.DateTimeFormat;

  /** `timeZone` must be a name Intl.DateTimeFormat accepts (the caller validates it). */
  constructor(timeZone: string) {
    this.#format = formatterFor(timeZone);
  }

  /** local - instant at `instantMs`, in ms (a whole number of seconds). */
  offsetAt(instantMs: number): number {
    const at = Math.min(Math.max(instantMs, OFFSET_FLOOR_MS), OFFSET_CEILING_MS);
    // Intl prints whole seconds, so compare with the instant's whole second.
    return this.#localFieldsMs(at) - Math.floor(at / 1000) * 1000;
  }

  /** The local wall time of `instantMs` to the second, read from Intl. */
  #localFieldsMs(instantMs: number): number {
    // format() is about three times as fast as formatToParts(); its en-US shape
    // ("3/8/2026, 02:30:00") is parsed, with formatToParts as the fallback
    // should an engine print it otherwise.
    const fields = EN_US_DATE_TIME.exec(this.#format.format(instantMs));
    if (fields !== null) {
      return utcFromFields(+fields[3]!, +fields[1]!, +fields[2]!, +fields[4]!, +fields[5]!, +fields[6]!);
    }
    const part: Partial<Record<Intl.DateTimeFormatPartTypes, number>> = {};
    for (const { type, value } of this.#format.formatToParts(instantMs)) part[type] = Number(value);
    return utcFromFields(part.year ?? Number.NaN, part.month ?? Number.NaN, part.day ?? Number.NaN, part.hour ?? Number.NaN, part.minute ?? Number.NaN, part.second ?? Number.NaN);
  }

  /** The local wall time at `instantMs` (see the header for the representation). */
  localAt(instantMs: number): number {
    return instantMs + this.offsetAt(instantMs);
  }

  /**
   * The offset change in (fromMs, toMs], if the offsets at the two ends differ
   * (assumed to be a single change: see the header).
   */
  transitionIn(fromMs: number, toMs: number): OffsetTransition | undefined {
    const offsetBeforeMs = this.offsetAt(fromMs);
    const offsetAfterMs = this.offsetAt(toMs);
    if (offsetBeforeMs === offsetAfterMs) return undefined;
    // Bisect on whole seconds: `lo` always has the old offset, `hi` the new one.
    let lo = Math.floor(fromMs / 1000) * 1000;
    let hi = Math.floor(toMs / 1000) * 1000;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.offsetAt(mid) === offsetBeforeMs) lo = mid;
      else hi = mid;
    }
    return { atMs: hi, offsetBeforeMs, offsetAfterMs };
  }

  /** The instants at which the local wall time `localMs` happens. */
  instantsOf(localMs: number): LocalTimeInstants {
    const earlierOffsetMs = this.offsetAt(localMs - DAY_MS);
    const laterOffsetMs = this.offsetAt(localMs + DAY_MS);
    // A larger offset puts the same local time at an earlier instant.
    const candidates = earlierOffsetMs === laterOffsetMs ? [earlierOffsetMs] : [Math.max(earlierOffsetMs, laterOffsetMs), Math.min(earlierOffsetMs, laterOffsetMs)];
    const found: number[] = [];
    for (const offsetMs of candidates) {
      if (this.offsetAt(localMs - offsetMs) === offsetMs) found.push(localMs - offsetMs);
    }
    const [firstMs, secondMs] = found;
    if (firstMs !== undefined) {
      return secondMs === undefined ? { kind: 'single', firstMs } : { kind: 'repeated', firstMs, secondMs };
    }
    if (earlierOffsetMs < laterOffsetMs) {
      // The clock went forward over localMs: the gap ends at the transition,
      // which lies between the two candidate instants.
      const transition = this.transitionIn(localMs - laterOffsetMs, localMs - earlierOffsetMs);
      if (transition !== undefined) {
        return { kind: 'skipped', gapEndMs: transition.atMs, gapEndLocalMs: transition.atMs + transition.offsetAfterMs };
      }
    }
    // Two changes within two days, which the assumptions in the header rule
    // out: take the earlier offset's reading rather than fail a timer.
    return { kind: 'single', firstMs: localMs - earlierOffsetMs };
  }
}
