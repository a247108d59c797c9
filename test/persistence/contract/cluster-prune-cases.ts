// Contract cases for retention in cluster mode (ClusterStore.pruneHistoryRound):
// the one-owner rule (final records that ended before the cut-off) in
// bounded rounds, never an open slot's record, and one prune at a time.
import { equal, ok, rejects } from './check.js';
import { claim, type ClusterCapableStore, type ClusterCase, oneOffs, register, withProcesses } from './cluster-harness.js';

/** Runs and ends one-offs `ids` (succeeded, at the store's now); resolves to that now. */
async function ended(store: ClusterCapableStore, owner: string, ids: readonly string[]): Promise<number> {
  const p = await register(store, owner);
  await oneOffs(store, ids, p.nowMs - 10);
  for (const c of (await claim(store, p, ids.length)).claimed) {
    const end = await store.finishClaimed({ executionId: c.execution.id, fencingToken: c.execution.fencingToken, outcome: 'succeeded', endedAtMs: p.nowMs });
    ok(end.status === 'completed', JSON.stringify(end));
  }
  return p.nowMs;
}

export const clusterPruneCases: ClusterCase[] = [
  {
    name: 'pruneHistoryRound() deletes at most limit final records ended before the cut-off, never a running one or a failed attempt waiting for its retry',
    run: (h) => withProcesses(h, 1, async ([store], location) => {
      const endedMs = await ended(store!, 'p', ['a1', 'a2', 'a3', 'a4', 'a5']);
      const p = await register(store!, 'q');
      await oneOffs(store!, ['flaky', 'busy'], p.nowMs - 10);
      const held = (await claim(store!, p, 2)).claimed;
      const flaky = held.find((c) => c.execution.taskId === 'flaky')!.execution;
      const retry = await store!.finishClaimed({
        executionId: flaky.id, fencingToken: flaky.fencingToken, outcome: 'failed', endedAtMs: p.nowMs, error: { message: 'boom' }, retryAtMs: p.nowMs + 3_600_000,
      });
      ok(retry.status === 'completed', JSON.stringify(retry));
      await location.advance(1_000);
      const cut = p.nowMs + 1;
      equal(await store!.pruneHistoryRound(endedMs, 10), { status: 'pruned', deleted: 0 }, 'ended at the cut-off: kept');
      const rounds = [];
      for (let i = 0; i < 4; i++) rounds.push(await store!.pruneHistoryRound(cut, 2));
      equal(rounds.map((r) => (r.status === 'pruned' ? r.deleted : r.status)), [2, 2, 1, 0], 'five records, two a round');
      for (const id of ['a1', 'a5']) equal((await store!.history(id)).executions, [], `${id}'s record is gone`);
      equal((await store!.history('flaky')).executions.map((e) => e.outcome), ['failed'], 'the attempt waiting for its retry keeps its record');
      equal((await store!.history('busy')).executions.map((e) => e.outcome), ['running'], 'a running record is never pruned');
      ok((await store!.getTask('a1')) !== undefined, 'task records stay');
      await rejects(store!.pruneHistoryRound(cut, 0), 'ERR_INVALID_ARGUMENT', 'limit');
      await rejects(store!.pruneHistoryRound(cut, 100_001), 'ERR_INVALID_ARGUMENT', 'limit');
      await rejects(store!.pruneHistoryRound(Number.NaN, 10), 'ERR_INVALID_ARGUMENT', 'olderThanMs');
    }),
  },
  {
    name: 'two processes pruning at once delete each record once: one deletes them all, the other nothing (busy, or nothing left)',
    run: (h) => withProcesses(h, 2, async ([a, b], location) => {
      const ids = Array.from({ length: 6 }, (_, i) => `t${i}`);
      const endedMs = await ended(a!, 'p', ids);
      await location.advance(1_000);
      const results = await Promise.all([a!.pruneHistoryRound(endedMs + 1, 100), b!.pruneHistoryRound(endedMs + 1, 100)]);
      equal(results.map((r) => (r.status === 'pruned' ? r.deleted : 0)).sort(), [0, 6], `one deletes: ${JSON.stringify(results)}`);
      for (const id of ids) equal((await b!.history(id)).executions, [], `${id}'s record is gone`);
    }),
  },
];
