import { afterEach, describe, expect, it } from 'vitest';
import { install, scheduler, TaskController, TaskPriorityChangeEvent, TaskSignal } from '../../src/web/index.js';

const NAMES = ['scheduler', 'TaskController', 'TaskSignal', 'TaskPriorityChangeEvent'] as const;
const global = globalThis as unknown as Record<string, unknown>;

afterEach(() => {
  for (const name of NAMES) delete global[name];
});

describe('install()', () => {
  it('installs nothing on import', () => {
    for (const name of NAMES) expect(name in globalThis).toBe(false);
  });

  it('sets the four globals where the host has no scheduler.postTask, and returns them', () => {
    const installed = install();
    expect(installed).toEqual({ scheduler, TaskController, TaskSignal, TaskPriorityChangeEvent });
    expect(global.scheduler).toBe(scheduler);
    expect(global.TaskController).toBe(TaskController);
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'TaskSignal')!;
    expect([descriptor.writable, descriptor.configurable, descriptor.enumerable]).toEqual([true, true, false]);
  });

  it('leaves a native-looking scheduler and everything else alone, unless forced', () => {
    const native = { postTask: () => Promise.resolve(), yield: () => Promise.resolve() };
    global.scheduler = native;
    expect(install()).toEqual({});
    expect(global.scheduler).toBe(native);
    expect('TaskController' in globalThis).toBe(false);
    const forced = install({ force: true });
    expect(Object.keys(forced)).toEqual([...NAMES]);
    expect(global.scheduler).toBe(scheduler);
  });

  it('replaces a scheduler object without postTask', () => {
    global.scheduler = { somethingElse: true };
    expect(install().scheduler).toBe(scheduler);
  });

  it('installs once: a second call finds its own scheduler and sets nothing', () => {
    install();
    expect(install()).toEqual({});
  });

  it('throws InvalidArgumentError for a force that is not a boolean', () => {
    expect(() => install({ force: 'yes' as never })).toThrow(/options\.force must be a boolean/);
  });
});
