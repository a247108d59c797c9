// Slot constraints on in-memory tasks (src/constraints/constrained-task.ts), on
// the VirtualClock: the same options as durable tasks, judged when each run
// starts; a refused run is a taskskip event with its reason, or, deferred,
// sleeps to the next admissible instant (and describe() says why it waits).
import { describe, expect, it } from 'vitest';
import { Scheduler, SlotConstraintsError } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

const HOUR_MS = 3_600_000;
/** 2026-01-01, a Thursday; Europe/Berlin is UTC+1 in winter, Asia/Tokyo UTC+9. */
const WALL_START_MS = Date.UTC(2026, 0, 1);
const hourOf = (clock: VirtualClock) => (clock.wallNow() - WALL_START_MS) / HOUR_MS;

function setUp() {
  const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
  const scheduler = new Scheduler({ clock });
  const runs: number[] = [];
  const skips: Array<[number, string | undefined]> = [];
  scheduler.events.addEventListener('taskskip', (e) => skips.push([hourOf(clock), e.detail.reason]));
  return { clock, scheduler, runs, skips, run: () => void runs.push(hourOf(clock)) };
}

describe('in-memory slot constraints', () => {
  it('skip the runs outside working hours in the zone, each a taskskip event with the reason', async () => {
    const { clock, scheduler, runs, skips, run } = setUp();
    scheduler.every('1h', run, { constraints: { workingHours: { from: '09:00', to: '17:00' }, timezone: 'Europe/Berlin' } });
    scheduler.start();
    await clock.advance(24 * HOUR_MS);
    expect(runs).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(skips.filter(([, reason]) => reason === 'outside working hours').map(([hour]) => hour)).toEqual([1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24]);
    await scheduler.stop();
  });

  it('cap the runs per local day of the cron zone, counting again from its midnight', async () => {
    const { clock, scheduler, runs, skips, run } = setUp();
    scheduler.cron('0 * * * *', run, { timezone: 'Asia/Tokyo', constraints: { maxPerDay: 2 } });
    scheduler.start();
    await clock.advance(17 * HOUR_MS);
    expect(runs).toEqual([1, 2, 15, 16]);
    expect(skips[0]).toEqual([3, 'daily cap reached']);
    await scheduler.stop();
  });

  it('defer a refused run to the next admissible instant, which describe() explains while it waits', async () => {
    const { clock, scheduler, runs, run } = setUp();
    scheduler.every('50m', run, { constraints: { workingHours: { from: '09:00', to: '17:00' }, timezone: 'Europe/Berlin', inadmissible: 'defer' } });
    scheduler.start();
    await clock.advance(HOUR_MS);
    expect(scheduler.describe().tasks[0]?.why).toBe(`deferred to 2026-01-01T08:00:00.000Z: outside working hours (due in ${7 * HOUR_MS} ms)`);
    await clock.advance(8 * HOUR_MS);
    // The deferred run at 08:00 UTC (09:00 in Berlin); the fixed-rate grid goes on at its next tick after it.
    expect(runs.slice(0, 2)).toEqual([8, 8 + 20 / 60]);
    await scheduler.stop();
  });

  it('take an admit function, whose reason string is the skip reason', async () => {
    const { clock, scheduler, runs, skips, run } = setUp();
    const seen: Array<{ runsToday: number }> = [];
    scheduler.every('1h', run, {
      constraints: {
        admit: (slot) => {
          seen.push({ runsToday: slot.runsToday });
          return new Date(slot.atMs).getUTCHours() % 2 === 0 || 'odd hour';
        },
      },
    });
    scheduler.start();
    await clock.advance(4 * HOUR_MS);
    expect(runs).toEqual([2, 4]);
    expect(skips).toEqual([[1, 'odd hour'], [3, 'odd hour']]);
    expect(seen.map((s) => s.runsToday)).toEqual([0, 0, 1, 1]);
    await scheduler.stop();
  });

  it('apply to recurring() too: a run past the cap is skipped and the delay starts again from it', async () => {
    const { clock, scheduler, runs, skips, run } = setUp();
    scheduler.recurring('1h', run, { constraints: { maxPerDay: 2 } });
    scheduler.start();
    await clock.advance(4 * HOUR_MS);
    expect(runs).toEqual([1, 2]);
    expect(skips).toEqual([[3, 'daily cap reached'], [4, 'daily cap reached']]);
    await scheduler.stop();
  });

  it('skip a run whose admit function throws, with what it threw as the reason', async () => {
    const { clock, scheduler, runs, skips, run } = setUp();
    scheduler.cron('0 * * * *', run, {
      constraints: {
        admit: () => {
          throw new Error('calendar service down');
        },
      },
    });
    scheduler.start();
    await clock.advance(HOUR_MS);
    expect(runs).toEqual([]);
    expect(skips).toEqual([[1, 'not admitted by admit(): it threw calendar service down']]);
    await scheduler.stop();
  });

  it('refuse constraints that admit no run, and bad options, at the call', () => {
    const { scheduler } = setUp();
    expect(() => scheduler.cron('0 3 * * *', () => {}, { constraints: { workingHours: { from: '09:00', to: '17:00' } } })).toThrow(SlotConstraintsError);
    expect(() => scheduler.every('1h', () => {}, { constraints: { admit: 'byName' as never } })).toThrow(/every: options.constraints.admit must be a function/);
    expect(() => scheduler.every('1h', () => {}, { constraints: { maxPerDay: -1 } })).toThrow(/maxPerDay must be an integer >= 1/);
  });
});
