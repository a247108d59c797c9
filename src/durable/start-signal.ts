// What a runNow() before start() waits on (one owner and cluster mode): the
// next start() resolves it; a stop() before any start rejects it, so the call
// settles (SchedulerStoppedError) instead of waiting on a signal the stop
// replaced, which nothing would ever resolve.
import { SchedulerStoppedError } from '../errors.js';

export interface StartSignal {
  readonly promise: Promise<void>;
  /** start(): whoever waits goes on. */
  resolve(): void;
  /** stop() before a start: whoever waits is told the scheduler stopped (no effect once resolved). */
  stopped(): void;
}

export function startSignal(): StartSignal {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((done, fail) => {
    resolve = done;
    reject = fail;
  });
  // Nobody may be waiting: a stop without a runNow must not be an unhandled rejection.
  promise.catch(() => {});
  return {
    promise,
    resolve,
    stopped: () => reject(new SchedulerStoppedError('runNow: the scheduler stopped before it started')),
  };
}
