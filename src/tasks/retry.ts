// Retry policy: how many attempts a run gets and how long to wait between them.
import { describeValue, InvalidArgumentError, mustBe } from '../../bindings/errors.js';
import { type Duration, parseDurationMs } from '../time/duration.js';
import { readOptions } from './read-options.js';

export interface RetryOptions {
  /** Attempts in total, the first included (so 3 = up to 2 retries). An integer from 1 to 2^53 - 1. */
  attempts: number;
  /** 'fixed': every wait is delayMs; 'exponential': delayMs * 2^(attempt-1). @default 'exponential' */
  backoff?: 'fixed' | 'exponential';
  /** The first wait, at most MAX_DURATION_MS. @default 1000 */
  delayMs?: Duration;
  /** No wait is longer than this (at most MAX_DURATION_MS). @default 30000 */
  maxDelayMs?: Duration;
  /**
   * Randomises each wait by up to this fraction, down only (0 = none, 1 =
   * "full jitter"), so that many failing tasks do not retry in lockstep.
   * @default 0.2
   */
  jitter?: number;
}

export interface ResolvedRetry {
  readonly attempts: number;
  readonly exponential: boolean;
  readonly delayMs: number;
  readonly maxDelayMs: number;
  readonly jitter: number;
}

export const NO_RETRY: ResolvedRetry = Object.freeze({ attempts: 1, exponential: false, delayMs: 0, maxDelayMs: 0, jitter: 0 });

const RETRY_KEYS = new Set(['attempts', 'backoff', 'delayMs', 'maxDelayMs', 'jitter']);

/** Validates `retry` (a number of attempts, or RetryOptions). */
export function resolveRetry(value: unknown): ResolvedRetry {
  if (value === undefined) return NO_RETRY;
  if (typeof value !== 'number' && (typeof value !== 'object' || value === null)) {
    throw mustBe('retry', 'a number of attempts or { attempts, backoff, delayMs, maxDelayMs, jitter }', value);
  }
  const options = (typeof value === 'number' ? { attempts: value } : readOptions(value, 'retry', RETRY_KEYS)) as unknown as RetryOptions;
  for (const key in options) {
    if (!RETRY_KEYS.has(key)) throw new InvalidArgumentError(`retry.${key} is not a retry option (known: ${[...RETRY_KEYS].join(', ')})`);
  }
  const { attempts, backoff = 'exponential', delayMs = 1000, maxDelayMs = 30_000, jitter = 0.2 } = options;
  if (typeof attempts !== 'number' || !Number.isSafeInteger(attempts) || attempts < 1) {
    const tooLarge = typeof attempts === 'number' && attempts > Number.MAX_SAFE_INTEGER ? ' (at most 2^53 - 1)' : '';
    throw new InvalidArgumentError(`retry.attempts must be an integer >= 1, received ${describeValue(attempts)}${tooLarge}`);
  }
  if (backoff !== 'fixed' && backoff !== 'exponential') {
    throw mustBe('retry.backoff', `'fixed' or 'exponential'`, backoff);
  }
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    throw mustBe('retry.jitter', 'a number from 0 to 1', jitter);
  }
  return Object.freeze({
    attempts,
    exponential: backoff === 'exponential',
    delayMs: parseDurationMs('retry.delayMs', delayMs),
    maxDelayMs: parseDurationMs('retry.maxDelayMs', maxDelayMs),
    jitter,
  });
}

/** The wait before attempt `nextAttempt` (2 for the first retry). random() in [0, 1). */
export function retryDelayMs(retry: ResolvedRetry, nextAttempt: number, random: () => number): number {
  const base = retry.exponential ? retry.delayMs * 2 ** (nextAttempt - 2) : retry.delayMs;
  const capped = Math.min(base, retry.maxDelayMs);
  return capped * (1 - retry.jitter * random());
}
