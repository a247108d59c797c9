import { describe, expect, it } from 'vitest';
import { TaskController, TaskPriorityChangeEvent, TaskSignal } from '../../src/web/index.js';

describe('TaskSignal', () => {
  it('cannot be constructed, as in browsers', () => {
    expect(() => new (TaskSignal as unknown as new () => unknown)()).toThrow(TypeError);
  });

  it('is the real AbortSignal of its controller: instanceof, abort, reason and events work', () => {
    const controller = new TaskController({ priority: 'background' });
    const { signal } = controller;
    expect(signal).toBeInstanceOf(TaskSignal);
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal.priority).toBe('background');
    expect(signal.onprioritychange).toBeNull();
    expect(Object.prototype.toString.call(signal)).toBe('[object TaskSignal]');
    let aborted = 0;
    signal.addEventListener('abort', () => aborted++);
    controller.abort('why');
    expect([signal.aborted, signal.reason, aborted]).toEqual([true, 'why', 1]);
    // Priority still changes after an abort, as in Chromium.
    controller.setPriority('user-blocking');
    expect(signal.priority).toBe('user-blocking');
  });

  it('refuses its getters on an AbortSignal that is not a TaskSignal', () => {
    const plain = new AbortController().signal;
    const priority = Object.getOwnPropertyDescriptor(TaskSignal.prototype, 'priority')!.get!;
    expect(() => priority.call(plain)).toThrow(/not a TaskSignal/);
  });

  it('makes an any() signal that aborts with the first aborted input, with a fixed priority', () => {
    const a = new AbortController();
    const b = new TaskController();
    const combined = TaskSignal.any([a.signal, b.signal], { priority: 'background' });
    expect(combined).toBeInstanceOf(TaskSignal);
    expect(combined.priority).toBe('background');
    b.setPriority('user-blocking');
    expect(combined.priority).toBe('background');
    b.abort('b first');
    expect([combined.aborted, combined.reason]).toEqual([true, 'b first']);
    expect(TaskSignal.any([]).priority).toBe('user-visible');
  });

  it('makes an event that reports the previous priority and neither bubbles nor cancels', () => {
    const event = new TaskPriorityChangeEvent('prioritychange', { previousPriority: 'background' });
    expect([event.type, event.previousPriority, event.bubbles, event.cancelable]).toEqual(['prioritychange', 'background', false, false]);
    expect(event).toBeInstanceOf(Event);
  });

  it('keeps any object set as onprioritychange and reads back null for anything else (WebIDL [LegacyTreatNonObjectAsNull])', () => {
    const controller = new TaskController();
    const { signal } = controller;
    const notCallable = {};
    signal.onprioritychange = notCallable as never;
    expect(signal.onprioritychange).toBe(notCallable);
    // A non-callable handler does nothing, and the other listeners still run.
    let listened = 0;
    signal.addEventListener('prioritychange', () => listened++);
    controller.setPriority('background');
    expect(listened).toBe(1);
    for (const primitive of [5, 'handler', true, Symbol('x'), 10n]) {
      signal.onprioritychange = primitive as never;
      expect(signal.onprioritychange).toBeNull();
    }
    const fn = () => {};
    signal.onprioritychange = fn;
    expect(signal.onprioritychange).toBe(fn);
    signal.onprioritychange = null;
    expect(signal.onprioritychange).toBeNull();
  });
});
