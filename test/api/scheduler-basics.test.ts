import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

function setup(options: ConstructorParameters<typeof Scheduler>[0] = {}) {
  const clock = new VirtualClock();
  const scheduler = new Scheduler({ clock, ...options });
  const log: string[] = [];
  return { clock, scheduler, log };
}

describe('Scheduler basics', () => {
  it('runs nothing before start(), then runs ready tasks by priority', async () => {
    const { clock, scheduler, log } = setup();
    scheduler.run(() => log.push('normal'));
    scheduler.run(() => log.push('background'), { priority: 'background' });
    scheduler.run(() => log.push('critical'), { priority: 'critical' });
    await clock.runUntilIdle();
    expect(log).toEqual([]);
    scheduler.start();
    await clock.runUntilIdle();
    expect(log).toEqual(['critical', 'normal', 'background']);
  });

  it('runs delayed, fixed-rate and fixed-delay tasks at the right virtual times', async () => {
    const { clock, scheduler, log } = setup();
    scheduler.start();
    scheduler.after('50ms', () => log.push(`after@${clock.now()}`));
    const every = scheduler.every(100, () => log.push(`every@${clock.now()}`));
    const recurring = scheduler.recurring(100, async (ctx) => {
      log.push(`recurring@${clock.now()}`);
      await ctx.sleep(30);
    });
    await clock.advance(350);
    every.cancel();
    recurring.cancel();
    expect(log).toEqual(['after@50', 'every@100', 'recurring@100', 'every@200', 'recurring@230', 'every@300']);
  });

  it('resolves done with the result, and retries a failing task with backoff before rejecting', async () => {
    const { clock, scheduler } = setup({ random: () => 0 });
    scheduler.start();
    const ok = scheduler.run(() => 42);
    const okDone = ok.done;
    let attempts = 0;
    const failing = scheduler.run(
      () => {
        attempts++;
        throw new Error(`boom ${attempts}`);
      },
      { retry: { attempts: 3, delayMs: 100, backoff: 'exponential', jitter: 0 } },
    );
    const failingDone = failing.done;
    await clock.advance(1000);
    await expect(okDone).resolves.toBe(42);
    await expect(failingDone).rejects.toThrow('boom 3');
    expect(scheduler.stats()).toMatchObject({ executed: 4, failed: 3, retried: 2 });
  });

  it('interrupts a long task when more urgent work becomes ready and resumes it from its saved state', async () => {
    const { clock, scheduler, log } = setup({ quantumMs: 1000, sliceMs: 1000 });
    scheduler.start();
    const long = scheduler.run<string>((ctx) => {
      let i = (ctx.state as number | undefined) ?? 0;
      for (; i < 10; i++) {
        log.push(`long ${i}`);
        // At step 3 an urgent task arrives; the long task sees it through shouldYield().
        if (i === 3) scheduler.run(() => log.push('urgent'), { priority: 'critical' });
        if (ctx.shouldYield()) {
          ctx.saveState(i + 1);
          return 'interrupted';
        }
      }
      return 'done';
    });
    const done = long.done;
    await clock.runUntilIdle();
    expect(log).toEqual(['long 0', 'long 1', 'long 2', 'long 3', 'urgent', 'long 4', 'long 5', 'long 6', 'long 7', 'long 8', 'long 9']);
    await expect(done).resolves.toBe('done');
    expect(scheduler.stats().interrupted).toBe(1);
  });
});
