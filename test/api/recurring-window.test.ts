// Scheduler.recurring (a fixed delay after each run) with startAt, endAt and
// maxExecutions, on a virtual clock: when each run started (ms since the
// scheduler's start), how the task ends, and the inputs it refuses.
import { describe, expect, it } from 'vitest';
import { Scheduler, type TaskContext } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

/** A scheduler on a virtual clock, and a log of the monotonic ms each run started at. */
function setUp() {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock });
  const startedAtMs: number[] = [];
  const log = () => {
    startedAtMs.push(clock.now());
    return startedAtMs.length;
  };
  /** A run that takes runMs of (virtual) time. */
  const slow = (runMs: number) => async (ctx: TaskContext) => {
    startedAtMs.push(clock.now());
    await ctx.sleep(runMs);
    return startedAtMs.length;
  };
  return { clock, scheduler, startedAtMs, log, slow };
}

describe('recurring() with startAt, endAt and maxExecutions', () => {
  it('runs first at startAt, then delayMs after each run ends', async () => {
    const { clock, scheduler, startedAtMs, slow } = setUp();
    scheduler.recurring(100, slow(30), { startAt: clock.wallNow() + 500 });
    scheduler.start();
    await clock.advance(900);
    expect(startedAtMs).toEqual([500, 630, 760, 890]);
  });

  it('takes startAt as a Date or a number alike', async () => {
    const byNumber = setUp();
    byNumber.scheduler.recurring('1s', byNumber.log, { startAt: byNumber.clock.wallNow() + 2500, maxExecutions: 3 });
    byNumber.scheduler.start();
    await byNumber.clock.advance(10_000);
    const byDate = setUp();
    byDate.scheduler.recurring('1s', byDate.log, { startAt: new Date(byDate.clock.wallNow() + 2500), maxExecutions: 3 });
    byDate.scheduler.start();
    await byDate.clock.advance(10_000);
    expect(byNumber.startedAtMs).toEqual([2500, 3500, 4500]);
    expect(byDate.startedAtMs).toEqual(byNumber.startedAtMs);
  });

  it('runs at once when startAt is past, or is now', async () => {
    const past = setUp();
    past.scheduler.recurring(100, past.log, { startAt: past.clock.wallNow() - 86_400_000, maxExecutions: 3 });
    past.scheduler.start();
    await past.clock.advance(1000);
    expect(past.startedAtMs).toEqual([0, 100, 200]);
    const now = setUp();
    now.scheduler.recurring(100, now.log, { startAt: new Date(now.clock.wallNow()), maxExecutions: 2 });
    now.scheduler.start();
    await now.clock.advance(1000);
    expect(now.startedAtMs).toEqual([0, 100]);
  });

  it('starts no run after endAt: the task ends, done resolves with the last result and onIdle waits for it', async () => {
    const { clock, scheduler, startedAtMs, slow } = setUp();
    // 100, then 230 (a 30 ms run and the delay); the next would start at 360, after endAt.
    const handle = scheduler.recurring(100, slow(30), { endAt: clock.wallNow() + 300 });
    scheduler.start();
    const idle = scheduler.onIdle().then(() => clock.now());
    await clock.advance(2000);
    expect(startedAtMs).toEqual([100, 230]);
    await expect(handle.done).resolves.toBe(2);
    await expect(idle).resolves.toBe(260);
    expect(scheduler.stats().live).toBe(0);
  });

  it('runs a run due exactly at endAt', async () => {
    const { clock, scheduler, startedAtMs, log } = setUp();
    const handle = scheduler.recurring(100, log, { startAt: clock.wallNow() + 100, endAt: clock.wallNow() + 300 });
    scheduler.start();
    await clock.advance(1000);
    expect(startedAtMs).toEqual([100, 200, 300]);
    await expect(handle.done).resolves.toBe(3);
  });

  it('stops at maxExecutions before endAt, and at endAt before maxExecutions', async () => {
    const first = setUp();
    first.scheduler.recurring(100, first.log, { endAt: first.clock.wallNow() + 10_000, maxExecutions: 2 });
    first.scheduler.start();
    await first.clock.advance(20_000);
    expect(first.startedAtMs).toEqual([100, 200]);
    const second = setUp();
    second.scheduler.recurring(100, second.log, { endAt: second.clock.wallNow() + 250, maxExecutions: 10 });
    second.scheduler.start();
    await second.clock.advance(20_000);
    expect(second.startedAtMs).toEqual([100, 200]);
  });

  it('takes maxExecutions as maxRuns without a window too, and refuses both at once', async () => {
    const { clock, scheduler, startedAtMs, log } = setUp();
    const handle = scheduler.recurring('1m', log, { maxExecutions: 3 });
    scheduler.start();
    await clock.advance(86_400_000);
    expect(startedAtMs).toEqual([60_000, 120_000, 180_000]);
    await expect(handle.done).resolves.toBe(3);
    expect(() => scheduler.recurring('1m', log, { maxExecutions: 3, maxRuns: 3 })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: 'options.maxRuns and options.maxExecutions are one limit under two names: set one' }),
    );
    expect(() => scheduler.recurring('1m', log, { startAt: clock.wallNow(), maxExecutions: 0 })).toThrow(
      'options.maxExecutions must be an integer >= 1, received 0 (number)',
    );
  });

  it('runs no scheduled run before startAt after a runNow(): the next one is at startAt, or a delay after the early run when that is later', async () => {
    for (const endAt of [undefined, 10_000]) {
      const { clock, scheduler, startedAtMs, log } = setUp();
      const wallStartMs = clock.wallNow();
      const early = scheduler.recurring(100, log, { startAt: wallStartMs + 500, ...(endAt === undefined ? {} : { endAt: wallStartMs + endAt }), maxExecutions: 3 });
      const late = scheduler.recurring(100, log, { startAt: wallStartMs + 500, ...(endAt === undefined ? {} : { endAt: wallStartMs + endAt }), maxExecutions: 3 });
      scheduler.start();
      await clock.advance(50);
      early.runNow();
      await clock.advance(400);
      late.runNow();
      await clock.advance(2000);
      // early: 50 (runNow), then startAt (500), 600; late: 450 (runNow), then 550 (a delay after it, past startAt), 650.
      expect(startedAtMs).toEqual([50, 450, 500, 550, 600, 650]);
    }
  });

  it('names its delay and window in describe()', () => {
    const { clock, scheduler, log } = setUp();
    const wallStartMs = clock.wallNow();
    scheduler.recurring(100, log, { name: 'from', startAt: wallStartMs + 500 });
    scheduler.recurring(100, log, { name: 'window', startAt: wallStartMs + 500, endAt: wallStartMs + 800 });
    const text = scheduler.describe().toString();
    expect(text).toContain(`from [normal] not due until 500 ms (in 500 ms) — 100 ms after each run, from ${new Date(wallStartMs + 500).toISOString()}`);
    expect(text).toContain(`100 ms after each run, from ${new Date(wallStartMs + 500).toISOString()}, until ${new Date(wallStartMs + 800).toISOString()}`);
  });

  it('keeps its window with slot constraints: a run refused by the admit function is skipped, none starts after endAt', async () => {
    const { clock, scheduler, startedAtMs, log } = setUp();
    const wallStartMs = clock.wallNow();
    const skipped: string[] = [];
    scheduler.events.addEventListener('taskskip', (event) => skipped.push(`${clock.now()} ${event.detail.reason}`));
    const handle = scheduler.recurring(100, log, {
      startAt: wallStartMs + 100,
      endAt: wallStartMs + 400,
      constraints: { admit: ({ atMs }) => atMs - wallStartMs !== 200 || 'the second run is refused' },
    });
    scheduler.start();
    await clock.advance(2000);
    expect(startedAtMs).toEqual([100, 300, 400]);
    expect(skipped).toEqual(['200 the second run is refused']);
    await expect(handle.done).resolves.toBe(3);
  });

  it('refuses endAt before startAt, an endAt in the past, and an endAt before the first run, with InvalidScheduleWindowError', () => {
    const { clock, scheduler, log } = setUp();
    const now = clock.wallNow();
    const window = (options: object) => () => scheduler.recurring(100, log, options);
    expect(window({ startAt: now + 1000, endAt: now + 999 })).toThrow(
      expect.objectContaining({ name: 'InvalidScheduleWindowError', code: 'ERR_INVALID_SCHEDULE_WINDOW', message: expect.stringMatching(/^recurring: options\.endAt must not be before startAt/) }),
    );
    expect(window({ endAt: now - 1 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_SCHEDULE_WINDOW', message: expect.stringMatching(/endAt is in the past/) }));
    // Without startAt the first run is delayMs from now: after this endAt.
    expect(window({ endAt: now + 99 })).toThrow(expect.objectContaining({ code: 'ERR_INVALID_SCHEDULE_WINDOW', message: expect.stringMatching(/has no slot between startAt \(none\) and endAt/) }));
    expect(scheduler.stats().live).toBe(0);
  });

  it.each([
    ['a NaN startAt', { startAt: Number.NaN }, /options\.startAt must be a valid Date or a number of ms since the epoch/],
    ['an infinite endAt', { endAt: Number.POSITIVE_INFINITY }, /options\.endAt must be a valid Date or a number of ms since the epoch/],
    ['an invalid Date', { startAt: new Date(Number.NaN) }, /options\.startAt must be a valid Date/],
    ['a date string', { endAt: '2030-01-01' }, /options\.endAt must be a valid Date or a number .*received '2030-01-01' \(string\)/],
    ['an unknown option', { timezone: 'Europe/Paris' }, /options\.timezone is not/],
  ])('refuses %s with InvalidArgumentError', (_, options, message) => {
    const { scheduler, log } = setUp();
    expect(() => scheduler.recurring(100, log, options as object)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', message: expect.stringMatching(message) }));
  });
});
