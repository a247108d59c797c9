// ClockJumpDetector (pure) and ClockWatch (on a Clock): wall-clock jumps and
// wakes from sleep, on the VirtualClock. jumpWall() steps the wall clock alone
// (NTP, a user, or a sleep that stops the monotonic clock); suspend() moves
// both clocks while nothing runs (a stopped process, a sleep that keeps the
// monotonic clock counting).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClockJumpDetector, ClockWatch, type ClockWatchEvent, type ClockWatchOptions } from '../../src/time/clock-watch.js';
import type { Clock } from '../../src/time/clock.js';
import { TimesliceError } from '../../src/errors.js';
import { VirtualClock } from '../../src/testing/index.js';

const WALL_START_MS = Date.UTC(2026, 0, 1);

describe('ClockJumpDetector', () => {
  it('reports nothing for the first reading, nor while both clocks move together', () => {
    const detector = new ClockJumpDetector();
    expect(detector.observe(0, WALL_START_MS)).toEqual([]);
    for (let i = 1; i <= 10; i++) expect(detector.observe(i * 1000, WALL_START_MS + i * 1000, i * 1000)).toEqual([]);
  });

  it('reports a wall jump forward and one back, with their sizes', () => {
    const detector = new ClockJumpDetector();
    detector.observe(1000, WALL_START_MS);
    expect(detector.observe(2000, WALL_START_MS + 1000 + 60_000)).toEqual([
      { type: 'clock-jump', direction: 'forward', jumpMs: 60_000, expectedWallMs: WALL_START_MS + 1000, wallMs: WALL_START_MS + 61_000, monotonicMs: 2000 },
    ]);
    expect(detector.observe(3000, WALL_START_MS + 2000 + 60_000 - 30_000)).toEqual([
      { type: 'clock-jump', direction: 'back', jumpMs: -30_000, expectedWallMs: WALL_START_MS + 62_000, wallMs: WALL_START_MS + 32_000, monotonicMs: 3000 },
    ]);
  });

  it('ignores a change up to the tolerance, and reports one just over it', () => {
    const detector = new ClockJumpDetector({ jumpToleranceMs: 1000 });
    detector.observe(0, WALL_START_MS);
    expect(detector.observe(1000, WALL_START_MS + 1000 + 1000)).toEqual([]);
    expect(detector.observe(2000, WALL_START_MS + 2000 + 1000 - 1000)).toEqual([]);
    expect(detector.observe(3000, WALL_START_MS + 3000 - 1001)).toMatchObject([{ direction: 'back', jumpMs: -1001 }]);
  });

  it('does not add up slow slewing: each check compares with the previous one', () => {
    const detector = new ClockJumpDetector({ jumpToleranceMs: 100 });
    detector.observe(0, WALL_START_MS);
    // The wall runs 5% fast: 50 ms per 1000 ms, 5 s over 100 checks.
    for (let i = 1; i <= 100; i++) expect(detector.observe(i * 1000, WALL_START_MS + i * 1050)).toEqual([]);
  });

  it('reports a wake when a check comes later than due by more than the tolerance', () => {
    const detector = new ClockJumpDetector({ wakeToleranceMs: 5000 });
    detector.observe(1000, WALL_START_MS + 1000);
    expect(detector.observe(11_000, WALL_START_MS + 11_000, 6000)).toEqual([]);
    expect(detector.observe(77_000, WALL_START_MS + 77_000, 16_000)).toEqual([
      { type: 'wake', lateMs: 61_000, sinceLastCheckMs: 66_000, wallMs: WALL_START_MS + 77_000, monotonicMs: 77_000 },
    ]);
  });

  it('reports one sleep once, even when several checks were due in it', () => {
    const detector = new ClockJumpDetector();
    detector.observe(1000, WALL_START_MS);
    expect(detector.observe(61_000, WALL_START_MS + 60_000, 6000)).toMatchObject([{ type: 'wake', lateMs: 55_000 }]);
    // Another timer due during the sleep fires right after: late from the previous check, not from its due time.
    expect(detector.observe(61_001, WALL_START_MS + 60_001, 11_000)).toEqual([]);
  });

  it('sees no wake without a due time', () => {
    const detector = new ClockJumpDetector();
    detector.observe(0, WALL_START_MS);
    expect(detector.observe(3_600_000, WALL_START_MS + 3_600_000)).toEqual([]);
  });

  it('reports a wake and a jump from one check, wake first', () => {
    const detector = new ClockJumpDetector();
    detector.observe(0, WALL_START_MS);
    expect(detector.observe(20_000, WALL_START_MS + 20_000 + 7000, 5000).map((event) => event.type)).toEqual(['wake', 'clock-jump']);
  });

  it('returns frozen events', () => {
    const detector = new ClockJumpDetector();
    detector.observe(0, WALL_START_MS);
    const events = detector.observe(1000, WALL_START_MS + 9000);
    expect(Object.isFrozen(events)).toBe(true);
    expect(Object.isFrozen(events[0])).toBe(true);
  });
});

