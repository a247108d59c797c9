import { describe, expect, it } from 'vitest';
import { TaskTimeoutError } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe('task options', () => {
  it('timeoutMs aborts the run signal, records a timeout and fails the run', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    const h = scheduler.run(
      async (ctx) => {
        await ctx.sleep(1000).catch((err: Error) => log.push(`sleep: ${err.name}`));
      },
      { timeoutMs: '50ms' },
    );
    const done = h.done;
    await clock.advance(100);
    await expect(done).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(log).toEqual(['sleep: TaskTimeoutError']);
    expect(scheduler.stats()).toMatchObject({ timeouts: 1, failed: 1 });
  });

  it('maxRuns ends a periodic task after that many runs and resolves done with the last result', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    let n = 0;
    const h = scheduler.every(10, () => ++n, { maxRuns: 3 });
    const done = h.done;
    await clock.advance(100);
    await expect(done).resolves.toBe(3);
    expect(n).toBe(3);
  });

  it('an aborted AbortSignal cancels the task', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    const controller = new AbortController();
    const h = scheduler.after(50, () => log.push('ran'), { signal: controller.signal });
    const done = h.done;
    controller.abort(new Error('not needed'));
    await clock.advance(100);
    expect(log).toEqual([]);
    await expect(done).rejects.toThrow('not needed');
  });

  it('concurrency limits async runs in flight', async () => {
    const { clock, scheduler, log } = virtualScheduler({ concurrency: 2 });
    scheduler.start();
    for (const name of ['a', 'b', 'c', 'd']) {
      scheduler.run(async () => {
        log.push(`${name}+${clock.now()}`);
        // Work that holds its slot (a ctx.sleep() would give it back).
        await new Promise<void>((resolve) => clock.setTimer(resolve, 10));
      });
    }
    await clock.runUntilIdle();
    expect(log).toEqual(['a+0', 'b+0', 'c+10', 'd+10']);
  });

  it('noReschedule() ends a periodic task after the current run', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.every(10, (ctx) => {
      log.push(`${clock.now()}`);
      if (clock.now() >= 20) ctx.noReschedule();
    });
    await clock.advance(100);
    expect(log).toEqual(['10', '20']);
    expect(scheduler.stats().live).toBe(0);
  });

  it('retries with exponential backoff, capped, and passes the attempt number', async () => {
    const { clock, scheduler, log } = virtualScheduler({ random: () => 0 });
    scheduler.start();
    scheduler.run(
      (ctx) => {
        log.push(`attempt ${ctx.attempt} @${clock.now()}`);
        if (ctx.attempt < 4) throw new Error('again');
      },
      { retry: { attempts: 5, delayMs: 100, maxDelayMs: 250, jitter: 0.5 } },
    );
    await clock.runUntilIdle();
    // Waits 100, 200, then 400 capped at 250; random() = 0 means no jitter taken off.
    expect(log).toEqual(['attempt 1 @0', 'attempt 2 @100', 'attempt 3 @300', 'attempt 4 @550']);
  });
});
