// The VirtualClock orders timers as real timers fire, runs macrotasks between
// them as Node's loop does, lets promise continuations settle between
// callbacks, and moves time only when told. No real sleeps here.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, InvalidStateError, TimesliceError } from '../../src/errors.js';
import { VirtualClock, VirtualClockNotIdleError } from '../../src/testing/index.js';

/** A clock and a log of `label@now` entries. */
function setup(options?: ConstructorParameters<typeof VirtualClock>[0]) {
  const clock = new VirtualClock(options);
  const log: string[] = [];
  const record = (label: string) => () => log.push(`${label}@${clock.now()}`);
  return { clock, log, record };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('VirtualClock timers', () => {
  it('runs timers by due time, and timers with equal due times in the order they were set', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('c'), 20);
    clock.setTimer(record('a1'), 10);
    clock.setTimer(record('b'), 15);
    clock.setTimer(record('a2'), 10);
    clock.setTimer(record('a3'), 10);
    await clock.advance(20);
    expect(log).toEqual(['a1@10', 'a2@10', 'a3@10', 'b@15', 'c@20']);
    expect(clock.now()).toBe(20);
  });

  it('never runs a timer before its due time, and stops at the target', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('late'), 30);
    await clock.advance(29.5);
    expect(log).toEqual([]);
    expect(clock.now()).toBe(29.5);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerDueMs).toBe(30);
    await clock.advance(0.5);
    expect(log).toEqual(['late@30']);
    expect(clock.pendingTimers).toBe(0);
    expect(clock.nextTimerDueMs).toBeUndefined();
  });

  it('runs a timer set by a callback when it falls due within the same advance, and keeps later ones pending', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(() => {
      record('outer')();
      clock.setTimer(record('inner+5'), 5);
      clock.setTimer(record('inner+0'), 0);
      clock.setTimer(record('inner+50'), 50);
    }, 10);
    await clock.advance(20);
    expect(log).toEqual(['outer@10', 'inner+0@10', 'inner+5@15']);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(40);
    expect(log.at(-1)).toBe('inner+50@60');
  });

  it('does not run a cleared timer, and ignores clearing a timer that has fired or was cleared', async () => {
    const { clock, log, record } = setup();
    const fired = clock.setTimer(record('fired'), 5);
    const cleared = clock.setTimer(record('cleared'), 10);
    clock.setTimer(record('kept'), 10);
    clock.clearTimer(cleared);
    expect(clock.pendingTimers).toBe(2);
    await clock.advance(10);
    expect(log).toEqual(['fired@5', 'kept@10']);
    expect(() => clock.clearTimer(fired)).not.toThrow();
    expect(() => clock.clearTimer(cleared)).not.toThrow();
  });

  it('lets a callback clear a timer due at the same instant before it runs', async () => {
    const { clock, log, record } = setup();
    let second: ReturnType<VirtualClock['setTimer']> | undefined;
    clock.setTimer(() => {
      record('first')();
      clock.clearTimer(second!);
    }, 10);
    second = clock.setTimer(record('second'), 10);
    await clock.advance(10);
    expect(log).toEqual(['first@10']);
  });

  it('runs timers already due at an instant before a 0 ms timer set later at that instant', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(() => {
      throw new Error('stop at 10');
    }, 10);
    clock.setTimer(record('due at 10, set first'), 10);
    await expect(clock.advance(10)).rejects.toThrow('stop at 10');
    expect(clock.nextTimerDueMs).toBe(10);
    clock.setTimer(record('0 ms, set at 10'), 0);
    await clock.advance(0);
    expect(log).toEqual(['due at 10, set first@10', '0 ms, set at 10@10']);
  });

  it('treats a delay too small to move a large now() as due now, in the order set', async () => {
    const { clock, log, record } = setup({ startMs: 2 ** 60 });
    clock.setTimer(record('absorbed 1 ms'), 1);
    clock.setTimer(record('0 ms'), 0);
    expect(clock.nextTimerDueMs).toBe(2 ** 60);
    await clock.flush();
    expect(log).toEqual([`absorbed 1 ms@${2 ** 60}`, `0 ms@${2 ** 60}`]);
  });
});

