// ctx.sleep() gives back the task's concurrency slot while it sleeps: with
// concurrency 1, other tasks run meanwhile; the sleeper queues for a slot
// again when it wakes. describe() says it sleeps.
import { describe, expect, it } from 'vitest';
import { TaskCancelledError, TaskTimeoutError } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe('ctx.sleep() and the concurrency limit', () => {
  it('lets other tasks run in the only slot while a task sleeps', async () => {
    const { clock, scheduler, log } = virtualScheduler({ concurrency: 1 });
    scheduler.run(async (ctx) => {
      log.push(`sleeper start @${clock.now()}`);
      await ctx.sleep(100);
      log.push(`sleeper end @${clock.now()}`);
    });
    scheduler.run(async () => {
      log.push(`other start @${clock.now()}`);
      await new Promise<void>((resolve) => clock.setTimer(resolve, 10));
      log.push(`other end @${clock.now()}`);
    });
    scheduler.start();
    await clock.runUntilIdle();
    expect(log).toEqual(['sleeper start @0', 'other start @0', 'other end @10', 'sleeper end @100']);
  });

  it('waits for a free slot when it wakes, ahead of new runs', async () => {
    const { clock, scheduler, log } = virtualScheduler({ concurrency: 1 });
    scheduler.run(async (ctx) => {
      await ctx.sleep(10);
      log.push(`sleeper woke, runs @${clock.now()}`);
    });
    scheduler.run(async () => {
      log.push(`busy from @${clock.now()}`);
      await new Promise<void>((resolve) => clock.setTimer(resolve, 50));
    });
    scheduler.start();
    await clock.advance(20);
    expect(scheduler.describe().tasks.find((t) => t.reason.kind === 'woken')?.why).toBe(
      'woke from ctx.sleep(), waiting for a concurrency slot (1 of 1 async runs in flight; it goes before new runs)',
    );
    scheduler.run(() => log.push(`new task @${clock.now()}`));
    await clock.runUntilIdle();
    expect(log).toEqual(['busy from @0', 'sleeper woke, runs @50', 'new task @50']);
  });

  it('shows a sleeping task in describe() and not in the in-flight count', async () => {
    const { clock, scheduler } = virtualScheduler({ concurrency: 1 });
    scheduler.run(async (ctx) => {
      await ctx.sleep(100);
    }, { name: 'napper' });
    scheduler.start();
    await clock.advance(30);
    const description = scheduler.describe();
    const napper = description.tasks.find((t) => t.name === 'napper');
    expect(napper?.reason).toEqual({ kind: 'sleeping', untilMs: 100, inMs: 70 });
    expect(napper?.why).toBe('sleeping in ctx.sleep() until 100 ms (in 70 ms), holding no concurrency slot');
    expect(description.totals.inflight).toBe(0);
    expect(scheduler.stats().inflight).toBe(0);
    await clock.runUntilIdle();
  });

  it('rejects the sleep when the task is cancelled, and frees nothing twice', async () => {
    const { clock, scheduler, log } = virtualScheduler({ concurrency: 1 });
    const h = scheduler.run(async (ctx) => {
      try {
        await ctx.sleep(100);
      } catch (error) {
        log.push((error as Error).name);
        throw error;
      }
    });
    scheduler.start();
    await clock.advance(10);
    h.cancel();
    scheduler.run(() => log.push(`next @${clock.now()}`));
    await clock.runUntilIdle();
    expect(log).toEqual(['TaskCancelledError', 'next @10']);
    await expect(h.done).rejects.toBeInstanceOf(TaskCancelledError);
    expect(scheduler.stats().inflight).toBe(0);
  });

  it('times out while sleeping, by the task timeout', async () => {
    const { clock, scheduler } = virtualScheduler({ concurrency: 1, onError: false });
    const h = scheduler.run(async (ctx) => {
      await ctx.sleep(100);
    }, { timeoutMs: 20 });
    scheduler.start();
    await clock.runUntilIdle();
    await expect(h.done).rejects.toBeInstanceOf(TaskTimeoutError);
    expect(scheduler.stats().inflight).toBe(0);
  });

  it('stop() drains a sleeping task: it wakes and finishes before stop resolves', async () => {
    const { clock, scheduler, log } = virtualScheduler({ concurrency: 1 });
    scheduler.run(async (ctx) => {
      await ctx.sleep(50);
      log.push(`finished @${clock.now()}`);
    });
    scheduler.start();
    await clock.advance(10);
    const stopped = scheduler.stop().then(() => log.push(`stopped @${clock.now()}`));
    await clock.runUntilIdle();
    await stopped;
    expect(log).toEqual(['finished @50', 'stopped @50']);
  });

  it('stop() drains a task parked in ctx.yield(): it is resumed and finishes', async () => {
    const { clock, scheduler, log } = virtualScheduler({ concurrency: 1 });
    scheduler.run(async (ctx) => {
      await new Promise<void>((resolve) => clock.setTimer(resolve, 10));
      const parked = ctx.yield();
      void scheduler.stop().then(() => log.push('stopped'));
      await parked;
      log.push('resumed');
    });
    scheduler.start();
    await clock.runUntilIdle();
    expect(log).toEqual(['resumed', 'stopped']);
  });

  it('a sleep called in the synchronous part of an async task releases the slot too', async () => {
    const { clock, scheduler, log } = virtualScheduler({ concurrency: 1 });
    scheduler.run((ctx) => ctx.sleep(40).then(() => log.push(`sleeper @${clock.now()}`)));
    scheduler.run(() => log.push(`other @${clock.now()}`));
    scheduler.start();
    await clock.runUntilIdle();
    expect(log).toEqual(['other @0', 'sleeper @40']);
  });
});
