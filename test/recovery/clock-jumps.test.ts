// Clock changes under a durable scheduler, on the virtual clock: a wall jump
// forward and a wake from sleep send the slots that came due through the
// missed-run policy; a jump back never re-runs a slot at or below the
// high-water mark and never starts one early; each change is an event.
import { describe, expect, it } from 'vitest';
import type { ClockWatchEvent } from '../../src/index.js';
import { afterMissedCatchUpTicks, harness, outcomes, WALL_START_MS } from './helpers.js';

async function ticking(missed = {}) {
  const h = harness();
  const s = h.scheduler({ clockWatch: { checkIntervalMs: 1000 } });
  const starts: Array<{ nominal: number; wall: number }> = [];
  s.define('tick', (_params, ctx) => {
    starts.push({ nominal: ctx.nominalMs - WALL_START_MS, wall: h.clock.wallNow() - WALL_START_MS });
  });
  const jumps: ClockWatchEvent[] = [];
  s.events.addEventListener('clockjump', (e) => jumps.push(e.detail));
  const skipped: number[] = [];
  s.events.addEventListener('slotskip', (e) => skipped.push(e.detail.nominalMs - WALL_START_MS));
  await s.schedule({ id: 't', fn: 'tick', every: '10s', missed });
  s.start();
  await s.ready;
  return { h, s, starts, jumps, skipped };
}

describe('clock changes', () => {
  it('a jump forward: the event is emitted and the slots jumped over follow the policy (skip)', async () => {
    const { h, s, starts, jumps, skipped } = await ticking({ policy: 'skip', graceMs: '10s' });
    await h.clock.advance(15_000);
    h.clock.jumpWall(60_000);
    await h.clock.advance(1000);
    expect(jumps).toMatchObject([{ type: 'clock-jump', direction: 'forward', jumpMs: 60_000 }]);
    // Wall is 76 s at the check: slots 20..70 came due; 70 is 6 s late (within the grace window) and runs.
    expect(skipped).toEqual([20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(starts.map((r) => r.nominal)).toEqual([10_000, 70_000]);
    await h.clock.advance(10_000);
    expect(starts.map((r) => r.nominal)).toEqual([10_000, 70_000, 80_000]);
    await s.stop();
  });

  it('a jump back: no slot runs twice, none starts before its nominal time', async () => {
    const { h, s, starts, jumps } = await ticking();
    await h.clock.advance(35_000);
    h.clock.jumpWall(-30_000);
    await h.clock.advance(60_000);
    expect(jumps).toMatchObject([{ type: 'clock-jump', direction: 'back', jumpMs: -30_000 }]);
    const nominals = starts.map((r) => r.nominal);
    expect(new Set(nominals).size).toBe(nominals.length);
    for (const { nominal, wall } of starts) expect(wall).toBeGreaterThanOrEqual(nominal);
    // Wall is 65 s now: slots up to 60 s ran, each once; 40 s had to wait for the wall to reach it again.
    expect(nominals).toEqual([10_000, 20_000, 30_000, 40_000, 50_000, 60_000]);
    expect(outcomes(h.database, 't').map(([ms]) => ms)).toEqual(nominals);
    await s.stop();
  });

  it('a wake from sleep (both clocks moved while nothing ran) is an event, and missed slots follow the policy (run-once)', async () => {
    const { h, s, starts, jumps, skipped } = await ticking({ graceMs: '1s' });
    await h.clock.advance(15_000);
    h.clock.suspend(50_000);
    await h.clock.advance(0);
    expect(jumps).toMatchObject([{ type: 'wake' }]);
    // Wall 65 s: 20..60 missed, coalesced into one run of the newest.
    expect(starts.map((r) => r.nominal)).toEqual([10_000, 60_000]);
    expect(skipped).toEqual([20_000, 30_000, 40_000, 50_000]);
    await s.stop();
  });

  it('a jump back while missed slots are queued for catch-up: each still runs once, none before its time', async () => {
    const h = await afterMissedCatchUpTicks();
    const second = h.scheduler();
    const starts: Array<{ nominal: number; wall: number }> = [];
    second.define('tick', async (_params, ctx) => {
      starts.push({ nominal: ctx.nominalMs - WALL_START_MS, wall: h.clock.wallNow() - WALL_START_MS });
      await ctx.sleep(1000);
    });
    second.start();
    await second.ready;
    await h.clock.advance(500);
    // Wall 65.5 s: 20 s runs, 30..60 wait in the queue; the wall goes back 40 s.
    h.clock.jumpWall(-40_000);
    await h.clock.advance(60_000);
    // The wall ends at 85.5 s.
    expect(starts.map((r) => r.nominal)).toEqual([20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000]);
    for (const { nominal, wall } of starts) expect(wall).toBeGreaterThanOrEqual(nominal);
    await second.stop();
  });
});
