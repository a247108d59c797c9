// The Clock of production: performance.now() for the core's time axis,
// Date.now() for the wall, host timers and host macrotasks.
//
// Long waits. setTimeout stores its delay as a signed 32-bit integer: anything
// above 2^31-1 ms (~24.8 days) overflows and fires after 1 ms. A timer here is
// therefore a chain of host timeouts of at most `maxChunkMs` each; after every
// wake-up the clock is read again and the rest of the wait is armed from the
// due time, not from a count of chunks. So the timer never fires before now()
// reaches its due time (Node truncates to whole ms and can wake a timeout up
// to 1 ms early), and where the host's timeouts pause while now() keeps
// running (a suspended laptop in some browsers), it fires at most one chunk
// late instead of a whole wait late.
//
// The last millisecond. Host timeouts have a 1 ms granularity: Node counts a
// timeout from the event loop's cached whole-ms time, so one fires up to ~1
// ms early or late, and a delay under 1 ms is raised to 1 ms. So a timer
// arms its host timeout `pollBelowMs` (default 1 ms) short of its due time,
// and from there polls with host macrotasks (as yieldToHost does: I/O and
// other timers keep their turns) until now() reaches the due time: it fires
// within one macrotask of it instead of ~0.5 ms late on average and up to
// ~2 ms late. The price is up to ~2 ms of polling per timer that fires; 0
// turns polling off. A 1 ms host timeout is armed beside each poll, and
// whichever comes first wakes the timer: where a long macrotask runs every
// turn (in Node, a setImmediate chain of CPU work), a poll queued behind it
// would wait for it, while the timeout runs first, in the next turn's timers
// phase.
//
// Order. Each timer has its own chain of host timeouts and nothing else: no
// ordering is kept here (src/ leaves "what runs next" to the core). Timers
// with different due times fire in due order as far as the host's timeouts
// do; timers with equal due times usually fire in the order set, but an early
// wake-up that re-arms, or a now() that jumps, can let the host reorder them.
// The VirtualClock (timeslice/testing) is the clock that guarantees (due
// time, order set). One callback per host macrotask, so microtasks run
// between two timers, as with plain setTimeout.
//
// Yields. yieldToHost must give pending I/O, timers and rendering their turn,
// which a microtask or a resolved promise does not. As in React's scheduler:
// setImmediate in Node (it runs after I/O, and a MessagePort would keep the
// process alive); one reused MessageChannel in browsers (setTimeout(0) is
// clamped to >= 4 ms once nested); setTimeout(0) where neither exists. Each
// callback gets its own macrotask, so microtasks run between two callbacks.
// The mechanism is chosen, and the channel created, on the first yield:
// importing this module starts nothing.
import { describeValue, InvalidArgumentError } from '../bindings/errors.js';
import { requireTimeMs } from '../bindings/validate.js';
import type { Clock, TimerId } from './clock.js';

/** The largest delay setTimeout honours; longer ones fire after 1 ms. */
const HOST_TIMEOUT_MAX_MS = 2 ** 31 - 1;

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
   * The last stretch before a due time, in ms, that the clock polls with host
   * macrotasks instead of waiting on a host timeout (which fires up to ~1 ms
   * early or late, and rounds shorter delays up to 1 ms). Up to about twice
   * this much polling per timer that fires. 0 never polls. At most 1.
   * @default 1
   * @example new RealClock({ pollBelowMs: 0 }) // no polling: timers up to ~2 ms late
   */
  pollBelowMs?: number;
}

interface RealTimer {
  readonly dueMs: number;
  /** Undefined once fired or cleared. */
  fn: (() => void) | undefined;
  /** The host timeout of the current chunk, if armed. */
  handle: ReturnType<typeof setTimeout> | undefined;
  /** Bumped at each arming and wake-up: a poll from an earlier arming finds it changed and does nothing. */
  arming: number;
}

export class RealClock implements Clock {
  readonly #maxChunkMs: number;
  readonly #pollBelowMs: number;
  /** Keyed by the opaque id handed out; fired and cleared timers stay (fn undefined) until the id is dropped. */
  readonly #timerOfId = new WeakMap<object, RealTimer>();
  #yield: ((fn: () => void) => void) | undefined;

