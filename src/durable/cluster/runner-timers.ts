// A cluster process's two timers, on its own clock: the poll (the next claim
// round: when the earliest pending row is due, at most every pollMs) and the
// heartbeat. Notices of offers (LISTEN/NOTIFY) move the poll: a row due now
// asks for a round at once, a row due later brings the poll forward to its
// due time, judged by the store's clock (this clock minus the skew measured).
import type { Clock, TimerId } from '../../time/clock.js';
import type { SkewMeter } from './skew-meter.js';

export interface RunnerTimersHost {
  readonly clock: Clock;
  readonly skew: SkewMeter;
  readonly heartbeatMs: number;
  stopped(): boolean;
  /** A claim round now. */
  poll(): void;
  /** A heartbeat; a failure goes to beatFailed, and the next heartbeat is armed either way. */
  beat(): Promise<void>;
  beatFailed(error: unknown): void;
}

export class RunnerTimers {
  readonly #host: RunnerTimersHost;
  #pollTimer: TimerId | undefined;
  /** When the poll timer fires (this clock's now()), while it is armed. */
  #pollAtMs = 0;
  /** The earliest due time (store clock) a notice told of a row not yet due, until the store's now passes it. */
  #notifiedDueMs: number | undefined;
  #heartbeatTimer: TimerId | undefined;

  constructor(host: RunnerTimersHost) {
    this.#host = host;
  }

  /** A notice: rows became pending, the earliest due at dueMs (store clock). */
  offered(dueMs: number): void {
    const host = this.#host;
    if (host.stopped()) return;
    const untilMs = dueMs - host.skew.storeNowMs();
    if (untilMs <= 0) {
      host.poll();
      return;
    }
    if (this.#notifiedDueMs === undefined || dueMs < this.#notifiedDueMs) this.#notifiedDueMs = dueMs;
    // Armed later than that: bring it forward. Not armed: a round is under way, and arms it when it ends.
    if (this.#pollTimer !== undefined && this.#pollAtMs > host.clock.now() + untilMs) this.armPoll(untilMs);
  }

  /** The next claim round in delayMs, or sooner if a notice told of a row due before then. */
  armPoll(delayMs: number): void {
    const host = this.#host;
    if (host.stopped()) return;
    const clock = host.clock;
    if (this.#pollTimer !== undefined) clock.clearTimer(this.#pollTimer);
    if (this.#notifiedDueMs !== undefined) {
      // A notice of a row due before this wait ends (a round may have read the rows before its offer committed).
      // Once due, one more round at once: the round that armed this may have missed the row (its claim read the
      // rows before the offer committed, while the notice, judged not yet due by the skew measured, arrived).
      const untilNotifiedMs = this.#notifiedDueMs - host.skew.storeNowMs();
      if (untilNotifiedMs <= 0) this.#notifiedDueMs = undefined;
      delayMs = Math.max(0, Math.min(delayMs, untilNotifiedMs));
    }
    this.#pollAtMs = clock.now() + delayMs;
    this.#pollTimer = clock.setTimer(() => {
      this.#pollTimer = undefined;
      host.poll();
    }, delayMs);
  }

  armHeartbeat(): void {
    const host = this.#host;
    this.#heartbeatTimer = host.clock.setTimer(() => {
      this.#heartbeatTimer = undefined;
      if (host.stopped()) return;
      host
        .beat()
        .catch((error: unknown) => host.beatFailed(error))
        .finally(() => {
          if (!host.stopped()) this.armHeartbeat();
        });
    }, host.heartbeatMs);
  }

  clear(): void {
    const clock = this.#host.clock;
    if (this.#pollTimer !== undefined) clock.clearTimer(this.#pollTimer);
    if (this.#heartbeatTimer !== undefined) clock.clearTimer(this.#heartbeatTimer);
    this.#pollTimer = undefined;
    this.#heartbeatTimer = undefined;
  }
}
