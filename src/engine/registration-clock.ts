// The time a registration that is ready now is stamped with.
//
// With group timing (see ../group-timer.ts), up to READINGS_SHARED
// registrations made in one synchronous run of code share one clock reading,
// which a microtask expires: a burst of run() calls is stamped with the time
// the burst started. That only makes those tasks look a few microseconds
// older (under the deadline policy, a hair more urgent), and saves a ~50 ns
// clock read per task. A delayed registration always reads the clock itself:
// a reused reading would make it due early.
import type { Clock } from '../time/clock.js';

/** Registrations that may share one clock reading. */
export const READINGS_SHARED = 64;

export class RegistrationClock {
  readonly #clock: Clock;
  readonly #shared: boolean;
  #nowMs = 0;
  #readsLeft = 0;
  #expiryQueued = false;

  /** @param shared share readings (group timing on); otherwise every call reads the clock */
  constructor(clock: Clock, shared: boolean) {
    this.#clock = clock;
    this.#shared = shared;
  }

  now(): number {
    if (!this.#shared) return this.#clock.now();
    if (this.#readsLeft > 0) {
      this.#readsLeft--;
      return this.#nowMs;
    }
    this.#nowMs = this.#clock.now();
    this.#readsLeft = READINGS_SHARED - 1;
    if (!this.#expiryQueued) {
      this.#expiryQueued = true;
      queueMicrotask(this.#expire);
    }
    return this.#nowMs;
  }

  readonly #expire = (): void => {
    this.#expiryQueued = false;
    this.#readsLeft = 0;
  };
}
