import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

describe('cron tasks', () => {
  it('runs at each matching wall-clock instant in the given time zone', async () => {
    // 2026-03-07 12:00 UTC: New York is on EST (UTC-5) until 2026-03-08 07:00 UTC.
    const clock = new VirtualClock({ wallStartMs: Date.UTC(2026, 2, 7, 12, 0) });
    const scheduler = new Scheduler({ clock });
    const ran: string[] = [];
    const h = scheduler.cron('0 9 * * *', () => ran.push(new Date(clock.wallNow()).toISOString()), { timezone: 'America/New_York', name: 'nine' });
    scheduler.start();
    await clock.advance(3 * 24 * 3600_000);
    h.cancel();
    // 09:00 EST = 14:00 UTC, then 09:00 EDT = 13:00 UTC after the change.
    expect(ran).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z']);
  });

  it('describes a waiting cron task with its expression', () => {
    const clock = new VirtualClock({ wallStartMs: Date.UTC(2026, 0, 1, 0, 0) });
    const scheduler = new Scheduler({ clock });
    scheduler.cron('*/15 * * * *', () => {}, { name: 'quarterly' });
    const [task] = scheduler.describe().tasks;
    expect(task?.why).toBe("not due until 900000 ms (in 900000 ms) — cron '*/15 * * * *'");
  });

  it('ends with maxRuns and resolves done', async () => {
    const clock = new VirtualClock();
    const scheduler = new Scheduler({ clock });
    let n = 0;
    const h = scheduler.cron('* * * * *', () => ++n, { maxRuns: 2 });
    const done = h.done;
    scheduler.start();
    await clock.advance(10 * 60_000);
    await expect(done).resolves.toBe(2);
    expect(n).toBe(2);
  });
});
