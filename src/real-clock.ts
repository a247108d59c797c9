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
// Order. Re-arming an early wake-up could let a timer set later for the same
// due time overtake it. So every pending timer also sits in a heap ordered by
// (due time, order set), the VirtualClock's order, and a wake-up runs the
// heap's first timer if it is due, which need not be the one that woke; the
// one that woke is re-armed for its own turn. Still one callback per host
// macrotask, so microtasks run between two timers, as with plain setTimeout.
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
}

interface RealTimer extends HeapTimer {
  fn: (() => void) | undefined;
  handle: ReturnType<typeof setTimeout> | undefined;
}

export class RealClock implements Clock {
  readonly #maxChunkMs: number;
  /** Pending timers in firing order. */
  readonly #pending = new TimerHeap<RealTimer>();
  #nextSeq = 0;
  /** Keyed by the opaque id handed out; fired and cleared timers stay (index -1) until the id is dropped. */
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
    const timer: RealTimer = { dueMs: this.now() + delayMs, seq: this.#nextSeq++, index: -1, fn, handle: undefined };
    this.#pending.push(timer);
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
    if (timer.index >= 0) this.#retire(timer);
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
    // Never negative, never more than one chunk; sub-ms remainders round up in the host.
    const waitMs = Math.min(Math.max(timer.dueMs - this.now(), 0), this.#maxChunkMs);
    timer.handle = setTimeout(() => this.#wake(timer), waitMs);
  }

  #wake(woken: RealTimer): void {
    woken.handle = undefined;
    if (woken.index < 0) return;
    const first = this.#pending.peek()!;
    if (first.dueMs > this.now()) {
      this.#arm(woken);
      return;
    }
    const fn = first.fn!;
    this.#retire(first);
    // Re-armed before fn runs, so a throwing fn cannot strand it.
    if (first !== woken) this.#arm(woken);
    fn();
  }

  /** Takes a timer out of the heap and cancels its host timeout. */
  #retire(timer: RealTimer): void {
    this.#pending.remove(timer);
    if (timer.handle !== undefined) clearTimeout(timer.handle);
    timer.handle = undefined;
    timer.fn = undefined;
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

/** What TimerHeap needs of a timer. @internal */
export interface HeapTimer {
  readonly dueMs: number;
  /** Order set: the tie-break among equal due times, as real timers fire. */
  readonly seq: number;
  /** Position in the heap, -1 when not in it (fired or cleared). */
  index: number;
}

/**
 * A binary min-heap on (dueMs, seq) whose entries know their index, so a
 * cleared timer leaves in O(log n). Shared with VirtualClock: one order.
 * @internal
 */
export class TimerHeap<T extends HeapTimer> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(timer: T): void {
    timer.index = this.#items.length;
    this.#items.push(timer);
    this.#siftUp(timer.index);
  }

  remove(timer: T): void {
    const items = this.#items;
    const index = timer.index;
    const last = items.pop()!;
    timer.index = -1;
    if (last === timer) return;
    items[index] = last;
    last.index = index;
    this.#siftUp(index);
    this.#siftDown(last.index);
  }

  #siftUp(index: number): void {
    const items = this.#items;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!firesBefore(items[index]!, items[parent]!)) return;
      this.#swap(index, parent);
      index = parent;
    }
  }

  #siftDown(index: number): void {
    const items = this.#items;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= items.length) return;
      const right = left + 1;
      const child = right < items.length && firesBefore(items[right]!, items[left]!) ? right : left;
      if (!firesBefore(items[child]!, items[index]!)) return;
      this.#swap(index, child);
      index = child;
    }
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const a = items[i]!;
    const b = items[j]!;
    items[i] = b;
    b.index = i;
    items[j] = a;
    a.index = j;
  }
}

function firesBefore(a: HeapTimer, b: HeapTimer): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}

function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(`${name} must be a function, received ${describeValue(value)}`);
  }
}

// Last: the classes above must be initialized first.
/** The clock timeslice uses unless given another. */
export const realClock: RealClock = new RealClock();
