// CronSchedule: croner, validated and narrowed to "the first run strictly after
// an instant". Every expected instant below is computed by hand from the
// zone's UTC offset on that date, written as a UTC ISO string, so the tests
// hold whatever the host's TZ is. Daylight-saving changes are in
// cron-dst-policy.test.ts (by hand) and cron-dst-oracle.test.ts (brute force).
import { spawnSync } from 'node:child_process';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { CronSchedule } from '../../src/time/cron.js';
import { InvalidCronExpressionError, TimesliceError, UnknownTimeZoneError } from '../../src/errors.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (wallMs: number | null) => (wallMs === null ? null : new Date(wallMs).toISOString());

type NextCase = [label: string, expression: string, timezone: string, afterIso: string, expectedIso: string | null];

const nextRuns: NextCase[] = [
  ['9:00 in New York on the Saturday before DST is 14:00Z (EST, -5)', '0 9 * * *', 'America/New_York', '2026-03-07T12:00:00Z', '2026-03-07T14:00:00.000Z'],
  ['9:00 in New York on the day DST starts is 13:00Z (EDT, -4)', '0 9 * * *', 'America/New_York', '2026-03-07T14:00:00Z', '2026-03-08T13:00:00.000Z'],
  ['9:00 in London in winter is 09:00Z (GMT)', '0 9 * * *', 'Europe/London', '2026-01-15T00:00:00Z', '2026-01-15T09:00:00.000Z'],
  ['9:00 in London on the day BST starts is 08:00Z', '0 9 * * *', 'Europe/London', '2026-03-28T12:00:00Z', '2026-03-29T08:00:00.000Z'],
  ['9:00 in Kolkata is 03:30Z (+5:30)', '0 9 * * *', 'Asia/Kolkata', '2026-01-01T00:00:00Z', '2026-01-01T03:30:00.000Z'],
  ['23:30 in Kolkata is 18:00Z the same day', '30 23 * * *', 'Asia/Kolkata', '2026-01-01T00:00:00Z', '2026-01-01T18:00:00.000Z'],
  ['9:00 on Lord Howe in winter is 22:30Z the day before (+10:30)', '0 9 * * *', 'Australia/Lord_Howe', '2026-06-01T00:00:00Z', '2026-06-01T22:30:00.000Z'],
  ['9:00 on Lord Howe in summer is 22:00Z the day before (+11, a half-hour DST)', '0 9 * * *', 'Australia/Lord_Howe', '2026-12-01T00:00:00Z', '2026-12-01T22:00:00.000Z'],
  ['a zone name is case-insensitive', '0 9 * * *', 'america/new_york', '2026-01-01T00:00:00Z', '2026-01-01T14:00:00.000Z'],
  ['a 6-field expression has a seconds field', '*/15 * * * * *', 'UTC', '2026-01-01T00:00:00.500Z', '2026-01-01T00:00:15.000Z'],
  ['@hourly is minute 0 of every hour', '@hourly', 'UTC', '2026-01-01T00:30:00Z', '2026-01-01T01:00:00.000Z'],
  ['@daily is midnight', '@daily', 'UTC', '2026-01-01T00:30:00Z', '2026-01-02T00:00:00.000Z'],
  ['@midnight is midnight', '@midnight', 'UTC', '2026-01-01T00:30:00Z', '2026-01-02T00:00:00.000Z'],
  ['@weekly is Sunday midnight', '@weekly', 'UTC', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
  ['@monthly is the 1st at midnight', '@monthly', 'UTC', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00.000Z'],
  ['@yearly is 1 January at midnight', '@yearly', 'UTC', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00.000Z'],
  ['@annually is 1 January at midnight', '@annually', 'UTC', '2026-01-01T00:00:00Z', '2027-01-01T00:00:00.000Z'],
  ['@daily in a zone is midnight there', '@daily', 'Asia/Kolkata', '2026-01-01T00:00:00Z', '2026-01-01T18:30:00.000Z'],
  ['29 February waits for a leap year', '0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ['L is the last day of the month', '0 0 L 2 *', 'UTC', '2028-01-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
  ['there is no run after the last one croner searches (year 9999)', '0 0 1 1 *', 'UTC', '9999-06-01T00:00:00Z', null],
  ['the earliest Date has a next run', '0 0 1 1 *', 'UTC', '-271821-04-20T00:00:00Z', '-271820-01-01T00:00:00.000Z'],
  ['the earliest Date has a next run in a zone too (New York local mean time, -4:56:02)', '0 0 1 1 *', 'America/New_York', '-271821-04-20T00:00:00Z', '-271820-01-01T04:56:02.000Z'],
];

describe('CronSchedule.nextRunAfter', () => {
  it.each(nextRuns)('%s', (_label, expression, timezone, afterIso, expectedIso) => {
    expect(iso(new CronSchedule(expression, { timezone }).nextRunAfter(ms(afterIso)))).toBe(expectedIso);
  });

  it('excludes a run exactly at wallMs and finds one a millisecond later', () => {
    const schedule = new CronSchedule('0 9 * * *', { timezone: 'America/New_York' });
    expect(iso(schedule.nextRunAfter(ms('2026-03-08T12:59:59.999Z')))).toBe('2026-03-08T13:00:00.000Z');
    expect(iso(schedule.nextRunAfter(ms('2026-03-08T13:00:00.000Z')))).toBe('2026-03-09T13:00:00.000Z');
    expect(iso(schedule.nextRunAfter(ms('2026-03-08T13:00:00.001Z')))).toBe('2026-03-09T13:00:00.000Z');
  });

  it('reads the fields in UTC when no time zone is given, whatever the host zone', () => {
    const schedule = new CronSchedule('0 9 * * *');
    expect(schedule.timezone).toBe('UTC');
    expect(iso(schedule.nextRunAfter(ms('2026-07-01T00:00:00Z')))).toBe('2026-07-01T09:00:00.000Z');
  });

  it('keeps the expression and the zone as given', () => {
    const schedule = new CronSchedule('@hourly', { timezone: 'america/new_york' });
    expect(schedule.expression).toBe('@hourly');
    expect(schedule.timezone).toBe('america/new_york');
  });

  it('gives the same answer each time it is asked, so it holds no state between calls', () => {
    const schedule = new CronSchedule('*/5 * * * *', { timezone: 'Europe/London' });
    const after = ms('2026-05-05T10:02:00Z');
    expect(schedule.nextRunAfter(after)).toBe(ms('2026-05-05T10:05:00Z'));
    schedule.nextRunAfter(ms('2030-01-01T00:00:00Z'));
    expect(schedule.nextRunAfter(after)).toBe(ms('2026-05-05T10:05:00Z'));
  });
});

const ALLOWED = "expression must be a cron expression of 5 or 6 fields or a nickname like '@hourly', received ";
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const expressionRefused = (received: string, why?: string) =>
  new RegExp(`^${escapeRegExp(ALLOWED + received)}${why === undefined ? '' : `: ${why}`}$`);

type BadCase = [label: string, make: () => unknown, code: string, message: RegExp];

const badConstructions: BadCase[] = [
  ['a number for the expression', () => new CronSchedule(42 as never), 'ERR_INVALID_CRON', expressionRefused('42 (number)')],
  ['undefined for the expression', () => new CronSchedule(undefined as never), 'ERR_INVALID_CRON', expressionRefused('undefined')],
  ['an empty expression', () => new CronSchedule(''), 'ERR_INVALID_CRON', expressionRefused("'' (string)")],
  ['a blank expression', () => new CronSchedule('   '), 'ERR_INVALID_CRON', expressionRefused("'   ' (string)")],
  ['4 fields', () => new CronSchedule('* * * *'), 'ERR_INVALID_CRON', expressionRefused("'* * * *' (string)", "croner says: invalid configuration format \\('\\* \\* \\* \\*'\\).*")],
  ['7 fields (a year)', () => new CronSchedule('0 0 0 1 1 * 2030'), 'ERR_INVALID_CRON', expressionRefused("'0 0 0 1 1 * 2030' (string)", "croner says: mode '5-or-6-parts' requires exactly 5 or 6 parts.*")],
  ['words', () => new CronSchedule('every 5 minutes'), 'ERR_INVALID_CRON', expressionRefused("'every 5 minutes' (string)", 'croner says: invalid configuration format.*')],
  ['minute 61', () => new CronSchedule('61 * * * *'), 'ERR_INVALID_CRON', expressionRefused("'61 * * * *' (string)", 'croner says: Invalid value for minute: 61')],
  ['hour 24', () => new CronSchedule('0 24 * * *'), 'ERR_INVALID_CRON', expressionRefused("'0 24 * * *' (string)", 'croner says: Invalid value for hour: 24')],
  ['day of week 8', () => new CronSchedule('0 0 * * 8'), 'ERR_INVALID_CRON', expressionRefused("'0 0 * * 8' (string)", 'croner says: Invalid value for dayOfWeek: 8')],
  ['a step of 0', () => new CronSchedule('*/0 * * * *'), 'ERR_INVALID_CRON', expressionRefused("'*/0 * * * *' (string)", 'croner says: Syntax error, illegal stepping: 0')],
  ['@reboot', () => new CronSchedule('@reboot'), 'ERR_INVALID_CRON', expressionRefused("'@reboot' (string)", 'croner says: @reboot is not supported.*')],
  ['an unknown nickname', () => new CronSchedule('@fortnightly'), 'ERR_INVALID_CRON', expressionRefused("'@fortnightly' (string)", 'croner says: invalid configuration format.*')],
  ['a date, which croner would run once', () => new CronSchedule('2030-01-23T00:00:00'), 'ERR_INVALID_CRON', expressionRefused("'2030-01-23T00:00:00' (string)", 'a date or time, not a cron expression')],
  ['30 February, which never comes', () => new CronSchedule('0 0 30 2 *'), 'ERR_INVALID_CRON', expressionRefused("'0 0 30 2 *' (string)", 'it matches no date')],
  ['31 April, which never comes', () => new CronSchedule('0 0 31 4 *', { timezone: 'Asia/Kolkata' }), 'ERR_INVALID_CRON', expressionRefused("'0 0 31 4 *' (string)", 'it matches no date')],
  ['an unknown zone', () => new CronSchedule('@hourly', { timezone: 'Mars/Olympus' }), 'ERR_UNKNOWN_TIME_ZONE', /^timezone must be an IANA time zone name like 'Europe\/London', received 'Mars\/Olympus' \(string\)$/],
  ['a misspelt zone', () => new CronSchedule('@hourly', { timezone: 'Europe/Lndon' }), 'ERR_UNKNOWN_TIME_ZONE', /^timezone must be .* received 'Europe\/Lndon' \(string\)$/],
  ['an empty zone, which croner would read as host local time', () => new CronSchedule('@hourly', { timezone: '' }), 'ERR_UNKNOWN_TIME_ZONE', /^timezone must be .* received '' \(string\)$/],
  ['a zone with spaces around it', () => new CronSchedule('@hourly', { timezone: ' UTC' }), 'ERR_UNKNOWN_TIME_ZONE', /^timezone must be .* received ' UTC' \(string\)$/],
  ['a UTC offset for the zone', () => new CronSchedule('@hourly', { timezone: '+05:30' }), 'ERR_UNKNOWN_TIME_ZONE', /^timezone must be .* received '\+05:30' \(string\)$/],
  ['a number for the zone', () => new CronSchedule('@hourly', { timezone: 330 as never }), 'ERR_UNKNOWN_TIME_ZONE', /^timezone must be .* received 330 \(number\)$/],
  ['null for the zone', () => new CronSchedule('@hourly', { timezone: null as never }), 'ERR_UNKNOWN_TIME_ZONE', /^timezone must be .* received null$/],
  ['null for the options', () => new CronSchedule('@hourly', null as never), 'ERR_INVALID_ARGUMENT', /^options must be an object, received null$/],
  ['a string for the options', () => new CronSchedule('@hourly', 'UTC' as never), 'ERR_INVALID_ARGUMENT', /^options must be an object, received 'UTC' \(string\)$/],
  ['an array for the options', () => new CronSchedule('@hourly', ['UTC'] as never), 'ERR_INVALID_ARGUMENT', /^options must be an object, received a value of type array$/],
  ['a misspelt option', () => new CronSchedule('@hourly', { timeZone: 'UTC' } as never), 'ERR_INVALID_ARGUMENT', /^options\.timeZone is not a CronSchedule option \(known: timezone, dst\)$/],
];

const WALL_MS = 'wallMs must be a finite number of ms since the epoch \\(at most ±8\\.64e15\\), received ';
const badCalls: BadCase[] = [
  ['NaN', () => new CronSchedule('@hourly').nextRunAfter(Number.NaN), 'ERR_INVALID_ARGUMENT', new RegExp(`^${WALL_MS}NaN \\(number\\)$`)],
  ['Infinity', () => new CronSchedule('@hourly').nextRunAfter(Number.POSITIVE_INFINITY), 'ERR_INVALID_ARGUMENT', new RegExp(`^${WALL_MS}Infinity \\(number\\)$`)],
  ['-Infinity', () => new CronSchedule('@hourly').nextRunAfter(Number.NEGATIVE_INFINITY), 'ERR_INVALID_ARGUMENT', new RegExp(`^${WALL_MS}-Infinity \\(number\\)$`)],
  ['past the last Date', () => new CronSchedule('@hourly').nextRunAfter(8.64e15 + 1), 'ERR_INVALID_ARGUMENT', new RegExp(`^${WALL_MS}8640000000000001 \\(number\\)$`)],
  ['a date string', () => new CronSchedule('@hourly').nextRunAfter('2026-01-01' as never), 'ERR_INVALID_ARGUMENT', new RegExp(`^${WALL_MS}'2026-01-01' \\(string\\)$`)],
  ['a Date', () => new CronSchedule('@hourly').nextRunAfter(new Date(0) as never), 'ERR_INVALID_ARGUMENT', new RegExp(`^${WALL_MS}a value of type object$`)],
  ['undefined', () => new CronSchedule('@hourly').nextRunAfter(undefined as never), 'ERR_INVALID_ARGUMENT', new RegExp(`^${WALL_MS}undefined$`)],
];

describe('CronSchedule validation', () => {
  it.each([...badConstructions, ...badCalls])('refuses %s with a typed error', (_label, make, code, message) => {
    let caught: unknown;
    try {
      make();
    } catch (err) {
      caught = err;
    }
    expect(caught, 'the call must throw').toBeInstanceOf(TimesliceError);
    expect((caught as TimesliceError).code).toBe(code);
    expect((caught as Error).message).toMatch(message);
  });

  it('keeps croner\'s error as the cause of a refused expression', () => {
    let caught: unknown;
    try {
      new CronSchedule('61 * * * *');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InvalidCronExpressionError);
    expect((caught as Error).name).toBe('InvalidCronExpressionError');
    expect((caught as Error).cause).toBeInstanceOf(Error);
  });

  it('recognises its error codes on plain clones, where instanceof fails', () => {
    const cron = structuredClone({ code: 'ERR_INVALID_CRON', message: 'x' });
    const zone = structuredClone({ code: 'ERR_UNKNOWN_TIME_ZONE', message: 'x' });
    expect(InvalidCronExpressionError.is(cron)).toBe(true);
    expect(UnknownTimeZoneError.is(cron)).toBe(false);
    expect(UnknownTimeZoneError.is(zone)).toBe(true);
    expect(TimesliceError.is(zone)).toBe(true);
  });

  it('accepts zones Intl knows under other names, and 6 fields with croner extensions', () => {
    expect(new CronSchedule('0 9 * * *', { timezone: 'Asia/Calcutta' }).nextRunAfter(ms('2026-01-01T00:00:00Z'))).toBe(
      ms('2026-01-01T03:30:00Z'),
    );
    expect(new CronSchedule('0 0 12 ? * MON#1', { timezone: 'Etc/GMT+5' }).nextRunAfter(ms('2026-01-01T00:00:00Z'))).toBe(
      ms('2026-01-05T17:00:00Z'), // first Monday of January, 12:00 at UTC-5
    );
  });
});

describe('CronSchedule and the event loop', () => {
  it('arms no timer in this process', () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const schedules = [
      new CronSchedule('* * * * * *'),
      new CronSchedule('@hourly', { timezone: 'Europe/London' }),
      new CronSchedule('*/5 * * * *', { timezone: 'Australia/Lord_Howe' }),
    ];
    for (const schedule of schedules) schedule.nextRunAfter(Date.now());
    expect(timers()).toBe(before);
  });

  it('lets a process that builds schedules and asks for runs exit on its own', async () => {
    const bundle = await build({
      stdin: {
        contents: `
          import { CronSchedule } from './src/time/cron.ts';
          const every = new CronSchedule('* * * * * *');
          const daily = new CronSchedule('0 9 * * *', { timezone: 'America/New_York' });
          every.nextRunAfter(Date.now());
          console.log(new Date(daily.nextRunAfter(Date.parse('2026-03-07T14:00:00Z'))).toISOString());
        `,
        resolveDir: new URL('../../', import.meta.url).pathname,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    // Without the timeout a lingering timer would hang the test; with it, the
    // child is killed and `signal` is set.
    const child = spawnSync(process.execPath, ['--input-type=module'], {
      input: bundle.outputFiles[0]!.text,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toBe('');
    expect(child.signal).toBeNull();
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('2026-03-08T13:00:00.000Z');
  });
});
