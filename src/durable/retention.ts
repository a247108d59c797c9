// Retention: execution records that ended more than maxAgeMs ago are deleted
// every intervalMs (and once at start), so the history of a task that runs
// every second does not grow without end. Open executions are never deleted,
// and the high-water mark still guards the pruned slots (C4): a pruned slot
// is never run again. The same timing serves cluster mode, where `prune` is
// the cluster's bounded, one-at-a-time rounds (cluster/cluster-retention.ts).
//
// Ended tasks go in the same pass, after their records: a task that completed,
// failed or was cancelled more than maxAgeMs ago and keeps no record (none
// open, none younger) is deleted, so a queue of one-offs does not grow its
// task table without end either. Pending and running tasks never are. The
// task deletes go in batches of PRUNE_TASKS_LIMIT tasks looked at, each its own
// transaction (Store.pruneEndedTasks), so one pass never holds the store long.
//
// A failed pass is a `storeerror` event naming the store call that failed
// (RetentionStepError), and the next interval tries again.
import type { Store } from '../store/store.js';
import type { Clock, TimerId } from '../time/clock.js';

/** Tasks looked at per transaction by pruneEndedTasks. */
export const PRUNE_TASKS_LIMIT = 1_000;

/** A prune step that failed: the store call (the `storeerror` event's `operation`) and its error. */
export class RetentionStepError {
  constructor(
    readonly operation: string,
    readonly error: unknown,
  ) {}
}

/** Runs one store call of a prune, naming it if it fails. */
export async function retentionStep<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new RetentionStepError(operation, error);
  }
}

/** The `storeerror` detail of a failed pass (`fallback` names it when the failure came from no step). */
export function retentionFailure(failure: unknown, fallback: string): { operation: string; error: unknown } {
  return failure instanceof RetentionStepError ? { operation: failure.operation, error: failure.error } : { operation: fallback, error: failure };
}

/**
 * One pass under one owner: the records that ended before the cutoff (one
 * transaction), then the ended tasks, batch by batch until the scan is done or
 * `stopped()`. Resolves to how many records and tasks were deleted.
 */
export async function pruneStore(
  store: Pick<Store, 'pruneHistory' | 'pruneEndedTasks'>, olderThanMs: number, stopped: () => boolean, limit = PRUNE_TASKS_LIMIT,
): Promise<number> {
  let deleted = await retentionStep('pruneHistory', () => store.pruneHistory(olderThanMs));
  const pruneEndedTasks = store.pruneEndedTasks?.bind(store);
  if (pruneEndedTasks === undefined) return deleted;
  let after: string | null = null;
  do {
    const batch = await retentionStep('pruneEndedTasks', () => pruneEndedTasks(olderThanMs, after, limit));
    deleted += batch.deleted;
    after = batch.next;
  } while (after !== null && !stopped());
  return deleted;
}

export interface RetentionOptions {
  /** Records older than this (by end time) are deleted. */
  maxAgeMs: number;
  /** How often to prune. */
  intervalMs: number;
}

export interface Retention {
  stop(): void;
  /** Resolves when the prune in progress, if any, has ended. */
  settled(): Promise<void>;
}

/**
 * `prune(olderThanMs, stopped)` deletes what ended before, resolving to how
 * many (pruneStore under one owner); `stopped()` is true once stop() was
 * called, for a prune of many steps to end between them.
 */
export function startRetention(
  clock: Clock,
  prune: (olderThanMs: number, stopped: () => boolean) => Promise<number>,
  options: RetentionOptions,
  onPruned: (deleted: number) => void = () => {},
  onError: (error: unknown) => void = () => {},
): Retention {
  let timer: TimerId | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const round = () => {
    running = prune(clock.wallNow() - options.maxAgeMs, () => stopped).then(onPruned, onError);
  };
  const arm = () => {
    timer = clock.setTimer(() => {
      if (stopped) return;
      round();
      arm();
    }, options.intervalMs);
  };
  round();
  arm();
  return {
    stop() {
      stopped = true;
      if (timer !== undefined) clock.clearTimer(timer);
    },
    settled: () => running,
  };
}
