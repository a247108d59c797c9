// The one host timer of a scheduler, armed for the earliest due time in the
// core's timer heap (STYLE: one host timer, not one per task). It caches that
// time so the run loop can compare a clock reading with it instead of asking
// the core each turn.
import type { CoreExports } from '../../bindings/load.js';
import type { Clock, TimerId } from '../time/clock.js';

export class DueTimer {
  /** The core's earliest due time as last read (+Infinity: nothing waits). */
  nextDueMs = Number.POSITIVE_INFINITY;
  readonly #w: CoreExports;
  readonly #clock: Clock;
  readonly #onFire: () => void;
  #timer: TimerId | undefined;
  #timerDueMs = Number.POSITIVE_INFINITY;

  constructor(w: CoreExports, clock: Clock, onFire: () => void) {
    this.#w = w;
    this.#clock = clock;
    this.#onFire = onFire;
  }

  /** Re-reads the earliest due time after the timer heap changed. */
  refresh(): void {
    this.nextDueMs = this.#w.nextDue();
  }

  /** A task was registered due at dueMs. */
  noteDue(dueMs: number): void {
    if (dueMs < this.nextDueMs) this.nextDueMs = dueMs;
  }

  /** Moves the tasks due by nowMs into the ready queue. */
  releaseDue(nowMs: number): void {
    if (nowMs >= this.nextDueMs) {
      this.#w.advance(nowMs);
      this.nextDueMs = this.#w.nextDue();
    }
  }

  /** arm(), called only when nextDueMs moved: small enough to inline where a timer is set. */
  armIfMoved(nowMs: number): void {
    if (this.nextDueMs !== this.#timerDueMs) this.arm(nowMs);
  }

  /** Arms the host timer for nextDueMs, unless it already is. */
  arm(nowMs: number): void {
    const dueMs = this.nextDueMs;
    if (dueMs === this.#timerDueMs) return;
    this.disarm();
    if (dueMs === Number.POSITIVE_INFINITY) return;
    this.#timerDueMs = dueMs;
    this.#timer = this.#clock.setTimer(this.#fire, Math.max(0, dueMs - nowMs));
  }

  disarm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#timerDueMs = Number.POSITIVE_INFINITY;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#timerDueMs = Number.POSITIVE_INFINITY;
    this.#onFire();
  };
}
