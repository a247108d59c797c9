// The Clock of production: performance.now() for the core's time axis,
// Date.now() for the wall, host timers and host macrotasks.
//
// What must be cheap: a timer that fires. A scheduler keeps one clock timer
// armed for its earliest due time (engine/due-timer.ts) and re-arms it after
// every wake-up, so with timers due every millisecond this runs every
// millisecond, and whatever it costs the process pays all the time.
//
// A timer is one host timeout at a time, armed for its due time. Host
// timeouts count whole milliseconds: Node counts a timeout from the event
// loop's whole-ms time, so one fires up to ~1 ms before performance.now()
// has moved by its delay, and a delay under 1 ms waits for the next whole
// ms. After every wake-up the clock is read again, and a timer whose due
// time has not come is armed again for the rest. So a timer never fires
// before now() reaches its due time, and fires at most ~1 ms after (plus
// whatever else the host is running then).
//
// Polling, opt-in and bounded. With `pollBelowMs` set, a timer whose due
// time is less than that away polls with host macrotasks instead (as
// yieldToHost does: I/O and other timers keep their turns), and fires within
// one macrotask of its due time rather than up to a whole ms late. Off by
// default: a poll that fires a scheduler's timer early in a millisecond
// splits that millisecond's work into more wake-ups (the tasks due later in
// it wait for one of their own), and each wake-up costs more CPU than the
// poll. With 0.25 ms and the budget below, 1e4 after() over 1 s cost 1.14x
// the process CPU of no polling, for lateness p50 and p99 0.03 ms earlier
// (bench/ab/delayed-cpu.mjs). Polling keeps the process busy, which costs
// CPU and, on a machine whose cores are all taken, makes the OS scheduler
// favour other processes over this one (a busy process waits longer for a
// core than one that sleeps). So the clock polls only while its polling
// budget lasts: POLL_SHARE of the time (0.2%), at most POLL_BURST_MS (1 ms)
// at once, every poll counted from when it was queued to when it ran. With
// its budget spent, a timer waits on a host timeout. A host timeout is armed
// beside each poll, and whichever comes first wakes the timer: where a long
// macrotask runs every turn (in Node, a setImmediate chain of CPU work) a
// poll queued behind it would wait for it, while the timeout runs first, in
// the next turn's timers phase.
//
// Long waits. setTimeout stores its delay as a signed 32-bit integer: anything
// above 2^31-1 ms (~24.8 days) overflows and fires after 1 ms. A wait is
// therefore armed in chunks of at most `maxChunkMs`, the clock re-read after
// each, the rest armed from the due time, not from a count of chunks. Where
// the host's timeouts pause while now() keeps running (a suspended laptop in
// some browsers), a timer fires at most one chunk late instead of a whole
// wait late.
//
// Order. Each timer has its own host timeouts and nothing else: no ordering
// is kept here (src/ leaves "what runs next" to the core). Timers with
// different due times fire in due order as far as the host's timeouts do;
// timers with equal due times usually fire in the order set, but an early
// wake-up that re-arms, or a now() that jumps, can let the host reorder them.
// The VirtualClock (timeslice/testing) is the clock that guarantees (due
// time, order set). One callback per host macrotask, so microtasks run
// between two timers, as with plain setTimeout.
//
// Importing this module starts nothing: the yield mechanism is chosen, and
// its channel created, on the first yield (host-yield.ts).
import { mustBe } from '../../bindings/errors.js';
import { requireTimeMs } from '../../bindings/validate.js';
import type { Clock, TimerId, TimerOptions } from './clock.js';
import { createHostYield } from './host-yield.js';

/** The largest delay setTimeout honours; longer ones fire after 1 ms. */
const HOST_TIMEOUT_MAX_MS = 2 ** 31 - 1;
/** The share of the time a clock may spend polling (see the header). */
export const POLL_SHARE = 0.002;
/** The most polling a clock may do at once, ms: its budget never holds more. */
export const POLL_BURST_MS = 1;