/** A watch on a VirtualClock at monotonic 1000 and WALL_START_MS, its events as `type@now:size`. */
function watched(options: ClockWatchOptions = {}) {
  const clock = new VirtualClock({ startMs: 1000, wallStartMs: WALL_START_MS });
  const log: string[] = [];
  const onEvent = (event: ClockWatchEvent) =>
    log.push(event.type === 'wake' ? `wake@${clock.now()}:${event.lateMs}` : `${event.direction}@${clock.now()}:${event.jumpMs}`);
  const watch = new ClockWatch(clock, onEvent, options);
  return { clock, log, watch };
}

describe('ClockWatch on the VirtualClock', () => {
  it('checks every checkIntervalMs and reports wall jumps at the next check', async () => {
    const { clock, log, watch } = watched({ checkIntervalMs: 5000 });
    watch.start();
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(7000);
    clock.jumpWall(60_000);
    await clock.advance(3000); // the check at 11000
    clock.jumpWall(-30_000);
    clock.jumpWall(500); // -29.5 s in all by the next check
    await clock.advance(5000);
    clock.jumpWall(999); // within the 1 s tolerance
    await clock.advance(20_000);
    expect(log).toEqual(['forward@11000:60000', 'back@16000:-29500']);
  });

  it('reports a sleep that stopped the monotonic clock as a jump forward, not a wake', async () => {
    const { clock, log, watch } = watched({ checkIntervalMs: 5000 });
    watch.start();
    await clock.advance(2000);
    clock.jumpWall(3_600_000);
    await clock.advance(3000);
    expect(log).toEqual(['forward@6000:3600000']);
  });

  it('reports a suspended process as a wake at its first check, with how late it was', async () => {
    const { clock, log, watch } = watched({ checkIntervalMs: 5000 });
    watch.start();
    await clock.advance(2000);
    clock.suspend(60_000);
    await clock.flush();
    // Due at 6000, checked at 63000.
    expect(log).toEqual(['wake@63000:57000']);
    await clock.advance(5000);
    expect(log).toEqual(['wake@63000:57000']);
  });

  it('ignores a check late by no more than wakeToleranceMs', async () => {
    const { clock, log, watch } = watched({ checkIntervalMs: 5000, wakeToleranceMs: 10_000 });
    watch.start();
    clock.suspend(15_000); // due at 6000, checked at 16000: 10 s late
    await clock.advance(20_000);
    expect(log).toEqual([]);
  });

  it('takes checks from the scheduler\'s timer, reporting a sleep once', async () => {
    const { clock, log, watch } = watched({ checkIntervalMs: 5000 });
    watch.start();
    // The scheduler's timer, due at 3000, fires at 40000 after a stop.
    clock.suspend(39_000);
    expect(watch.check(3000).map((event) => event.type)).toEqual(['wake']);
    await clock.flush(); // the watch's own check, due at 6000, finds nothing new
    expect(log).toEqual(['wake@40000:37000']);
    clock.jumpWall(-10_000);
    expect(watch.check()).toMatchObject([{ type: 'clock-jump', direction: 'back', jumpMs: -10_000 }]);
  });

  it('stops checking on stop(), and reports on start() what changed meanwhile', async () => {
    const { clock, log, watch } = watched({ checkIntervalMs: 5000 });
    watch.start().start();
    expect(clock.pendingTimers).toBe(1);
    watch.stop();
    expect(watch.running).toBe(false);
    expect(clock.pendingTimers).toBe(0);
    clock.jumpWall(120_000);
    await clock.advance(60_000);
    expect(log).toEqual([]);
    watch.start();
    expect(watch.running).toBe(true);
    expect(log).toEqual(['forward@61000:120000']);
  });

  it('stays armed when onEvent throws, and the error reaches the timer', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const seen: number[] = [];
    const watch = new ClockWatch(clock, (event) => {
      seen.push(clock.now());
      if (seen.length === 1) throw new Error(`listener failed on ${event.type}`);
    }, { checkIntervalMs: 1000 });
    watch.start();
    clock.jumpWall(5000);
    await expect(clock.advance(1000)).rejects.toThrow('listener failed on clock-jump');
    expect(clock.pendingTimers).toBe(1);
    clock.jumpWall(5000);
    await clock.advance(1000);
    expect(seen).toEqual([1000, 2000]);
  });
});

