// CronSchedule against a brute-force oracle (test/helpers/cron-oracle.ts): for
// every offset change of 2024-2027 in zones chosen for their awkward rules, the
// runs from nextRunAfter, asked from run to run across a window around the
// change, must be the runs the oracle finds minute by minute, under each of the
// four DST policies. A whole year for a few expressions, Samoa's skipped day,
// a zone without DST, and random zones and expressions (fast-check) complete
// it. About 15 s on one core under `npm run test:long`; `npm test` checks the
// changes of one year, a quarter instead of the whole year, and fewer random
// cases (which draw their windows from all four years).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CronSchedule } from '../../src/time/cron.js';
import {
  ALL_POLICIES, cronMatcher, firstDifference, implementationRuns, LocalClock, localMinutes, type OracleDst, oracleRuns,
} from '../helpers/cron-oracle.js';
import { bySize } from '../helpers/test-size.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const YEARS = bySize([2026], [2024, 2025, 2026, 2027]);
const YEAR_SPAN = YEARS.length === 1 ? `${YEARS[0]}` : `${YEARS[0]}-${YEARS.at(-1)}`;

// New York and London: 1-hour changes at 02:00 and 01:00 UTC. Lord Howe: a
// 30-minute change. Santiago: changes at midnight, so a whole date's first
// hour goes missing or repeats. Chatham: +12:45/+13:45, changes at 02:45 local.
const ZONES_WITH_DST = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham'];

// Fixed times inside the gaps and overlaps of those zones, and intervals.
const EXPRESSIONS = [
  '30 2 * * *', // in the New York and Lord Howe gaps
  '15 1 * * *', // in the New York, London and Lord Howe overlaps
  '0 0 * * *', // Santiago's gap (midnight does not exist)
  '30 23 * * *', // Santiago's overlap
  '0 3 * * *', // Chatham's gap (02:45-03:45) and overlap
  '45 1 * * *', // the last minutes of the Lord Howe overlap (01:30-02:00)
  '*/15 * * * *',
  '0 * * * *',
  '30 1-3 * * *',
  '*/20 2-3 * * 0', // Sundays only, as most changes are
];

interface Window {
  zone: string;
  fromMs: number;
  toMs: number;
  /** One day before fromMs: the oracle's walk starts there. */
  walkFromMs: number;
  locals: Float64Array;
}

/** The oracle's local minutes for a window, computed once and shared by every expression and policy. */
function window(clock: LocalClock, fromMs: number, toMs: number): Window {
  const walkFromMs = fromMs - DAY_MS;
  return { zone: clock.zone, fromMs, toMs, walkFromMs, locals: localMinutes(clock, walkFromMs, toMs) };
}

/**
 * The oracle's and CronSchedule's runs in the window, asked from run to run,
 * then asked from instants that are not runs (every `probeStepMs`, off the
 * whole second: inside a repeated hour, a gap's last second, ...); a readable
 * difference, or undefined.
 */
function compare(w: Window, expression: string, dst: OracleDst, probeStepMs = 47 * 60_000 + 500): string | undefined {
  const expected = oracleRuns(cronMatcher(expression), w.locals, w.walkFromMs, w.fromMs, dst);
  const schedule = new CronSchedule(expression, { timezone: w.zone, dst });
  const what = `'${expression}' in ${w.zone} with ${JSON.stringify(dst)}`;
  const actual = implementationRuns((wallMs) => schedule.nextRunAfter(wallMs), w.fromMs, w.toMs);
  const difference = firstDifference(expected, actual);
  if (difference !== undefined) return `${what}: ${difference}`;
  let next = 0;
  for (let probeMs = w.fromMs + 999; probeMs < w.toMs; probeMs += probeStepMs) {
    while (next < expected.length && expected[next]! <= probeMs) next++;
    const want = expected[next];
    const got = schedule.nextRunAfter(probeMs);
    // Past the window the oracle has no answer: only "later than the window" is checked.
    const agrees = want === undefined ? got === null || got > w.toMs : got === want;
    if (!agrees) {
      const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? String(ms) : new Date(ms).toISOString());
      return `${what}: after ${iso(probeMs)} the oracle runs at ${iso(want)}, CronSchedule at ${iso(got)}`;
    }
  }
  return undefined;
}