export interface RealClockOptions {
  /**
   * The longest single host timeout; longer waits are re-armed in chunks, the
   * clock re-read after each. It bounds how late a timer can fire when the host
   * pauses its timeouts while now() runs on. At most 2^31-1.
   * @default 3_600_000 (one hour)
   * @example new RealClock({ maxChunkMs: 60_000 })
   */
  maxChunkMs?: number;
  /**
   * How close to its due time, in ms, a timer polls with host macrotasks
   * instead of waiting on a host timeout (which rounds the rest up to a whole
   * ms). Polling takes at most 0.2% of the time, in bursts of at most 1 ms;
   * beyond that budget timers wait on host timeouts. 0 never polls: timers
   * fire up to ~1 ms late, and a scheduler's wake-ups stay one per host
   * timeout (polling costs more CPU than it saves in lateness, see the
   * header). At most 1.
   * @default 0
   * @example new RealClock({ pollBelowMs: 0.25 }) // a timer due within 0.25 ms polls for it
   */
  pollBelowMs?: number;
}

export class RealClock implements Clock {
  readonly #host: TimerHost;

  constructor(options: RealClockOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw mustBe('RealClock options', 'an object', options);
    }
    const maxChunkMs = options.maxChunkMs ?? 3_600_000;
    if (typeof maxChunkMs !== 'number' || !(maxChunkMs >= 1) || !(maxChunkMs <= HOST_TIMEOUT_MAX_MS)) {
      throw mustBe('maxChunkMs', `a number of ms from 1 to ${HOST_TIMEOUT_MAX_MS}`, maxChunkMs);
    }
    const pollBelowMs = options.pollBelowMs ?? 0;
    if (typeof pollBelowMs !== 'number' || !(pollBelowMs >= 0) || !(pollBelowMs <= 1)) {
      throw mustBe('pollBelowMs', 'a number of ms from 0 to 1', pollBelowMs);
    }
    this.#host = new TimerHost(maxChunkMs, pollBelowMs);
  }

  now(): number {
    return hostPerformance().now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimer(fn: () => void, delayMs: number, options?: TimerOptions): TimerId {
    requireFunction('setTimer: fn', fn);
    requireTimeMs('delayMs', delayMs);
    return new RealTimer(this.#host, fn, delayMs, options?.keepAlive !== false);
  }

  /** Cancels a pending timer; a timer that has fired or was cleared is ignored. */
  clearTimer(id: TimerId): void {
    if (!RealTimer.clear(id, this.#host)) {
      throw mustBe('clearTimer: id', `a timer id returned by this clock's setTimer`, id);
    }
  }

  yieldToHost(fn: () => void): void {
    requireFunction('yieldToHost: fn', fn);
    this.#host.yieldToHost(fn);
  }
}

/** What the timers of one RealClock share: its options, its polling budget and its host yield. */
class TimerHost {
  readonly maxChunkMs: number;
  readonly pollBelowMs: number;
  /** Polling budget, ms (at most POLL_BURST_MS), as of #budgetAtMs. */
  #budgetMs = POLL_BURST_MS;
  #budgetAtMs = Number.NEGATIVE_INFINITY;
  #yield: ((fn: () => void) => void) | undefined;

  constructor(maxChunkMs: number, pollBelowMs: number) {
    this.maxChunkMs = maxChunkMs;
    this.pollBelowMs = pollBelowMs;
  }

  /** Refills the polling budget for the time passed; true while some is left. */
  budgetLeft(nowMs: number): boolean {
    const refilled = this.#budgetMs + (nowMs - this.#budgetAtMs) * POLL_SHARE;
    this.#budgetMs = refilled < POLL_BURST_MS ? refilled : POLL_BURST_MS;
    this.#budgetAtMs = nowMs;
    return this.#budgetMs > 0;
  }

  /** Polling took ms (an upper bound of the CPU it used). */
  spend(ms: number): void {
    this.#budgetMs -= ms;
  }

  yieldToHost(fn: () => void): void {
    this.#yield ??= createHostYield({
      setImmediate: typeof setImmediate === 'function' ? setImmediate : undefined,
      MessageChannel: typeof MessageChannel === 'function' ? MessageChannel : undefined,
      setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    });
    this.#yield(fn);
  }
}

/**
 * One timer, and the id setTimer hands out for it: its fields are private,
 * so an id reveals nothing and only its own clock can clear it (no table of
 * ids is kept: one fewer map entry per timer set).
 */
