// Until when this process's lease is live for certain, by its own clock. The
// store times a lease by its clock (PostgreSQL's now()): a registration or a
// renewal answers the lease's expiry and the store's now, both read inside the
// call, so after the request was sent. The lease lasts at least expiry - now
// from the send, wherever the two clocks stand: this clock's now() at the send
// plus that is a time before which no other process can have rescued it.
//
// A claimed row's body starts only before that time (claimed-runs.ts). A
// process stopped (SIGSTOP, a long pause) or starved between its claim and
// the start finds it passed, and renews first: a rescue meanwhile gave the row
// to another process, which may already run it, and the renewal is how this
// one learns it (the claim's answer, read first on resuming, cannot tell).
import type { Clock } from '../../time/clock.js';

export interface LeaseWindowHost {
  readonly clock: Clock;
  /** A heartbeat: renewed (it calls renewed()), or declared dead (the runner drops its rows); rejects if the store failed. */
  renew(): Promise<void>;
  /** A renewal failed: reported; it is tried again retryInMs later. */
  failed(error: unknown, retryInMs: number): void;
  readonly retryInMs: number;
}

export class LeaseWindow {
  readonly #host: LeaseWindowHost;
  /** The clock's now() before which the lease is live for certain. */
  #untilMs = Number.NEGATIVE_INFINITY;
  /** The renewal the rows waiting to start asked for, shared by them. */
  #renewal: Promise<void> | undefined;

  constructor(host: LeaseWindowHost) {
    this.#host = host;
  }

  /** A registration: a new lease, asked for at sentMs (the clock's now()), expiring at expiresAtMs when the store's now was storeNowMs. */
  registered(sentMs: number, expiresAtMs: number, storeNowMs: number): void {
    this.#untilMs = sentMs + (expiresAtMs - storeNowMs);
  }

  /** A renewal of the same registration (answers may come out of order: the latest expiry stands). */
  renewed(sentMs: number, expiresAtMs: number, storeNowMs: number): void {
    this.#untilMs = Math.max(this.#untilMs, sentMs + (expiresAtMs - storeNowMs));
  }

  /** The lease is live for certain now. */
  live(): boolean {
    return this.#host.clock.now() < this.#untilMs;
  }

  /**
   * Renews until the lease is live for certain (true), or until `wanted` says the row no longer waits to start (false:
   * dropped as its process was declared dead, or given back by a stop).
   */
  async whenLive(wanted: () => boolean): Promise<boolean> {
    const host = this.#host;
    while (!this.live()) {
      try {
        this.#renewal ??= host.renew().finally(() => {
          this.#renewal = undefined;
        });
        await this.#renewal;
      } catch (error) {
        host.failed(error, host.retryInMs);
        await new Promise<void>((resolve) => host.clock.setTimer(resolve, host.retryInMs, { keepAlive: false }));
      }
      if (!wanted()) return false;
    }
    return wanted();
  }
}
