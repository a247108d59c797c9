// Seed 004's allow_past_events: a durable one-off `at` more than its grace
// window (missed.graceMs) in the past is refused with PastScheduleError,
// nothing written, unless allowPast (the task's, else the scheduler's) is
// true: then it runs now. `after: 0` is never in the past. Registering again
// a task the store has with the same `at` is not refused, after a restart
// over SQLite as well.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, PastScheduleError, Scheduler } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { tempDir } from '../persistence/temp-dir.js';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

describe('a durable one-off scheduled in the past', () => {
  it('is refused with PastScheduleError beyond its grace window, and nothing is stored', async () => {
    const h = harness();
    await h.clock.advance(60_000);
    const s = h.scheduler();
    s.define('job', () => {});
    s.start();
    const atMs = h.clock.wallNow() - 30_001;
    const error = await s.schedule({ id: 'old', fn: 'job', at: atMs }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PastScheduleError);
    expect(error).toMatchObject({ code: 'ERR_PAST_SCHEDULE', taskId: 'old', atMs, pastByMs: 30_001 });
    expect((error as Error).message).toMatch(/schedule: options\.at is 30001 ms in the past .*allowPast: true/);
    // A tighter grace window is a tighter tolerance.
    await expect(s.schedule({ id: 'tight', fn: 'job', at: new Date(h.clock.wallNow() - 1001), missed: { graceMs: '1s' } })).rejects.toMatchObject({
      code: 'ERR_PAST_SCHEDULE', pastByMs: 1001,
    });
    expect(await s.getTask('old')).toBeUndefined();
    expect(await s.getTask('tight')).toBeUndefined();
    await s.stop();
  });

  it('runs now when at most the grace window late (a Date built a moment before the call), and after: 0 runs now', async () => {
    const h = harness();
    await h.clock.advance(60_000);
    const s = h.scheduler();
    s.define('job', () => {});
    s.start();
    const nowMs = h.clock.wallNow();
    await s.schedule({ id: 'moment', fn: 'job', at: new Date(nowMs - 5) });
    await s.schedule({ id: 'edge', fn: 'job', at: nowMs - 30_000 });
    await s.schedule({ id: 'zero', fn: 'job', after: 0 });
    await h.clock.advance(1);
    expect(outcomes(h.database, 'moment')).toEqual([[60_000 - 5, 'succeeded']]);
    expect(outcomes(h.database, 'edge')).toEqual([[30_000, 'succeeded']]);
    expect(outcomes(h.database, 'zero')).toEqual([[60_000, 'succeeded']]);
    await s.stop();
  });

  it("runs now with allowPast: true, the task's or the scheduler's; the task's own false wins over the scheduler's true", async () => {
    const h = harness();
    await h.clock.advance(3_600_000);
    const s = h.scheduler({ allowPast: true });
    s.define('job', () => {});
    s.start();
    await s.schedule({ id: 'by-scheduler', fn: 'job', at: WALL_START_MS });
    await expect(s.schedule({ id: 'refused', fn: 'job', at: WALL_START_MS, allowPast: false })).rejects.toBeInstanceOf(PastScheduleError);
    const strict = h.scheduler();
    await s.stop();
    strict.define('job', () => {});
    strict.start();
    await strict.schedule({ id: 'by-task', fn: 'job', at: WALL_START_MS + 1000, allowPast: true });
    await h.clock.advance(1);
    // The slot is the instant asked for, run (late) now.
    expect(outcomes(h.database, 'by-scheduler')).toEqual([[0, 'succeeded']]);
    expect(outcomes(h.database, 'by-task')).toEqual([[1000, 'succeeded']]);
    expect(await strict.getTask('refused')).toBeUndefined();
    await strict.stop();
  });

  it('scheduleMany() is all or nothing: one entry in the past refuses the list, naming it', async () => {
    const h = harness();
    await h.clock.advance(60_000);
    const s = h.scheduler();
    s.define('job', () => {});
    s.start();
    const error = await s
      .scheduleMany([{ id: 'a', fn: 'job', after: '1m' }, { id: 'b', fn: 'job', at: WALL_START_MS }])
      .then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(PastScheduleError);
    expect((error as Error).message).toMatch(/^scheduleMany: tasks\[1\]\.at is 60000 ms in the past/);
    expect(await s.getTask('a')).toBeUndefined();
    await s.stop();
  });

  it('checks allowPast: a boolean, with `at` only, and the scheduler option only with a store', async () => {
    const h = harness();
    const s = h.scheduler();
    s.define('job', () => {});
    await expect(s.schedule({ fn: 'job', at: WALL_START_MS, allowPast: 'yes' as never })).rejects.toThrow(/options\.allowPast must be a boolean, received/);
    await expect(s.schedule({ fn: 'job', every: '1s', allowPast: true })).rejects.toThrow(/options\.allowPast applies only to at/);
    await expect(s.schedule({ fn: 'job', every: '1s', allowPast: true })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => h.scheduler({ allowPast: 1 as never })).toThrow(/options\.allowPast must be a boolean/);
    expect(() => new Scheduler({ allowPast: true })).toThrow(/options\.allowPast applies only with options\.store/);
    await s.stop();
  });

  it('registering again, after a restart over SQLite, the same one-off now in the past is accepted and not run again; another past instant is refused', async () => {
    const dir = await tempDir();
    dispose = dir.dispose;
    const path = dir.file('jobs.db');
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const atMs = WALL_START_MS + 1000;
    let runs = 0;
    const make = () => {
      const s = new Scheduler({ clock, store: path, clockWatch: false, retention: false });
      s.define('job', () => {
        runs++;
      });
      s.start();
      return s;
    };
    const first = make();
    await first.ready;
    await first.schedule({ id: 'once', fn: 'job', at: atMs });
    await clock.advance(1000);
    await first.stop();
    expect(runs).toBe(1);
    await clock.advance(3_600_000);

    const second = make();
    await second.ready;
    // The start-up pattern: the same registration, an hour later.
    expect(await second.schedule({ id: 'once', fn: 'job', at: atMs })).toMatchObject({ atMs, status: 'completed', executionCount: 1 });
    await expect(second.schedule({ id: 'once', fn: 'job', at: atMs + 1 })).rejects.toBeInstanceOf(PastScheduleError);
    await clock.advance(10_000);
    expect(runs).toBe(1);
    expect((await second.history('once')).executions).toMatchObject([{ outcome: 'succeeded', nominalMs: atMs }]);
    await second.stop();
  });
});
