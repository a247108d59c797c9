// Watching the wall clock against the monotonic clock: did the wall clock jump,
// and did the process stop running for a while (system sleep, SIGSTOP, a
// throttled tab)? A building block for recovery, not yet wired in.
//
// How. The monotonic clock (Clock.now) only moves forward at a steady rate;
// the wall clock (Clock.wallNow) can be stepped by NTP or a user. So wall -
// monotonic is constant while nothing happens. Each check compares it with
// the previous check's: a change beyond jumpToleranceMs is a jump, forward or
// back, by that change. Slow slewing (NTP adjusts at <= 0.5 ms/s) stays under
// the tolerance, because each check compares with the previous one only.
// Separately, a check that comes much later than it was due means the process
// did not run meanwhile: a wake. How late is measured from the later of the
// due time and the previous check, so one sleep is reported once even when
// several timers come due in it.
//
// What each host shows. A machine that sleeps with the monotonic clock stopped
// (Linux CLOCK_MONOTONIC, macOS) shows a jump forward by the time asleep, and
// no wake; one whose monotonic clock keeps counting (Windows, some browsers),
// and a process that alone was stopped, shows a wake. Recovery should treat a
// jump forward and a wake alike: slots came due meanwhile.
//
// Use. `new ClockWatch(clock, onEvent, options).start()` checks every
// checkIntervalMs through clock.setTimer (it arms nothing else); the scheduler
// should also call `check(dueMs)` when its own timer fires, passing the
// monotonic time that timer was due, so that a jump is seen as soon as the
// scheduler wakes. How a durable scheduler handles them: a jump forward or a
// wake re-plans each waiting task from the new wall time, so the slots that
// came due go through its missed-run policy; a jump back re-arms each wake-up
// from the new wall time, and no slot at or below the persisted high-water
// mark runs again. (The durable scheduler relies on the periodic check; it
// does not call check(dueMs) from its own timer.) ClockJumpDetector is the pure part: feed it readings, get events.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { requirePositiveMs, requireTimeMs } from '../../bindings/validate.js';
import type { Clock, TimerId } from './clock.js';

/** The wall clock moved against the monotonic clock by more than the tolerance. */
export interface ClockJump {
  readonly type: 'clock-jump';
  readonly direction: 'forward' | 'back';
  /** How far the wall clock moved, in ms: positive forward, negative back. */
  readonly jumpMs: number;
  /** The wall time the previous check's reading predicts for now (ms since the epoch). */
  readonly expectedWallMs: number;
  /** The wall time read now (ms since the epoch). */
  readonly wallMs: number;
  /** The monotonic time of this check. */
  readonly monotonicMs: number;
}

/** A check came much later than it was due: the process did not run for about `lateMs`. */
export interface ClockWake {
  readonly type: 'wake';
  /** How much later than due (or than the previous check) this check came: about how long the process was stopped. */
  readonly lateMs: number;
  /** Monotonic ms since the previous check. */
  readonly sinceLastCheckMs: number;
  /** The wall time read now (ms since the epoch). */
  readonly wallMs: number;
  /** The monotonic time of this check. */
  readonly monotonicMs: number;
}

export type ClockWatchEvent = ClockJump | ClockWake;

export interface ClockJumpDetectorOptions {
  /**
   * A change of wall - monotonic between two checks larger than this is a jump.
   * It must exceed the noise of reading the two clocks one after the other.
   * @default 1_000
   * @example { jumpToleranceMs: 250 }
   */
  jumpToleranceMs?: number;
  /**
   * A check later than its due time by more than this is a wake. Event-loop
   * stalls and background-tab throttling (a timer a minute) also make checks
   * late; they too mean the process did not run.
   * @default 5_000
   * @example { wakeToleranceMs: 30_000 } // ignore browser throttling
   */
  wakeToleranceMs?: number;
}

export interface ClockWatchOptions extends ClockJumpDetectorOptions {
  /**
   * How often the watch checks by itself, in monotonic ms.
   * @default 5_000
   * @example { checkIntervalMs: 60_000 }
   */
  checkIntervalMs?: number;
}

const DETECTOR_KEYS = ['jumpToleranceMs', 'wakeToleranceMs'];
const WATCH_KEYS = ['checkIntervalMs', ...DETECTOR_KEYS];

/**
 * The pure part: fed (monotonic, wall) readings, it reports jumps and wakes.
 * The first reading only sets the baseline.
 */
export class ClockJumpDetector {
  readonly jumpToleranceMs: number;
  readonly wakeToleranceMs: number;
  #lastMonotonicMs: number | undefined;
  /** wall - monotonic at the previous reading. */
  #lastOffsetMs = 0;

  constructor(options: ClockJumpDetectorOptions = {}) {
    const given = requireOptions('ClockJumpDetector options', options, DETECTOR_KEYS);
    this.jumpToleranceMs = requireTimeMs('jumpToleranceMs', given.jumpToleranceMs ?? 1_000);
    this.wakeToleranceMs = requireTimeMs('wakeToleranceMs', given.wakeToleranceMs ?? 5_000);
  }

