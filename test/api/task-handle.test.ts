import { describe, expect, it } from 'vitest';
import { TaskCancelledError, TaskEndedError } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe('TaskHandle', () => {
  it('cancel() stops future runs and rejects done', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    const h = scheduler.every(10, () => log.push(`tick@${clock.now()}`));
    const done = h.done;
    await clock.advance(25);
    h.cancel();
    await clock.advance(100);
    expect(log).toEqual(['tick@10', 'tick@20']);
    await expect(done).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('fails loudly with TaskEndedError when used after its task ended (done excepted: it keeps the outcome)', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.run(() => 1);
    await clock.runUntilIdle();
    for (const use of [() => h.pause(), () => h.runNow(), () => h.setPriority('high'), () => h.stats(), () => h.name]) {
      expect(use).toThrow(TaskEndedError);
    }
    await expect(h.done).resolves.toBe(1);
  });

  it('cancel() answers whether it cancelled: false, doing nothing, once the task has ended (as clearTimeout)', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const ran = scheduler.run(() => 'ran');
    const timer = scheduler.after(10, () => 'fired');
    await clock.runUntilIdle();
    expect([ran.cancel(), timer.cancel()]).toEqual([false, false]);
    await expect(ran.done).resolves.toBe('ran');
    await expect(timer.done).resolves.toBe('fired');
    const pending = scheduler.after(10, () => 'never');
    expect([pending.cancel(), pending.cancel()]).toEqual([true, false]);
    await expect(pending.done).rejects.toBeInstanceOf(TaskCancelledError);
    expect(scheduler.stats().cancelled ?? 1).toBeGreaterThan(0);
  });

  it('pause() and resume() hold a periodic task without losing its cadence', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    const h = scheduler.every(10, () => log.push(`${clock.now()}`));
    await clock.advance(10);
    h.pause();
    await clock.advance(30);
    h.resume();
    await clock.advance(15);
    h.cancel();
    // Paused across 20, 30 and 40; resumed at 40 (its due time 20 is past: it runs now), then 50.
    expect(log).toEqual(['10', '40', '50']);
  });

  it('runNow() runs a waiting task at once', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    const h = scheduler.after('1h', () => log.push(`ran@${clock.now()}`));
    await clock.advance(5);
    h.runNow();
    await clock.flush();
    expect(log).toEqual(['ran@5']);
  });

  it('setPriority() moves a queued task ahead', async () => {
    const { clock, scheduler, log } = virtualScheduler({ policy: 'priority' });
    scheduler.run(() => log.push('a'), { priority: 'low' });
    const b = scheduler.run(() => log.push('b'), { priority: 'low' });
    b.setPriority('critical');
    scheduler.start();
    await clock.runUntilIdle();
    expect(log).toEqual(['b', 'a']);
  });

  it('creates no done promise unless asked, and reports live stats', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.every(10, () => {}, { name: 'ticker' });
    await clock.advance(35);
    expect(h.stats()).toMatchObject({ name: 'ticker', runs: 3, state: 'waiting', nextRunMs: 40, priority: 'normal' });
    expect(h.name).toBe('ticker');
    expect(h.id).toBeGreaterThan(0);
  });
});