describe('ClockWatch and host timers', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('arms timers only through its Clock', () => {
    vi.useFakeTimers();
    const armed: number[] = [];
    let nowMs = 0;
    const clock: Clock = {
      now: () => nowMs,
      wallNow: () => WALL_START_MS + nowMs,
      setTimer: (_fn, delayMs) => armed.push(delayMs),
      clearTimer: () => {},
      yieldToHost: () => {},
    };
    const watch = new ClockWatch(clock, () => {}, { checkIntervalMs: 2500 }).start();
    nowMs = 10;
    watch.check();
    expect(armed).toEqual([2500]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

type BadCase = [label: string, make: () => unknown, message: RegExp];
const clock = new VirtualClock();
const noop = () => {};

const badArguments: BadCase[] = [
  ['a null clock', () => new ClockWatch(null as never, noop), /^clock must be a Clock \(with now, wallNow, setTimer, clearTimer\), received null$/],
  ['a clock without timers', () => new ClockWatch({ now: () => 0, wallNow: () => 0 } as never, noop), /^clock must be a Clock .* received a value of type object without setTimer, clearTimer$/],
  ['a listener that is not a function', () => new ClockWatch(clock, 'log' as never), /^onEvent must be a function, received 'log' \(string\)$/],
  ['null options', () => new ClockWatch(clock, noop, null as never), /^ClockWatch options must be an object, received null$/],
  ['an unknown option', () => new ClockWatch(clock, noop, { intervalMs: 5 } as never), /^ClockWatch options: intervalMs is not an option \(known: checkIntervalMs, jumpToleranceMs, wakeToleranceMs\)$/],
  ['a zero interval', () => new ClockWatch(clock, noop, { checkIntervalMs: 0 }), /^checkIntervalMs must be a finite number of ms > 0, received 0 \(number\)$/],
  ['a NaN interval', () => new ClockWatch(clock, noop, { checkIntervalMs: Number.NaN }), /^checkIntervalMs .* received NaN \(number\)$/],
  ['an interval as a string', () => new ClockWatch(clock, noop, { checkIntervalMs: '5s' as never }), /^checkIntervalMs .* received '5s' \(string\)$/],
  ['a negative jump tolerance', () => new ClockWatch(clock, noop, { jumpToleranceMs: -1 }), /^jumpToleranceMs must be a finite number of ms >= 0, received -1 \(number\)$/],
  ['an infinite wake tolerance', () => new ClockJumpDetector({ wakeToleranceMs: Number.POSITIVE_INFINITY }), /^wakeToleranceMs .* received Infinity \(number\)$/],
  ['an array for the detector options', () => new ClockJumpDetector([] as never), /^ClockJumpDetector options must be an object, received a value of type array$/],
  ['a check interval for the detector', () => new ClockJumpDetector({ checkIntervalMs: 5 } as never), /^ClockJumpDetector options: checkIntervalMs is not an option/],
  ['a NaN monotonic reading', () => new ClockJumpDetector().observe(Number.NaN, 0), /^monotonicMs must be a finite number of ms, received NaN \(number\)$/],
  ['a wall reading as a Date', () => new ClockJumpDetector().observe(0, new Date() as never), /^wallMs must be a finite number of ms, received a value of type object$/],
  ['a due time as a string', () => new ClockWatch(clock, noop).check('1000' as never), /^dueMonotonicMs must be a finite number of ms, received '1000' \(string\)$/],
  ['a monotonic reading that goes back', () => {
    const detector = new ClockJumpDetector();
    detector.observe(1000, 0);
    return detector.observe(999, 0);
  }, /^monotonicMs went back from 1000 to 999: a monotonic clock never decreases/],
];

describe('ClockWatch validation', () => {
  it.each(badArguments)('refuses %s with InvalidArgumentError', (_label, make, message) => {
    let caught: unknown;
    try {
      make();
    } catch (err) {
      caught = err;
    }
    expect(caught, 'the call must throw').toBeInstanceOf(TimesliceError);
    expect((caught as TimesliceError).code).toBe('ERR_INVALID_ARGUMENT');
    expect((caught as Error).message).toMatch(message);
  });
});
