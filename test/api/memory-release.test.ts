// A scheduler gives memory back after a burst: once it has held no task for
// RENEW_AFTER_IDLE_MS, a core that grew is replaced by a fresh one
// (src/engine/core-renewal.ts). On a virtual clock: no wall time.
import { describe, expect, it } from 'vitest';
import { REGROWN_WITHIN_MS, RENEW_AFTER_IDLE_MS } from '../../src/engine/core-renewal.js';
import { Scheduler } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { virtualScheduler } from './helpers.js';

/** Enough one-shot tasks to grow the core by several MB. */
const BURST = 1e5;

function burst(scheduler: Scheduler, n = BURST) {
  let ran = 0;
  for (let i = 0; i < n; i++) scheduler.run(() => void ran++, { priority: i % 2 === 0 ? 'high' : 'low' });
  return () => ran;
}

const freshMemoryBytes = () => new Scheduler({ clock: new VirtualClock() }).stats().memoryBytes;

describe('memory given back after a burst', () => {
  it('replaces the grown core once the scheduler has been empty for a second, not before', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const ran = burst(scheduler);
    const grown = scheduler.stats().memoryBytes;
    expect(grown).toBeGreaterThan(freshMemoryBytes() + 4 * 2 ** 20);
    // runUntilIdle() does not wait for the renewal: its timer keeps no process alive.
    await clock.runUntilIdle();
    expect(ran()).toBe(BURST);
    const emptiedAtMs = clock.now();
    await clock.advance(RENEW_AFTER_IDLE_MS - 1);
    expect(scheduler.stats().memoryBytes).toBe(grown);
    await clock.advance(1);
    expect(clock.now() - emptiedAtMs).toBe(RENEW_AFTER_IDLE_MS);
    expect(scheduler.stats().memoryBytes).toBe(freshMemoryBytes());
    // And it goes on working, counting from where it was.
    const again = scheduler.run(() => 'after');
    await clock.runUntilIdle();
    await expect(again.done).resolves.toBe('after');
    expect(scheduler.stats()).toMatchObject({ scheduled: BURST + 1, executed: BURST + 1, completed: BURST + 1, live: 0 });
  });

  it('waits twice as long after a burst that came back at once after the renewal, and a second again once bursts stop coming back', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const fresh = freshMemoryBytes();
    // Grows the core, runs the burst, answers the memory it grew to.
    const grownBy = async () => {
      burst(scheduler);
      const grown = scheduler.stats().memoryBytes;
      await clock.runUntilIdle();
      return grown;
    };
    await grownBy();
    await clock.advance(RENEW_AFTER_IDLE_MS);
    expect(scheduler.stats().memoryBytes).toBe(fresh);
    // Back at once: this time the core is kept for two seconds.
    const grown = await grownBy();
    await clock.advance(2 * RENEW_AFTER_IDLE_MS - 1);
    expect(scheduler.stats().memoryBytes).toBe(grown);
    await clock.advance(1);
    expect(scheduler.stats().memoryBytes).toBe(fresh);
    // Left alone for REGROWN_WITHIN_MS after that renewal: a second again.
    await clock.advance(REGROWN_WITHIN_MS);
    const grownAgain = await grownBy();
    await clock.advance(RENEW_AFTER_IDLE_MS - 1);
    expect(scheduler.stats().memoryBytes).toBe(grownAgain);
    await clock.advance(1);
    expect(scheduler.stats().memoryBytes).toBe(fresh);
  });

  it('after a burst that came back some seconds after the renewal, waits twice those seconds', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const fresh = freshMemoryBytes();
    burst(scheduler);
    await clock.runUntilIdle();
    await clock.advance(RENEW_AFTER_IDLE_MS);
    expect(scheduler.stats().memoryBytes).toBe(fresh);
    // The next burst 3 s after the renewal: kept 6 s from then on.
    await clock.advance(3 * RENEW_AFTER_IDLE_MS);
    burst(scheduler);
    const grown = scheduler.stats().memoryBytes;
    await clock.runUntilIdle();
    await clock.advance(6 * RENEW_AFTER_IDLE_MS - 1);
    expect(scheduler.stats().memoryBytes).toBe(grown);
    await clock.advance(1);
    expect(scheduler.stats().memoryBytes).toBe(fresh);
  });

  it('waits while any task lives, and counts the second from when the last one ended', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    burst(scheduler);
    const timer = scheduler.after(3 * RENEW_AFTER_IDLE_MS, () => {});
    const grown = scheduler.stats().memoryBytes;
    await clock.advance(2 * RENEW_AFTER_IDLE_MS);
    expect(scheduler.stats().memoryBytes).toBe(grown);
    // The timer task ends at 3 s; the core is replaced a second later.
    await clock.advance(RENEW_AFTER_IDLE_MS + RENEW_AFTER_IDLE_MS - 1);
    expect(timer.cancel()).toBe(false);
    expect(scheduler.stats().memoryBytes).toBe(grown);
    await clock.advance(1);
    expect(scheduler.stats().memoryBytes).toBe(freshMemoryBytes());
  });

  it('keeps every old handle ended and every old id unused, and `done` readable', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    const old = Array.from({ length: 10 }, (_, i) => scheduler.run(() => i));
    burst(scheduler);
    await clock.advance(2 * RENEW_AFTER_IDLE_MS);
    expect(scheduler.stats().memoryBytes).toBe(freshMemoryBytes());
    const oldIds = new Set(old.map((h) => h.id));
    const fresh = Array.from({ length: 10 }, () => scheduler.after(1, () => 'new'));
    for (const h of fresh) expect(oldIds.has(h.id)).toBe(false);
    for (const [i, h] of old.entries()) {
      expect(h.cancel()).toBe(false);
      await expect(h.done).resolves.toBe(i);
    }
    await clock.runUntilIdle();
    for (const h of fresh) await expect(h.done).resolves.toBe('new');
  });

  it('keeps the policy: a round-robin scheduler still runs in arrival order', async () => {
    const { clock, scheduler } = virtualScheduler({ policy: 'round-robin' });
    scheduler.start();
    burst(scheduler);
    await clock.advance(2 * RENEW_AFTER_IDLE_MS);
    expect(scheduler.stats().memoryBytes).toBe(freshMemoryBytes());
    const log: string[] = [];
    scheduler.run(() => void log.push('background'), { priority: 'background' });
    scheduler.run(() => void log.push('critical'), { priority: 'critical' });
    await clock.runUntilIdle();
    expect(log).toEqual(['background', 'critical']);
  });

  it('leaves a small core alone', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    burst(scheduler, 1000);
    await clock.advance(2 * RENEW_AFTER_IDLE_MS);
    expect(clock.pendingTimers).toBe(0);
  });
});