  constructor(options: RealClockOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidArgumentError(`RealClock options must be an object, received ${describeValue(options)}`);
    }
    const maxChunkMs = options.maxChunkMs ?? 3_600_000;
    if (typeof maxChunkMs !== 'number' || !(maxChunkMs >= 1) || !(maxChunkMs <= HOST_TIMEOUT_MAX_MS)) {
      throw new InvalidArgumentError(
        `maxChunkMs must be a number of ms from 1 to ${HOST_TIMEOUT_MAX_MS}, received ${describeValue(maxChunkMs)}`,
      );
    }
    this.#maxChunkMs = maxChunkMs;
    const pollBelowMs = options.pollBelowMs ?? 1;
    if (typeof pollBelowMs !== 'number' || !(pollBelowMs >= 0) || !(pollBelowMs <= 1)) {
      throw new InvalidArgumentError(`pollBelowMs must be a number of ms from 0 to 1, received ${describeValue(pollBelowMs)}`);
    }
    this.#pollBelowMs = pollBelowMs;
  }

  now(): number {
    return performance.now();
  }

  wallNow(): number {
    return Date.now();
  }

  setTimer(fn: () => void, delayMs: number): TimerId {
    requireFunction('setTimer: fn', fn);
    requireTimeMs('delayMs', delayMs);
    const timer: RealTimer = { dueMs: this.now() + delayMs, fn, handle: undefined, arming: 0 };
    this.#arm(timer);
    const id = Object.freeze({});
    this.#timerOfId.set(id, timer);
    return id;
  }

  /** Cancels a pending timer; a timer that has fired or was cleared is ignored. */
  clearTimer(id: TimerId): void {
    const timer = typeof id === 'object' && id !== null ? this.#timerOfId.get(id) : undefined;
    if (timer === undefined) {
      throw new InvalidArgumentError(`clearTimer: id must be a timer id returned by this clock's setTimer, received ${describeValue(id)}`);
    }
    if (timer.handle !== undefined) clearTimeout(timer.handle);
    timer.handle = undefined;
    timer.fn = undefined;
  }

  yieldToHost(fn: () => void): void {
    requireFunction('yieldToHost: fn', fn);
    this.#yield ??= createHostYield({
      setImmediate: typeof setImmediate === 'function' ? setImmediate : undefined,
      MessageChannel: typeof MessageChannel === 'function' ? MessageChannel : undefined,
      setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
    });
    this.#yield(fn);
  }

  #arm(timer: RealTimer): void {
    const leftMs = timer.dueMs - this.now();
    const arming = ++timer.arming;
    if (leftMs >= this.#pollBelowMs) {
      // Wake pollBelowMs early, never more than one chunk; the host rounds sub-ms delays up.
      timer.handle = setTimeout(() => this.#wake(timer), Math.min(leftMs - this.#pollBelowMs, this.#maxChunkMs));
      return;
    }
    // The last stretch: poll, with a host timeout beside it (see the header).
    timer.handle = setTimeout(() => this.#wake(timer), leftMs);
    this.yieldToHost(() => {
      if (timer.arming === arming) this.#wake(timer);
    });
  }

  /** One chunk ended: fire if now() has reached the due time, else arm the rest (an early or chunked wake-up). */
  #wake(timer: RealTimer): void {
    if (timer.handle !== undefined) clearTimeout(timer.handle);
    timer.handle = undefined;
    timer.arming++;
    const fn = timer.fn;
    if (fn === undefined) return;
    if (timer.dueMs > this.now()) {
      this.#arm(timer);
      return;
    }
    timer.fn = undefined;
    fn();
  }
}

/**
 * The host's macrotask primitives. RealClock passes the globals it finds on its
 * first yield; VirtualClock passes copies taken before a test could fake them.
 * @internal
 */
export interface HostPrimitives {
  setImmediate: ((fn: () => void) => unknown) | undefined;
  MessageChannel: (new () => MessageChannel) | undefined;
  setTimeout: (fn: () => void, delayMs: number) => unknown;
}

/**
 * A function that runs each callback in its own new macrotask, in FIFO order.
 * @internal
 */
export function createHostYield(host: HostPrimitives): (fn: () => void) => void {
  const { setImmediate: hostSetImmediate, MessageChannel: HostMessageChannel, setTimeout: hostSetTimeout } = host;
  if (hostSetImmediate !== undefined) return (fn) => void hostSetImmediate(fn);
  if (HostMessageChannel !== undefined) return channelYield(HostMessageChannel);
  return (fn) => void hostSetTimeout(fn, 0);
}

/** One channel, one message per callback, callbacks in a FIFO: message order is post order. */
function channelYield(HostMessageChannel: new () => MessageChannel): (fn: () => void) => void {
  const channel = new HostMessageChannel();
  // Node and Deno ports keep the process alive while referenced: only while work waits.
  const port = channel.port1 as MessagePort & { ref?: () => void; unref?: () => void };
  const queue: Array<(() => void) | undefined> = [];
  let head = 0;
  port.onmessage = () => {
    const fn = queue[head];
    queue[head++] = undefined;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      port.unref?.();
    }
    fn?.();
  };
  port.unref?.();
  return (fn) => {
    if (head === queue.length) port.ref?.();
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(`${name} must be a function, received ${describeValue(value)}`);
  }
}

// Last: the classes above must be initialized first.
/** The clock timeslice uses unless given another. */
export const realClock: RealClock = new RealClock();
