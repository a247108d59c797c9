// endAt bounds a deferred run too: a slot that slot constraints would move
// (inadmissible: 'defer') to an instant after the task's endAt is recorded as
// skipped instead, and the task completes. On the VirtualClock, MemoryStore.
import { describe, expect, it } from 'vitest';
import { harness } from './helpers.js';

const HOUR_MS = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('a deferral and endAt', () => {
  it('moves a slot to the next admissible instant within endAt, and none past it', async () => {
    const h = harness(Date.UTC(2026, 0, 2, 0)); // Friday 00:00 UTC
    const scheduler = h.scheduler();
    const ran: string[] = [];
    scheduler.define('job', (_params, ctx) => void ran.push(iso(ctx.nominalMs)));
    await scheduler.schedule({
      id: 'evening', fn: 'job', every: '12h', startAt: Date.UTC(2026, 0, 2, 8), endAt: Date.UTC(2026, 0, 2, 21),
      constraints: { workingHours: { from: '09:00', to: '17:00' }, timezone: 'UTC', inadmissible: 'defer' },
    });
    scheduler.start();
    await h.clock.advance(48 * HOUR_MS);
    // 08:00 is deferred to 09:00 (within endAt); 20:00 would be deferred to Monday 09:00 (working hours are weekdays by default), after endAt: skipped.
    expect(ran).toEqual(['2026-01-02T09:00:00.000Z']);
    const { executions } = await scheduler.history('evening');
    expect(executions.map((e) => [iso(e.nominalMs), e.outcome, e.skipReason])).toEqual([
      ['2026-01-02T20:00:00.000Z', 'skipped', 'not deferred: the next admissible instant (2026-01-05T09:00:00.000Z) is after endAt: outside working hours'],
      ['2026-01-02T09:00:00.000Z', 'succeeded', null],
      ['2026-01-02T08:00:00.000Z', 'skipped', 'deferred to 2026-01-02T09:00:00.000Z: outside working hours'],
    ]);
    expect(await scheduler.getTask('evening')).toMatchObject({ status: 'completed', nextExecutionMs: null });
    await scheduler.stop();
  });

  it('bounds a recurring (fixed-delay) task the same way: a run deferred within endAt runs, one deferred past it is skipped and the task completes', async () => {
    const fridayMs = Date.UTC(2026, 0, 2, 0); // Friday 00:00 UTC
    const h = harness(fridayMs);
    const scheduler = h.scheduler();
    const hoursOf = (ms: number) => (ms - fridayMs) / HOUR_MS;
    const ran: number[] = [];
    scheduler.define('job', (_params, ctx) => void ran.push(hoursOf(ctx.nominalMs)));
    await scheduler.schedule({
      id: 'twice', fn: 'job', recurring: '12h', startAt: fridayMs + 8 * HOUR_MS, endAt: fridayMs + 21 * HOUR_MS,
      constraints: { workingHours: { from: '09:00', to: '17:00' }, timezone: 'UTC', inadmissible: 'defer' },
    });
    scheduler.start();
    await h.clock.advance(72 * HOUR_MS);
    // 08:00 is deferred to 09:00; 12 h after that run, 21:00 (at endAt) would be deferred to Monday 09:00, after endAt: skipped.
    expect(ran).toEqual([9]);
    const { executions } = await scheduler.history('twice');
    expect(executions.map((e) => [hoursOf(e.nominalMs), e.outcome, e.skipReason?.replace(/\(.*?\)|to \S+:/g, '…')])).toEqual([
      [21, 'skipped', 'not deferred: the next admissible instant … is after endAt: outside working hours'],
      [9, 'succeeded', undefined],
      [8, 'skipped', 'deferred … outside working hours'],
    ]);
    expect(await scheduler.getTask('twice')).toMatchObject({ status: 'completed', nextExecutionMs: null, executionCount: 1 });
    await scheduler.stop();
  });
});
