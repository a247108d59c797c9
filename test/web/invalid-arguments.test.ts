import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/index.js';
import { createWebScheduler, TaskController, TaskPriorityChangeEvent, TaskSignal } from '../../src/web/index.js';
import { setup } from './harness.js';

// Browsers answer every bad argument with a TypeError; postTask, returning a
// promise, rejects with it (it never throws).
describe('invalid arguments', () => {
  it('rejects postTask with a TypeError for an unknown priority, naming the option and the value', async () => {
    const { scheduler } = setup();
    const task = scheduler.postTask(() => 0, { priority: 'urgent' as never });
    await expect(task).rejects.toThrow(TypeError);
    await expect(task).rejects.toThrow(/options\.priority must be one of 'user-blocking', 'user-visible', 'background', received 'urgent' \(string\)/);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 'soon'])('rejects postTask with a TypeError for delay %s', async (delay) => {
    const { scheduler } = setup();
    await expect(scheduler.postTask(() => 0, { delay: delay as number })).rejects.toThrow(/options\.delay must be a whole number of ms/);
  });

  it('reads a numeric string delay as browsers do', async () => {
    const { clock, scheduler } = setup();
    const task = scheduler.postTask(() => clock.now(), { delay: '20' as unknown as number });
    await clock.runUntilIdle();
    await expect(task).resolves.toBe(20);
  });

  it.each([undefined, null, 42, 'fn', {}])('rejects postTask with a TypeError for a callback %s', async (callback) => {
    const { scheduler } = setup();
    await expect(scheduler.postTask(callback as never)).rejects.toThrow(/postTask: callback must be a function/);
  });

  it('rejects postTask with a TypeError for options that are not an object or a signal that is not an AbortSignal, and reads null options as none', async () => {
    const { clock, scheduler } = setup();
    await expect(scheduler.postTask(() => 0, 5 as never)).rejects.toThrow(TypeError);
    await expect(scheduler.postTask(() => 0, { signal: null as never })).rejects.toThrow(/options\.signal must be an AbortSignal/);
    // null options read as {}, as WebIDL dictionaries do.
    const ok = scheduler.postTask(() => 'ran', null as never);
    await clock.runUntilIdle();
    await expect(ok).resolves.toBe('ran');
  });

  it('checks the arguments before the signal: an aborted signal with a bad priority is a TypeError', async () => {
    const { scheduler } = setup();
    const controller = new AbortController();
    controller.abort('R');
    await expect(scheduler.postTask(() => 0, { signal: controller.signal, priority: 'bad' as never })).rejects.toThrow(TypeError);
  });

  it('rejects postTask and yield called on something that is not a scheduler', async () => {
    const { scheduler } = setup();
    const { postTask, yield: yieldNow } = scheduler;
    await expect(postTask.call(undefined, () => 0)).rejects.toThrow(/illegal invocation/);
    await expect(yieldNow.call({})).rejects.toThrow(/illegal invocation/);
  });

  it('throws a TypeError from TaskController for an unknown priority, at construction and in setPriority', () => {
    expect(() => new TaskController({ priority: 'high' as never })).toThrow(TypeError);
    const controller = new TaskController();
    expect(() => controller.setPriority('low' as never)).toThrow(/TaskController\.setPriority: priority must be one of/);
    expect(controller.signal.priority).toBe('user-visible');
  });

  it('throws a TypeError from TaskPriorityChangeEvent without a valid previousPriority', () => {
    expect(() => new TaskPriorityChangeEvent('prioritychange', undefined as never)).toThrow(TypeError);
    expect(() => new TaskPriorityChangeEvent('prioritychange', {} as never)).toThrow(/previousPriority is required/);
    expect(() => new TaskPriorityChangeEvent('prioritychange', { previousPriority: 'x' as never })).toThrow(TypeError);
  });

  it('throws a TypeError from TaskSignal.any for a bad priority or something that is not a signal', () => {
    expect(() => TaskSignal.any([], { priority: 'x' as never })).toThrow(TypeError);
    expect(() => TaskSignal.any([{} as AbortSignal])).toThrow(/signals\[0\] must be an AbortSignal/);
    expect(() => TaskSignal.any(42 as never)).toThrow(TypeError);
  });

  it('throws InvalidArgumentError from createWebScheduler for an unknown option or a bad clock', () => {
    expect(() => createWebScheduler({ clok: 1 } as never)).toThrow(InvalidArgumentError);
    expect(() => createWebScheduler({ clock: {} as never })).toThrow(/options\.clock must implement Clock/);
  });
});
