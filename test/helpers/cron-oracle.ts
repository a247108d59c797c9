// A brute-force model of cron in a time zone, to check src/time/cron.ts against. It
// shares no code with src/: it walks every minute (as UTC instants), reads the
// local wall time of each from its own Intl.DateTimeFormat, matches the fields
// with its own small parser, and applies the DST policy by its definition:
// - a local time the walk shows for the first time runs if it matches;
// - a local time shown again (the clock went back) runs only with overlap 'both';
// - when the local minute jumps by more than one (the clock went forward), the
//   skipped local minutes that match make one run at the instant after the
//   jump with gap 'run-at-first-valid' (merged with that minute's own run), and
//   none with 'skip'.
// Slow on purpose, and minute-grained: 5-field expressions only.

export type OracleGap = 'skip' | 'run-at-first-valid';
export type OracleOverlap = 'once' | 'both';
export interface OracleDst {
  gap: OracleGap;
  overlap: OracleOverlap;
}

export const ALL_POLICIES: readonly OracleDst[] = [
  { gap: 'run-at-first-valid', overlap: 'once' },
  { gap: 'run-at-first-valid', overlap: 'both' },
  { gap: 'skip', overlap: 'once' },
  { gap: 'skip', overlap: 'both' },
];

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** The local wall time of instants in a zone, as a minute count with the fields read as UTC. */
export class LocalClock {
  readonly #format: Intl.DateTimeFormat;

  constructor(readonly zone: string) {
    this.#format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
  }

  /** The local minute of an instant (a whole minute). */
  localMinute(instantMs: number): number {
    const f: Record<string, string> = {};
    for (const part of this.#format.formatToParts(instantMs)) f[part.type] = part.value;
    return Date.UTC(Number(f.year), Number(f.month) - 1, Number(f.day), Number(f.hour), Number(f.minute)) / MINUTE_MS;
  }

  /** The offset from UTC at an instant, in minutes. */
  offsetMinutes(instantMs: number): number {
    return this.localMinute(instantMs) - instantMs / MINUTE_MS;
  }

  /**
   * The hours in [fromMs, toMs) at whose end the offset differs from their
   * start: where the transitions are. fromMs and toMs are whole hours. The walk
   * compares the offsets a step apart (a day by default) and goes hour by hour
   * only through a step whose ends differ: 24 times fewer Intl calls than an
   * hourly walk, and the same hours unless a zone changed its offset twice
   * within one step and back (no zone does in tzdata; a test compares the two
   * walks). `stepMs: HOUR_MS` is the plain hourly walk.
   */
  transitionHours(fromMs: number, toMs: number, stepMs = DAY_MS): number[] {
    const hours: number[] = [];
    let before = this.offsetMinutes(fromMs);
    for (let stepStart = fromMs; stepStart < toMs; stepStart += stepMs) {
      const stepEnd = Math.min(stepStart + stepMs, toMs);
      const atEnd = this.offsetMinutes(stepEnd);
      if (atEnd !== before) {
        let hourBefore = before;
        for (let t = stepStart + HOUR_MS; t <= stepEnd; t += HOUR_MS) {
          const after = t === stepEnd ? atEnd : this.offsetMinutes(t);
          if (after !== hourBefore) hours.push(t - HOUR_MS);
          hourBefore = after;
        }
      }
      before = atEnd;
    }
    return hours;
  }
}

/** `lo-hi` ranges with optional steps, `*`, `*\/n`, lists: the subset of cron field syntax the tests use. */
function parseField(text: string, min: number, max: number): boolean[] {
  const allowed: boolean[] = new Array(max + 1).fill(false);
  for (const item of text.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      [lo, hi] = range.split('-').map(Number) as [number, number];
    } else {
      lo = Number(range);
      hi = stepText === undefined ? lo : max;
    }
    if (!Number.isInteger(lo) || !Number.isInteger(hi) || !Number.isInteger(step) || step < 1 || lo < min || hi > max) {
      throw new Error(`oracle: cannot read cron field '${text}'`);
    }
    for (let v = lo; v <= hi; v += step) allowed[v] = true;
  }
  return allowed;
}

