// The TaskContext behaves the same whether the run took the fast path (a
// one-field context, its state made when the task first asks: group timing
// on) or the general one (group timing off).
import { describe, expect, it } from 'vitest';
import { TaskCancelledError, type TaskContext } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe.each([
  ['the fast path', true],
  ['the general path', false],
])('TaskContext on %s', (_path, groupTiming) => {
  it('is scheduler.currentContext() while the run executes, and not after', async () => {
    const { clock, scheduler } = virtualScheduler({ groupTiming });
    scheduler.start();
    let seen: Array<TaskContext | undefined> = [];
    scheduler.run((ctx) => {
      seen = [ctx, scheduler.currentContext()];
    });
    await clock.runUntilIdle();
    expect(seen[0]).toBeDefined();
    expect(seen[1]).toBe(seen[0]);
    expect(scheduler.currentContext()).toBeUndefined();
  });

  it('answers as a settled run once kept past its run', async () => {
    const { clock, scheduler } = virtualScheduler({ groupTiming });
    scheduler.start();
    let kept: TaskContext | undefined;
    scheduler.run((ctx) => {
      kept = ctx;
    });
    await clock.runUntilIdle();
    const ctx = kept as TaskContext;
    expect(ctx.attempt).toBe(1);
    expect(ctx.state).toBeUndefined();
    expect(ctx.signal.aborted).toBe(false);
    expect(ctx.shouldYield()).toBe(true);
    await expect(ctx.yield()).resolves.toBeUndefined();
    expect(scheduler.stats()).toMatchObject({ executed: 1, completed: 1, live: 0 });
  });

  it('aborts the signal of an async run cancelled after its first await, read only then', async () => {
    const { clock, scheduler, log } = virtualScheduler({ groupTiming });
    scheduler.start();
    let release!: () => void;
    const first = new Promise<void>((resolve) => {
      release = resolve;
    });
    const never = new Promise<void>(() => {});
    const h = scheduler.run(async (ctx) => {
      await first;
      log.push(`aborted: ${ctx.signal.aborted}`);
      ctx.signal.addEventListener('abort', () => log.push('abort event'));
      await never;
    });
    await clock.runUntilIdle();
    release();
    await clock.flush();
    h.cancel();
    await clock.runUntilIdle();
    expect(log).toEqual(['aborted: false', 'abort event']);
    await expect(h.done).rejects.toBeInstanceOf(TaskCancelledError);
  });

  it('requeues a run that saved its state after shouldYield() said a more urgent task waits', async () => {
    const { clock, scheduler, log } = virtualScheduler({ groupTiming });
    scheduler.start();
    const h = scheduler.run((ctx) => {
      log.push(`run with state ${String(ctx.state)}`);
      if (ctx.state !== undefined) return 'resumed';
      scheduler.run(() => void log.push('urgent'), { priority: 'critical' });
      if (ctx.shouldYield()) ctx.saveState('half');
      return 'first';
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['run with state undefined', 'urgent', 'run with state half']);
    await expect(h.done).resolves.toBe('resumed');
    expect(scheduler.stats().interrupted).toBe(1);
  });

  it('reports the attempt of a run that throws after reading its context', async () => {
    const { clock, scheduler } = virtualScheduler({ groupTiming, onError: false });
    scheduler.start();
    const attempts: number[] = [];
    scheduler.events.addEventListener('taskfail', (event) => attempts.push(event.detail.attempt));
    const h = scheduler.run((ctx) => {
      throw new Error(`attempt ${ctx.attempt}`);
    });
    await clock.runUntilIdle();
    await expect(h.done).rejects.toThrow('attempt 1');
    expect(attempts).toEqual([1]);
  });
});
