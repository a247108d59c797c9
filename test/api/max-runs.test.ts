// maxRuns counts runs, whatever their outcome: a run is one tick of a
// periodic task from its first attempt to its end, succeeded or failed after
// its last attempt (retries and resumed interruptions are the same run), as
// croner's maxRuns counts. It holds whether or not `done` was read.
import { describe, expect, it } from 'vitest';
import { virtualScheduler } from './helpers.js';

describe('maxRuns', () => {
  it('ends an every() task after maxRuns runs when nobody reads done', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.every('20ms', () => log.push(`tick@${clock.now()}`), { maxRuns: 5 });
    await clock.advance(1000);
    expect(log).toEqual(['tick@20', 'tick@40', 'tick@60', 'tick@80', 'tick@100']);
    expect(scheduler.stats().live).toBe(0);
  });

  it('ends a recurring() task after maxRuns runs when nobody reads done', async () => {
    const { clock, scheduler, log } = virtualScheduler();
    scheduler.start();
    scheduler.recurring(10, () => log.push(`run@${clock.now()}`), { maxRuns: 3 });
    await clock.advance(1000);
    expect(log).toEqual(['run@10', 'run@20', 'run@30']);
  });

  it('ends after maxRuns runs when done was read, resolving with the last result', async () => {
    const { clock, scheduler } = virtualScheduler();
    scheduler.start();
    let n = 0;
    const h = scheduler.every(10, () => ++n, { maxRuns: 4 });
    const done = h.done;
    await clock.advance(1000);
    expect(n).toBe(4);
    await expect(done).resolves.toBe(4);
  });

  it('counts a failed run as a run: a task that always throws runs maxRuns times', async () => {
    const { clock, scheduler } = virtualScheduler({ onError: false });
    scheduler.start();
    let calls = 0;
    const h = scheduler.every(10, () => {
      calls++;
      throw new Error(`boom ${calls}`);
    }, { maxRuns: 3 });
    await clock.advance(300);
    expect(calls).toBe(3);
    // The last run failed: done rejects with its error (read after the end).
    await expect(h.done).rejects.toThrow('boom 3');
  });

  it('counts a run retried after failures once: attempts are not runs', async () => {
    const { clock, scheduler } = virtualScheduler({ onError: false });
    scheduler.start();
    const attempts: string[] = [];
    scheduler.every(100, (ctx) => {
      attempts.push(`${clock.now()}#${ctx.attempt}`);
      throw new Error('always');
    }, { maxRuns: 2, retry: { attempts: 3, backoff: 'fixed', delayMs: 10, jitter: 0 } });
    await clock.advance(1000);
    // Two runs (ticks 100 and 200), each tried three times.
    expect(attempts).toEqual(['100#1', '110#2', '120#3', '200#1', '210#2', '220#3']);
  });

  it('counts a run that failed, then succeeded on retry, once', async () => {
    const { clock, scheduler } = virtualScheduler({ onError: false });
    scheduler.start();
    const attempts: string[] = [];
    scheduler.every(100, (ctx) => {
      attempts.push(`${clock.now()}#${ctx.attempt}`);
      if (ctx.attempt === 1) throw new Error('first attempt fails');
    }, { maxRuns: 2, retry: { attempts: 2, backoff: 'fixed', delayMs: 10, jitter: 0 } });
    await clock.advance(1000);
    expect(attempts).toEqual(['100#1', '110#2', '200#1', '210#2']);
  });

  it('counts an interrupted run resumed from its saved state once', async () => {
    const { clock, scheduler } = virtualScheduler({ quantumMs: 1, sliceMs: 1 });
    scheduler.start();
    const log: string[] = [];
    scheduler.every(100, (ctx) => {
      const step = (ctx.state as number | undefined) ?? 0;
      log.push(`${clock.now()}:${step}`);
      if (step < 2) {
        clock.spend(1);
        if (ctx.shouldYield()) {
          ctx.saveState(step + 1);
          return;
        }
      }
    }, { maxRuns: 2 });
    await clock.advance(1000);
    expect(log.filter((line) => line.endsWith(':0'))).toHaveLength(2);
    expect(log.filter((line) => line.endsWith(':2'))).toHaveLength(2);
  });

  it('ends a cron task after maxRuns runs, failed runs included', async () => {
    const { clock, scheduler } = virtualScheduler({ onError: false });
    scheduler.start();
    let calls = 0;
    scheduler.cron('* * * * * *', () => {
      calls++;
      throw new Error('cron boom');
    }, { maxRuns: 2 });
    await clock.advance(10_000);
    expect(calls).toBe(2);
  });
});