  /**
   * One reading of both clocks. `dueMonotonicMs`, if given, is when this check
   * was due (a timer's due time); without it no wake can be seen.
   */
  observe(monotonicMs: number, wallMs: number, dueMonotonicMs?: number): readonly ClockWatchEvent[] {
    requireFinite('monotonicMs', monotonicMs);
    requireFinite('wallMs', wallMs);
    if (dueMonotonicMs !== undefined) requireFinite('dueMonotonicMs', dueMonotonicMs);
    const lastMonotonicMs = this.#lastMonotonicMs;
    if (lastMonotonicMs !== undefined && monotonicMs < lastMonotonicMs) {
      throw new InvalidArgumentError(
        `monotonicMs went back from ${lastMonotonicMs} to ${monotonicMs}: a monotonic clock never decreases (read it from Clock.now)`,
      );
    }
    const offsetMs = wallMs - monotonicMs;
    const lastOffsetMs = this.#lastOffsetMs;
    this.#lastMonotonicMs = monotonicMs;
    this.#lastOffsetMs = offsetMs;
    if (lastMonotonicMs === undefined) return NO_EVENTS;
    const events: ClockWatchEvent[] = [];
    if (dueMonotonicMs !== undefined) {
      const lateMs = monotonicMs - Math.max(dueMonotonicMs, lastMonotonicMs);
      if (lateMs > this.wakeToleranceMs) {
        events.push(Object.freeze({ type: 'wake', lateMs, sinceLastCheckMs: monotonicMs - lastMonotonicMs, wallMs, monotonicMs }));
      }
    }
    const jumpMs = offsetMs - lastOffsetMs;
    if (Math.abs(jumpMs) > this.jumpToleranceMs) {
      const direction = jumpMs > 0 ? 'forward' : 'back';
      events.push(Object.freeze({ type: 'clock-jump', direction, jumpMs, expectedWallMs: wallMs - jumpMs, wallMs, monotonicMs }));
    }
    return events.length === 0 ? NO_EVENTS : Object.freeze(events);
  }
}

const NO_EVENTS: readonly ClockWatchEvent[] = Object.freeze([]);

/**
 * A ClockJumpDetector on a Clock: checks every checkIntervalMs through the
 * clock's timers once started, and whenever check() is called, and hands each
 * event to `onEvent`. An error thrown by onEvent propagates to whoever called
 * check(), or to the clock's timer callback; the periodic check stays armed.
 */
export class ClockWatch {
  readonly checkIntervalMs: number;
  readonly #clock: Clock;
  readonly #onEvent: (event: ClockWatchEvent) => void;
  readonly #detector: ClockJumpDetector;
  #timer: TimerId | undefined;
  #timerDueMs = 0;

  constructor(clock: Clock, onEvent: (event: ClockWatchEvent) => void, options: ClockWatchOptions = {}) {
    requireClock(clock);
    if (typeof onEvent !== 'function') {
      throw new InvalidArgumentError(`onEvent must be a function, received ${describeValue(onEvent)}`);
    }
    const given = requireOptions('ClockWatch options', options, WATCH_KEYS);
    this.checkIntervalMs = requirePositiveMs('checkIntervalMs', given.checkIntervalMs ?? 5_000);
    const detectorOptions: ClockJumpDetectorOptions = {};
    if (given.jumpToleranceMs !== undefined) detectorOptions.jumpToleranceMs = given.jumpToleranceMs as number;
    if (given.wakeToleranceMs !== undefined) detectorOptions.wakeToleranceMs = given.wakeToleranceMs as number;
    this.#detector = new ClockJumpDetector(detectorOptions);
    this.#clock = clock;
    this.#onEvent = onEvent;
  }

  /** Whether the periodic check is armed. */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Takes a reading and arms the periodic check; does nothing if already running. */
  start(): this {
    if (this.#timer === undefined) {
      // Time spent stopped is not a sleep: this reading is not late for anything.
      this.check();
      this.#arm();
    }
    return this;
  }

  /** Disarms the periodic check. check() still works. */
  stop(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Reads both clocks now and reports what changed since the last reading.
   * `dueMs` (monotonic) is when the caller's timer that led to this check was
   * due; give it to have a late wake-up reported as a wake.
   */
  check(dueMs?: number): readonly ClockWatchEvent[] {
    const events = this.#detector.observe(this.#clock.now(), this.#clock.wallNow(), dueMs);
    for (const event of events) this.#onEvent(event);
    return events;
  }

  #arm(): void {
    this.#timerDueMs = this.#clock.now() + this.checkIntervalMs;
    this.#timer = this.#clock.setTimer(() => this.#periodicCheck(), this.checkIntervalMs);
  }

  #periodicCheck(): void {
    const dueMs = this.#timerDueMs;
    // Re-armed first, so that a throwing onEvent does not end the watch.
    this.#arm();
    this.check(dueMs);
  }
}

function requireOptions(name: string, value: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`${name} must be an object, received ${describeValue(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`${name}: ${key} is not an option (known: ${known.join(', ')})`);
  }
  return value as Record<string, unknown>;
}

function requireFinite(name: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`${name} must be a finite number of ms, received ${describeValue(value)}`);
  }
}

function requireClock(clock: unknown): asserts clock is Clock {
  const methods = ['now', 'wallNow', 'setTimer', 'clearTimer'];
  const missing =
    typeof clock === 'object' && clock !== null
      ? methods.filter((method) => typeof (clock as Record<string, unknown>)[method] !== 'function')
      : methods;
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `clock must be a Clock (with ${methods.join(', ')}), received ${describeValue(clock)}${typeof clock === 'object' && clock !== null ? ` without ${missing.join(', ')}` : ''}`,
    );
  }
}
