import { describe, expect, it } from 'vitest';
import { setup } from './harness.js';

describe('errors from callbacks', () => {
  it('rejects the promise with what the callback threw, and the next tasks run', async () => {
    const { clock, scheduler, log } = setup();
    const error = new Error('boom');
    const failing = scheduler.postTask(() => {
      throw error;
    });
    const rejected = expect(failing).rejects.toBe(error);
    void scheduler.postTask(() => log.push('next'));
    await clock.runUntilIdle();
    await rejected;
    expect(log).toEqual(['next']);
  });

  it('rejects the promise with the rejection of an async callback, after a yield', async () => {
    const { clock, scheduler } = setup();
    const failing = scheduler.postTask(async () => {
      await scheduler.yield();
      throw new TypeError('late');
    });
    const rejected = expect(failing).rejects.toThrow(TypeError);
    await clock.runUntilIdle();
    await rejected;
  });

  it('leaves no unhandled rejection behind for a failure that is handled', async () => {
    const { clock, scheduler } = setup();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = scheduler.postTask(() => {
        throw new Error('handled');
      });
      const caught = failing.catch(() => 'caught');
      const controller = new AbortController();
      const aborted = scheduler.postTask(() => 0, { signal: controller.signal }).catch(() => 'caught');
      controller.abort();
      await clock.runUntilIdle();
      expect(await caught).toBe('caught');
      expect(await aborted).toBe('caught');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
