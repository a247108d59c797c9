// The run loop hands the thread back to the host once its slice budget is
// spent, so timers and I/O keep flowing while a backlog of work runs. Real
// clock: ordering is asserted, never durations.
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';

function busyMs(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: CPU-bound work
  }
}

describe('yielding to the host', () => {
  it('lets a host timer run before a backlog of 1 ms tasks is done', async () => {
    const scheduler = new Scheduler({ sliceMs: 5 });
    const log: string[] = [];
    const count = 60;
    let finished = 0;
    const allDone = new Promise<void>((resolve) => {
      for (let i = 0; i < count; i++) {
        scheduler.run(() => {
          busyMs(1);
          if (++finished === count) resolve();
        });
      }
    });
    setTimeout(() => log.push(`host timer after ${finished} tasks`), 0);
    scheduler.start();
    await allDone;
    log.push('backlog done');
    expect(log[0]).toMatch(/^host timer after \d+ tasks$/);
    expect(Number(log[0]?.match(/\d+/)?.[0])).toBeLessThan(count);
    await scheduler.stop();
  });

  it('a long task that checks shouldYield() and awaits ctx.yield() lets the host in', async () => {
    const scheduler = new Scheduler({ sliceMs: 2, quantumMs: 2 });
    const log: string[] = [];
    scheduler.start();
    await scheduler.run(async (ctx) => {
      for (let i = 0; i < 20; i++) {
        if (i === 0) setTimeout(() => log.push('host'), 0);
        busyMs(1);
        log.push(`step ${i}`);
        if (ctx.shouldYield()) await ctx.yield();
      }
    }).done;
    expect(log.indexOf('host')).toBeGreaterThan(0);
    expect(log.indexOf('host')).toBeLessThan(log.length - 1);
    await scheduler.stop();
  });
});
