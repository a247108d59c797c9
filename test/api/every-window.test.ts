// Scheduler.every and cron with startAt, endAt and maxExecutions, and every()
// with calendar intervals, on a virtual clock: the wall instants each task
// ran at, and how it ends.
import { describe, expect, it } from 'vitest';
import { type EveryOptions, Scheduler, type TaskHandle } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A scheduler on a virtual clock whose wall time starts at `startIso`, and a log of wall instants. */
function setUp(startIso: string) {
  const clock = new VirtualClock({ wallStartMs: Date.parse(startIso) });
  const scheduler = new Scheduler({ clock });
  const ran: string[] = [];
  const log = () => {
    ran.push(iso(clock.wallNow()));
    return ran.length;
  };
  return { clock, scheduler, ran, log };
}

describe('every() with startAt, endAt and maxExecutions', () => {
  it('runs a weekly maintenance from next Sunday at midnight, every 7 days (seed 004)', async () => {
    // 2026-12-07 is a Monday: next Sunday is 2026-12-13.
    const { clock, scheduler, ran, log } = setUp('2026-12-07T10:00:00Z');
    scheduler.every('7d', log, { startAt: new Date('2026-12-13T00:00:00Z') });
    scheduler.start();
    await clock.advance(20 * DAY_MS);
    expect(ran).toEqual(['2026-12-13T00:00:00.000Z', '2026-12-20T00:00:00.000Z', '2026-12-27T00:00:00.000Z']);
  });

  it('ends after the last slot at or before endAt: done resolves with the last result and onIdle waits for it', async () => {
    const { clock, scheduler, ran, log } = setUp('2026-12-07T10:00:00Z');
    const handle = scheduler.every('1d', log, { startAt: Date.parse('2026-12-08T00:00:00Z'), endAt: Date.parse('2026-12-10T00:00:00Z') });
    scheduler.start();
    const idle = scheduler.onIdle().then(() => iso(clock.wallNow()));
    await clock.advance(10 * DAY_MS);
    expect(ran).toEqual(['2026-12-08T00:00:00.000Z', '2026-12-09T00:00:00.000Z', '2026-12-10T00:00:00.000Z']);
    await expect(handle.done).resolves.toBe(3);
    await expect(idle).resolves.toBe('2026-12-10T00:00:00.000Z');
  });

  it('stops at maxExecutions before endAt, and at endAt before maxExecutions', async () => {
    const first = setUp('2026-12-07T00:00:00Z');
    first.scheduler.every('1h', first.log, { endAt: Date.parse('2026-12-08T00:00:00Z'), maxExecutions: 2 });
    first.scheduler.start();
    await first.clock.advance(DAY_MS);
    expect(first.ran).toEqual(['2026-12-07T01:00:00.000Z', '2026-12-07T02:00:00.000Z']);
    const second = setUp('2026-12-07T00:00:00Z');
    second.scheduler.every('1h', second.log, { endAt: Date.parse('2026-12-07T02:30:00Z'), maxExecutions: 10 });
    second.scheduler.start();
    await second.clock.advance(DAY_MS);
    expect(second.ran).toEqual(['2026-12-07T01:00:00.000Z', '2026-12-07T02:00:00.000Z']);
  });

  it('takes maxExecutions as maxRuns under its durable name, and refuses both at once', async () => {
    const { clock, scheduler, ran, log } = setUp('2026-12-07T00:00:00Z');
    const handle = scheduler.every('1m', log, { maxExecutions: 3 });
    scheduler.start();
    await clock.advance(DAY_MS);
    expect(ran).toHaveLength(3);
    await expect(handle.done).resolves.toBe(3);
    expect(() => scheduler.every('1m', log, { maxExecutions: 3, maxRuns: 3 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: 'options.maxRuns and options.maxExecutions are one limit under two names: set one' }),
    );
    expect(() => scheduler.every('1m', log, { maxExecutions: 0 })).toThrow('options.maxExecutions must be an integer >= 1, received 0 (number)');
  });

  it('anchors the grid on a past startAt: the first run is the next slot of that grid', async () => {
    const { clock, scheduler, ran, log } = setUp('2026-12-07T10:20:00Z');
    scheduler.every('1h', log, { startAt: Date.parse('2026-12-01T00:30:00Z') });
    scheduler.start();
    await clock.advance(2 * 3_600_000);
    expect(ran).toEqual(['2026-12-07T10:30:00.000Z', '2026-12-07T11:30:00.000Z']);
  });

  it('runs a startAt of now at once', async () => {
    const { clock, scheduler, ran, log } = setUp('2026-12-07T10:00:00Z');
    scheduler.every('1h', log, { startAt: clock.wallNow(), maxExecutions: 2 });
    scheduler.start();
    await clock.advance(3 * 3_600_000);
    expect(ran).toEqual(['2026-12-07T10:00:00.000Z', '2026-12-07T11:00:00.000Z']);
  });
});

