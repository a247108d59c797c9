// The argument checks and pure decisions of the cluster capability
// (cluster.ts), shared by every cluster store so each refuses the same input
// with the same message and orders rows alike. Stores run the checks before
// any transaction, so a refused call writes nothing.
import { decodeExecution, decodeTask, NULL_JSON, type StoredExecution, type StoredTask } from './codec.js';
import { toJsonText } from './json.js';
import { MAX_LEASE_TTL_MS } from './lease.js';
import type {
  AttemptRef, ClaimDueRequest, DeregisterRequest, FinishRequest, FinishResult, OfferRequest, OfferWatcher, PendingSlot, ProcessRef, ProcessRequest,
} from './cluster.js';
import type { FenceRefusal } from './store.js';
import { checkSkips, encodeCompletion, isSameEnd, refuseFenced } from './slot-rules.js';
import { checkArray, checkFencingToken, checkId, checkNonEmptyString, checkObject, checkSlot, checkTimeMs, invalid } from './validate.js';

/** The most rows one claimDue() takes. */
export const MAX_CLAIM_LIMIT = 10_000;

/** The most function names one claimDue() filters by. */
export const MAX_CLAIM_FUNCTIONS = 10_000;

/** The error a rescued attempt ends with (the execution's `error`). */
export const LEASE_EXPIRED_ERROR = Object.freeze({ name: 'LeaseExpiredError', message: 'the process holding this attempt stopped renewing its lease' });

export function checkLeaseMs(value: unknown, path: string): asserts value is number {
  if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > MAX_LEASE_TTL_MS) {
    throw invalid(path, `an integer number of ms from 1 to ${MAX_LEASE_TTL_MS}`, value);
  }
}

export function checkProcessRequest(request: unknown): asserts request is ProcessRequest {
  checkObject(request, 'request');
  checkId(request.ownerId, 'request.ownerId');
  if (typeof request.host !== 'string') throw invalid('request.host', 'a string', request.host);
  if (!Number.isSafeInteger(request.pid) || (request.pid as number) < 0) throw invalid('request.pid', 'an integer >= 0', request.pid);
  if (typeof request.version !== 'string') throw invalid('request.version', 'a string', request.version);
  checkLeaseMs(request.leaseMs, 'request.leaseMs');
}

export function checkProcessRef(value: unknown, path: string): asserts value is ProcessRef {
  checkObject(value, path);
  checkId(value.ownerId, `${path}.ownerId`);
  if (!Number.isSafeInteger(value.epoch) || (value.epoch as number) < 1) throw invalid(`${path}.epoch`, 'an integer >= 1', value.epoch);
}

/** The most executions one pruneHistoryRound() deletes. */
export const MAX_PRUNE_LIMIT = 100_000;

export function checkPruneRound(olderThanMs: unknown, limit: unknown): void {
  checkTimeMs(olderThanMs, 'olderThanMs');
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_PRUNE_LIMIT) {
    throw invalid('limit', `an integer from 1 to ${MAX_PRUNE_LIMIT}`, limit);
  }
}

export function checkClaimDue(request: unknown): asserts request is ClaimDueRequest {
  checkProcessRef(request, 'request');
  const { limit } = request as { limit?: unknown };
  if (!Number.isSafeInteger(limit) || (limit as number) < 1 || (limit as number) > MAX_CLAIM_LIMIT) {
    throw invalid('request.limit', `an integer from 1 to ${MAX_CLAIM_LIMIT}`, limit);
  }
  const { startNow } = request as { startNow?: unknown };
  if (startNow !== undefined && (!Number.isSafeInteger(startNow) || (startNow as number) < 0 || (startNow as number) > MAX_CLAIM_LIMIT)) {
    throw invalid('request.startNow', `an integer from 0 to ${MAX_CLAIM_LIMIT}`, startNow);
  }
  const { known } = request as { known?: unknown };
  if (known !== undefined) checkAttemptRefs(known, 'request.known');
  const { functions } = request as { functions?: unknown };
  if (functions === undefined) return;
  checkArray(functions, 'request.functions');
  if (functions.length > MAX_CLAIM_FUNCTIONS) throw invalid('request.functions', `an array of at most ${MAX_CLAIM_FUNCTIONS} function names`, functions);
  for (let i = 0; i < functions.length; i++) checkNonEmptyString(functions[i], `request.functions[${i}]`);
}

export function checkOffer(offer: unknown, path: string): asserts offer is OfferRequest {
  checkSlot(offer, path, true);
  const { dueMs, rankMs, maxAttempts } = offer as { dueMs?: unknown; rankMs?: unknown; maxAttempts?: unknown };
  checkTimeMs(dueMs, path, 'dueMs');
  checkTimeMs(rankMs, path, 'rankMs');
  if (!Number.isSafeInteger(maxAttempts) || (maxAttempts as number) < 1) throw invalid(`${path}.maxAttempts`, 'an integer >= 1', maxAttempts);
}

export function checkOffers(offers: unknown): asserts offers is readonly OfferRequest[] {
  checkArray(offers, 'offers');
  for (let i = 0; i < offers.length; i++) checkOffer(offers[i], `offers[${i}]`);
}

/** A checked finishClaimed() request with its JSON parts encoded. */
export interface EncodedFinish {
  request: FinishRequest;
  result: string;
  error: string;
}

