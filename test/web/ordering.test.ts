import { describe, expect, it } from 'vitest';
import { setup } from './harness.js';

describe('postTask ordering', () => {
  it('runs user-blocking before user-visible before background, each in posting order', async () => {
    const { clock, scheduler, log } = setup();
    for (const priority of ['background', 'user-visible', 'user-blocking'] as const) {
      for (const n of [1, 2, 3]) void scheduler.postTask(() => log.push(`${priority} ${n}`), { priority });
    }
    await clock.runUntilIdle();
    expect(log).toEqual([
      'user-blocking 1', 'user-blocking 2', 'user-blocking 3',
      'user-visible 1', 'user-visible 2', 'user-visible 3',
      'background 1', 'background 2', 'background 3',
    ]);
  });

  it('defaults to user-visible', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => log.push('background'), { priority: 'background' });
    void scheduler.postTask(() => log.push('default'));
    void scheduler.postTask(() => log.push('user-blocking'), { priority: 'user-blocking' });
    await clock.runUntilIdle();
    expect(log).toEqual(['user-blocking', 'default', 'background']);
  });

  it('runs nothing synchronously: the callback runs after postTask returns', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => log.push('task'), { priority: 'user-blocking' });
    log.push('posted');
    await clock.runUntilIdle();
    expect(log).toEqual(['posted', 'task']);
  });

  it('runs a task posted by a running task after the queued tasks of its priority', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => {
      log.push('a');
      void scheduler.postTask(() => log.push('c (posted by a)'));
      void scheduler.postTask(() => log.push('urgent (posted by a)'), { priority: 'user-blocking' });
    });
    void scheduler.postTask(() => log.push('b'));
    await clock.runUntilIdle();
    expect(log).toEqual(['a', 'urgent (posted by a)', 'b', 'c (posted by a)']);
  });

  it('lets what a task settles run before the next task starts, as a task per host macrotask does', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => 'first').then(async (value) => {
      log.push(`${value} settled`);
      await null;
      log.push(`${value} settled, a microtask later`);
    });
    void scheduler.postTask(() => log.push('second'));
    await clock.runUntilIdle();
    expect(log).toEqual(['first settled', 'first settled, a microtask later', 'second']);
  });

  it('resolves with the callback result, adopting a returned promise', async () => {
    const { clock, scheduler } = setup();
    const plain = scheduler.postTask(() => 42);
    const async = scheduler.postTask(async () => 'later');
    await clock.runUntilIdle();
    await expect(plain).resolves.toBe(42);
    await expect(async).resolves.toBe('later');
  });

  it('calls the callback with no arguments and an undefined this', async () => {
    const { clock, scheduler } = setup();
    const seen = scheduler.postTask(function (this: unknown, ...args: unknown[]) {
      return { self: this, count: args.length };
    });
    await clock.runUntilIdle();
    await expect(seen).resolves.toEqual({ self: undefined, count: 0 });
  });
});
