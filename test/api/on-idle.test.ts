// scheduler.onIdle(): resolves once nothing that ends by itself is left and
// nothing runs (src/engine/idle.ts says what counts).
import { describe, expect, it } from 'vitest';
import { virtualScheduler } from './helpers.js';

/** Whether the promise has settled by now (after pending microtasks ran). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe('onIdle()', () => {
  it('resolves at once when nothing was registered', async () => {
    const { scheduler } = virtualScheduler();
    await expect(settled(scheduler.onIdle())).resolves.toBe(true);
  });

  it('waits for one-shot tasks, delayed ones and async runs included', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.run(() => log.push('now'));
    scheduler.after(50, () => log.push('later'));
    scheduler.run(async () => {
      await new Promise<void>((resolve) => clock.setTimer(resolve, 80));
      log.push('async');
    });
    const idle = scheduler.onIdle().then(() => log.push(`idle@${clock.now()}`));
    scheduler.start();
    await clock.advance(40);
    expect(await settled(idle)).toBe(false);
    await clock.advance(100);
    await idle;
    expect(log).toEqual(['now', 'later', 'async', 'idle@80']);
  });

  it('waits for a failing task until its last retry', async () => {
    const { clock, scheduler } = virtualScheduler({ onError: false });
    scheduler.start();
    scheduler.run(() => {
      throw new Error('x');
    }, { retry: { attempts: 3, backoff: 'fixed', delayMs: 100, jitter: 0 } });
    let idleAt = -1;
    void scheduler.onIdle().then(() => {
      idleAt = clock.now();
    });
    await clock.advance(1000);
    expect(idleAt).toBe(200);
  });

  it('does not wait for a periodic task without maxRuns, but waits for one with maxRuns', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    scheduler.every(10, () => {});
    await expect(settled(scheduler.onIdle())).resolves.toBe(true);
    scheduler.every(10, () => {}, { maxRuns: 3 });
    let idleAt = -1;
    void scheduler.onIdle().then(() => {
      idleAt = clock.now();
    });
    await clock.advance(100);
    expect(idleAt).toBe(30);
  });

  it('waits while a periodic run is in progress', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    let release!: () => void;
    scheduler.every(10, () => new Promise<void>((resolve) => {
      release = resolve;
    }), { name: 'slow tick' });
    await clock.advance(10);
    const idle = scheduler.onIdle();
    expect(await settled(idle)).toBe(false);
    release();
    await clock.flush();
    expect(await settled(idle)).toBe(true);
  });

  it('resolves when the last pending task is cancelled', async () => {
    const { scheduler } = virtualScheduler();
    scheduler.start();
    const h = scheduler.after('1h', () => {});
    const idle = scheduler.onIdle();
    expect(await settled(idle)).toBe(false);
    h.cancel();
    expect(await settled(idle)).toBe(true);
  });

  it('is held back by a scheduler not started, and resolved by stop()', async () => {
    const { scheduler } = virtualScheduler();
    scheduler.run(() => {});
    const idle = scheduler.onIdle();
    expect(await settled(idle)).toBe(false);
    await scheduler.stop();
    expect(await settled(idle)).toBe(true);
  });
});