/**
 * The encodings of the requests a cluster process's writer checked (ClusterWrites.finish: an invalid end fails alone,
 * not its batch), by request object, so the store's finishAndClaim reuses the check instead of doing it again (~2.6 us
 * and ~0.7 KB a finish, measured with bench/ab/cluster-cpu-profile.mjs and cluster-alloc-profile.mjs). The writer
 * never changes a request it queued; a request the store gets from anywhere else is checked as before.
 */
const checkedFinishes = new WeakMap<object, EncodedFinish>();

/** encodeFinish(request), remembered for this request object: see checkedFinishes. */
export function checkFinish(request: FinishRequest): EncodedFinish {
  const encoded = encodeFinish(request);
  checkedFinishes.set(request, encoded);
  return encoded;
}

/** encodeFinish(request), or the encoding checkFinish gave this very object. */
export function encodedFinish(request: unknown): EncodedFinish {
  return (typeof request === 'object' && request !== null ? checkedFinishes.get(request) : undefined) ?? encodeFinish(request);
}

/** Checks a finishClaimed() request (the complete() checks, then its own fields) and encodes its JSON. */
export function encodeFinish(request: unknown): EncodedFinish {
  checkObject(request, 'request');
  const skipping = request.outcome === 'skipped';
  // complete()'s checks with an outcome it knows; `skipped` is this method's own.
  const { result, error } = encodeCompletion(skipping ? { ...request, outcome: 'interrupted' } : request);
  const finish = request as unknown as FinishRequest;
  if (skipping) checkNonEmptyString(finish.skipReason, 'request.skipReason');
  else if (finish.skipReason !== undefined) throw invalid('request.skipReason', "undefined unless outcome is 'skipped'", finish.skipReason);
  if (finish.retryAtMs !== undefined) {
    checkTimeMs(finish.retryAtMs, 'request.retryAtMs');
    if (finish.outcome !== 'failed' && finish.outcome !== 'interrupted') {
      throw invalid('request.outcome', "'failed' or 'interrupted' with retryAtMs (only an unsuccessful attempt is retried)", finish.outcome);
    }
    if (finish.next !== undefined) throw invalid('request.next', 'undefined with retryAtMs (the retried slot stays the task\'s open slot)', finish.next);
  }
  if (finish.skipped !== undefined) checkSkips(finish.skipped);
  if (finish.next !== undefined) checkOffer(finish.next, 'request.next');
  return { request: finish, result: skipping ? NULL_JSON : result, error: skipping ? NULL_JSON : error };
}

/**
 * Why a finish is refused (refuseFenced), or `stored` when the attempt has
 * ended with this very end (same token, outcome, end time, result and error,
 * or skip reason): a finish sent again after its first try's COMMIT went
 * through unanswered (StoreOutcomeUnknownError). That one is answered as
 * stored (storedFinish), so the writer does not report its own end as fenced;
 * an ended attempt's other ends stay refused. A rescue's `interrupted` never
 * matches a process's end: it carries LEASE_EXPIRED_ERROR and the store's time.
 */
export function refuseFinish(current: StoredExecution | undefined, encoded: EncodedFinish): FenceRefusal | 'stored' | undefined {
  const refusal = refuseFenced(current, encoded.request.fencingToken);
  if (refusal?.status !== 'already-ended') return refusal;
  return isSameEnd(current!, encoded) ? 'stored' : refusal;
}

/** The answer to a finish refuseFinish() found already stored: nothing written. */
export function storedFinish(current: StoredExecution, task: StoredTask | undefined): FinishResult {
  return { status: 'completed', execution: decodeExecution(current), task: task === undefined ? undefined : decodeTask(task), skipped: [], next: undefined, alreadyStored: true };
}

export function checkOfferWatcher(watcher: unknown): asserts watcher is OfferWatcher {
  checkObject(watcher, 'watcher');
  for (const key of ['offered', 'interrupted', 'resumed']) {
    if (typeof watcher[key] !== 'function') throw invalid(`watcher.${key}`, 'a function', watcher[key]);
  }
}

export function checkDeregister(request: unknown): asserts request is DeregisterRequest {
  checkProcessRef(request, 'request');
  const { unstarted } = request as { unstarted?: unknown };
  if (unstarted !== undefined) checkAttemptRefs(unstarted, 'request.unstarted');
}

/** Attempts named by execution id and token (deregister's `unstarted`, finishAndClaim's `started`). */
export function checkAttemptRefs(refs: unknown, path: string): asserts refs is readonly AttemptRef[] {
  checkArray(refs, path);
  for (let i = 0; i < refs.length; i++) {
    const item = refs[i];
    checkObject(item, `${path}[${i}]`);
    checkNonEmptyString(item.executionId, `${path}[${i}].executionId`);
    checkFencingToken(item.fencingToken, `${path}[${i}].fencingToken`);
  }
}

/** The claim order: rank, then the order rows were offered in (`sequence`): equal ranks keep arrival order. */
export function byUrgency(a: Pick<PendingSlot, 'rankMs'> & { sequence: number }, b: Pick<PendingSlot, 'rankMs'> & { sequence: number }): number {
  return a.rankMs - b.rankMs || a.sequence - b.sequence;
}

/** The rescue's error as stored JSON text. */
export const LEASE_EXPIRED_ERROR_TEXT = toJsonText(LEASE_EXPIRED_ERROR, 'error');
