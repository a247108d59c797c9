import { describe, expect, it } from 'vitest';
import { TaskController } from '../../src/web/index.js';
import { setup } from './harness.js';

describe('aborting a postTask signal', () => {
  it('rejects a queued task with the reason and never runs its callback', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new AbortController();
    const aborted = scheduler.postTask(() => log.push('aborted task ran'), { signal: controller.signal });
    const other = scheduler.postTask(() => log.push('other'));
    const reason = new Error('not needed any more');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    await clock.runUntilIdle();
    await expect(other).resolves.toBe(1);
    expect(log).toEqual(['other']);
  });

  it('rejects a delayed task still waiting for its delay, and it never runs', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController();
    const delayed = scheduler.postTask(() => log.push('delayed ran'), { signal: controller.signal, delay: 100 });
    await clock.advance(50);
    controller.abort('late');
    await expect(delayed).rejects.toBe('late');
    await clock.advance(100);
    expect(log).toEqual([]);
  });

  it('rejects at once, with an AbortError by default, when the signal is already aborted', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new AbortController();
    controller.abort();
    const task = scheduler.postTask(() => log.push('ran'), { signal: controller.signal });
    await expect(task).rejects.toMatchObject({ name: 'AbortError' });
    await clock.runUntilIdle();
    expect(log).toEqual([]);
  });

  it('rejects with the reason when the callback aborts its own signal before returning', async () => {
    const { clock, scheduler } = setup();
    const controller = new AbortController();
    const task = scheduler.postTask(() => {
      controller.abort('aborted while running');
      return 'value';
    }, { signal: controller.signal });
    const rejected = expect(task).rejects.toBe('aborted while running');
    await clock.runUntilIdle();
    await rejected;
  });

  it('leaves a task that has returned its promise alone: it resolves with its value', async () => {
    const { clock, scheduler } = setup();
    const controller = new AbortController();
    const task = scheduler.postTask(async () => {
      await new Promise<void>((resolve) => clock.setTimer(resolve, 10));
      return 'value';
    }, { signal: controller.signal });
    void scheduler.postTask(() => controller.abort('too late'), { delay: 5 });
    await clock.runUntilIdle();
    await expect(task).resolves.toBe('value');
  });

  it('rejects a pending yield() of the task with the reason, and the task goes on from there', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController();
    const task = scheduler.postTask(async () => {
      log.push('a1');
      void scheduler.postTask(() => {
        log.push('aborter');
        controller.abort('stop');
      }, { priority: 'user-blocking' });
      try {
        await scheduler.yield();
        log.push('a2');
      } catch (reason) {
        log.push(`yield rejected: ${String(reason)}`);
      }
      return 'done';
    }, { signal: controller.signal });
    await clock.runUntilIdle();
    await expect(task).resolves.toBe('done');
    expect(log).toEqual(['a1', 'aborter', 'yield rejected: stop']);
  });

  it('rejects at once a yield() the task makes where it catches that rejection', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController();
    void scheduler.postTask(async () => {
      void scheduler.postTask(() => controller.abort('stop'), { priority: 'user-blocking' });
      void scheduler.postTask(() => log.push('later task'));
      for (const name of ['first', 'second']) {
        try {
          await scheduler.yield();
          log.push(`${name} yield resolved`);
        } catch (reason) {
          log.push(`${name} yield rejected: ${String(reason)}`);
        }
      }
    }, { signal: controller.signal });
    await clock.runUntilIdle();
    expect(log).toEqual(['first yield rejected: stop', 'second yield rejected: stop', 'later task']);
  });

  it('rejects a yield() at once inside a task whose signal has aborted', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new AbortController();
    const task = scheduler.postTask(async () => {
      controller.abort('R');
      await scheduler.yield().catch((reason) => log.push(`yield rejected: ${reason}`));
    }, { signal: controller.signal });
    const rejected = expect(task).rejects.toBe('R');
    await clock.runUntilIdle();
    await rejected;
    expect(log).toEqual(['yield rejected: R']);
  });

  it('aborts every task sharing the signal, and the scheduler goes on with the rest', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController({ priority: 'background' });
    const shared = [1, 2, 3].map((n) => scheduler.postTask(() => log.push(`shared ${n}`), { signal: controller.signal }));
    void scheduler.postTask(() => log.push('free'), { priority: 'background' });
    controller.abort('R');
    await Promise.all(shared.map((task) => expect(task).rejects.toBe('R')));
    await clock.runUntilIdle();
    expect(log).toEqual(['free']);
  });
});
