import { describe, expect, it } from 'vitest';
import { type TaskEvent, TASK_EVENT_TYPES } from '../../src/index.js';
import { virtualScheduler } from './helpers.js';

describe('events', () => {
  it('emits typed task events in order, with details', async () => {
    const { clock, scheduler } = virtualScheduler({ random: () => 0 });
    const seen: string[] = [];
    for (const type of TASK_EVENT_TYPES) {
      scheduler.events.addEventListener(type, (e: TaskEvent) => seen.push(`${e.type}:${e.detail.name}:${e.detail.attempt}`));
    }
    scheduler.start();
    scheduler.run(() => 1, { name: 'ok' });
    scheduler.run(
      (ctx) => {
        if (ctx.attempt === 1) throw new Error('x');
      },
      { name: 'flaky', retry: { attempts: 2, delayMs: 5, jitter: 0 } },
    );
    scheduler.every(10, () => {}, { name: 'tick', maxRuns: 1 });
    await clock.runUntilIdle();
    expect(seen).toEqual([
      'taskstart:ok:1',
      'taskfinish:ok:1',
      'taskstart:flaky:1',
      'taskretry:flaky:1',
      'taskstart:flaky:2',
      'taskfinish:flaky:2',
      'taskstart:tick:1',
      'taskfinish:tick:1',
    ]);
  });

  it('reports an overrun and the ticks it skipped', async () => {
    const { clock, scheduler } = virtualScheduler();
    const seen: string[] = [];
    scheduler.events.addEventListener('taskoverrun', (e) => seen.push(`overrun ${e.detail.count} by ${e.detail.overrunMs} ms`));
    scheduler.events.addEventListener('taskskip', (e) => seen.push(`skip ${e.detail.count}`));
    scheduler.start();
    const h = scheduler.every(10, async (ctx) => {
      await ctx.sleep(25);
    });
    await clock.advance(45);
    h.cancel();
    // The run at 10 ends at 35: 15 ms past its next tick (20); ticks 20 and 30 are skipped.
    expect(seen).toEqual(['overrun 1 by 15 ms', 'skip 2']);
  });

  it('reports ticks skipped because a fixed-rate run started late', async () => {
    const { clock, scheduler } = virtualScheduler();
    const seen: string[] = [];
    scheduler.events.addEventListener('taskskip', (e) => seen.push(`skip ${e.detail.count}: ${e.detail.reason}`));
    const ticker = scheduler.every(10, () => {}, { name: 'ticker' });
    scheduler.start();
    scheduler.pause();
    await clock.advance(35);
    scheduler.resume();
    await clock.flush();
    ticker.cancel();
    // Due at 10, started at 35: it stands for the tick at 30; 10 and 20 are skipped.
    expect(seen).toEqual(['skip 2: the run started a period or more late']);
  });

  it('costs nothing when nobody listens: no event object is built', () => {
    const { scheduler } = virtualScheduler();
    for (const type of TASK_EVENT_TYPES) expect(scheduler.events.wants(type)).toBe(false);
    const listener = () => {};
    scheduler.events.addEventListener('taskstart', listener);
    scheduler.events.addEventListener('taskstart', listener);
    expect(scheduler.events.wants('taskstart')).toBe(true);
    scheduler.events.removeEventListener('taskstart', listener);
    expect(scheduler.events.wants('taskstart')).toBe(false);
  });

  it('stops counting a listener that EventTarget drops by itself: once, after its call; signal, on abort', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const seen: string[] = [];
    scheduler.events.addEventListener('taskstart', (e) => seen.push(`once ${e.detail.name}`), { once: true });
    expect(scheduler.events.wants('taskstart')).toBe(true);
    scheduler.run(() => {}, { name: 'a' });
    scheduler.run(() => {}, { name: 'b' });
    await clock.runUntilIdle();
    expect(seen).toEqual(['once a']);
    expect(scheduler.events.wants('taskstart')).toBe(false);

    const controller = new AbortController();
    const listener = { handleEvent: (e: TaskEvent) => seen.push(`signal ${e.detail.name}`) };
    scheduler.events.addEventListener('taskfinish', listener, { signal: controller.signal });
    scheduler.run(() => {}, { name: 'c' });
    await clock.runUntilIdle();
    controller.abort();
    expect(scheduler.events.wants('taskfinish')).toBe(false);
    scheduler.run(() => {}, { name: 'd' });
    await clock.runUntilIdle();
    expect(seen).toEqual(['once a', 'signal c']);

    // A once listener removed before it is called is removed (and uncounted) all the same.
    const never = () => seen.push('never');
    scheduler.events.addEventListener('taskstart', never, { once: true });
    scheduler.events.removeEventListener('taskstart', never);
    expect(scheduler.events.wants('taskstart')).toBe(false);
    scheduler.run(() => {});
    await clock.runUntilIdle();
    expect(seen).toEqual(['once a', 'signal c']);
    // One function as a once listener of two types: removing it from one leaves the other.
    const both = (e: TaskEvent) => seen.push(`both ${e.type}`);
    scheduler.events.addEventListener('taskstart', both, { once: true });
    scheduler.events.addEventListener('taskfinish', both, { once: true });
    scheduler.events.removeEventListener('taskstart', both);
    expect([scheduler.events.wants('taskstart'), scheduler.events.wants('taskfinish')]).toEqual([false, true]);
    const other = () => seen.push('other taskstart');
    scheduler.events.addEventListener('taskstart', other); // taskstart is emitted again: the removed one must not hear it
    scheduler.run(() => {});
    await clock.runUntilIdle();
    scheduler.events.removeEventListener('taskstart', other);
    expect(seen).toEqual(['once a', 'signal c', 'other taskstart', 'both taskfinish']);
    expect(scheduler.events.wants('taskfinish')).toBe(false);
    // Already aborted: not added, not counted.
    scheduler.events.addEventListener('taskstart', never, { signal: AbortSignal.abort() });
    expect(scheduler.events.wants('taskstart')).toBe(false);
  });
});
