// Retention: execution records that ended more than maxAgeMs ago are deleted
// every intervalMs (and once at start), so the history of a task that runs
// every second does not grow without end. Open executions are never deleted,
// and the high-water mark still guards the pruned slots (C4): a pruned slot
// is never run again. The same timing serves cluster mode, where `prune` is
// the cluster's bounded, one-at-a-time rounds (cluster/cluster-retention.ts).
import type { Clock, TimerId } from '../time/clock.js';

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

/** `prune(olderThanMs)` deletes what ended before, resolving to how many: Store.pruneHistory under one owner. */
export function startRetention(
  clock: Clock,
  prune: (olderThanMs: number) => Promise<number>,
  options: RetentionOptions,
  onPruned: (deleted: number) => void = () => {},
  onError: (error: unknown) => void = () => {},
): Retention {
  let timer: TimerId | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const round = () => {
    running = prune(clock.wallNow() - options.maxAgeMs).then(onPruned, onError);
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