describe('VirtualClock microtasks', () => {
  it('lets an async function awaiting two promises inside a timer finish before the next timer fires', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(() => {
      void (async () => {
        record('body start')();
        await Promise.resolve();
        record('after first await')();
        await new Promise<void>((resolve) => queueMicrotask(resolve));
        record('body end')();
      })();
    }, 10);
    clock.setTimer(record('next timer'), 10);
    await clock.advance(10);
    expect(log).toEqual(['body start@10', 'after first await@10', 'body end@10', 'next timer@10']);
  });

  it('settles a long promise chain between callbacks, not a fixed number of ticks', async () => {
    const { clock, log, record } = setup();
    clock.yieldToHost(() => {
      void (async () => {
        for (let i = 0; i < 1000; i++) await Promise.resolve();
        record('chain done')();
      })();
    });
    clock.yieldToHost(record('next macrotask'));
    await clock.flush();
    expect(log).toEqual(['chain done@0', 'next macrotask@0']);
  });

  it('runs microtasks queued before advance was called, before any timer', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('timer'), 0);
    void Promise.resolve().then(record('microtask'));
    await clock.advance(0);
    expect(log).toEqual(['microtask@0', 'timer@0']);
  });

  it('keeps settling microtasks when a test has faked the host timers', async () => {
    vi.useFakeTimers();
    const { clock, log, record } = setup();
    clock.setTimer(() => {
      void Promise.resolve().then(record('continuation'));
    }, 5);
    clock.setTimer(record('next timer'), 5);
    await clock.advance(5);
    expect(log).toEqual(['continuation@5', 'next timer@5']);
  });
});

describe('VirtualClock macrotasks', () => {
  it('runs yieldToHost callbacks in FIFO order without moving time', async () => {
    const { clock, log, record } = setup({ startMs: 100 });
    clock.yieldToHost(record('y1'));
    clock.yieldToHost(() => {
      record('y2')();
      clock.yieldToHost(record('y4 (queued by y2)'));
    });
    clock.yieldToHost(record('y3'));
    expect(clock.pendingMacrotasks).toBe(3);
    await clock.flush();
    expect(log).toEqual(['y1@100', 'y2@100', 'y3@100', 'y4 (queued by y2)@100']);
    expect(clock.now()).toBe(100);
    expect(clock.pendingMacrotasks).toBe(0);
  });

  it('interleaves timers and macrotasks at one instant as Node does: due timers, then queued macrotasks, in rounds', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(() => {
      record('timer A')();
      clock.yieldToHost(record('yield from A'));
      clock.setTimer(record('0 ms timer from A'), 0);
    }, 10);
    clock.setTimer(record('timer B'), 10);
    await clock.advance(10);
    expect(log).toEqual(['timer A@10', 'timer B@10', 'yield from A@10', '0 ms timer from A@10']);
  });

  it('runs pending macrotasks before time moves to the next timer', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('timer'), 1);
    clock.yieldToHost(() => {
      record('slice 1')();
      clock.yieldToHost(record('slice 2'));
    });
    await clock.advance(5);
    expect(log).toEqual(['slice 1@0', 'slice 2@0', 'timer@1']);
    expect(clock.now()).toBe(5);
  });

  it('rejects advance when callbacks keep yielding without letting time move', async () => {
    const { clock } = setup({ maxStepsPerInstant: 50 });
    const spin = () => clock.yieldToHost(spin);
    spin();
    const error = await clock.advance(10).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(VirtualClockNotIdleError);
    expect((error as Error).message).toMatch(/advance: 50 callbacks ran at 0 ms without time moving/);
  });
});

