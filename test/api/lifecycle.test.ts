import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SchedulerStoppedError } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe('scheduler lifecycle', () => {
  it('stop({ drain: true }) waits for running work and refuses new work meanwhile', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.run(async (ctx) => {
      log.push('start');
      await ctx.sleep(100);
      log.push('end');
    });
    await clock.advance(10);
    const stopped = scheduler.stop({ drain: true }).then(() => log.push('stopped'));
    expect(scheduler.state).toBe('stopping');
    expect(() => scheduler.run(() => {})).toThrow(SchedulerStoppedError);
    expect(() => scheduler.after(5, () => {})).toThrow(/the scheduler is stopping; it accepts no new work/);
    await clock.advance(100);
    await stopped;
    expect(log).toEqual(['start', 'end', 'stopped']);
    expect(scheduler.state).toBe('stopped');
  });

  it('stop({ drain: false }) aborts the signal of running work', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.run(async (ctx) => {
      ctx.signal.addEventListener('abort', () => log.push(`aborted: ${(ctx.signal.reason as Error).name}`));
      await ctx.sleep(1000).catch(() => log.push('sleep rejected'));
    });
    await clock.advance(1);
    await scheduler.stop({ drain: false });
    await clock.flush();
    expect(log).toEqual(['aborted: SchedulerStoppedError', 'sleep rejected']);
  });

  it('stop({ timeoutMs }) drains for at most that long, then aborts what still runs', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    const quick = scheduler.run(async (ctx) => {
      await ctx.sleep(20);
      return 'quick done';
    });
    const stuck = scheduler.run(async (ctx) => {
      ctx.signal.addEventListener('abort', () => log.push(`aborted at ${clock.now()}: ${(ctx.signal.reason as Error).message}`));
      await ctx.sleep(10_000);
    });
    await clock.advance(1);
    const stopped = scheduler.stop({ timeoutMs: '50ms' }).then(() => log.push(`stopped at ${clock.now()}`));
    await clock.advance(30);
    expect(await quick.done).toBe('quick done');
    expect(log).toEqual([]);
    await clock.advance(20);
    await stopped;
    expect(log).toEqual(['aborted at 51: the scheduler stopped: running work had not finished 50 ms after stop()', 'stopped at 51']);
    await expect(stuck.done).rejects.toThrow(SchedulerStoppedError);
    expect(scheduler.state).toBe('stopped');
  });

  it('stop({ timeoutMs }) resolves as soon as the work is done, and leaves no timer behind', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    scheduler.run((ctx) => ctx.sleep(20));
    await clock.advance(1);
    let stopped = false;
    const stopping = scheduler.stop({ timeoutMs: 1_000 }).then(() => (stopped = true));
    await clock.advance(20);
    await stopping;
    expect([stopped, clock.now()]).toEqual([true, 21]);
    // The drain's time limit was cleared: nothing is left to fire.
    await clock.runUntilIdle();
    expect(clock.now()).toBe(21);
  });

  it('stop() refuses a timeoutMs that is not a duration, or one without a drain', async () => {
    const { scheduler } = virtualScheduler();
    scheduler.start();
    await expect(scheduler.stop({ drain: false, timeoutMs: 5 })).rejects.toThrow('stop: options.timeoutMs bounds a drain; with drain: false nothing is waited for');
    await expect(scheduler.stop({ timeoutMs: -1 })).rejects.toThrow(/^stop: options.timeoutMs must be a number of ms >= 0/);
    await expect(scheduler.stop({ timeoutMs: '1M' })).rejects.toThrow(InvalidArgumentError);
    expect(scheduler.state).toBe('running');
    await scheduler.stop();
  });

  it('pause() holds dispatch (registration still accepted) and resume() continues', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.pause();
    scheduler.run(() => log.push('a'));
    scheduler.after(10, () => log.push('b'));
    await clock.advance(50);
    expect(log).toEqual([]);
    scheduler.resume();
    await clock.runUntilIdle();
    expect(log).toEqual(['a', 'b']);
  });

  it('can be started again after stopping', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    await scheduler.stop();
    scheduler.start();
    scheduler.run(() => log.push('again'));
    await clock.runUntilIdle();
    expect(log).toEqual(['again']);
  });
});
