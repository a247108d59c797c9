// Everything in src/ reads time and touches the host event loop only through a
// Clock, so that a VirtualClock (timeslice/testing) can drive every timing
// behaviour deterministically. The virtual clock orders its timers by (due
// time, order set) through a core of its own; the real clock leaves timers
// with equal due times to the host.

/** An armed host timer; pass it back to clearTimer. */
export type TimerId = { readonly __timer: unique symbol } | number | object;

export interface TimerOptions {
  /**
   * Whether the pending timer keeps the host process running, as a Node
   * timeout does. false: it fires only if the process is still running then
   * (timeout.unref()), for housekeeping that must not hold an exit back; a
   * VirtualClock's runUntilIdle() does not wait for it. A clock may ignore it.
   * @default true
   */
  keepAlive?: boolean;
}

export interface Clock {
  /** Monotonic milliseconds (never goes back); the core's time axis. */
  now(): number;
  /** Wall-clock milliseconds since the Unix epoch (may jump). */
  wallNow(): number;
  /** Calls fn once after delayMs (>= 0). Long delays are handled by the clock. */
  setTimer(fn: () => void, delayMs: number, options?: TimerOptions): TimerId;
  clearTimer(id: TimerId): void;
  /**
   * Calls fn in a new macrotask, after pending I/O, timers and rendering have
   * had their turn: how a busy run loop yields to the host.
   */
  yieldToHost(fn: () => void): void;
}
