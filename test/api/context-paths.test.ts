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

  it('gives a function that declares no parameter a working context through arguments', async () => {
    const { clock, scheduler, log } = virtualScheduler({ groupTiming });
    scheduler.start();
    scheduler.run(function (this: unknown) {
      // biome-ignore lint/complexity/noArguments: the way such a function reaches its context
      const ctx = arguments[0] as TaskContext;
      log.push(`attempt ${ctx.attempt}, current ${scheduler.currentContext() === ctx}, yield ${ctx.shouldYield()}`);
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['attempt 1, current true, yield false']);
  });

  it('gives each run of a function that declares its context a context of its own', async () => {
    const { clock, scheduler } = virtualScheduler({ groupTiming });
    scheduler.start();
    const seen: TaskContext[] = [];
    for (let i = 0; i < 3; i++) scheduler.run((ctx) => void seen.push(ctx));
    await clock.runUntilIdle();
    expect(new Set(seen).size).toBe(3);
  });

  it('answers as a settled run when a function without parameters kept its context, and the next run still gets a working one', async () => {
    const { clock, scheduler, log } = virtualScheduler({ groupTiming });
    scheduler.start();
    let kept: TaskContext | undefined;
    scheduler.run((...args: TaskContext[]) => {
      kept = args[0];
    });
    await clock.runUntilIdle();
    const ctx = kept as TaskContext;
    expect(ctx.shouldYield()).toBe(true);
    expect(ctx.signal.aborted).toBe(false);
    const h = scheduler.run((...args: TaskContext[]) => {
      const own = args[0] as TaskContext;
      log.push(`same ${own === ctx}, current ${scheduler.currentContext() === own}, yield ${own.shouldYield()}`);
      own.saveState('x');
      return own.state;
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['same false, current true, yield false']);
    await expect(h.done).resolves.toBe('x');
    expect(ctx.shouldYield()).toBe(true);
  });

  it('keeps the context of an async function without parameters its own after the run goes on', async () => {
    const { clock, scheduler, log } = virtualScheduler({ groupTiming });
    scheduler.start();
    let release!: () => void;
    const first = new Promise<void>((resolve) => {
      release = resolve;
    });
    const never = new Promise<void>(() => {});
    const h = scheduler.run(async (...args: TaskContext[]) => {
      const ctx = args[0] as TaskContext;
      await first;
      log.push(`aborted: ${ctx.signal.aborted}, attempt ${ctx.attempt}`);
      ctx.signal.addEventListener('abort', () => log.push('abort event'));
      await never;
    });
    const other: Array<TaskContext | undefined> = [];
    scheduler.run((...args: TaskContext[]) => void other.push(args[0]));
    await clock.runUntilIdle();
    release();
    await clock.flush();
    expect(other[0]?.shouldYield()).toBe(true);
    h.cancel();
    await clock.runUntilIdle();
    expect(log).toEqual(['aborted: false, attempt 1', 'abort event']);
    await expect(h.done).rejects.toBeInstanceOf(TaskCancelledError);
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
