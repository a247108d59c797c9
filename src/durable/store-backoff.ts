// How long to wait before trying a failed store write again (a full disk, a
// locked file): 1 s after the first failure, doubling to 30 s while failures
// go on, back to nothing after a success. One per store: consecutive failures
// of claims, completions and skip records all mean the same store is unwell.
// untilStored() is the loop around one such write: the live path's attempt
// ends and retries (slot-attempt.ts) and recovery's ends (recovery.ts,
// superseded.ts) go through it alike.
import type { Engine } from '../engine/engine.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { isFenced } from './fenced-store.js';

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

/** What untilStored() waits on and reports to: the scheduler's shared backoff, its engine (clock, state), its events. */
export interface StoreRetry {
  readonly backoff: StoreBackoff;
  readonly engine: Pick<Engine, 'clock' | 'state'>;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
}

/**
 * `call`'s answer read by `answer`, which is told whether an earlier try
 * failed (and so may have been stored, its answer lost); the call is tried
 * again after the backoff while the store fails, a `storeerror` naming
 * `operation` each time. A write refused by the lease (another scheduler
 * owns the store: nothing to retry) rejects at once; undefined if the
 * scheduler stopped first.
 */
export function untilStored<A, R>(retry: StoreRetry, operation: string, call: () => Promise<A>, answer: (result: A, failedBefore: boolean) => R): Promise<R | undefined> {
  // The first try without an async frame of its own (every attempt's end comes here): the loop only after a failure.
  let first: Promise<A>;
  try {
    first = call();
  } catch (error) {
    first = Promise.reject(error);
  }
  return first.then(
    (result) => {
      retry.backoff.reset();
      return answer(result, false);
    },
    (error: unknown) => afterFailure(retry, operation, call, answer, error),
  );
}

/** untilStored() once its first try failed with `error`. */
async function afterFailure<A, R>(
  retry: StoreRetry, operation: string, call: () => Promise<A>, answer: (result: A, failedBefore: boolean) => R, error: unknown,
): Promise<R | undefined> {
  for (;;) {
    if (isFenced(error)) throw error;
    const retryInMs = retry.backoff.next();
    retry.emit('storeerror', { operation, error, retryInMs });
    if (retry.engine.state === 'stopped') return undefined;
    await new Promise<void>((resolve) => retry.engine.clock.setTimer(resolve, retryInMs));
    try {
      const result = await call();
      retry.backoff.reset();
      return answer(result, true);
    } catch (next) {
      error = next;
    }
  }
}
