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
import type { ClusterStore } from '../../store/cluster.js';

/** Records deleted per transaction. */
export const PRUNE_ROUND_LIMIT = 1_000;

/**
 * Prunes in rounds until fewer than a round's limit were left, another
 * process is pruning, or `stopped()` (checked between rounds: a stop waits
 * for one round, not for the whole prune); resolves to how many this process deleted.
 */
export async function pruneInRounds(store: ClusterStore, olderThanMs: number, stopped: () => boolean, limit = PRUNE_ROUND_LIMIT): Promise<number> {
  let total = 0;
  while (!stopped()) {
    const round = await store.pruneHistoryRound(olderThanMs, limit);
    if (round.status === 'busy') return total;
    total += round.deleted;
    if (round.deleted < limit) return total;
  }
  return total;
}