describe('VirtualClock runUntilIdle', () => {
  it('jumps time to each next timer and stops when nothing is left', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(() => {
      record('first')();
      clock.setTimer(record('chained'), 1000);
      clock.yieldToHost(record('yield'));
    }, 250);
    clock.setTimer(record('far'), 86_400_000);
    await clock.runUntilIdle();
    expect(log).toEqual(['first@250', 'yield@250', 'chained@1250', 'far@86400000']);
    expect(clock.pendingTimers).toBe(0);
    expect(clock.pendingMacrotasks).toBe(0);
  });

  it('rejects with VirtualClockNotIdleError when a timer re-arms itself forever', async () => {
    const { clock } = setup();
    let runs = 0;
    const tick = () => {
      runs++;
      clock.setTimer(tick, 10);
    };
    clock.setTimer(tick, 10);
    const error = await clock.runUntilIdle({ maxSteps: 100 }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(VirtualClockNotIdleError);
    expect(error).toBeInstanceOf(TimesliceError);
    expect(VirtualClockNotIdleError.is(error)).toBe(true);
    expect((error as VirtualClockNotIdleError).code).toBe('ERR_VIRTUAL_CLOCK_NOT_IDLE');
    expect((error as Error).name).toBe('VirtualClockNotIdleError');
    expect((error as Error).message).toMatch(/maxSteps = 100 callbacks, at 1010 ms with 1 timers and 0 macrotasks pending/);
    expect(runs).toBe(100);
    expect(clock.now()).toBe(1010);
    expect(clock.pendingTimers).toBe(1);
  });

  it('recognizes the error by its code after it has been cloned, as from a worker', async () => {
    const { clock } = setup();
    const tick = () => void clock.setTimer(tick, 1);
    tick();
    const error = await clock.runUntilIdle({ maxSteps: 3 }).catch((err: unknown) => err);
    const clone = { ...(error as object), code: (error as VirtualClockNotIdleError).code };
    expect(clone).not.toBeInstanceOf(VirtualClockNotIdleError);
    expect(VirtualClockNotIdleError.is(clone)).toBe(true);
    expect(VirtualClockNotIdleError.is(new InvalidArgumentError('x'))).toBe(false);
  });
});

