// This process's clock against the store's. The store's time was read
// somewhere during a call, so this clock at the call's midpoint minus the
// store's time is the skew to within half the round trip. Past the
// threshold by more than that, a `clockskew` event warns, once, and another
// says when it is back within; a call too slow to tell changes nothing.
import type { Clock } from '../../time/clock.js';
import type { DurableEventDetails } from '../durable-events.js';

export class SkewMeter {
  readonly #clock: Clock;
  readonly #thresholdMs: number;
  readonly #warn: (detail: DurableEventDetails['clockskew']) => void;
  #skewMs = 0;
  /** The last skew was past the threshold (a `clockskew` with over: true was sent, and none since). */
  #over = false;

  constructor(clock: Clock, thresholdMs: number, warn: (detail: DurableEventDetails['clockskew']) => void) {
    this.#clock = clock;
    this.#thresholdMs = thresholdMs;
    this.#warn = warn;
  }

  /** This clock minus the store's at the last measured call (ms; positive: this clock is ahead). */
  get skewMs(): number {
    return this.#skewMs;
  }

  /** The store's time now, by this clock corrected by the last skew (ms since the epoch). */
  storeNowMs(): number {
    return this.#clock.wallNow() - this.#skewMs;
  }

  /** A store call whose answer carries the store's time: the skew is measured over its round trip. */
  async measured<T extends { nowMs: number }>(call: () => Promise<T>): Promise<T> {
    const sentMs = this.#clock.wallNow();
    const result = await call();
    const receivedMs = this.#clock.wallNow();
    // A wall clock stepped back during the call makes the round trip negative: no bound then, take the answer's time.
    const uncertaintyMs = Math.max(0, receivedMs - sentMs) / 2;
    const skewMs = (receivedMs >= sentMs ? sentMs + uncertaintyMs : receivedMs) - result.nowMs;
    this.#skewMs = skewMs;
    const thresholdMs = this.#thresholdMs;
    const beyondMs = Math.abs(skewMs) - thresholdMs;
    // Past the threshold for certain, or back within it for certain: in between (a slow call near the threshold), no change.
    const over = this.#over ? beyondMs > -uncertaintyMs : beyondMs > uncertaintyMs;
    if (over !== this.#over) {
      this.#over = over;
      this.#warn({ skewMs, uncertaintyMs, thresholdMs, over });
    }
    return result;
  }
}
