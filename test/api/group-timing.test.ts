// Group timing (src/time/group-timer.ts): one clock read for a group of short
// one-shot runs, their runtime charged to the totals. A manual clock counts
// the reads, and each task moves it by its own "runtime".
import { describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import type { Clock, TimerId } from '../../src/time/clock.js';
import { GroupTimer, MAX_GROUP_RUNS, TARGET_GROUP_MS } from '../../src/time/group-timer.js';

/** Time moves only when a task says so; timers and yields go through the host. */
class ManualClock implements Clock {
  nowMs = 0;
  reads = 0;
  now(): number {
    this.reads++;
    return this.nowMs;
  }
  wallNow(): number {
    return 1_800_000_000_000 + this.nowMs;
  }
  setTimer(fn: () => void, delayMs: number): TimerId {
    return setTimeout(fn, delayMs) as unknown as TimerId;
  }
  clearTimer(id: TimerId): void {
    clearTimeout(id as unknown as ReturnType<typeof setTimeout>);
  }
  yieldToHost(fn: () => void): void {
    setImmediate(fn);
  }
}

function grouped(options: SchedulerOptions = {}) {
  const clock = new ManualClock();
  const scheduler = new Scheduler({ clock, groupTiming: true, ...options });
  return { clock, scheduler };
}

/** A promise settled by the last of n tasks (not through `done`, which takes the general path). */
function countdown(n: number): { tick(): void; all: Promise<void> } {
  let left = n;
  let resolve!: () => void;
  const all = new Promise<void>((r) => {
    resolve = r;
  });
  return { tick: () => (--left === 0 ? resolve() : undefined), all };
}

describe('GroupTimer', () => {
  it('doubles the group while groups stay short, up to the maximum, and shrinks after a long one', () => {
    const timer = new GroupTimer();
    let nowMs = 0;
    timer.start(nowMs);
    const sizes: number[] = [];
    for (let group = 0; group < 9; group++) {
      sizes.push(timer.size);
      while (!timer.counted()) {
        // runs of no measurable length
      }
      nowMs += TARGET_GROUP_MS / 10;
      timer.close(nowMs);
    }
    expect(sizes).toEqual([1, 2, 4, 8, 16, 32, 64, 64, 64]);
    expect(timer.size).toBe(MAX_GROUP_RUNS);
    while (!timer.counted()) {
      // a group whose runs took 1 ms in all
    }
    expect(timer.close(nowMs + 1)).toBeCloseTo(1, 12);
    expect(timer.size).toBe(MAX_GROUP_RUNS / 4);
  });

  it('charges nothing for a group without runs', () => {
    const timer = new GroupTimer();
    timer.start(5);
    expect(timer.open).toBe(false);
    expect(timer.close(9)).toBe(0);
  });
});

describe('group timing in the run loop', () => {
  it('reads the clock far less than once per short run, and charges their whole runtime to the total', async () => {
    const { clock, scheduler } = grouped();
    const n = 500;
    const done = countdown(n);
    for (let i = 0; i < n; i++) {
      scheduler.run(() => {
        clock.nowMs += 0.0001;
        done.tick();
      });
    }
    const readsBefore = clock.reads;
    scheduler.start();
    await done.all;
    await scheduler.stop();
    expect(clock.reads - readsBefore).toBeLessThan(n / 10);
    const stats = scheduler.stats();
    expect(stats.executed).toBe(n);
    expect(stats.completed).toBe(n);
    expect(stats.runtimeMs).toBeCloseTo(n * 0.0001, 9);
  });

  it('times long runs one by one (groups shrink to a single run)', async () => {
    const { clock, scheduler } = grouped();
    const n = 20;
    const done = countdown(n);
    for (let i = 0; i < n; i++) {
      scheduler.run(() => {
        clock.nowMs += 1;
        done.tick();
      });
    }
    const readsBefore = clock.reads;
    scheduler.start();
    await done.all;
    expect(clock.reads - readsBefore).toBeGreaterThanOrEqual(n);
    expect(scheduler.stats().runtimeMs).toBe(n);
  });

  it('registrations in one synchronous burst share a clock reading; a later turn reads again', async () => {
    const { clock, scheduler } = grouped();
    const readsBefore = clock.reads;
    for (let i = 0; i < 100; i++) scheduler.run(() => {});
    expect(clock.reads - readsBefore).toBe(2); // 64 registrations per reading
    await Promise.resolve();
    const readsAfter = clock.reads;
    scheduler.run(() => {});
    expect(clock.reads).toBe(readsAfter + 1);
  });

  it('a delayed registration always reads the clock (a reused reading would make it due early)', () => {
    const { clock, scheduler } = grouped();
    scheduler.run(() => {});
    clock.nowMs = 10;
    const handle = scheduler.after(5, () => {});
    expect(handle.stats().nextRunMs).toBe(15);
  });

  it('keeps the total exact when a grouped run throws, and the loop goes on', async () => {
    const { clock, scheduler } = grouped();
    const done = countdown(30);
    for (let i = 0; i < 30; i++) {
      scheduler.run(() => {
        clock.nowMs += 0.001;
        done.tick();
        if (i === 17) throw new Error('boom');
      });
    }
    scheduler.start();
    await done.all;
    await scheduler.stop();
    const stats = scheduler.stats();
    expect([stats.executed, stats.completed, stats.failed]).toEqual([30, 29, 1]);
    expect(stats.runtimeMs).toBeCloseTo(0.03, 9);
  });

  it('a task that cancels itself and registers another in its slot leaves the new task intact', async () => {
    const { scheduler } = grouped();
    const log: string[] = [];
    const done = countdown(1);
    const handle = scheduler.run(() => {
      handle.cancel();
      // Reuses the slot the cancel freed.
      scheduler.run(() => {
        log.push('second');
        done.tick();
      });
      log.push('first');
    });
    scheduler.start();
    await done.all;
    expect(log).toEqual(['first', 'second']);
  });

  it('settles `done` read from inside a grouped run, and async results, through the general path', async () => {
    const { scheduler } = grouped();
    const inner: { promise?: Promise<unknown> } = {};
    const handle = scheduler.run(() => {
      inner.promise = handle.done;
      return 'sync result';
    });
    const asyncHandle = scheduler.run(async () => 'async result');
    const asyncDone = asyncHandle.done;
    scheduler.start();
    expect(await asyncDone).toBe('async result');
    expect(inner.promise).toBeInstanceOf(Promise);
    expect(await inner.promise).toBe('sync result');
  });

  it('keeps grouping while only a taskfail listener is attached, and still reports a failing run with its own runtime', async () => {
    const { clock, scheduler } = grouped();
    const failures: Array<{ id: number; runtimeMs: number | undefined; error: unknown }> = [];
    scheduler.events.addEventListener('taskfail', (event) => failures.push({ id: event.detail.id, runtimeMs: event.detail.runtimeMs, error: event.detail.error }));
    const n = 500;
    const done = countdown(n);
    let failing = 0;
    for (let i = 0; i < n; i++) {
      const handle = scheduler.run(() => {
        clock.nowMs += i === 250 ? 0.5 : 0.0001;
        done.tick();
        if (i === 250) throw new Error('boom');
      });
      if (i === 250) failing = handle.id;
    }
    const readsBefore = clock.reads;
    scheduler.start();
    await done.all;
    await scheduler.stop();
    expect(clock.reads - readsBefore).toBeLessThan(n / 10);
    expect(failures).toHaveLength(1);
    expect(failures[0]?.id).toBe(failing);
    // Timed from its group's start: its own 0.5 ms, plus the group's earlier runs (at most 63 of 0.0001 ms).
    expect(failures[0]?.runtimeMs).toBeGreaterThanOrEqual(0.5);
    expect(failures[0]?.runtimeMs).toBeLessThanOrEqual(0.5 + 63 * 0.0001 + 1e-9);
    expect(String(failures[0]?.error)).toBe('Error: boom');
    expect(scheduler.stats().runtimeMs).toBeCloseTo(0.5 + (n - 1) * 0.0001, 9);
  });

  it('times every run on its own while anyone listens to taskstart or taskfinish', async () => {
    const { clock, scheduler } = grouped();
    const runtimes: number[] = [];
    scheduler.events.addEventListener('taskfinish', (event) => runtimes.push(event.detail.runtimeMs ?? -1));
    const done = countdown(3);
    for (const ms of [0.5, 0.25, 0.125]) {
      scheduler.run(() => {
        clock.nowMs += ms;
        done.tick();
      });
    }
    scheduler.start();
    await done.all;
    expect(runtimes).toEqual([0.5, 0.25, 0.125]);
  });

  it('is off by default with a clock other than the real one, and refuses a non-boolean', () => {
    const clock = new ManualClock();
    const scheduler = new Scheduler({ clock });
    const readsBefore = clock.reads;
    for (let i = 0; i < 3; i++) scheduler.run(() => {});
    expect(clock.reads - readsBefore).toBe(3);
    expect(() => new Scheduler({ groupTiming: 'yes' as unknown as boolean })).toThrow(/options.groupTiming must be a boolean, received/);
  });
});

describe('a run cancelled while it runs', () => {
  for (const groupTiming of [true, false]) {
    for (const options of [{}, { name: 'named' }]) {
      it(`leaves the task that takes its slot intact (groupTiming ${groupTiming}, ${options.name ? 'general path' : 'fast path'})`, async () => {
        const { scheduler } = grouped({ groupTiming });
        const log: string[] = [];
        let second: Promise<unknown> | undefined;
        const firstRan = countdown(1);
        const handle = scheduler.run(() => {
          handle.cancel();
          // Reuses the slot the cancel freed; its extras (retry, done) must survive the first run's end.
          const next = scheduler.run(
            (ctx) => {
              log.push(`second, attempt ${ctx.attempt}`);
              if (ctx.attempt === 1) throw new Error('retry me');
              return 'second done';
            },
            { retry: { attempts: 2, delayMs: 0 } },
          );
          second = next.done;
          log.push('first');
          firstRan.tick();
        }, options);
        scheduler.start();
        await firstRan.all;
        expect(await second).toBe('second done');
        expect(log).toEqual(['first', 'second, attempt 1', 'second, attempt 2']);
      });
    }
  }
});

describe('the current context', () => {
  it('is the running task\'s context during its run on the fast path, and undefined after', async () => {
    const { scheduler } = grouped();
    const seen: boolean[] = [];
    const done = countdown(2);
    for (let i = 0; i < 2; i++) {
      scheduler.run((ctx) => {
        seen.push(scheduler.currentContext() === ctx);
        done.tick();
      });
    }
    expect(scheduler.currentContext()).toBeUndefined();
    scheduler.start();
    await done.all;
    expect(seen).toEqual([true, true]);
    expect(scheduler.currentContext()).toBeUndefined();
  });
});
