// CalendarSchedule (src/time/calendar.ts): the month-end rule, the anchor kept
// (never drifting), local time kept across daylight saving under each DST
// policy, and validation. The brute-force comparison is in
// calendar-oracle.test.ts.
import { describe, expect, it } from 'vitest';
import { CalendarSchedule } from '../../src/time/calendar.js';
import { calendarPeriodText, parseCalendarPeriodText, type ResolvedCalendarPeriod, resolveCalendarPeriod } from '../../src/time/calendar-period.js';
import type { CronDstOptions } from '../../src/time/cron.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The first `count` slots after the anchor, as ISO strings. */
function slots(period: ResolvedCalendarPeriod, anchorIso: string, count: number, timezone?: string, dst?: CronDstOptions): Array<string | null> {
  const schedule = new CalendarSchedule(period, Date.parse(anchorIso), { timezone, dst });
  const out: Array<string | null> = [];
  let after = schedule.anchorMs;
  for (let i = 0; i < count; i++) {
    const next = schedule.nextRunAfter(after);
    out.push(iso(next));
    if (next === null) break;
    after = next;
  }
  return out;
}

const months = (count: number): ResolvedCalendarPeriod => ({ unit: 'months', count });
const days = (count: number): ResolvedCalendarPeriod => ({ unit: 'days', count });

describe('calendar intervals: month ends', () => {
  it('take the last day of a shorter month and come back to the anchor day after it', () => {
    expect(slots(months(1), '2026-01-31T09:00:00.000Z', 5)).toEqual([
      '2026-02-28T09:00:00.000Z', '2026-03-31T09:00:00.000Z', '2026-04-30T09:00:00.000Z', '2026-05-31T09:00:00.000Z', '2026-06-30T09:00:00.000Z',
    ]);
  });

  it('take Feb 29 in a leap year', () => {
    expect(slots(months(1), '2028-01-31T00:00:00.000Z', 2)).toEqual(['2028-02-29T00:00:00.000Z', '2028-03-31T00:00:00.000Z']);
    expect(slots(months(1), '2100-01-29T00:00:00.000Z', 1)).toEqual(['2100-02-28T00:00:00.000Z']); // 2100 is not a leap year
  });

  it('keep a Feb 29 anchor for a yearly series: Feb 28 in common years, Feb 29 again in the next leap year', () => {
    expect(slots(months(12), '2024-02-29T12:00:00.000Z', 4)).toEqual([
      '2025-02-28T12:00:00.000Z', '2026-02-28T12:00:00.000Z', '2027-02-28T12:00:00.000Z', '2028-02-29T12:00:00.000Z',
    ]);
  });

  it('answer a question asked in the middle of the series from the anchor, not from the slot before', () => {
    const schedule = new CalendarSchedule(months(1), Date.parse('2026-01-31T09:00:00Z'));
    // After Feb 28's slot the next is Mar 31 (the anchor's day), not Mar 28.
    expect(iso(schedule.nextRunAfter(Date.parse('2026-02-28T09:00:00Z')))).toBe('2026-03-31T09:00:00.000Z');
    expect(iso(schedule.nextRunAfter(Date.parse('2031-07-15T00:00:00Z')))).toBe('2031-07-31T09:00:00.000Z');
    expect(iso(schedule.nextRunAfter(Date.parse('2026-01-01T00:00:00Z')))).toBe('2026-01-31T09:00:00.000Z'); // before the anchor: the anchor
  });

  it('read the month on the zone calendar: Jan 31 23:30 in Paris is Jan 31 there, Jan 31 22:30 UTC', () => {
    expect(slots(months(1), '2026-01-31T22:30:00.000Z', 2, 'Europe/Paris')).toEqual(['2026-02-28T22:30:00.000Z', '2026-03-31T21:30:00.000Z']);
  });
});

describe('calendar intervals across daylight saving', () => {
  it('keep 09:00 local in Paris across the spring change (23 h apart), unlike a fixed 24 h', () => {
    expect(slots(days(1), '2026-03-28T08:00:00.000Z', 2, 'Europe/Paris')).toEqual(['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z']);
  });

  it('move a local time in the spring gap to the first valid instant, or skip it with dst.gap skip', () => {
    // New York, 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z, so 02:30 does not exist that day.
    expect(slots(days(1), '2026-03-07T07:30:00.000Z', 2, 'America/New_York')).toEqual(['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z']);
    expect(slots(days(1), '2026-03-07T07:30:00.000Z', 2, 'America/New_York', { gap: 'skip' })).toEqual([
      '2026-03-09T06:30:00.000Z', '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('run a repeated local time at its first occurrence, or at both with dst.overlap both', () => {
    // New York, 2026-11-01: 01:30 happens at 05:30Z (EDT) and 06:30Z (EST).
    expect(slots(days(1), '2026-10-31T05:30:00.000Z', 2, 'America/New_York')).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z']);
    expect(slots(days(1), '2026-10-31T05:30:00.000Z', 3, 'America/New_York', { overlap: 'both' })).toEqual([
      '2026-11-01T05:30:00.000Z', '2026-11-01T06:30:00.000Z', '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('run on the day Samoa skipped (2011-12-30) at the instant the gap ended', () => {
    // Apia went from -10 to +14 at 2011-12-30 00:00 local: 10:00 on the 30th never happened.
    expect(slots(days(1), '2011-12-28T20:00:00.000Z', 3, 'Pacific/Apia')).toEqual([
      '2011-12-29T20:00:00.000Z', '2011-12-30T10:00:00.000Z', '2011-12-30T20:00:00.000Z',
    ]);
  });

  it('keep weeks on the local calendar too', () => {
    expect(slots({ unit: 'weeks', count: 1 }, '2026-03-22T08:00:00.000Z', 2, 'Europe/Paris')).toEqual([
      '2026-03-29T07:00:00.000Z', '2026-04-05T07:00:00.000Z',
    ]);
  });
});

describe('calendar intervals: validation and stored form', () => {
  it('accept exactly one unit, a whole count from 1', () => {
    expect(resolveCalendarPeriod('every', { months: 3 })).toEqual({ unit: 'months', count: 3 });
    for (const bad of [{}, { months: 1, days: 2 }, { months: 0 }, { days: 1.5 }, { years: 1 }, [], null, { weeks: '1' }]) {
      expect(() => resolveCalendarPeriod('every', bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
    expect(() => resolveCalendarPeriod('every', { hours: 1 })).toThrow("(hours and shorter are durations: write '1h' or '30m')");
  });

  it('round-trip through the stored text', () => {
    for (const period of [months(1), days(3), { unit: 'weeks', count: 2 } as const, months(100_000)]) {
      expect(parseCalendarPeriodText(calendarPeriodText(period))).toEqual(period);
    }
    expect(calendarPeriodText(months(1))).toBe('P1M');
    expect(parseCalendarPeriodText('P0M')).toBeUndefined();
    expect(parseCalendarPeriodText('1M')).toBeUndefined();
  });

  it('refuse an unknown zone with UnknownTimeZoneError', () => {
    expect(() => new CalendarSchedule(days(1), 0, { timezone: 'Mars/Olympus' })).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_TIME_ZONE' }));
  });
});
