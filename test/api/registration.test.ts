import { describe, expect, it } from 'vitest';
import { type Clock, Scheduler, type TaskContext } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe('registration', () => {
  it('at(date) runs at a wall-clock date, and at once for a date in the past', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    const wallStart = clock.wallNow();
    scheduler.at(new Date(wallStart + 250), () => log.push(`date@${clock.now()}`));
    scheduler.at(wallStart - 1000, () => log.push(`past@${clock.now()}`));
    scheduler.start();
    await clock.advance(300);
    expect(log).toEqual(['past@0', 'date@250']);
  });

  it('accepts the Prioritized Task Scheduling names as aliases', async () => {
    const { clock, scheduler, log } = virtualScheduler({ policy: 'priority' });
    scheduler.run(() => log.push('background'), { priority: 'background' });
    scheduler.run(() => log.push('user-visible'), { priority: 'user-visible' });
    scheduler.run(() => log.push('user-blocking'), { priority: 'user-blocking' });
    scheduler.run(() => log.push('high'), { priority: 'high' });
    scheduler.start();
    await clock.runUntilIdle();
    expect(log).toEqual(['user-blocking', 'high', 'user-visible', 'background']);
    const h = scheduler.after(10, () => {}, { priority: 'user-blocking' });
    expect(h.stats().priority).toBe('critical');
  });

  it('accepts human durations wherever ms are expected', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.after('1m30s', () => log.push(`after@${clock.now()}`));
    scheduler.start();
    await clock.advance(90_000);
    expect(log).toEqual(['after@90000']);
  });

  it('shares CPU by weight under the fair policy', async () => {
    // A clock whose time moves only when tasks "work": each step costs 1 ms.
    let nowMs = 0;
    const clock: Clock = {
      now: () => nowMs,
      wallNow: () => nowMs,
      setTimer: (fn, delayMs) => setTimeout(fn, delayMs),
      clearTimer: (id) => clearTimeout(id as ReturnType<typeof setTimeout>),
      yieldToHost: (fn) => setImmediate(fn),
    };
    const scheduler = new Scheduler({ clock, policy: 'fair', quantumMs: 1 });
    const steps = { heavy: 0, light: 0 };
    let total = 0;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const worker = (name: keyof typeof steps) => (ctx: TaskContext) => {
      for (;;) {
        nowMs += 1;
        steps[name]++;
        if (++total === 3000) finish();
        if (total >= 3000) return;
        if (ctx.shouldYield()) {
          ctx.saveState(steps[name]);
          return;
        }
      }
    };
    scheduler.run(worker('heavy'), { weight: 2048, name: 'heavy' });
    scheduler.run(worker('light'), { nice: 0, name: 'light' });
    scheduler.start();
    await finished;
    await scheduler.stop();
    // weight 2048 maps to nice -3 (weight 1991): a 1991 : 1024 share.
    const heavyShare = steps.heavy / (steps.heavy + steps.light);
    expect(Math.abs(heavyShare - 1991 / (1991 + 1024))).toBeLessThan(0.02);
    expect(steps.light).toBeGreaterThan(0);
  });
});
