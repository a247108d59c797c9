// A brute-force model of calendar intervals (src/time/calendar.ts), sharing no code
// with src/: the anchor's local date and time are read from its own
// Intl.DateTimeFormat; slot k's local date is stepped naively (days added to
// the date, or months with the day clamped to the month's length from a
// leap-year rule of its own); and the instants of that local minute are found
// by walking the instants minute by minute around it, reading each one's local
// minute. The DST policy is applied by its definition:
// - a local minute the walk shows once runs then; shown twice (the clock went
//   back): at the first showing, and also the second with overlap 'both';
// - never shown (the clock went forward over it): at the first instant whose
//   local minute is later, with gap 'run-at-first-valid'; not at all with 'skip'.
// Minute-grained: anchors are whole minutes. The walk spans 4 hours either
// side of the naive guess, enough for zones whose changes are at most 2 hours
// (not Samoa's skipped day: that case is checked on its own).
import type { OracleDst } from './cron-oracle.js';

const MINUTE_MS = 60_000;
const WALK_MINUTES = 4 * 60;

export type OracleUnit = 'days' | 'weeks' | 'months';

/** Local fields of an instant in a zone: [year, month 1-12, day, hour, minute]. */
export class OracleZone {
  readonly #format: Intl.DateTimeFormat;

  constructor(readonly zone: string) {
    this.#format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
    });
  }

  fields(instantMs: number): [number, number, number, number, number] {
    const f: Record<string, string> = {};
    for (const part of this.#format.formatToParts(instantMs)) f[part.type] = part.value;
    return [Number(f.year), Number(f.month), Number(f.day), Number(f.hour), Number(f.minute)];
  }

  /** The local minute of an instant, as minutes since 1970 with the fields read as UTC. */
  localMinute(instantMs: number): number {
    const [y, mo, d, h, mi] = this.fields(instantMs);
    return Date.UTC(y, mo - 1, d, h, mi) / MINUTE_MS;
  }
}

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function monthLength(year: number, month1: number): number {
  return month1 === 2 && isLeap(year) ? 29 : (MONTH_DAYS[month1 - 1] as number);
}

/** Slot k's local minute, stepped from the anchor's local fields. */
export function oracleLocalSlot(anchor: [number, number, number, number, number], unit: OracleUnit, count: number, k: number): number {
  const [y, mo, d, h, mi] = anchor;
  if (unit !== 'months') {
    const days = (unit === 'weeks' ? 7 : 1) * count * k;
    return Date.UTC(y, mo - 1, d + days, h, mi) / MINUTE_MS;
  }
  let month0 = mo - 1 + count * k;
  const year = y + Math.floor(month0 / 12);
  month0 -= Math.floor(month0 / 12) * 12;
  return Date.UTC(year, month0, Math.min(d, monthLength(year, month0 + 1)), h, mi) / MINUTE_MS;
}

/** The instants (ms) a local minute runs at under the policy, by walking the minutes around it. */
export function oracleInstants(zone: OracleZone, localMinute: number, dst: OracleDst): number[] {
  // A naive guess: the local minute read as UTC, moved by the offset there.
  const guessMs = localMinute * MINUTE_MS;
  const offsetMinutes = zone.localMinute(guessMs) - guessMs / MINUTE_MS;
  const centreMs = guessMs - offsetMinutes * MINUTE_MS;
  const shown: number[] = [];
  let firstLater: number | undefined;
  for (let i = -WALK_MINUTES; i <= WALK_MINUTES; i++) {
    const instantMs = centreMs + i * MINUTE_MS;
    const local = zone.localMinute(instantMs);
    if (local === localMinute) shown.push(instantMs);
    else if (local > localMinute && firstLater === undefined && shown.length === 0) firstLater = instantMs;
  }
  if (shown.length > 0) {
    // Two showings of one local minute are separate runs of minutes: the second starts after a jump back.
    const second = shown.find((ms, i) => i > 0 && ms - (shown[i - 1] as number) > MINUTE_MS);
    return second !== undefined && dst.overlap === 'both' ? [shown[0] as number, second] : [shown[0] as number];
  }
  return dst.gap === 'run-at-first-valid' && firstLater !== undefined ? [firstLater] : [];
}

/** The runs of slots 1..slots (slot 0, the anchor itself, is left out), in order. */
export function oracleCalendarRuns(zone: OracleZone, anchorMs: number, unit: OracleUnit, count: number, slots: number, dst: OracleDst): number[] {
  const anchor = zone.fields(anchorMs);
  const runs: number[] = [];
  for (let k = 1; k <= slots; k++) runs.push(...oracleInstants(zone, oracleLocalSlot(anchor, unit, count, k), dst));
  return runs;
}

/** The instants (whole minutes) in a year at which the zone's offset changes: scanned hour by hour, then minute by minute. */
export function oracleTransitions(zone: OracleZone, year: number): number[] {
  const offset = (ms: number) => zone.localMinute(ms) - Math.floor(ms / MINUTE_MS);
  const found: number[] = [];
  const endMs = Date.UTC(year + 1, 0, 1);
  for (let ms = Date.UTC(year, 0, 1); ms < endMs; ms += 60 * MINUTE_MS) {
    const before = offset(ms);
    if (offset(ms + 60 * MINUTE_MS) === before) continue;
    let at = ms + MINUTE_MS;
    while (offset(at) === before) at += MINUTE_MS;
    found.push(at);
  }
  return found;
}
