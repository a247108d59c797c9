// The README's start-up pattern: every process start calls schedule() with
// fixed ids after `ready`. Registering the same definition again keeps what
// the task had (its grid, count, status, and the retries recovery queued);
// a changed definition under the same schedule keeps its slots and runs
// them with the new definition; a changed schedule drops the old schedule's
// queued slots, ends its unfinished attempts as cancelled (superseded), and
// starts over. And a durable task's status is `running` while its body runs.
import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/index.js';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

const never = () => new Promise<never>(() => {});

describe('registering a durable task again', () => {
  it('a one-off cut short by a crash and registered again with the same definition is retried with its saved state, once', async () => {
    for (const timing of [{ at: WALL_START_MS + 100 }, { after: 100 }]) {
      const h = harness();
      const first = h.scheduler();
      first.define('job', async (_p, ctx) => {
        await ctx.saveState({ step: 1 });
        return never();
      });
      first.start();
      await first.ready;
      await first.schedule({ id: 'o', fn: 'job', ...timing });
      await h.clock.advance(100);
      await h.crash(first);

      const second = h.scheduler();
      const seen: unknown[] = [];
      second.define('job', (_p, ctx) => {
        seen.push([ctx.attempt, ctx.state]);
      });
      second.start();
      await second.ready;
      const record = await second.schedule({ id: 'o', fn: 'job', ...timing });
      expect(record).toMatchObject({ atMs: WALL_START_MS + 100 });
      await h.clock.advance(10_000);
      expect(seen).toEqual([[2, { step: 1 }]]);
      expect(outcomes(h.database, 'o')).toEqual([[100, 'succeeded']]);
      expect(await second.getTask('o')).toMatchObject({ status: 'completed', executionCount: 1 });
      await second.stop();
    }
  });

  it('a fixed-rate task killed every 3 s and registered again at every start keeps its grid: no slot is left without a record', async () => {
    const h = harness();
    const register = (s: Scheduler) => s.schedule({ id: 't', fn: 'tick', every: '1s', missed: { policy: 'catch-up' } });
    let current = h.scheduler();
    current.define('tick', () => {});
    current.start();
    await current.ready;
    await register(current);
    for (let life = 0; life < 10; life++) {
      await h.clock.advance(3_000 + 137);
      await h.crash(current);
      // Down for a while: the slots meanwhile are due at the restart.
      await h.clock.advance(1_500);
      current = h.scheduler();
      current.define('tick', () => {});
      current.start();
      await current.ready;
      await register(current);
    }
    await h.clock.advance(2_000);
    await current.stop();
    const slots = outcomes(h.database, 't');
    const last = slots.at(-1)![0];
    // Every second of the grid, from the first slot to the last, has its record: none was dropped.
    expect(slots.map(([ms]) => ms)).toEqual(Array.from({ length: last / 1000 }, (_, i) => (i + 1) * 1000));
    expect(slots.every(([, outcome]) => outcome === 'succeeded')).toBe(true);
    expect(await h.database.tasks.get('t')).toMatchObject({ scheduleVersion: 1 });
  });

  it('the same definition registered again leaves an ended task ended, and resolves to the task as stored', async () => {
    const h = harness();
    const s = h.scheduler();
    let runs = 0;
    s.define('job', () => {
      runs++;
    });
    s.start();
    await s.ready;
    await s.schedule({ id: 'o', fn: 'job', after: 10 });
    await h.clock.advance(10);
    const again = await s.schedule({ id: 'o', fn: 'job', after: 10 });
    expect(again).toMatchObject({ status: 'completed', executionCount: 1, scheduleVersion: 1 });
    await h.clock.advance(1_000);
    expect(runs).toBe(1);
    await s.stop();
  });

  it('a changed definition under the same schedule keeps the retry recovery queued, and runs it with the new params', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('job', () => never());
    first.start();
    await first.ready;
    await first.schedule({ id: 'r', fn: 'job', every: '1s', params: { v: 1 } });
    await h.clock.advance(1_000);
    await h.crash(first);

    const second = h.scheduler();
    const seen: unknown[] = [];
    second.define('job', (params, ctx) => {
      seen.push([ctx.nominalMs - WALL_START_MS, ctx.attempt, params]);
    });
    second.start();
    await second.ready;
    const record = await second.schedule({ id: 'r', fn: 'job', every: '1s', params: { v: 2 } });
    expect(record).toMatchObject({ params: { v: 2 }, scheduleVersion: 1 });
    await h.clock.advance(1_000);
    expect(seen).toEqual([[1_000, 2, { v: 2 }], [2_000, 1, { v: 2 }]]);
    expect(await second.getTask('r')).toMatchObject({ executionCount: 2 });
    await second.stop();
  });

  it('a changed schedule ends the old schedule\'s unfinished attempt as cancelled and starts over from the new one', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('job', () => never());
    first.start();
    await first.ready;
    await first.schedule({ id: 'r', fn: 'job', every: '1s' });
    await h.clock.advance(1_000);
    await h.crash(first);

    const second = h.scheduler();
    const seen: number[] = [];
    second.define('job', (_p, ctx) => {
      seen.push(ctx.nominalMs - WALL_START_MS);
    });
    second.start();
    await second.ready;
    const record = await second.schedule({ id: 'r', fn: 'job', every: '5s' });
    expect(record).toMatchObject({ periodMs: 5_000, scheduleVersion: 2, executionCount: 0 });
    await h.clock.advance(10_000);
    expect(seen).toEqual([6_000, 11_000]);
    const [old] = (await second.history('r', { limit: 10 })).executions.filter((e) => e.scheduleVersion === 1);
    expect(old).toMatchObject({ nominalMs: WALL_START_MS + 1_000, outcome: 'cancelled', error: { name: 'SupersededError' } });
    expect((old!.error as { message: string }).message).toMatch(/rescheduled \(schedule version 2\)/);
    await second.stop();
  });

  it('an unfinished attempt of a schedule that was replaced before a crash is recorded as cancelled by recovery, not retried', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('job', () => never());
    first.start();
    await first.ready;
    await first.schedule({ id: 'r', fn: 'job', every: '1s' });
    await h.clock.advance(1_000);
    // Rescheduled through the store directly (another tool), then the process dies.
    await h.crash(first);
    h.database.tasks.set('r', { ...h.database.tasks.get('r')!, periodMs: 7_000, scheduleVersion: 2 });
    const second = h.scheduler();
    second.define('job', () => {});
    second.start();
    const report = await second.ready!;
    expect(report).toMatchObject({ superseded: 1, interrupted: 0, retried: 0 });
    expect(outcomes(h.database, 'r')).toEqual([[1_000, 'cancelled']]);
    await second.stop();
  });
});

describe('a durable task\'s status', () => {
  it('is running while its body runs, pending between runs, and completed after its last', async () => {
    const h = harness();
    const s = h.scheduler();
    const during: string[] = [];
    s.define('job', async () => {
      during.push((await s.getTask('t'))!.status);
    });
    s.start();
    await s.ready;
    await s.schedule({ id: 't', fn: 'job', every: '1s', maxExecutions: 2 });
    expect((await s.getTask('t'))!.status).toBe('pending');
    await h.clock.advance(1_000);
    expect((await s.getTask('t'))!.status).toBe('pending');
    await h.clock.advance(1_000);
    expect(during).toEqual(['running', 'running']);
    expect((await s.getTask('t'))!.status).toBe('completed');
    await s.stop();
  });
});