/** Which policy changes the oracle's runs for some expression in the window: 'gap', 'overlap', 'both' or 'none'. */
function policiesThatMatter(w: Window): string {
  const runs = (expression: string, dst: OracleDst) => oracleRuns(cronMatcher(expression), w.locals, w.walkFromMs, w.fromMs, dst).join();
  const gap = EXPRESSIONS.some((e) => runs(e, { gap: 'skip', overlap: 'once' }) !== runs(e, { gap: 'run-at-first-valid', overlap: 'once' }));
  const overlap = EXPRESSIONS.some((e) => runs(e, { gap: 'skip', overlap: 'once' }) !== runs(e, { gap: 'skip', overlap: 'both' }));
  return gap && overlap ? 'both' : gap ? 'gap' : overlap ? 'overlap' : 'none';
}

/** Windows of 36 hours either side of every offset change in the years, found by an hourly scan. */
function transitionWindows(zone: string, years: readonly number[], halfWidthMs = 36 * HOUR_MS): Window[] {
  const clock = new LocalClock(zone);
  const windows: Window[] = [];
  for (const year of years) {
    for (const hourMs of clock.transitionHours(Date.UTC(year, 0, 1), Date.UTC(year + 1, 0, 1))) {
      windows.push(window(clock, hourMs - halfWidthMs, hourMs + halfWidthMs));
    }
  }
  return windows;
}

describe('CronSchedule agrees with a minute-by-minute oracle', () => {
  it.each(ZONES_WITH_DST)(`around every offset change of ${YEAR_SPAN} in %s, for every expression and policy`, (zone) => {
    const windows = transitionWindows(zone, YEARS);
    // Two changes a year: the scan must have found them, or this test checks nothing.
    expect(windows).toHaveLength(2 * YEARS.length);
    const differences: string[] = [];
    let compared = 0;
    for (const w of windows) {
      for (const expression of EXPRESSIONS) {
        for (const dst of ALL_POLICIES) {
          const difference = compare(w, expression, dst);
          if (difference !== undefined) differences.push(difference);
          compared++;
        }
      }
    }
    expect(differences).toEqual([]);
    expect(compared).toBe(windows.length * EXPRESSIONS.length * ALL_POLICIES.length);
    // And the windows test the policies: in each year one change makes the gap
    // policy matter and the other the overlap policy, for some expression.
    const matters = windows.map((w) => policiesThatMatter(w));
    expect(matters.filter((which) => which === 'gap')).toHaveLength(YEARS.length);
    expect(matters.filter((which) => which === 'overlap')).toHaveLength(YEARS.length);
  });

  // One whole year (the windows above cover every change; this covers the
  // months between them). About 3 s, mostly the oracle's 527,040 Intl calls;
  // `npm test` checks January to March (the spring change and two plain months).
  const months = bySize(3, 12);
  it.each([['America/New_York', 2026]])(`over ${months} months from January in %s (%i)`, (zone, year) => {
    const w = window(new LocalClock(zone), Date.UTC(year, 0, 1), Date.UTC(year, months, 1));
    const differences: string[] = [];
    for (const expression of ['0 * * * *', '30 2 * * *', '15 1 * * *', '*/30 * * * *']) {
      for (const dst of ALL_POLICIES) {
        // Probes every 5 hours and a bit: the transition windows probe densely.
        const difference = compare(w, expression, dst, 5 * HOUR_MS + 7 * 60_000 + 500);
        if (difference !== undefined) differences.push(difference);
      }
    }
    expect(differences).toEqual([]);
  });

  it('across the day Samoa skipped (2011-12-30, a gap of 24 hours)', () => {
    const [changeMs, ...others] = new LocalClock('Pacific/Apia').transitionHours(Date.UTC(2011, 11, 25), Date.UTC(2012, 0, 5));
    expect(others).toEqual([]);
    const w = window(new LocalClock('Pacific/Apia'), changeMs! - 2 * DAY_MS, changeMs! + 2 * DAY_MS);
    const differences = EXPRESSIONS.flatMap((expression) => ALL_POLICIES.map((dst) => compare(w, expression, dst, 13 * 60_000 + 500)));
    expect(differences.filter((difference) => difference !== undefined)).toEqual([]);
    expect(policiesThatMatter(w)).toBe('gap');
  });

  it.each(['Asia/Kolkata'])('in %s, which has no offset change, every policy gives the plain runs', (zone) => {
    const clock = new LocalClock(zone);
    expect(clock.transitionHours(Date.UTC(2024, 0, 1), Date.UTC(2028, 0, 1))).toEqual([]);
    for (const year of YEARS) {
      // March and October, when other zones change.
      for (const month of [2, 9]) {
        const w = window(clock, Date.UTC(year, month, 20), Date.UTC(year, month, 24));
        for (const expression of EXPRESSIONS) {
          const runs = oracleRuns(cronMatcher(expression), w.locals, w.walkFromMs, w.fromMs, ALL_POLICIES[0]!);
          for (const dst of ALL_POLICIES) {
            expect(compare(w, expression, dst)).toBeUndefined();
            // Without changes the policy cannot matter: the oracle agrees with itself.
            expect(oracleRuns(cronMatcher(expression), w.locals, w.walkFromMs, w.fromMs, dst)).toEqual(runs);
          }
        }
      }
    }
  });
});

