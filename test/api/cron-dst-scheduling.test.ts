// Scheduler.cron passes its DST policy to the schedule: cron tasks on a virtual
// clock across New York's 2026 changes (02:00 EST -> 03:00 EDT on 03-08 at
// 07:00Z; 02:00 EDT -> 01:00 EST on 11-01 at 06:00Z).
import { describe, expect, it } from 'vitest';
import { type CronOptions, Scheduler, TimesliceError } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

const DAY_MS = 86_400_000;

/** The wall instants at which a cron task runs over `days`, from `startIso`. */
async function ranAt(expression: string, options: CronOptions, startIso: string, days: number): Promise<string[]> {
  const clock = new VirtualClock({ wallStartMs: Date.parse(startIso) });
  const scheduler = new Scheduler({ clock });
  const ran: string[] = [];
  const handle = scheduler.cron(expression, () => ran.push(new Date(clock.wallNow()).toISOString()), options);
  scheduler.start();
  await clock.advance(days * DAY_MS);
  handle.cancel();
  return ran;
}

describe('cron tasks and the DST policy', () => {
  it('run a time the spring change skips at 03:00 EDT by default', async () => {
    expect(await ranAt('30 2 * * *', { timezone: 'America/New_York' }, '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('skip it with dst.gap skip', async () => {
    expect(await ranAt('30 2 * * *', { timezone: 'America/New_York', dst: { gap: 'skip' } }, '2026-03-07T12:00:00Z', 3)).toEqual([
      '2026-03-09T06:30:00.000Z',
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('run a time the autumn change repeats once by default, and twice with dst.overlap both', async () => {
    expect(await ranAt('30 1 * * *', { timezone: 'America/New_York' }, '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
    expect(await ranAt('30 1 * * *', { timezone: 'America/New_York', dst: { overlap: 'both' } }, '2026-10-31T12:00:00Z', 2)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('refuse a bad policy at registration with a typed error', () => {
    const scheduler = new Scheduler({ clock: new VirtualClock() });
    let caught: unknown;
    try {
      scheduler.cron('@hourly', () => {}, { dst: { overlap: 'twice' } as never });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TimesliceError);
    expect((caught as TimesliceError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((caught as Error).message).toBe("options.dst.overlap must be 'once' or 'both', received 'twice' (string)");
    expect(scheduler.describe().tasks).toEqual([]);
  });
});
