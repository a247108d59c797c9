// Judging instants by slot constraints (src/constraints/admission.ts): working
// hours keep their local hours on DST days (and a start the clock skips opens
// at the end of the gap), the day of maxPerDay turns at local midnight (a
// 23-hour day included), blackouts, and a search that gives up instead of
// looping when nothing is admitted.
import { describe, expect, it } from 'vitest';
import { Admission, findAdmissible, MAX_DEFER_STEPS, type Verdict } from '../../src/constraints/admission.js';
import { type ConstraintsRecord, resolveConstraints } from '../../src/constraints/slot-constraints.js';

const NEW_YORK = 'America/New_York';
const utc = (iso: string) => Date.parse(`${iso}Z`);
function admission(constraints: object, timeZone = NEW_YORK): Admission {
  return new Admission(resolveConstraints(constraints, 'constraints', timeZone, 'name') as ConstraintsRecord);
}
const every = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

describe('working hours in a time zone', () => {
  it('keep their local hours across the spring-forward day (09:00 is 14:00 UTC the day before, 13:00 UTC on it)', () => {
    const a = admission({ workingHours: { days: every, from: '09:00', to: '17:00' } });
    expect(a.judgeCalendar(utc('2026-03-07T13:59:59')).admitted).toBe(false);
    expect(a.judgeCalendar(utc('2026-03-07T14:00:00')).admitted).toBe(true);
    expect(a.judgeCalendar(utc('2026-03-07T21:59:59')).admitted).toBe(true);
    expect(a.judgeCalendar(utc('2026-03-07T22:00:00'))).toEqual({ admitted: false, reason: 'outside working hours', reopensAtMs: utc('2026-03-08T13:00:00') });
    expect(a.judgeCalendar(utc('2026-03-08T20:59:59')).admitted).toBe(true);
    expect(a.judgeCalendar(utc('2026-03-08T21:00:00')).admitted).toBe(false);
  });

  it('open at the end of the gap when their start is a local time the clock skips', () => {
    const a = admission({ workingHours: { days: ['sun'], from: '02:30', to: '04:00' } });
    // 2026-03-08 02:00 EST -> 03:00 EDT (07:00 UTC): 02:30 never happens, the window opens at 03:00 EDT.
    expect(a.judgeCalendar(utc('2026-03-08T06:59:59'))).toMatchObject({ admitted: false, reopensAtMs: utc('2026-03-08T07:00:00') });
    expect(a.judgeCalendar(utc('2026-03-08T07:00:00')).admitted).toBe(true);
    expect(a.judgeCalendar(utc('2026-03-08T08:00:00'))).toMatchObject({ admitted: false, reopensAtMs: utc('2026-03-15T06:30:00') });
  });

  it('admit both passes of a repeated local hour on the fall-back day', () => {
    const a = admission({ workingHours: { days: ['sun'], from: '01:00', to: '02:00' } });
    // 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 local happens at 05:30 and at 06:30 UTC.
    expect(a.judgeCalendar(utc('2026-11-01T05:30:00')).admitted).toBe(true);
    expect(a.judgeCalendar(utc('2026-11-01T06:30:00')).admitted).toBe(true);
    expect(a.judgeCalendar(utc('2026-11-01T07:00:00')).admitted).toBe(false);
  });

  it('admit the union of several windows, and only their days', () => {
    const a = admission({ workingHours: [{ days: ['mon'], from: '08:00', to: '10:00' }, { days: ['mon'], from: '14:00', to: '16:00' }] }, 'UTC');
    // 2026-01-05 is a Monday.
    expect(a.judgeCalendar(utc('2026-01-05T10:00:00'))).toMatchObject({ admitted: false, reopensAtMs: utc('2026-01-05T14:00:00') });
    expect(a.judgeCalendar(utc('2026-01-05T16:00:00'))).toMatchObject({ admitted: false, reopensAtMs: utc('2026-01-12T08:00:00') });
  });
});

describe('the day of maxPerDay', () => {
  it('turns at local midnight, a 23-hour day on spring-forward', () => {
    const a = admission({ maxPerDay: 2 });
    const saturday = a.dayOf(utc('2026-03-07T12:00:00'));
    expect(a.dayOf(utc('2026-03-08T04:59:59'))).toBe(saturday);
    expect(a.dayOf(utc('2026-03-08T05:00:00'))).toBe(saturday + 1);
    expect(a.dayStartMs(saturday + 2) - a.dayStartMs(saturday + 1)).toBe(23 * 3_600_000);
    const runs = new Map([[saturday + 1, 2]]);
    const verdict = a.judge(utc('2026-03-08T12:00:00'), (day) => runs.get(day) ?? 0);
    expect(verdict).toEqual({ admitted: false, reason: 'daily cap reached', reopensAtMs: utc('2026-03-09T04:00:00') });
    expect(a.judge(utc('2026-03-09T04:00:00'), (day) => runs.get(day) ?? 0).admitted).toBe(true);
  });
});

describe('blackouts', () => {
  it('refuse by name until their end: a date-time range, and a cron window in the zone', () => {
    const a = admission({
      blackouts: [
        { name: 'freeze', from: '2026-12-20T00:00:00Z', to: new Date('2026-12-27T00:00:00Z') },
        { name: 'backup', cron: '0 2 * * *', duration: '90m' },
      ],
    });
    expect(a.judgeCalendar(utc('2026-12-22T12:00:00'))).toEqual({ admitted: false, reason: 'blackout: freeze', reopensAtMs: utc('2026-12-27T00:00:00') });
    // 02:00 New York in July is 06:00 UTC.
    expect(a.judgeCalendar(utc('2026-07-01T06:00:00'))).toEqual({ admitted: false, reason: 'blackout: backup', reopensAtMs: utc('2026-07-01T07:30:00') });
    expect(a.judgeCalendar(utc('2026-07-01T07:30:00')).admitted).toBe(true);
    expect(a.judgeCalendar(utc('2026-07-01T05:59:59')).admitted).toBe(true);
  });
});

describe('findAdmissible', () => {
  it('walks reopening instants to the first admitted one', () => {
    const a = admission({ workingHours: { from: '09:00', to: '17:00' }, blackouts: [{ name: 'x', from: '2026-01-05T14:00:00Z', to: '2026-01-05T15:00:00Z' }] }, 'UTC');
    // Saturday night: Monday 09:00 is blacked out until 15:00.
    expect(findAdmissible(utc('2026-01-03T20:00:00'), (t) => a.judgeCalendar(t), () => null)).toEqual({ atMs: utc('2026-01-05T09:00:00') });
    expect(findAdmissible(utc('2026-01-05T14:30:00'), (t) => a.judgeCalendar(t), () => null)).toEqual({ atMs: utc('2026-01-05T15:00:00') });
  });

  it('gives up after MAX_DEFER_STEPS tries when nothing is admitted, with the last reason', () => {
    let tries = 0;
    const never = (): Verdict => {
      tries++;
      return { admitted: false, reason: 'never', reopensAtMs: null };
    };
    const found = findAdmissible(0, never, (afterMs) => afterMs + 1000);
    expect(found).toEqual({ atMs: null, reason: `never; nothing admitted in ${MAX_DEFER_STEPS} tries` });
    expect(tries).toBe(MAX_DEFER_STEPS);
    expect(findAdmissible(0, never, () => null)).toEqual({ atMs: null, reason: 'never; the schedule has no later slot' });
  });
});