/** A predicate on local minutes for a 5-field expression. Day of month and day of week are ORed when both are restricted, as in cron. */
export function cronMatcher(expression: string): (localMinute: number) => boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) throw new Error(`oracle: 5 fields only, got '${expression}'`);
  const [minuteF, hourF, domF, monthF, dowF] = fields as [string, string, string, string, string];
  const minutes = parseField(minuteF, 0, 59);
  const hours = parseField(hourF, 0, 23);
  const doms = parseField(domF, 1, 31);
  const months = parseField(monthF, 1, 12);
  const dows = parseField(dowF, 0, 7);
  if (dows[7]) dows[0] = true;
  const domStar = domF === '*';
  const dowStar = dowF === '*';
  return (localMinute) => {
    if (!minutes[localMinute % 60] || !hours[Math.floor(localMinute / 60) % 24]) return false;
    const date = new Date(localMinute * MINUTE_MS);
    if (!months[date.getUTCMonth() + 1]) return false;
    const domOk = doms[date.getUTCDate()] === true;
    const dowOk = dows[date.getUTCDay()] === true;
    if (domStar || dowStar) return domOk && dowOk;
    return domOk || dowOk;
  };
}

/** The local minute of every instant minute from `fromMs` (a whole minute) to `toMs`, inclusive. */
export function localMinutes(clock: LocalClock, fromMs: number, toMs: number): Float64Array {
  const out = new Float64Array((toMs - fromMs) / MINUTE_MS + 1);
  for (let i = 0; i < out.length; i++) out[i] = clock.localMinute(fromMs + i * MINUTE_MS);
  return out;
}

/**
 * The runs (instants, ms) in (collectAfterMs, end] of the walk, by definition
 * of the policy. `locals` are the local minutes of the instants from
 * `walkFromMs`, one a minute; the walk should start a day before
 * collectAfterMs so that it has already seen the local times an overlap repeats.
 */
export function oracleRuns(
  matches: (localMinute: number) => boolean,
  locals: Float64Array,
  walkFromMs: number,
  collectAfterMs: number,
  dst: OracleDst,
): number[] {
  const runs: number[] = [];
  let highest = Number.NEGATIVE_INFINITY;
  let previous: number | undefined;
  for (let i = 0; i < locals.length; i++) {
    const local = locals[i] as number;
    let run = matches(local) && (local > highest || dst.overlap === 'both');
    if (!run && dst.gap === 'run-at-first-valid' && previous !== undefined) {
      for (let skipped = previous + 1; skipped < local && !run; skipped++) run = matches(skipped);
    }
    highest = Math.max(highest, local);
    previous = local;
    const instantMs = walkFromMs + i * MINUTE_MS;
    if (run && instantMs > collectAfterMs) runs.push(instantMs);
  }
  return runs;
}

/** The runs in (fromMs, toMs] that `nextRunAfter` gives, asked from each run on. */
export function implementationRuns(nextRunAfter: (wallMs: number) => number | null, fromMs: number, toMs: number): number[] {
  const runs: number[] = [];
  let after = fromMs;
  for (let at = nextRunAfter(after); at !== null && at <= toMs; at = nextRunAfter(after)) {
    runs.push(at);
    // A run not after the instant asked would loop forever: keep it (so the comparison fails) and stop.
    if (at <= after) break;
    after = at;
  }
  return runs;
}

/** The first place two run lists differ, for a readable failure; undefined if equal. */
export function firstDifference(expected: number[], actual: number[]): string | undefined {
  const iso = (ms: number | undefined) => (ms === undefined ? 'nothing' : new Date(ms).toISOString());
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) {
      return `run #${i}: oracle ${iso(expected[i])}, CronSchedule ${iso(actual[i])} (previous run ${iso(expected[i - 1])})`;
    }
  }
  return undefined;
}