class RealTimer {
  readonly #host: TimerHost;
  readonly #dueMs: number;
  /** Undefined once fired or cleared. */
  #fn: (() => void) | undefined;
  /** The host timeout armed for it, if any. */
  #timeout: ReturnType<typeof setTimeout> | undefined;
  /** True while a poll of it is queued (a macrotask that checks the time). */
  #polling = false;
  /** When the poll in flight was queued (or last checked the time). */
  #polledAtMs = 0;
  /** Whether its host timeouts keep the process running (TimerOptions.keepAlive). */
  readonly #keepAlive: boolean;
  readonly #onTimeout = (): void => this.#wake();
  /** Made on the first poll: most timers never poll. */
  #onPoll: (() => void) | undefined;

  constructor(host: TimerHost, fn: () => void, delayMs: number, keepAlive: boolean) {
    this.#host = host;
    this.#fn = fn;
    this.#keepAlive = keepAlive;
    const nowMs = hostPerformance().now();
    this.#dueMs = nowMs + delayMs;
    this.#arm(nowMs);
  }

  /** Clears `id` if it is a timer of `host`; false if it is not one. */
  static clear(id: unknown, host: TimerHost): boolean {
    if (typeof id !== 'object' || id === null || !(#host in id) || id.#host !== host) return false;
    id.#stop();
    return true;
  }

  /** Arms a pending timer that has no host timeout: its due time has not come (or is now, for a 0 ms timer just set). */
  #arm(nowMs: number): void {
    const host = this.#host;
    const leftMs = this.#dueMs - nowMs;
    // Wakes at the due time (or a chunk ahead); the host may round it up or wake up to ~1 ms early.
    this.#timeout = setTimeout(this.#onTimeout, Math.min(Math.max(0, leftMs), host.maxChunkMs));
    // Node's timeouts have unref(); a browser's are numbers, and nothing to keep alive.
    if (!this.#keepAlive) (this.#timeout as { unref?: () => void }).unref?.();
    if (!this.#polling && leftMs < host.pollBelowMs && (leftMs <= 0 || host.budgetLeft(nowMs))) {
      this.#polling = true;
      this.#polledAtMs = nowMs;
      this.#onPoll ??= () => this.#poll();
      host.yieldToHost(this.#onPoll);
    }
  }

  /** The host timeout fired: fire if now() has reached the due time, else arm again. */
  #wake(): void {
    this.#timeout = undefined;
    if (this.#fn === undefined) return;
    const nowMs = hostPerformance().now();
    if (nowMs >= this.#dueMs) this.#fire();
    else this.#arm(nowMs);
  }

  /** A poll: fires the timer if due, else polls again while the budget lasts. */
  #poll(): void {
    if (!this.#polling) return;
    const nowMs = hostPerformance().now();
    const host = this.#host;
    // The poll that finds its timer due counts too: it kept the process awake as long.
    host.spend(nowMs - this.#polledAtMs);
    if (nowMs >= this.#dueMs) {
      this.#fire();
      return;
    }
    this.#polledAtMs = nowMs;
    if (host.budgetLeft(nowMs)) host.yieldToHost(this.#onPoll as () => void);
    // Budget spent: the host timeout armed beside the poll wakes it.
    else this.#polling = false;
  }

  #fire(): void {
    const fn = this.#fn;
    this.#stop();
    fn?.();
  }

  #stop(): void {
    if (this.#timeout !== undefined) clearTimeout(this.#timeout);
    this.#timeout = undefined;
    this.#polling = false;
    this.#fn = undefined;
  }
}

let performanceObject: Performance | undefined;
/**
 * globalThis.performance, read once: in Node it is a lazy getter on the
 * global, which cost ~15 ns a read here, and a delayed task reads the clock
 * at its registration. (Tests that replace performance.now() still reach it.)
 */
function hostPerformance(): Performance {
  performanceObject ??= performance;
  return performanceObject;
}

function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw mustBe(name, 'a function', value);
  }
}

// Last: the classes above must be initialized first.
/** The clock timeslice uses unless given another. */
export const realClock: RealClock = new RealClock();
