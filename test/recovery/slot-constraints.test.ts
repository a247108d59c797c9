// Slot constraints on durable tasks (src/durable/admit-slots.ts), on the
// VirtualClock over a MemoryStore: working hours, a daily cap across local
// midnight, blackouts and an admit hook, refused slots recorded as skipped
// with their reason, or deferred to the next admissible instant.
import { describe, expect, it } from 'vitest';
import { AdmitNotDefinedError, InvalidArgumentError, SlotConstraintsError } from '../../src/index.js';
import { harness, WALL_START_MS } from './helpers.js';

const HOUR_MS = 3_600_000;
/** 2026-01-01 (a Thursday) 00:00 UTC; Europe/Berlin is UTC+1 in winter, Asia/Tokyo UTC+9. */
const at = (hours: number) => WALL_START_MS + hours * HOUR_MS;

/** The task's history, oldest first: [hours after the wall start, outcome, skip reason]. */
async function history(scheduler: ReturnType<ReturnType<typeof harness>['scheduler']>, id: string) {
  const { executions } = await scheduler.history(id, { limit: 1000 });
  return executions.reverse().map((e) => [(e.nominalMs - WALL_START_MS) / HOUR_MS, e.outcome, e.skipReason] as const);
}

describe('durable slot constraints', () => {
  it('skips the slots outside working hours, recording each with its reason', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    scheduler.define('job', () => {});
    await scheduler.schedule({
      id: 'j', fn: 'job', every: '1h',
      constraints: { workingHours: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }, timezone: 'Europe/Berlin' },
    });
    scheduler.start();
    await h.clock.advance(24 * HOUR_MS);
    const rows = await history(scheduler, 'j');
    expect(rows.filter(([, outcome]) => outcome === 'succeeded').map(([hour]) => hour)).toEqual([8, 9, 10, 11, 12, 13, 14, 15]);
    expect(rows.filter(([, outcome]) => outcome === 'skipped').map(([hour, , reason]) => [hour, reason])).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 24].map((hour) => [hour, 'outside working hours']),
    );
    await scheduler.stop();
  });

  it('keeps working hours on local time across a spring-forward day (America/New_York, 2026-03-08)', async () => {
    const saturday = Date.UTC(2026, 2, 7);
    const h = harness(saturday);
    const scheduler = h.scheduler();
    const runs: string[] = [];
    scheduler.define('job', () => {
      runs.push(new Date(h.clock.wallNow()).toISOString().slice(5, 16));
    });
    await scheduler.schedule({
      id: 'j', fn: 'job', every: '1h',
      constraints: { workingHours: { days: ['sat', 'sun'], from: '09:00', to: '12:00' }, timezone: 'America/New_York' },
    });
    scheduler.start();
    await h.clock.advance(48 * HOUR_MS);
    // 09:00-12:00 is 14:00-17:00 UTC on Saturday (EST), 13:00-16:00 UTC on Sunday (EDT).
    expect(runs).toEqual(['03-07T14:00', '03-07T15:00', '03-07T16:00', '03-08T13:00', '03-08T14:00', '03-08T15:00']);
    await scheduler.stop();
  });

  it('caps the runs per local day, and counts again from local midnight', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    scheduler.define('job', () => {});
    // Tokyo's midnight is 15:00 UTC: the cap's day turns there, not at UTC midnight.
    await scheduler.schedule({ id: 'j', fn: 'job', every: '1h', constraints: { maxPerDay: 3, timezone: 'Asia/Tokyo' } });
    scheduler.start();
    await h.clock.advance(18 * HOUR_MS);
    const rows = await history(scheduler, 'j');
    expect(rows.filter(([, outcome]) => outcome === 'succeeded').map(([hour]) => hour)).toEqual([1, 2, 3, 15, 16, 17]);
    expect(rows.find(([hour]) => hour === 4)).toEqual([4, 'skipped', 'daily cap reached']);
    expect(rows.find(([hour]) => hour === 14)).toEqual([14, 'skipped', 'daily cap reached']);
    await scheduler.stop();
  });

  it('defers a refused slot to the next admissible instant, folding the slots before it, and describe() says why it waits', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    const runs: number[] = [];
    scheduler.define('job', (_params, ctx) => {
      runs.push((h.clock.wallNow() - WALL_START_MS) / HOUR_MS);
      expect(ctx.nominalMs).toBe(h.clock.wallNow());
    });
    await scheduler.schedule({
      id: 'j', fn: 'job', every: '50m',
      constraints: { workingHours: { from: '09:00', to: '17:00' }, timezone: 'Europe/Berlin', inadmissible: 'defer' },
    });
    scheduler.start();
    await h.clock.advance(2 * HOUR_MS);
    const waiting = scheduler.describe().tasks.find((t) => t.reason.kind === 'deferred');
    expect(waiting?.why).toMatch(/^task 'j' deferred to 2026-01-01T08:00:00.000Z: outside working hours \(due in 21600000 ms\)$/);
    await h.clock.advance(7 * HOUR_MS);
    // 08:00 UTC is 09:00 in Berlin: the deferred run, then the 50-minute grid goes on (08:20 is its next slot).
    expect(runs).toEqual([8, 8 + 20 / 60]);
    const rows = await history(scheduler, 'j');
    expect(rows[0]).toEqual([50 / 60, 'skipped', 'deferred to 2026-01-01T08:00:00.000Z: outside working hours']);
    expect(rows.slice(1).map(([hour, outcome]) => [hour, outcome])).toEqual([[8, 'succeeded'], [8 + 20 / 60, 'succeeded']]);
    await scheduler.stop();
  });

  it('records a blackout by its name and a hook refusal by the reason it returned', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    scheduler.define('job', () => {});
    scheduler.defineAdmit('evenHours', ({ atMs }) => new Date(atMs).getUTCHours() % 2 === 0 || 'odd hour');
    await scheduler.schedule({
      id: 'j', fn: 'job', every: '1h',
      constraints: {
        admit: 'evenHours',
        blackouts: [
          { name: 'backup', cron: '0 4 * * *', duration: '2h' },
          { name: 'freeze', from: new Date(at(10)), to: at(11) },
        ],
      },
    });
    scheduler.start();
    await h.clock.advance(12 * HOUR_MS);
    expect((await history(scheduler, 'j')).map(([hour, outcome, reason]) => [hour, outcome === 'skipped' ? reason : outcome])).toEqual([
      [1, 'odd hour'], [2, 'succeeded'], [3, 'odd hour'], [4, 'blackout: backup'], [5, 'blackout: backup'], [6, 'succeeded'],
      [7, 'odd hour'], [8, 'succeeded'], [9, 'odd hour'], [10, 'blackout: freeze'], [11, 'odd hour'], [12, 'succeeded'],
    ]);
    await scheduler.stop();
  });

  it('refuses constraints that admit no slot, a one-off with constraints, bad shapes, and an admit hook nobody defined', async () => {
    const h = harness();
    const scheduler = h.scheduler();
    scheduler.define('job', () => {});
    const nightly = { fn: 'job', cron: '0 3 * * *', constraints: { workingHours: { from: '09:00', to: '17:00' } } };
    const refused = await scheduler.schedule(nightly).catch((e: unknown) => e);
    expect(SlotConstraintsError.is(refused)).toBe(true);
    expect((refused as Error).message).toMatch(/admits no slot of the schedule: outside working hours/);
    // Deferred, the same constraints admit 09:00 each weekday.
    await expect(scheduler.schedule({ ...nightly, constraints: { ...nightly.constraints, inadmissible: 'defer' } })).resolves.toBeDefined();
    const cases: Array<[object, RegExp]> = [
      [{ after: '1h', constraints: { maxPerDay: 1 } }, /constraints applies only to recurring tasks/],
      [{ every: '1h', constraints: { maxPerDay: 0 } }, /constraints.maxPerDay must be an integer >= 1, received 0/],
      [{ every: '1h', constraints: { workingHours: { from: '17:00', to: '09:00' } } }, /from \(17:00\) must be before to \(09:00\)/],
      [{ every: '1h', constraints: { workingHours: { from: '9am', to: '17:00' } } }, /workingHours.from must be a local time 'HH:MM'/],
      [{ every: '1h', constraints: { workingHours: { days: ['monday'], from: '09:00', to: '17:00' } } }, /days\[0\] must be one of 'sun'/],
      [{ every: '1h', constraints: { blackouts: [{ name: 'x', from: 'soon', to: at(1) }] } }, /blackouts\[0\].from must be a Date/],
      [{ every: '1h', constraints: { inadmissible: 'queue' } }, /inadmissible must be 'skip' or 'defer'/],
      [{ every: '1h', constraints: { admit: () => true } }, /admit must be the name of a hook registered with defineAdmit/],
      [{ every: '1h', constraints: { hours: {} } }, /constraints.hours is not an option/],
    ];
    for (const [timing, message] of cases) {
      const error = await scheduler.schedule({ fn: 'job', ...timing } as never).catch((e: unknown) => e);
      expect(InvalidArgumentError.is(error), String(error)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
    const unknownZone = await scheduler.schedule({ fn: 'job', every: '1h', constraints: { timezone: 'Mars/Olympus' } }).catch((e: unknown) => e);
    expect((unknownZone as { code: string }).code).toBe('ERR_UNKNOWN_TIME_ZONE');
    const undefinedHook = await scheduler.schedule({ fn: 'job', every: '1h', constraints: { admit: 'nobody' } }).catch((e: unknown) => e);
    expect(AdmitNotDefinedError.is(undefinedHook)).toBe(true);
    await scheduler.stop();
  });
});
