// How long to wait before trying a failed store write again (a full disk, a
// locked file): 1 s after the first failure, doubling to 30 s while failures
// go on, back to nothing after a success. One per store: consecutive failures
// of claims, completions and skip records all mean the same store is unwell.

const FIRST_STORE_BACKOFF_MS = 1_000;
const MAX_STORE_BACKOFF_MS = 30_000;

export class StoreBackoff {
  /** The current wait after consecutive failures; 0 while writes succeed. */
  #delayMs = 0;

  /** A write failed: the wait before trying it again. */
  next(): number {
    this.#delayMs = this.#delayMs === 0 ? FIRST_STORE_BACKOFF_MS : Math.min(MAX_STORE_BACKOFF_MS, this.#delayMs * 2);
    return this.#delayMs;
  }

  /** A write succeeded. */
  reset(): void {
    this.#delayMs = 0;
  }
}
