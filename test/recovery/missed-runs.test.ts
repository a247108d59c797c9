// The missed-run policies as a pure function: which due slots run and which are
// skipped (with what reason), for each policy, around the grace window.
import { describe, expect, it } from 'vitest';
import { MAX_SLOTS_PER_PLAN, planDueSlots, SKIP_REASONS } from '../../src/durable/missed-runs.js';
import type { SlotSource } from '../../src/durable/slots.js';
import type { MisfireRecord } from '../../src/store/records.js';

/** Fixed-rate every 10 s from t = 10 s (times in s for reading, ms inside). */
const everyTen: SlotSource = { record: { scheduleKind: 'fixed-rate', atMs: null, periodMs: 10_000, nextExecutionMs: 10_000 }, cron: undefined };
const misfire = (m: Partial<MisfireRecord>): MisfireRecord => ({ policy: 'run-once', graceMs: 30_000, catchUpWindowMs: null, catchUpMax: null, ...m });
const s = (ms: number) => ms / 1000;

interface Case {
  name: string;
  nowS: number;
  misfire: Partial<MisfireRecord>;
  run: number[];
  skip: Array<[number, string]>;
}

const CASES: Case[] = [
  { name: 'nothing is missed within the grace window: every due slot runs', nowS: 35, misfire: {}, run: [10, 20, 30], skip: [] },
  { name: "'skip' skips every late slot and runs the ones within the grace window", nowS: 65, misfire: { policy: 'skip' }, run: [40, 50, 60], skip: [[10, SKIP_REASONS.skip], [20, SKIP_REASONS.skip], [30, SKIP_REASONS.skip]] },
  { name: "'run-once' coalesces late slots into a slot within the grace window", nowS: 65, misfire: { policy: 'run-once' }, run: [40, 50, 60], skip: [[10, SKIP_REASONS.runOnce], [20, SKIP_REASONS.runOnce], [30, SKIP_REASONS.runOnce]] },
  { name: "'run-once' runs the newest late slot when none is within the grace window", nowS: 65, misfire: { policy: 'run-once', graceMs: 1000 }, run: [60], skip: [10, 20, 30, 40, 50].map((t) => [t, SKIP_REASONS.runOnce]) },
  { name: "'catch-up' runs every late slot without a window or a cap", nowS: 65, misfire: { policy: 'catch-up', graceMs: 1000 }, run: [10, 20, 30, 40, 50, 60], skip: [] },
  { name: "'catch-up' skips late slots older than its window", nowS: 65, misfire: { policy: 'catch-up', graceMs: 1000, catchUpWindowMs: 30_000 }, run: [40, 50, 60], skip: [[10, SKIP_REASONS.window], [20, SKIP_REASONS.window], [30, SKIP_REASONS.window]] },
  { name: "'catch-up' runs only the newest late slots up to its cap", nowS: 65, misfire: { policy: 'catch-up', graceMs: 1000, catchUpMax: 2 }, run: [50, 60], skip: [10, 20, 30, 40].map((t) => [t, SKIP_REASONS.cap]) },
  { name: "'catch-up' applies the window first, then the cap", nowS: 65, misfire: { policy: 'catch-up', graceMs: 1000, catchUpWindowMs: 40_000, catchUpMax: 1 }, run: [60], skip: [[10, SKIP_REASONS.window], [20, SKIP_REASONS.window], [30, SKIP_REASONS.cap], [40, SKIP_REASONS.cap], [50, SKIP_REASONS.cap]] },
  { name: 'a slot exactly at the end of the grace window still runs', nowS: 40, misfire: { policy: 'skip' }, run: [10, 20, 30, 40], skip: [] },
];

describe('planDueSlots', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const plan = planDueSlots(everyTen, 0, c.nowS * 1000, misfire(c.misfire));
      expect(plan.run.map(s)).toEqual(c.run);
      expect(plan.skip.map((k) => [s(k.nominalMs), k.reason])).toEqual(c.skip);
      expect(plan.bulkSkipped).toBe(0);
      expect(s(plan.nextMs as number)).toBe(Math.floor(c.nowS / 10) * 10 + 10);
    });
  }

  it('plans only slots after the given one, and nothing before the first slot is due', () => {
    expect(planDueSlots(everyTen, 30_000, 45_000, misfire({})).run.map(s)).toEqual([40]);
    expect(planDueSlots(everyTen, 0, 9_999, misfire({}))).toEqual({ run: [], skip: [], bulkSkipped: 0, nextMs: 10_000 });
  });

  it('skips in bulk, counted exactly, what lies beyond the newest MAX_SLOTS_PER_PLAN due slots of a fixed-rate task', () => {
    const everyMs: SlotSource = { record: { scheduleKind: 'fixed-rate', atMs: null, periodMs: 1, nextExecutionMs: 1 }, cron: undefined };
    const plan = planDueSlots(everyMs, 0, 1_000_000, misfire({ policy: 'skip', graceMs: 0 }));
    expect(plan.bulkSkipped).toBe(1_000_000 - MAX_SLOTS_PER_PLAN);
    // The newest due slot is not late (grace 0, due exactly now): it runs.
    expect(plan.skip).toHaveLength(MAX_SLOTS_PER_PLAN - 1);
    expect(plan.skip[0]?.nominalMs).toBe(1_000_000 - MAX_SLOTS_PER_PLAN + 1);
    expect(plan.run).toEqual([1_000_000]);
  });

  it('plans a one-off task: its slot runs within the grace window, and is skipped beyond it under skip', () => {
    const once: SlotSource = { record: { scheduleKind: 'once', atMs: 5000, periodMs: null, nextExecutionMs: 5000 }, cron: undefined };
    expect(planDueSlots(once, 4999, 6000, misfire({ policy: 'skip' })).run).toEqual([5000]);
    const late = planDueSlots(once, 4999, 60_000, misfire({ policy: 'skip' }));
    expect(late).toEqual({ run: [], skip: [{ nominalMs: 5000, reason: SKIP_REASONS.skip }], bulkSkipped: 0, nextMs: null });
    expect(planDueSlots(once, 4999, 60_000, misfire({ policy: 'run-once' })).run).toEqual([5000]);
  });
});
