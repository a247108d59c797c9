// Async tasks are held to the slice (C7): the continuations an async run
// leaves behind (the code after each `await` of something already settled)
// run before the host's next turn, so the run loop counts them against its
// slice and starts fewer async runs per slice when they are heavy. On the
// VirtualClock each continuation's work is clock.spend(); a macrotask chain
// stands for the host and logs when it gets a turn.
import { describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/index.js';
import type { VirtualClock } from '../../src/testing/index.js';
import { virtualScheduler } from './helpers.js';

/** Host turns (clock times) while the scheduler has live tasks. */
function hostTurns(clock: VirtualClock, scheduler: Scheduler): number[] {
  const turns: number[] = [];
  const turn = () => {
    turns.push(clock.now());
    if (scheduler.stats().live > 0) clock.yieldToHost(turn);
  };
  clock.yieldToHost(turn);
  return turns;
}

function gaps(times: number[]): number[] {
  return times.slice(1).map((t, i) => t - (times[i] as number));
}

/** A task that awaits five settled promises, then computes `workMs`. */
function awaitingTask(clock: VirtualClock, workMs: number) {
  return async () => {
    for (let i = 0; i < 5; i++) await null;
    clock.spend(workMs);
  };
}

describe('async continuations and the slice', () => {
  it('gives the host a turn every slice or so while 2,000 async tasks compute after their awaits', async () => {
    const { clock, scheduler } = virtualScheduler({ sliceMs: 5 });
    for (let i = 0; i < 2000; i++) scheduler.run(awaitingTask(clock, 0.02));
    const turns = hostTurns(clock, scheduler);
    scheduler.start();
    await clock.runUntilIdle();
    expect(scheduler.stats().completed).toBe(2000);
    // 40 ms of work: the host had a turn at least every slice plus a small margin.
    const longest = Math.max(...gaps(turns));
    expect(longest).toBeLessThanOrEqual(5 + 0.5);
    expect(turns.length).toBeGreaterThanOrEqual(8);
  });

  it('adapts when the continuations grow five times heavier: one slice overshoots (about five slices), then it holds', async () => {
    const { clock, scheduler } = virtualScheduler({ sliceMs: 5 });
    for (let i = 0; i < 3000; i++) {
      scheduler.run(async () => {
        await null;
        // Five times heavier from 20 ms on.
        clock.spend(clock.now() < 20 ? 0.01 : 0.05);
      });
    }
    const turns = hostTurns(clock, scheduler);
    scheduler.start();
    await clock.runUntilIdle();
    expect(Math.max(...gaps(turns.filter((t) => t <= 20)))).toBeLessThanOrEqual(5 + 0.5);
    const late = gaps(turns.filter((t) => t >= 20));
    expect(late.length).toBeGreaterThan(5);
    expect(Math.max(...late)).toBeLessThanOrEqual(5 * 5 + 1);
    // After the overshoot, back within the slice.
    expect(Math.max(...late.slice(3))).toBeLessThanOrEqual(5 + 0.5);
  });

  it('does not slow down async runs that only wait (their continuations are cheap)', async () => {
    const { clock, scheduler } = virtualScheduler({ sliceMs: 5 });
    const starts: number[] = [];
    for (let i = 0; i < 500; i++) {
      scheduler.run(async () => {
        starts.push(clock.now());
        await new Promise<void>((resolve) => clock.setTimer(resolve, 100));
      });
    }
    scheduler.start();
    await clock.runUntilIdle();
    // All started at time 0 (a few host turns apart), none waited for another's I/O.
    expect(starts.every((t) => t === 0)).toBe(true);
  });
});