// Zones beyond the ones above: Havana and Asuncion change at midnight, Troll by
// two hours, Casablanca goes back for Ramadan, St John's is at -3:30, Dublin's
// tzdata has negative DST; Apia and Tehran no longer change (so the window is
// plain), and Adelaide and Berlin are ordinary.
const MORE_ZONES = [
  ...ZONES_WITH_DST, 'America/Havana', 'America/Asuncion', 'Antarctica/Troll', 'Africa/Casablanca', 'America/St_Johns',
  'Europe/Dublin', 'Pacific/Apia', 'Asia/Tehran', 'Australia/Adelaide', 'Europe/Berlin', 'Asia/Kolkata',
];

const transitionsByZone = new Map<string, number[]>();
function transitionsOf(zone: string): number[] {
  let hours = transitionsByZone.get(zone);
  if (hours === undefined) {
    hours = new LocalClock(zone).transitionHours(Date.UTC(2024, 0, 1), Date.UTC(2028, 0, 1));
    transitionsByZone.set(zone, hours);
  }
  return hours;
}

/** A cron field of the syntax the oracle reads: a value, '*', a step, a range (with a step), or a list. */
function field(max: number): fc.Arbitrary<string> {
  const value = fc.integer({ min: 0, max });
  const range = fc.tuple(value, value).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`);
  const item = fc.oneof(
    value.map(String),
    range,
    fc.tuple(range, fc.integer({ min: 1, max: max + 1 })).map(([r, step]) => `${r}/${step}`),
  );
  return fc.oneof(
    { weight: 3, arbitrary: item },
    { weight: 1, arbitrary: fc.constant('*') },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: max + 1 }).map((step) => `*/${step}`) },
    { weight: 2, arbitrary: fc.uniqueArray(item, { minLength: 2, maxLength: 3 }).map((items) => items.join(',')) },
  );
}

const expressionArb = fc
  .tuple(field(59), field(23), fc.constantFrom('*', '*', '*', '0', '6', '1-5'))
  .map(([minute, hour, dow]) => `${minute} ${hour} * * ${dow}`);
const policyArb = fc.constantFrom(...ALL_POLICIES);

describe("the oracle's transition scan", () => {
  // transitionHours walks a day at a time and hour by hour only through a day
  // whose offset changed; it must find what the plain hourly walk finds.
  // Casablanca changes four times a year, Lord Howe by 30 minutes, Troll by two hours.
  const zones = bySize(['Africa/Casablanca', 'Australia/Lord_Howe', 'Antarctica/Troll'], MORE_ZONES);
  it.each(zones)(`finds the hours an hourly walk finds in %s (${YEAR_SPAN})`, (zone) => {
    const clock = new LocalClock(zone);
    const fromMs = Date.UTC(YEARS[0]!, 0, 1);
    const toMs = Date.UTC(YEARS.at(-1)! + 1, 0, 1);
    expect(clock.transitionHours(fromMs, toMs)).toEqual(clock.transitionHours(fromMs, toMs, HOUR_MS));
  });
});

describe('CronSchedule agrees with the oracle on random expressions and zones', () => {
  it('for random expressions, zones, changes and policies', () => {
    fc.assert(
      fc.property(fc.constantFrom(...MORE_ZONES), fc.nat(), fc.integer({ min: -12, max: 12 }), expressionArb, policyArb, (zone, pick, shiftH, expression, dst) => {
        const hours = transitionsOf(zone);
        // A window around one of the zone's changes, or any window if it has none.
        const centreMs = hours.length > 0 ? hours[pick % hours.length]! + shiftH * HOUR_MS : Date.UTC(2024, 0, 1) + (pick % 1400) * DAY_MS;
        const w = window(new LocalClock(zone), centreMs - 18 * HOUR_MS, centreMs + 18 * HOUR_MS);
        const difference = compare(w, expression, dst);
        if (difference !== undefined) throw new Error(difference);
      }),
      { numRuns: bySize(40, 100) },
    );
  });
});
