// The one-owner writes that end or reopen an attempt outside the batched slot
// writes (recovery's ends, a superseded attempt's end), tried again while the
// store fails (untilStored: the live path's backoff and `storeerror` events).
// A try that failed may have been stored all the same (its answer lost:
// StoreOutcomeUnknownError), so the next try meets its own write: complete()
// refused as `already-ended` by this very end (isStoredEnd), retry() refused
// as `stale-token` by the attempt it started (isStoredRetry). Either is taken
// for the write's success, so an attempt is ended once and reopened once.
import { isStoredEnd, isStoredRetry } from '../store/slot-rules.js';
import type { CompleteRequest, EndResult, RetryRequest, RetryResult, Store } from '../store/store.js';
import { SchedulerStoppedError } from '../errors.js';
import { type StoreRetry, untilStored } from './store-backoff.js';

/** A store and how its failed writes are retried. */
export interface RetriedStore extends StoreRetry {
  readonly store: Store;
}

/**
 * An end's answer, told whether an earlier try failed: refused as
 * `already-ended` by this very end (isStoredEnd) after a failed try, it is
 * this end's success; any other stored end stays a refusal. The live
 * attempt's batched end (slot-attempt.ts) reads its answers with it too.
 */
export function endAnswer(request: CompleteRequest): (result: EndResult, failedBefore: boolean) => EndResult {
  return (result, failedBefore) =>
    failedBefore && result.status === 'already-ended' && isStoredEnd(result.current, request) ? { status: 'completed', execution: result.current } : result;
}

/** complete(`request`), tried again while the store fails; rejects with SchedulerStoppedError if the scheduler stopped first. */
export async function completeStored(writes: RetriedStore, request: CompleteRequest): Promise<EndResult> {
  const ended = await untilStored(writes, 'complete', () => writes.store.complete(request), endAnswer(request));
  return ended ?? stopped('complete');
}

/** retry(`request`) of attempt `attempt`, tried again while the store fails; rejects with SchedulerStoppedError if the scheduler stopped first. */
export async function retryStored(writes: RetriedStore, request: RetryRequest, attempt: number): Promise<RetryResult> {
  const retried = await untilStored(writes, 'retry', () => writes.store.retry(request), (result, failedBefore): RetryResult =>
    failedBefore && result.status === 'stale-token' && isStoredRetry(result.current, request, attempt) ? { status: 'retried', execution: result.current } : result,
  );
  return retried ?? stopped('retry');
}

function stopped(operation: string): never {
  throw new SchedulerStoppedError(`${operation}: the scheduler stopped while the store was failing; the next start recovers the attempt`);
}
