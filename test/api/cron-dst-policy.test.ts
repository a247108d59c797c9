// The DST policy of CronSchedule, by hand: each expected instant is worked out
// from the zone's rules and written in UTC, with the local time beside it.
// 2026 changes used below:
// - New York: 2026-03-08 07:00Z, 02:00 EST -> 03:00 EDT (02:00-02:59 skipped);
//   2026-11-01 06:00Z, 02:00 EDT -> 01:00 EST (01:00-01:59 repeated).
// - London: 2026-03-29 01:00Z, 01:00 GMT -> 02:00 BST; 2026-10-25 01:00Z, 02:00 BST -> 01:00 GMT.
// - Lord Howe (half an hour): 2026-10-03 15:30Z, 02:00 -> 02:30 (+10:30 -> +11);
//   2026-04-04 15:00Z, 02:00 -> 01:30 (+11 -> +10:30).
// - Santiago (at midnight): 2026-09-06 04:00Z, 00:00 -> 01:00 (-4 -> -3);
//   2026-04-05 03:00Z, 00:00 -> 23:00 the day before (-3 -> -4).
// - Chatham (+12:45/+13:45): 2026-09-26 14:00Z, 02:45 -> 03:45; 2026-04-04 14:00Z, 03:45 -> 02:45.
import { describe, expect, it } from 'vitest';
import { type CronDstOptions, CronSchedule } from '../../src/time/cron.js';
import { TimesliceError } from '../../src/errors.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (wallMs: number | null) => (wallMs === null ? null : new Date(wallMs).toISOString().replace('.000Z', 'Z'));

/** The next `count` runs, each strictly after the one before, from `afterIso`. */
function runs(expression: string, timezone: string, dst: CronDstOptions, afterIso: string, count: number): (string | null)[] {
  const schedule = new CronSchedule(expression, { timezone, dst });
  const out: (string | null)[] = [];
  let wallMs: number | null = ms(afterIso);
  for (let i = 0; i < count && wallMs !== null; i++) {
    wallMs = schedule.nextRunAfter(wallMs);
    out.push(iso(wallMs));
  }
  return out;
}

const FIRST_VALID: CronDstOptions = { gap: 'run-at-first-valid' };
const SKIP: CronDstOptions = { gap: 'skip' };
const ONCE: CronDstOptions = { overlap: 'once' };
const BOTH: CronDstOptions = { overlap: 'both' };

describe('the default DST policy', () => {
  it('is to run at the first valid instant after a gap, and once in an overlap', () => {
    const schedule = new CronSchedule('@hourly');
    expect(schedule.dst).toEqual({ gap: 'run-at-first-valid', overlap: 'once' });
    expect(Object.isFrozen(schedule.dst)).toBe(true);
  });

  it('fills in the choice not given', () => {
    expect(new CronSchedule('@hourly', { dst: { gap: 'skip' } }).dst).toEqual({ gap: 'skip', overlap: 'once' });
    expect(new CronSchedule('@hourly', { dst: { overlap: 'both' } }).dst).toEqual({ gap: 'run-at-first-valid', overlap: 'both' });
    expect(new CronSchedule('@hourly', { dst: {} }).dst).toEqual({ gap: 'run-at-first-valid', overlap: 'once' });
  });

  it('applies when no policy is given', () => {
    expect(runs('30 2 * * *', 'America/New_York', {}, '2026-03-08T00:00:00Z', 1)).toEqual(['2026-03-08T07:00:00Z']);
    expect(runs('30 1 * * *', 'America/New_York', {}, '2026-11-01T00:00:00Z', 2)).toEqual(['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']);
  });
});

type RunCase = [label: string, expression: string, zone: string, dst: CronDstOptions, afterIso: string, expected: string[]];

