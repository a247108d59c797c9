import { describe, expect, it } from 'vitest';
import { virtualScheduler } from './helpers.js';

describe('TaskContext', () => {
  it('await ctx.yield() lets other work run and continues ahead of newer tasks of the same class', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.run(async (ctx) => {
      log.push('long: part 1');
      scheduler.run(() => log.push('newer normal'));
      scheduler.run(() => log.push('critical'), { priority: 'critical' });
      await ctx.yield();
      log.push('long: part 2');
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['long: part 1', 'critical', 'long: part 2', 'newer normal']);
  });

  it('ctx.sleep() lets other tasks run while the task waits', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.run(async (ctx) => {
      log.push(`sleeper start @${clock.now()}`);
      await ctx.sleep('20ms');
      log.push(`sleeper end @${clock.now()}`);
    });
    scheduler.after(10, () => log.push(`other @${clock.now()}`));
    await clock.runUntilIdle();
    expect(log).toEqual(['sleeper start @0', 'other @10', 'sleeper end @20']);
  });

  it('without an interruption, saved state is only a checkpoint: the run completes', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.run((ctx) => {
      ctx.saveState('checkpoint');
      return 'finished';
    });
    const done = h.done;
    await clock.runUntilIdle();
    await expect(done).resolves.toBe('finished');
    expect(scheduler.stats().interrupted).toBe(0);
  });

  it('noReschedule() after an interruption ends the task instead of requeueing it', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.run((ctx) => {
      log.push(`run with state ${String(ctx.state)}`);
      scheduler.run(() => log.push('urgent'), { priority: 'critical' });
      if (ctx.shouldYield()) {
        ctx.saveState(1);
        ctx.noReschedule();
      }
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['run with state undefined', 'urgent']);
  });

  it('an error never stops the scheduler: later tasks still run and the failure is observable', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    const failures: string[] = [];
    scheduler.events.addEventListener('taskfail', (e) => failures.push(String((e.detail.error as Error).message)));
    scheduler.start();
    scheduler.run(() => {
      throw new Error('sync boom');
    });
    scheduler.run(async () => {
      throw new Error('async boom');
    });
    scheduler.every(10, () => {
      log.push(`tick ${clock.now()}`);
      throw new Error('periodic boom');
    });
    scheduler.run(() => log.push('still running'));
    await clock.advance(25);
    expect(log).toEqual(['still running', 'tick 10', 'tick 20']);
    expect(failures).toEqual(['sync boom', 'async boom', 'periodic boom', 'periodic boom']);
    expect(scheduler.stats().failed).toBe(4);
  });
});
