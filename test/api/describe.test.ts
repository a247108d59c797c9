import { describe, expect, it } from 'vitest';
import { explain } from '../../src/describe.js';
import { virtualScheduler } from './helpers.js';

describe('describe()', () => {
  it('says why each waiting task is not running', async () => {
    const { clock, scheduler } = virtualScheduler({ concurrency: 1 });
    scheduler.after(500, () => {}, { name: 'report' });
    const paused = scheduler.after(10, () => {}, { name: 'paused-one' });
    paused.pause();
    scheduler.run(() => {}, { name: 'queued' });
    expect(scheduler.describe().tasks.find((t) => t.name === 'queued')?.why).toBe('ready, but the scheduler is idle (call start())');
    scheduler.start();
    // Holds the only slot (a sleep would give it back: see sleep-slot.test.ts).
    scheduler.run(() => new Promise<void>((resolve) => clock.setTimer(resolve, 1000)), { name: 'slow', priority: 'critical' });
    scheduler.run(() => {}, { name: 'blocked' });
    await clock.advance(1);
    const d = scheduler.describe();
    const why = Object.fromEntries(d.tasks.map((t) => [t.name, t.why]));
    expect(why).toEqual({
      report: 'not due until 500 ms (in 499 ms)',
      'paused-one': 'paused (resume() to run it again)',
      slow: 'running since 0 ms (async, in flight)',
      queued: 'ready, but the concurrency limit is reached (1 of 1 async runs in flight)',
      blocked: 'ready, but the concurrency limit is reached (1 of 1 async runs in flight)',
    });
    expect(d.totals).toMatchObject({ live: 5, running: 1, ready: 2, waiting: 1, paused: 1, inflight: 1 });
    expect(String(d)).toContain('#');
    expect(JSON.parse(JSON.stringify(d)).tasks).toHaveLength(5);
  });

  it('counts the more urgent tasks ahead of a ready one', async () => {
    const { clock, scheduler } = virtualScheduler({ policy: 'priority', concurrency: 1 });
    scheduler.start();
    scheduler.run(() => new Promise<void>((resolve) => clock.setTimer(resolve, 100)), { name: 'hog', priority: 'critical' });
    await clock.advance(1);
    // The hog holds the only concurrency slot; describe the queue without it.
    scheduler.pause();
    scheduler.run(() => {}, { name: 'c1', priority: 'critical' });
    scheduler.run(() => {}, { name: 'h1', priority: 'high' });
    scheduler.run(() => {}, { name: 'bg', priority: 'background' });
    const d = scheduler.describe();
    expect(d.tasks.find((t) => t.name === 'bg')?.reason).toEqual({ kind: 'scheduler', state: 'paused' });
    scheduler.resume();
    await clock.flush();
    const reasons = Object.fromEntries(scheduler.describe().tasks.map((t) => [t.name, t.reason]));
    expect(reasons.bg).toEqual({ kind: 'concurrency', inflight: 1, limit: 1 });
  });

  it('ranks ready tasks by the core order when nothing else holds them', () => {
    const { scheduler } = virtualScheduler({ policy: 'priority' });
    scheduler.run(() => {}, { name: 'c1', priority: 'critical' });
    scheduler.run(() => {}, { name: 'h1', priority: 'high' });
    scheduler.run(() => {}, { name: 'bg', priority: 'background' });
    // Started but its first tick not yet run: the tasks are ready and queued.
    scheduler.start();
    const byName = Object.fromEntries(scheduler.describe().tasks.map((t) => [t.name, t]));
    expect(byName.bg?.reason).toEqual({ kind: 'behind', ahead: 2, policy: 'priority' });
    expect(byName.bg?.why).toBe('ready, behind 2 more urgent tasks (priority policy)');
    expect(byName.c1?.why).toBe('ready: next to run');
  });

  it('under the fair policy, equal vruntimes wait in arrival order', async () => {
    const { clock, scheduler } = virtualScheduler({ policy: 'fair' });
    let seen: Record<string, string> = {};
    scheduler.run(() => {
      seen = Object.fromEntries(scheduler.describe().tasks.map((t) => [t.name, t.why]));
    }, { name: 'observer' });
    scheduler.run(() => {}, { name: 'x' });
    scheduler.run(() => {}, { name: 'y' });
    scheduler.start();
    await clock.runUntilIdle();
    expect(seen).toEqual({
      observer: 'running since 0 ms',
      x: 'ready: next to run (smallest vruntime)',
      y: 'ready, behind 1 task with the same vruntime (arrival order)',
    });
  });

  it('shows a timer that is already due as ready, not as waiting', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.after(10, () => {}, { name: 'due' });
    await clock.advance(20);
    expect(scheduler.describe().tasks[0]?.why).toBe('ready, but the scheduler is idle (call start())');
  });

  it('lists at most `limit` tasks and counts the rest', () => {
    const { scheduler } = virtualScheduler();
    for (let i = 0; i < 5; i++) scheduler.run(() => {});
    const d = scheduler.describe({ limit: 2 });
    expect([d.tasks.length, d.omitted]).toEqual([2, 3]);
    expect(String(d)).toContain('… and 3 more');
    expect(String(d).split('\n')[0]).toMatch(/: idle, policy deadline; 5 tasks \(0 running, 5 ready/);
    expect(() => scheduler.describe({ limit: -1 })).toThrow(/limit must be an integer >= 0, received -1/);
  });

  it('says "1 task", not "1 tasks"', () => {
    const { scheduler } = virtualScheduler();
    scheduler.run(() => {});
    expect(String(scheduler.describe()).split('\n')[0]).toMatch(/; 1 task \(0 running, 1 ready, 0 waiting, 0 paused\)$/);
  });

  it('words every reason', () => {
    expect(explain({ kind: 'fair-share', ahead: 2, vruntimeAhead: 12.5 })).toBe(
      'ready, fair share spent: vruntime ahead of the queue minimum by 12.5 ms (2 tasks ahead)',
    );
    expect(explain({ kind: 'not-due', dueMs: 60_000, inMs: 1000, cron: '* * * * *' })).toBe("not due until 60000 ms (in 1000 ms) — cron '* * * * *'");
    expect(explain({ kind: 'behind', ahead: 1, policy: 'deadline' })).toBe('ready, behind 1 more urgent task (deadline policy)');
    expect(explain({ kind: 'scheduler', state: 'stopped' })).toBe('ready, but the scheduler is stopped');
  });
});

describe('stats()', () => {
  it('totals what ran, failed, retried and waited', async () => {
    const { clock, scheduler } = virtualScheduler({ random: () => 0 });
    scheduler.start();
    scheduler.after(10, () => {});
    scheduler.run(
      (ctx) => {
        if (ctx.attempt === 1) throw new Error('once');
      },
      { retry: { attempts: 2, delayMs: 5, jitter: 0 } },
    );
    await clock.advance(20);
    expect(scheduler.stats()).toMatchObject({
      scheduled: 2,
      executed: 3,
      failed: 1,
      retried: 1,
      completed: 2,
      live: 0,
      inflight: 0,
      state: 'running',
    });
  });
});
