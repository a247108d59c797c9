// A durable cron task's daylight-saving policy (the dst option): stored with
// the task, so the runs across a clock change follow it, after a restart too.
// New York, 2026-03-08: 02:00 EST becomes 03:00 EDT, so 02:30 does not exist;
// 2026-11-01: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice.
import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/index.js';
import { harness } from './helpers.js';

const DAY_MS = 86_400_000;
const ZONE = 'America/New_York';

/** Records each run of the 'job' function as [task id, nominal time as ISO]. */
function defineJob(s: Scheduler, runs: Array<[string, string]>): void {
  s.define('job', (id: string, ctx) => {
    runs.push([id, new Date(ctx.nominalMs).toISOString()]);
  });
}

describe('durable cron tasks across a daylight-saving change', () => {
  it("skip the spring-forward day with gap 'skip', and run at the gap's end with 'run-at-first-valid' (the default)", async () => {
    const h = harness(Date.parse('2026-03-07T12:00:00Z'));
    const s = h.scheduler();
    const runs: Array<[string, string]> = [];
    defineJob(s, runs);
    await s.schedule({ id: 'skip', fn: 'job', params: 'skip', cron: '30 2 * * *', timezone: ZONE, dst: { gap: 'skip' } });
    await s.schedule({ id: 'first-valid', fn: 'job', params: 'first-valid', cron: '30 2 * * *', timezone: ZONE, dst: { gap: 'run-at-first-valid' } });
    await s.schedule({ id: 'default', fn: 'job', params: 'default', cron: '30 2 * * *', timezone: ZONE });
    s.start();
    await h.clock.advance(2 * DAY_MS);
    expect(runs.filter(([id]) => id === 'skip')).toEqual([['skip', '2026-03-09T06:30:00.000Z']]);
    expect(runs.filter(([id]) => id === 'first-valid')).toEqual([
      ['first-valid', '2026-03-08T07:00:00.000Z'],
      ['first-valid', '2026-03-09T06:30:00.000Z'],
    ]);
    expect(runs.filter(([id]) => id === 'default')).toEqual([
      ['default', '2026-03-08T07:00:00.000Z'],
      ['default', '2026-03-09T06:30:00.000Z'],
    ]);
    expect(await s.getTask('skip')).toMatchObject({ dstGap: 'skip', dstOverlap: 'once' });
    expect(await s.getTask('default')).toMatchObject({ dstGap: null, dstOverlap: null });
    await s.stop();
  });

  it('keep the stored policy after a restart', async () => {
    const h = harness(Date.parse('2026-03-07T12:00:00Z'));
    const first = h.scheduler();
    first.define('job', () => {});
    await first.schedule({ id: 'skip', fn: 'job', params: 'skip', cron: '30 2 * * *', timezone: ZONE, dst: { gap: 'skip' } });
    await first.stop();
    const s = h.scheduler();
    const runs: Array<[string, string]> = [];
    defineJob(s, runs);
    s.start();
    await h.clock.advance(2 * DAY_MS);
    expect(runs).toEqual([['skip', '2026-03-09T06:30:00.000Z']]);
    await s.stop();
  });

  it("run the repeated fall-back time twice with overlap 'both', once by default", async () => {
    const h = harness(Date.parse('2026-10-31T12:00:00Z'));
    const s = h.scheduler();
    const runs: Array<[string, string]> = [];
    defineJob(s, runs);
    await s.schedule({ id: 'both', fn: 'job', params: 'both', cron: '30 1 * * *', timezone: ZONE, dst: { overlap: 'both' } });
    await s.schedule({ id: 'once', fn: 'job', params: 'once', cron: '30 1 * * *', timezone: ZONE });
    s.start();
    await h.clock.advance(DAY_MS);
    expect(runs.filter(([id]) => id === 'both')).toEqual([
      ['both', '2026-11-01T05:30:00.000Z'],
      ['both', '2026-11-01T06:30:00.000Z'],
    ]);
    expect(runs.filter(([id]) => id === 'once')).toEqual([['once', '2026-11-01T05:30:00.000Z']]);
    await s.stop();
  });
});
