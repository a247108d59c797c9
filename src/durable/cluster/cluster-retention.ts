// Retention in cluster mode: the one-owner rule and timing (../retention.ts:
// records that ended more than maxAgeMs ago, every intervalMs and once at
// start), with the deletes cut into bounded rounds. Each round is one
// transaction of at most PRUNE_ROUND_LIMIT records (ClusterStore.pruneHistoryRound),
// so pruning a month of a per-second task (2.6 million records) never holds
// one long transaction: its locks are short, the dead tuples come in pieces
// autovacuum keeps up with, and this process's other calls (claims, ends),
// which the store runs in call order, queue behind one round at most.
//
// N processes start their retention at different times, so each prunes once
// an hour on its own phase; a round that meets another process's round (the
// store's prune lock) is `busy`, and this process stops for the hour: the
// other one is doing the work. So at most one process deletes at any moment,
// and an hour's work is done once, not N times.
//
// Ended tasks follow their records as under one owner, in rounds of
// PRUNE_ROUND_LIMIT tasks looked at (ClusterStore.pruneEndedTasksRound) under
// the same lock; a task with an open row (a retry waiting) stays.
import type { ClusterStore } from '../../store/cluster.js';
import { retentionStep } from '../retention.js';

/** Records deleted per transaction. */
export const PRUNE_ROUND_LIMIT = 1_000;

/**
 * Prunes records in rounds until fewer than a round's limit were left, then
 * ended tasks in rounds until the scan is done; stops early when another
 * process is pruning or `stopped()` (checked between rounds: a stop waits
 * for one round, not for the whole prune); resolves to how many records and
 * tasks this process deleted.
 */
export async function pruneInRounds(store: ClusterStore, olderThanMs: number, stopped: () => boolean, limit = PRUNE_ROUND_LIMIT): Promise<number> {
  let total = 0;
  while (!stopped()) {
    const round = await retentionStep('pruneHistoryRound', () => store.pruneHistoryRound(olderThanMs, limit));
    if (round.status === 'busy') return total;
    total += round.deleted;
    if (round.deleted < limit) break;
  }
  // Then the ended tasks that keep no record, a batch of `limit` tasks looked at per round, under the same lock.
  const pruneEndedTasksRound = store.pruneEndedTasksRound?.bind(store);
  if (pruneEndedTasksRound === undefined) return total;
  let after: string | null = null;
  while (!stopped()) {
    const round = await retentionStep('pruneEndedTasksRound', () => pruneEndedTasksRound(olderThanMs, after, limit));
    if (round.status === 'busy') return total;
    total += round.deleted;
    after = round.next;
    if (after === null) return total;
  }
  return total;
}
