// CalendarSchedule against a brute-force oracle (test/helpers/calendar-oracle.ts):
// random zones, anchors (whole minutes, in months and hours where clock changes
// happen), units, counts and DST policies; the slots from nextRunAfter, asked
// from slot to slot and from random instants between them, must be the
// oracle's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CalendarSchedule } from '../../src/time/calendar.js';
import { oracleCalendarRuns, oracleTransitions, OracleZone, type OracleUnit } from '../helpers/calendar-oracle.js';
import { ALL_POLICIES, firstDifference, implementationRuns } from '../helpers/cron-oracle.js';
import { bySize } from '../helpers/test-size.js';

// Changes at 02:00 local (New York), 01:00 UTC (London, Paris), of 30 minutes
// (Lord Howe), at midnight (Santiago), at 02:45 (Chatham); none (Tokyo, UTC).
const ZONES = ['America/New_York', 'Europe/Paris', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham', 'Asia/Tokyo', 'UTC'];
const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? String(ms) : new Date(ms).toISOString());

const caseArb = fc.record({
  zone: fc.constantFrom(...ZONES),
  year: fc.integer({ min: 2020, max: 2030 }),
  // Months with clock changes in either hemisphere, and the 31st-day months.
  month: fc.constantFrom(0, 1, 2, 3, 8, 9, 10, 11),
  day: fc.integer({ min: 1, max: 31 }),
  // Mostly the small hours, where changes happen.
  hour: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 23 })),
  minute: fc.constantFrom(0, 15, 30, 45, 59),
  unit: fc.constantFrom<OracleUnit>('days', 'weeks', 'months'),
  count: fc.integer({ min: 1, max: 3 }),
  slots: fc.integer({ min: 1, max: bySize(14, 40) }),
  policy: fc.constantFrom(...ALL_POLICIES),
  probeSeed: fc.integer({ min: 0, max: 1_000_000 }),
});

/** Offset changes of 2024-2027 per zone with any (found by the oracle, once). */
const CHANGES = new Map<string, number[]>();
function changesOf(timezone: string): number[] {
  let changes = CHANGES.get(timezone);
  if (changes === undefined) {
    const zone = new OracleZone(timezone);
    changes = [2024, 2025, 2026, 2027].flatMap((year) => oracleTransitions(zone, year));
    CHANGES.set(timezone, changes);
  }
  return changes;
}

const ZONES_WITH_CHANGES = ZONES.filter((zone) => zone !== 'Asia/Tokyo' && zone !== 'UTC');

/** Anchors whose slots land in a gap or an overlap: a change, minus whole steps, give or take up to an hour. */
const nearChangeArb = fc.record({
  zone: fc.constantFrom(...ZONES_WITH_CHANGES),
  change: fc.nat(),
  unit: fc.constantFrom<OracleUnit>('days', 'weeks', 'months'),
  stepsBack: fc.integer({ min: 1, max: 4 }),
  deltaMinutes: fc.integer({ min: -75, max: 75 }),
  policy: fc.constantFrom(...ALL_POLICIES),
});

function compareFrom(timezone: string, anchorMs: number, unit: OracleUnit, count: number, slots: number, policy: (typeof ALL_POLICIES)[number]): void {
  const zone = new OracleZone(timezone);
  const schedule = new CalendarSchedule({ unit, count }, anchorMs, { timezone, dst: policy });
  const expected = oracleCalendarRuns(zone, anchorMs, unit, count, slots, policy);
  const lastMs = expected.at(-1);
  if (lastMs === undefined) return;
  const actual = implementationRuns((wallMs) => schedule.nextRunAfter(wallMs), anchorMs, lastMs);
  expect(firstDifference(expected, actual), `${count} ${unit} from ${iso(anchorMs)} in ${timezone} with ${JSON.stringify(policy)}`).toBeUndefined();
}

describe('calendar intervals against a brute-force oracle', () => {
  it('give the oracle slots for anchors whose slots fall in clock changes, under each DST policy', () => {
    let gapsOrOverlaps = 0;
    fc.assert(
      fc.property(nearChangeArb, (c) => {
        const changes = changesOf(c.zone);
        const changeMs = changes[c.change % changes.length] as number;
        const back = new Date(changeMs + c.deltaMinutes * 60_000);
        if (c.unit === 'months') back.setUTCMonth(back.getUTCMonth() - c.stepsBack);
        else back.setUTCDate(back.getUTCDate() - c.stepsBack * (c.unit === 'weeks' ? 7 : 1));
        compareFrom(c.zone, back.getTime(), c.unit, 1, c.stepsBack + 2, c.policy);
        gapsOrOverlaps++;
      }),
      { numRuns: bySize(30, 400) },
    );
    expect(gapsOrOverlaps).toBeGreaterThan(0);
  });

  it('give the oracle slots for random zones, anchors, units, counts and DST policies', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const zone = new OracleZone(c.zone);
        const anchorMs = Date.UTC(c.year, c.month, c.day, c.hour, c.minute);
        const schedule = new CalendarSchedule({ unit: c.unit, count: c.count }, anchorMs, { timezone: c.zone, dst: c.policy });
        const expected = oracleCalendarRuns(zone, anchorMs, c.unit, c.count, c.slots, c.policy);
        const lastMs = expected.at(-1);
        if (lastMs === undefined) return;
        const actual = implementationRuns((wallMs) => schedule.nextRunAfter(wallMs), anchorMs, lastMs);
        const what = `${c.count} ${c.unit} from ${iso(anchorMs)} in ${c.zone} with ${JSON.stringify(c.policy)}`;
        expect(firstDifference(expected, actual), what).toBeUndefined();
        // From instants between slots: the next oracle slot.
        for (let i = 0; i < expected.length; i++) {
          const before = i === 0 ? anchorMs : (expected[i - 1] as number);
          const probeMs = before + ((c.probeSeed * (i + 1)) % Math.max(1, (expected[i] as number) - before));
          expect(iso(schedule.nextRunAfter(probeMs)), `${what}, asked after ${iso(probeMs)}`).toBe(iso(expected[i]));
        }
      }),
      { numRuns: bySize(40, 300) },
    );
  });

  it('agree with the oracle on a month-end anchor for two years in every zone', () => {
    for (const timezone of ZONES) {
      const anchorMs = Date.UTC(2027, 0, 31, 1, 30);
      const zone = new OracleZone(timezone);
      const policy = ALL_POLICIES[0]!;
      const expected = oracleCalendarRuns(zone, anchorMs, 'months', 1, 24, policy);
      const schedule = new CalendarSchedule({ unit: 'months', count: 1 }, anchorMs, { timezone, dst: policy });
      const actual = implementationRuns((wallMs) => schedule.nextRunAfter(wallMs), anchorMs, expected.at(-1)!);
      expect(firstDifference(expected, actual), timezone).toBeUndefined();
    }
  });
});