describe('every() with a calendar interval', () => {
  it('runs monthly from Jan 31 in Paris: Feb 28, Mar 31 (after the clock change, still 09:00 local), Apr 30', async () => {
    const { clock, scheduler, ran, log } = setUp('2026-01-15T00:00:00Z');
    scheduler.every({ months: 1 }, log, { startAt: Date.parse('2026-01-31T09:00:00+01:00'), timezone: 'Europe/Paris' });
    scheduler.start();
    await clock.advance(110 * DAY_MS);
    expect(ran).toEqual(['2026-01-31T08:00:00.000Z', '2026-02-28T08:00:00.000Z', '2026-03-31T07:00:00.000Z', '2026-04-30T07:00:00.000Z']);
  });

  it("keeps the local time of { days: 1 } across daylight saving, where '1d' keeps 24 h", async () => {
    const calendar = setUp('2026-03-28T08:00:00Z'); // 09:00 in Paris
    calendar.scheduler.every({ days: 1 }, calendar.log, { timezone: 'Europe/Paris' });
    calendar.scheduler.start();
    await calendar.clock.advance(3 * DAY_MS);
    expect(calendar.ran).toEqual(['2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z']);
    const fixed = setUp('2026-03-28T08:00:00Z');
    fixed.scheduler.every('1d', fixed.log);
    fixed.scheduler.start();
    await fixed.clock.advance(3 * DAY_MS);
    expect(fixed.ran).toEqual(['2026-03-29T08:00:00.000Z', '2026-03-30T08:00:00.000Z', '2026-03-31T08:00:00.000Z']);
  });

  it('names its schedule in describe()', () => {
    const { scheduler, log } = setUp('2026-03-28T08:00:00Z');
    scheduler.every({ weeks: 2 }, log, { timezone: 'Europe/Paris', name: 'fortnightly' });
    expect(scheduler.describe().toString()).toContain('every 2 weeks in Europe/Paris from 2026-03-28T08:00:00.000Z');
  });
});

describe('cron() with startAt and endAt', () => {
  it('runs no slot before startAt nor after endAt, then ends', async () => {
    const { clock, scheduler, ran, log } = setUp('2026-12-07T00:00:00Z');
    const handle: TaskHandle<number> = scheduler.cron('0 12 * * *', log, {
      startAt: Date.parse('2026-12-09T00:00:00Z'), endAt: Date.parse('2026-12-11T12:00:00Z'),
    });
    scheduler.start();
    await clock.advance(10 * DAY_MS);
    expect(ran).toEqual(['2026-12-09T12:00:00.000Z', '2026-12-10T12:00:00.000Z', '2026-12-11T12:00:00.000Z']);
    await expect(handle.done).resolves.toBe(3);
  });
});

describe('start and end validation', () => {
  const { scheduler, clock } = setUp('2026-12-07T00:00:00Z');
  const now = clock.wallNow();
  const refuse = (options: EveryOptions, code: string, message: string | RegExp, period: Parameters<Scheduler['every']>[0] = '1h') =>
    expect(() => scheduler.every(period, () => {}, options)).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));

  it('refuses endAt before startAt, an endAt in the past, and a window with no slot, with InvalidScheduleWindowError', () => {
    refuse({ startAt: now + 2 * DAY_MS, endAt: now + DAY_MS }, 'ERR_INVALID_SCHEDULE_WINDOW', /^every: options\.endAt must not be before startAt/);
    refuse({ endAt: now - 1 }, 'ERR_INVALID_SCHEDULE_WINDOW', /^every: options\.endAt is in the past/);
    refuse({ endAt: now + 1000 }, 'ERR_INVALID_SCHEDULE_WINDOW', /has no slot between startAt \(none\) and endAt/);
    expect(() => scheduler.cron('0 0 1 1 *', () => {}, { endAt: now + DAY_MS })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_SCHEDULE_WINDOW' }));
  });

  it('refuses dates that are not dates with InvalidArgumentError', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, new Date(Number.NaN), '2026-12-08', 9e15]) {
      refuse({ startAt: bad as never }, 'ERR_INVALID_ARGUMENT', /^every: options\.startAt must be a valid Date/);
      refuse({ endAt: bad as never }, 'ERR_INVALID_ARGUMENT', /^every: options\.endAt must be a valid Date/);
    }
  });

  it("refuses a timezone with a duration: '1d' is 24 h in every zone", () => {
    refuse({ timezone: 'Europe/Paris' }, 'ERR_INVALID_ARGUMENT', /apply only to a calendar interval such as \{ days: 1 \}/, '1d');
    refuse({}, 'ERR_INVALID_ARGUMENT', /exactly one of days, weeks or months/, { months: 1, days: 1 } as never);
    refuse({ timezone: 'Nowhere/Else' }, 'ERR_UNKNOWN_TIME_ZONE', /IANA/, { days: 1 });
  });
});

describe('endAt and slot constraints in memory', () => {
  it('defers a refused run within endAt, and skips one whose next admissible instant is past endAt', async () => {
    // 2026-01-02 is a Friday; working hours are weekdays 09:00-17:00 UTC.
    const { clock, scheduler, ran, log } = setUp('2026-01-02T00:00:00Z');
    const skips: Array<string | undefined> = [];
    scheduler.events.addEventListener('taskskip', (e) => skips.push(e.detail.reason));
    const handle = scheduler.every('12h', log, {
      startAt: Date.parse('2026-01-02T08:00:00Z'), endAt: Date.parse('2026-01-02T21:00:00Z'),
      constraints: { workingHours: { from: '09:00', to: '17:00' }, timezone: 'UTC', inadmissible: 'defer' },
    });
    scheduler.start();
    await clock.advance(4 * DAY_MS);
    expect(ran).toEqual(['2026-01-02T09:00:00.000Z']);
    expect(skips).toEqual(['not deferred: the next admissible instant (2026-01-05T09:00:00.000Z) is after endAt: outside working hours']);
    await expect(handle.done).resolves.toBeUndefined();
  });
});