describe('VirtualClock wall clock', () => {
  it('starts the wall clock at wallStartMs and moves it with now()', async () => {
    const { clock } = setup({ startMs: 500, wallStartMs: Date.UTC(2030, 5, 1) });
    expect(clock.now()).toBe(500);
    expect(clock.wallNow()).toBe(Date.UTC(2030, 5, 1));
    await clock.advance(1500);
    expect(clock.wallNow()).toBe(Date.UTC(2030, 5, 1) + 1500);
  });

  it('defaults to now() = 0 at 2026-01-01T00:00:00Z', () => {
    const clock = new VirtualClock();
    expect(clock.now()).toBe(0);
    expect(new Date(clock.wallNow()).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('jumpWall moves only the wall clock, forwards and back, and fires nothing', async () => {
    const { clock, log, record } = setup();
    clock.setTimer(record('timer'), 100);
    clock.jumpWall(3_600_000);
    expect(clock.now()).toBe(0);
    expect(clock.wallNow()).toBe(Date.UTC(2026, 0, 1, 1));
    clock.jumpWall(-7_200_000);
    expect(clock.wallNow()).toBe(Date.UTC(2025, 11, 31, 23));
    await clock.flush();
    expect(log).toEqual([]);
    await clock.advance(100);
    expect(log).toEqual(['timer@100']);
    expect(clock.wallNow()).toBe(Date.UTC(2025, 11, 31, 23) + 100);
  });
});

describe('VirtualClock argument checks', () => {
  const clock = new VirtualClock();
  const noop = () => {};

  it.each([
    ['a negative delay', () => clock.setTimer(noop, -1), /delayMs must be a finite number of ms >= 0, received -1 \(number\)/],
    ['a NaN delay', () => clock.setTimer(noop, Number.NaN), /delayMs .* received NaN \(number\)/],
    ['an infinite delay', () => clock.setTimer(noop, Number.POSITIVE_INFINITY), /delayMs .* received Infinity \(number\)/],
    ['a string delay', () => clock.setTimer(noop, '5' as never), /delayMs .* received '5' \(string\)/],
    ['a timer that is not a function', () => clock.setTimer('run' as never, 5), /setTimer: fn must be a function, received 'run' \(string\)/],
    ['a yield that is not a function', () => clock.yieldToHost(null as never), /yieldToHost: fn must be a function, received null/],
    ['an id this clock never handed out', () => clock.clearTimer({}), /clearTimer: id must be a timer id returned by this clock's setTimer, received a value of type object/],
    ['an id from another clock', () => clock.clearTimer(new VirtualClock().setTimer(noop, 1)), /clearTimer: id must be a timer id/],
    ['a NaN wall jump', () => clock.jumpWall(Number.NaN), /jumpWall\(ms\) must be a finite number of ms \(negative to go back\), received NaN \(number\)/],
    ['a negative startMs', () => new VirtualClock({ startMs: -5 }), /startMs must be a finite number of ms >= 0, received -5 \(number\)/],
    ['an infinite wallStartMs', () => new VirtualClock({ wallStartMs: Number.POSITIVE_INFINITY }), /wallStartMs must be a finite number of ms since the epoch, received Infinity/],
    ['a fractional maxStepsPerInstant', () => new VirtualClock({ maxStepsPerInstant: 1.5 }), /maxStepsPerInstant must be an integer >= 1, received 1.5 \(number\)/],
    ['options that are not an object', () => new VirtualClock(7 as never), /VirtualClock options must be an object, received 7 \(number\)/],
  ])('throws InvalidArgumentError for %s', (_label, call, message) => {
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(message);
  });

  it.each([
    ['a negative advance', () => clock.advance(-1), /advance\(ms\) must be a finite number of ms >= 0, received -1 \(number\)/],
    ['a NaN advance', () => clock.advance(Number.NaN), /advance\(ms\) .* received NaN/],
    ['a NaN runFor', () => clock.runFor(Number.NaN), /advance\(ms\) .* received NaN/],
    ['a zero maxSteps', () => clock.runUntilIdle({ maxSteps: 0 }), /maxSteps must be an integer >= 1, received 0 \(number\)/],
    ['runUntilIdle options that are not an object', () => clock.runUntilIdle(null as never), /runUntilIdle options must be an object, received null/],
  ])('rejects, never throws, with InvalidArgumentError for %s', async (_label, call, message) => {
    let promise: Promise<void> | undefined;
    expect(() => {
      promise = call();
    }).not.toThrow();
    await expect(promise).rejects.toThrow(InvalidArgumentError);
    await expect(call()).rejects.toThrow(message);
  });

  it('rejects a second advance while the first is still running', async () => {
    const busy = new VirtualClock();
    busy.setTimer(noop, 10);
    const first = busy.advance(10);
    await expect(busy.advance(1)).rejects.toThrow(InvalidStateError);
    await expect(busy.runUntilIdle()).rejects.toThrow(/runUntilIdle: advance\(\) is still running on this VirtualClock; await it first/);
    await first;
    expect(busy.now()).toBe(10);
  });

  it('rejects advance with the error a callback threw, at that instant, leaving later timers pending', async () => {
    const { clock: failing, log, record } = setup();
    failing.setTimer(() => {
      throw new Error('task failed');
    }, 5);
    failing.setTimer(record('later'), 8);
    await expect(failing.advance(10)).rejects.toThrow('task failed');
    expect(failing.now()).toBe(5);
    expect(failing.pendingTimers).toBe(1);
    await failing.advance(5);
    expect(log).toEqual(['later@8']);
  });
});