const gapCases: RunCase[] = [
  ['a fixed time runs at the gap end (02:30 at 03:00 EDT)', '30 2 * * *', 'America/New_York', FIRST_VALID, '2026-03-08T00:00:00Z', ['2026-03-08T07:00:00Z', '2026-03-09T06:30:00Z']],
  ['a fixed time is skipped', '30 2 * * *', 'America/New_York', SKIP, '2026-03-08T00:00:00Z', ['2026-03-09T06:30:00Z', '2026-03-10T06:30:00Z']],
  ['a fixed time with seconds runs at the gap end', '0 30 2 * * *', 'America/New_York', FIRST_VALID, '2026-03-08T00:00:00Z', ['2026-03-08T07:00:00Z']],
  // 01:30 EST, 03:00 EDT for the missing 02:30, 03:30 EDT
  ['an hourly job runs its missing time at the gap end', '30 * * * *', 'America/New_York', FIRST_VALID, '2026-03-08T05:45:00Z', ['2026-03-08T06:30:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z']],
  ['an hourly job skips its missing time', '30 * * * *', 'America/New_York', SKIP, '2026-03-08T05:45:00Z', ['2026-03-08T06:30:00Z', '2026-03-08T07:30:00Z', '2026-03-08T08:30:00Z']],
  // 01:45 EST, then 03:00 EDT once for 02:00-02:45 and 03:00 itself, then 03:15
  ['an interval job runs once for all its missing times, merged with a match at the gap end', '*/15 * * * *', 'America/New_York', FIRST_VALID, '2026-03-08T06:40:00Z', ['2026-03-08T06:45:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:15:00Z']],
  ['an interval job skips its missing times', '*/15 * * * *', 'America/New_York', SKIP, '2026-03-08T06:40:00Z', ['2026-03-08T06:45:00Z', '2026-03-08T07:00:00Z', '2026-03-08T07:15:00Z']],
  ['two missing times make one run', '10,20 2 * * *', 'America/New_York', FIRST_VALID, '2026-03-08T00:00:00Z', ['2026-03-08T07:00:00Z', '2026-03-09T06:10:00Z']],
  ['a list of hours runs its missing time at the gap end', '30 2,3 * * *', 'America/New_York', FIRST_VALID, '2026-03-08T00:00:00Z', ['2026-03-08T07:00:00Z', '2026-03-08T07:30:00Z', '2026-03-09T06:30:00Z']],
  ['a list of hours skips its missing time', '30 2,3 * * *', 'America/New_York', SKIP, '2026-03-08T00:00:00Z', ['2026-03-08T07:30:00Z', '2026-03-09T06:30:00Z', '2026-03-09T07:30:00Z']],
  ['London 01:30 runs at 02:00 BST', '30 1 * * *', 'Europe/London', FIRST_VALID, '2026-03-29T00:00:00Z', ['2026-03-29T01:00:00Z', '2026-03-30T00:30:00Z']],
  ['London 01:30 is skipped', '30 1 * * *', 'Europe/London', SKIP, '2026-03-29T00:00:00Z', ['2026-03-30T00:30:00Z']],
  ['Lord Howe 02:15 runs at 02:30', '15 2 * * *', 'Australia/Lord_Howe', FIRST_VALID, '2026-10-03T12:00:00Z', ['2026-10-03T15:30:00Z', '2026-10-04T15:15:00Z']],
  ['Lord Howe 02:15 is skipped', '15 2 * * *', 'Australia/Lord_Howe', SKIP, '2026-10-03T12:00:00Z', ['2026-10-04T15:15:00Z']],
  ['Santiago midnight runs at 01:00', '0 0 * * *', 'America/Santiago', FIRST_VALID, '2026-09-05T12:00:00Z', ['2026-09-06T04:00:00Z', '2026-09-07T03:00:00Z']],
  ['Santiago midnight is skipped', '0 0 * * *', 'America/Santiago', SKIP, '2026-09-05T12:00:00Z', ['2026-09-07T03:00:00Z']],
  ['Chatham 03:00 runs at 03:45', '0 3 * * *', 'Pacific/Chatham', FIRST_VALID, '2026-09-26T00:00:00Z', ['2026-09-26T14:00:00Z', '2026-09-27T13:15:00Z']],
  ['Chatham 03:00 is skipped', '0 3 * * *', 'Pacific/Chatham', SKIP, '2026-09-26T00:00:00Z', ['2026-09-27T13:15:00Z']],
];

