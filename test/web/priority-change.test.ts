import { describe, expect, it } from 'vitest';
import { TaskController, TaskPriorityChangeEvent, TaskSignal } from '../../src/web/index.js';
import { setup } from './harness.js';

describe('TaskController.setPriority', () => {
  it('moves a queued task that follows the signal, keeping its enqueue order in the new priority', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController({ priority: 'background' });
    void scheduler.postTask(() => log.push('uv 1'));
    void scheduler.postTask(() => log.push('followed (was background)'), { signal: controller.signal });
    void scheduler.postTask(() => log.push('uv 2'));
    controller.setPriority('user-visible');
    await clock.runUntilIdle();
    expect(log).toEqual(['uv 1', 'followed (was background)', 'uv 2']);
  });

  it('moves a task still waiting for its delay', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController({ priority: 'background' });
    void scheduler.postTask(() => log.push('moved'), { signal: controller.signal, delay: 10 });
    void scheduler.postTask(() => log.push('uv'), { delay: 10 });
    controller.setPriority('user-blocking');
    await clock.runUntilIdle();
    expect(log).toEqual(['moved', 'uv']);
  });

  it('fires prioritychange at the signal with previousPriority, the new priority already set', () => {
    const controller = new TaskController();
    const seen: string[] = [];
    controller.signal.addEventListener('prioritychange', (event) => {
      expect(event).toBeInstanceOf(TaskPriorityChangeEvent);
      seen.push(`listener ${(event as TaskPriorityChangeEvent).previousPriority} -> ${controller.signal.priority}`);
    });
    controller.signal.onprioritychange = function (event) {
      seen.push(`handler ${event.previousPriority} -> ${this.priority}`);
    };
    controller.setPriority('background');
    expect(seen).toEqual(['listener user-visible -> background', 'handler user-visible -> background']);
  });

  it('does nothing, and fires nothing, for the same priority', () => {
    const controller = new TaskController({ priority: 'background' });
    let events = 0;
    controller.signal.onprioritychange = () => events++;
    controller.setPriority('background');
    expect(events).toBe(0);
    controller.signal.onprioritychange = null;
    controller.setPriority('user-blocking');
    expect(events).toBe(0);
    expect(controller.signal.priority).toBe('user-blocking');
  });

  it('throws a NotAllowedError DOMException when called while prioritychange is being dispatched', () => {
    const controller = new TaskController();
    let error: unknown;
    controller.signal.onprioritychange = () => {
      try {
        controller.setPriority('user-blocking');
      } catch (err) {
        error = err;
      }
    };
    controller.setPriority('background');
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('NotAllowedError');
    expect(controller.signal.priority).toBe('background');
    controller.setPriority('user-blocking');
    expect(controller.signal.priority).toBe('user-blocking');
  });

  it('leaves a task with an explicit priority where it is: the option overrides the signal', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController({ priority: 'user-blocking' });
    void scheduler.postTask(() => log.push('explicit background'), { signal: controller.signal, priority: 'background' });
    void scheduler.postTask(() => log.push('uv'));
    controller.setPriority('user-visible');
    controller.setPriority('user-blocking');
    await clock.runUntilIdle();
    expect(log).toEqual(['uv', 'explicit background']);
  });

  it('keeps the abort of an explicitly prioritized task tied to the signal', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController();
    const task = scheduler.postTask(() => log.push('ran'), { signal: controller.signal, priority: 'background' });
    controller.abort('R');
    await expect(task).rejects.toBe('R');
    await clock.runUntilIdle();
    expect(log).toEqual([]);
  });

  it('moves tasks following a TaskSignal.any() signal whose priority follows a controller', async () => {
    const { clock, scheduler, log } = setup();
    const controller = new TaskController({ priority: 'background' });
    const combined = TaskSignal.any([new AbortController().signal], { priority: controller.signal });
    const events: string[] = [];
    combined.onprioritychange = (event) => events.push(`combined ${event.previousPriority} -> ${combined.priority}`);
    controller.signal.onprioritychange = (event) => events.push(`source ${event.previousPriority}`);
    void scheduler.postTask(() => log.push('uv'));
    void scheduler.postTask(() => log.push('follows combined'), { signal: combined });
    controller.setPriority('user-blocking');
    expect(events).toEqual(['source background', 'combined background -> user-blocking']);
    await clock.runUntilIdle();
    expect(log).toEqual(['follows combined', 'uv']);
  });
});
