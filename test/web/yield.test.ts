import { describe, expect, it } from 'vitest';
import { setup } from './harness.js';

describe('scheduler.yield()', () => {
  it('continues a task ahead of later-posted tasks of its priority and behind more urgent ones', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(async () => {
      log.push('a: before yield');
      void scheduler.postTask(() => log.push('b: user-visible, posted later'));
      void scheduler.postTask(() => log.push('c: user-blocking, posted later'), { priority: 'user-blocking' });
      await scheduler.yield();
      log.push('a: after yield');
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['a: before yield', 'c: user-blocking, posted later', 'a: after yield', 'b: user-visible, posted later']);
  });

  it('keeps the continuation of a background task behind user-visible work', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(async () => {
      log.push('bg 1');
      void scheduler.postTask(() => log.push('uv'));
      void scheduler.postTask(() => log.push('bg later'), { priority: 'background' });
      await scheduler.yield();
      log.push('bg 2');
    }, { priority: 'background' });
    await clock.runUntilIdle();
    expect(log).toEqual(['bg 1', 'uv', 'bg 2', 'bg later']);
  });

  it('runs a loop of yields without letting later tasks of the same priority in, and lets urgent ones in at every yield', async () => {
    const { clock, scheduler, log } = setup();
    const done = scheduler.postTask(async () => {
      for (let i = 0; i < 3; i++) {
        log.push(`step ${i}`);
        void scheduler.postTask(() => log.push(`uv ${i}`));
        void scheduler.postTask(() => log.push(`ub ${i}`), { priority: 'user-blocking' });
        await scheduler.yield();
      }
      return 'finished';
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['step 0', 'ub 0', 'step 1', 'ub 1', 'step 2', 'ub 2', 'uv 0', 'uv 1', 'uv 2']);
    await expect(done).resolves.toBe('finished');
  });

  it('continues a synchronous callback that yields without awaiting, after its promise resolved', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler
      .postTask(() => {
        log.push('a');
        void scheduler.postTask(() => log.push('b'));
        void scheduler.yield().then(() => log.push('continuation'));
        return 1;
      })
      .then((value) => log.push(`result ${value}`));
    await clock.runUntilIdle();
    expect(log).toEqual(['a', 'result 1', 'continuation', 'b']);
  });

  it('resolves several un-awaited yields of one task in order, before later tasks', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => {
      void scheduler.postTask(() => log.push('b'));
      void scheduler.yield().then(() => log.push('y1'));
      void scheduler.yield().then(() => log.push('y2'));
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['y1', 'y2', 'b']);
  });

  it('orders continuations of two tasks by priority', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => {
      log.push('t1');
      void scheduler.postTask(() => {
        log.push('t2');
        void scheduler.yield().then(() => log.push('t2 continues'));
      }, { priority: 'user-blocking' });
      void scheduler.yield().then(() => log.push('t1 continues'));
    });
    await clock.runUntilIdle();
    expect(log).toEqual(['t1', 't2', 't2 continues', 't1 continues']);
  });

  it('outside any task, continues as user-visible: after user-blocking tasks, before user-visible ones', async () => {
    const { clock, scheduler, log } = setup();
    void scheduler.postTask(() => log.push('uv'));
    void scheduler.postTask(() => log.push('ub'), { priority: 'user-blocking' });
    void scheduler.postTask(() => log.push('bg'), { priority: 'background' });
    const continued = scheduler.yield().then(() => log.push('continuation'));
    await clock.runUntilIdle();
    await continued;
    expect(log).toEqual(['ub', 'continuation', 'uv', 'bg']);
  });

  it('continues with the new priority when the task signal priority changed', async () => {
    const { clock, scheduler, log } = setup();
    const { TaskController } = await import('../../src/web/index.js');
    const controller = new TaskController({ priority: 'background' });
    void scheduler.postTask(async () => {
      log.push('a1');
      void scheduler.postTask(() => log.push('uv'));
      controller.setPriority('user-blocking');
      await scheduler.yield();
      log.push('a2');
    }, { signal: controller.signal });
    await clock.runUntilIdle();
    expect(log).toEqual(['a1', 'a2', 'uv']);
  });

  it('moves a parked continuation when its signal priority changes', async () => {
    const { clock, scheduler, log } = setup();
    const { TaskController } = await import('../../src/web/index.js');
    const controller = new TaskController({ priority: 'background' });
    void scheduler.postTask(async () => {
      log.push('a1');
      void scheduler.postTask(() => log.push('uv 1'));
      void scheduler.postTask(() => {
        log.push('uv 1b raises a');
        controller.setPriority('user-visible');
      });
      void scheduler.postTask(() => log.push('uv 2'));
      await scheduler.yield();
      log.push('a2');
    }, { signal: controller.signal });
    await clock.runUntilIdle();
    expect(log).toEqual(['a1', 'uv 1', 'uv 1b raises a', 'a2', 'uv 2']);
  });
});