const overlapCases: RunCase[] = [
  ['a fixed time runs at its first occurrence (01:30 EDT)', '30 1 * * *', 'America/New_York', ONCE, '2026-11-01T00:00:00Z', ['2026-11-01T05:30:00Z', '2026-11-02T06:30:00Z']],
  ['a fixed time runs at both (01:30 EDT, 01:30 EST)', '30 1 * * *', 'America/New_York', BOTH, '2026-11-01T00:00:00Z', ['2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z', '2026-11-02T06:30:00Z']],
  ['asked between the two, once moves to the next day', '30 1 * * *', 'America/New_York', ONCE, '2026-11-01T06:00:00Z', ['2026-11-02T06:30:00Z']],
  ['asked between the two, both runs the second', '30 1 * * *', 'America/New_York', BOTH, '2026-11-01T06:00:00Z', ['2026-11-01T06:30:00Z']],
  // 01:00 EDT, 01:30 EDT, then 02:00 EST: the repeated hour does not run again
  ['an interval job runs through the first pass only', '*/30 * * * *', 'America/New_York', ONCE, '2026-11-01T04:45:00Z', ['2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T07:00:00Z', '2026-11-01T07:30:00Z']],
  ['an interval job runs through both passes', '*/30 * * * *', 'America/New_York', BOTH, '2026-11-01T04:45:00Z', ['2026-11-01T05:00:00Z', '2026-11-01T05:30:00Z', '2026-11-01T06:00:00Z', '2026-11-01T06:30:00Z', '2026-11-01T07:00:00Z']],
  ['asked inside the repeated hour, once waits for 02:00 EST', '*/30 * * * *', 'America/New_York', ONCE, '2026-11-01T06:10:00Z', ['2026-11-01T07:00:00Z']],
  ['asked inside the repeated hour, both runs 01:30 EST', '*/30 * * * *', 'America/New_York', BOTH, '2026-11-01T06:10:00Z', ['2026-11-01T06:30:00Z']],
  ['London 01:30 runs once, on BST', '30 1 * * *', 'Europe/London', ONCE, '2026-10-25T00:00:00Z', ['2026-10-25T00:30:00Z', '2026-10-26T01:30:00Z']],
  ['London 01:30 runs on BST and GMT', '30 1 * * *', 'Europe/London', BOTH, '2026-10-25T00:00:00Z', ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-10-26T01:30:00Z']],
  ['Lord Howe 01:45 runs once', '45 1 * * *', 'Australia/Lord_Howe', ONCE, '2026-04-04T12:00:00Z', ['2026-04-04T14:45:00Z', '2026-04-05T15:15:00Z']],
  ['Lord Howe 01:45 runs twice, half an hour apart', '45 1 * * *', 'Australia/Lord_Howe', BOTH, '2026-04-04T12:00:00Z', ['2026-04-04T14:45:00Z', '2026-04-04T15:15:00Z', '2026-04-05T15:15:00Z']],
  // 01:15, 01:30, 01:45 on +11; then 02:00 on +10:30
  ['a Lord Howe interval job runs the repeated half hour once', '*/15 * * * *', 'Australia/Lord_Howe', ONCE, '2026-04-04T14:10:00Z', ['2026-04-04T14:15:00Z', '2026-04-04T14:30:00Z', '2026-04-04T14:45:00Z', '2026-04-04T15:30:00Z', '2026-04-04T15:45:00Z']],
  ['a Lord Howe interval job runs the repeated half hour twice', '*/15 * * * *', 'Australia/Lord_Howe', BOTH, '2026-04-04T14:10:00Z', ['2026-04-04T14:15:00Z', '2026-04-04T14:30:00Z', '2026-04-04T14:45:00Z', '2026-04-04T15:00:00Z', '2026-04-04T15:15:00Z', '2026-04-04T15:30:00Z']],
  ['Santiago 23:30 the day before the change runs once', '30 23 * * *', 'America/Santiago', ONCE, '2026-04-04T12:00:00Z', ['2026-04-05T02:30:00Z', '2026-04-06T03:30:00Z']],
  ['Santiago 23:30 the day before the change runs twice', '30 23 * * *', 'America/Santiago', BOTH, '2026-04-04T12:00:00Z', ['2026-04-05T02:30:00Z', '2026-04-05T03:30:00Z', '2026-04-06T03:30:00Z']],
  ['Chatham 03:00 runs once, on +13:45', '0 3 * * *', 'Pacific/Chatham', ONCE, '2026-04-04T00:00:00Z', ['2026-04-04T13:15:00Z', '2026-04-05T14:15:00Z']],
  ['Chatham 03:00 runs on +13:45 and +12:45', '0 3 * * *', 'Pacific/Chatham', BOTH, '2026-04-04T00:00:00Z', ['2026-04-04T13:15:00Z', '2026-04-04T14:15:00Z', '2026-04-05T14:15:00Z']],
];

describe('CronSchedule in a DST gap (local times that do not exist)', () => {
  it.each(gapCases)('%s', (_label, expression, zone, dst, afterIso, expected) => {
    expect(runs(expression, zone, dst, afterIso, expected.length)).toEqual(expected);
  });

  it('goes on after a run at the gap end with the first local time after the gap', () => {
    const schedule = new CronSchedule('30 2 * * *', { timezone: 'America/New_York' });
    expect(iso(schedule.nextRunAfter(ms('2026-03-08T07:00:00Z')))).toBe('2026-03-09T06:30:00Z');
    expect(iso(schedule.nextRunAfter(ms('2026-03-08T06:59:59.999Z')))).toBe('2026-03-08T07:00:00Z');
  });
});

describe('CronSchedule in a DST overlap (local times that happen twice)', () => {
  it.each(overlapCases)('%s', (_label, expression, zone, dst, afterIso, expected) => {
    expect(runs(expression, zone, dst, afterIso, expected.length)).toEqual(expected);
  });
});

type BadCase = [label: string, dst: unknown, message: RegExp];

const badPolicies: BadCase[] = [
  ['null', null, /^options\.dst must be an object, received null$/],
  ['a string', 'skip', /^options\.dst must be an object, received 'skip' \(string\)$/],
  ['an array', ['skip'], /^options\.dst must be an object, received a value of type array$/],
  ['a number', 42, /^options\.dst must be an object, received 42 \(number\)$/],
  ['an unknown key', { gaps: 'skip' }, /^options\.dst\.gaps is not a DST policy \(known: gap, overlap\)$/],
  ['a gap policy that does not exist', { gap: 'run' }, /^options\.dst\.gap must be 'skip' or 'run-at-first-valid', received 'run' \(string\)$/],
  ['a gap policy in the wrong case', { gap: 'Skip' }, /^options\.dst\.gap must be 'skip' or 'run-at-first-valid', received 'Skip' \(string\)$/],
  ['an overlap policy for the gap', { gap: 'once' }, /^options\.dst\.gap must be 'skip' or 'run-at-first-valid', received 'once' \(string\)$/],
  ['a boolean gap policy', { gap: true }, /^options\.dst\.gap must be .* received true \(boolean\)$/],
  ['a null gap policy', { gap: null }, /^options\.dst\.gap must be .* received null$/],
  ['an overlap policy that does not exist', { overlap: 'twice' }, /^options\.dst\.overlap must be 'once' or 'both', received 'twice' \(string\)$/],
  ['a gap policy for the overlap', { overlap: 'skip' }, /^options\.dst\.overlap must be 'once' or 'both', received 'skip' \(string\)$/],
  ['a number for the overlap', { overlap: 2 }, /^options\.dst\.overlap must be 'once' or 'both', received 2 \(number\)$/],
];

describe('DST policy validation', () => {
  it.each(badPolicies)('refuses %s with a typed error naming the option', (_label, dst, message) => {
    let caught: unknown;
    try {
      new CronSchedule('@hourly', { timezone: 'America/New_York', dst: dst as CronDstOptions });
    } catch (err) {
      caught = err;
    }
    expect(caught, 'the constructor must throw').toBeInstanceOf(TimesliceError);
    expect((caught as TimesliceError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((caught as Error).message).toMatch(message);
  });
});
