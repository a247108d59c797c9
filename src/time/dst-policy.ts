// The daylight-saving policy (what runs in a gap or an overlap of local times)
// and the time zone check, shared by cron schedules (./cron.ts) and calendar
// intervals (./calendar.ts). A module of its own, without croner, so that a
// browser bundle of `timeslice` that uses calendar intervals and no cron
// carries no croner (test/dist/size.test.ts).
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { UnknownTimeZoneError } from '../errors.js';

/** What a cron job does with local times that a clock change skips. */
export type CronGapPolicy = 'skip' | 'run-at-first-valid';
/** What a cron job does with local times that a clock change repeats. */
export type CronOverlapPolicy = 'once' | 'both';

const GAP_POLICIES: readonly CronGapPolicy[] = ['skip', 'run-at-first-valid'];
const OVERLAP_POLICIES: readonly CronOverlapPolicy[] = ['once', 'both'];

export interface CronDstOptions {
  /**
   * Local times that do not exist because the clock went forward: 'skip' them,
   * or 'run-at-first-valid': run once at the instant the gap ends.
   * @default 'run-at-first-valid'
   * @example { gap: 'skip' } // '30 2 * * *' in New York has no run on 2026-03-08
   */
  gap?: CronGapPolicy | undefined;
  /**
   * Local times that happen twice because the clock went back: run 'once', at
   * the first occurrence, or at 'both' occurrences.
   * @default 'once'
   * @example { overlap: 'both' } // '*\/15 * * * *' keeps running through the repeated hour
   */
  overlap?: CronOverlapPolicy | undefined;
}

/** A DST policy with every choice made. */
export interface CronDstPolicy {
  readonly gap: CronGapPolicy;
  readonly overlap: CronOverlapPolicy;
}

const DEFAULT_DST: CronDstPolicy = Object.freeze({ gap: 'run-at-first-valid', overlap: 'once' });
const DST_KEYS = ['gap', 'overlap'];

/** A plain options object with only `known` keys (a misspelt option is refused, not ignored). */
export function requireOptionsObject(name: string, value: unknown, known: readonly string[], what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an object, received ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`${name}.${key} is not ${what} (known: ${known.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

/** A DST policy checked, defaults filled in (shared with calendar intervals, src/calendar.ts). */
export function resolveDstPolicy(dst: unknown): CronDstPolicy {
  if (dst === undefined) return DEFAULT_DST;
  const given = requireOptionsObject('options.dst', dst, DST_KEYS, 'a DST policy');
  return Object.freeze({
    gap: requireChoice('options.dst.gap', given.gap, GAP_POLICIES, DEFAULT_DST.gap),
    overlap: requireChoice('options.dst.overlap', given.overlap, OVERLAP_POLICIES, DEFAULT_DST.overlap),
  });
}

function requireChoice<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidArgumentError(`${name} must be ${allowed.map((choice) => `'${choice}'`).join(' or ')}, received ${describeValue(value)}`);
}

/** An IANA zone name Intl knows (undefined: 'UTC'); UnknownTimeZoneError naming `name` otherwise. */
export function requireTimeZone(timezone: unknown, name = 'timezone'): string {
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
    `${name} must be an IANA time zone name like 'Europe/London', received ${describeValue(timezone)}`,
  );
}
