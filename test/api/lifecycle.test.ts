import { describe, expect, it } from 'vitest';
import { SchedulerStoppedError } from '../../src/index.js';
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
