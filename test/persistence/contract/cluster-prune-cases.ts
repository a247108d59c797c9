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
    name: 'pruneEndedTasksRound() deletes ended tasks whose end and records are older than the cut-off, never one with an open row, pending or running',
    run: (h) => withProcesses(h, 1, async ([store], location) => {
      ok(store!.pruneEndedTasksRound !== undefined, 'the store prunes ended tasks');
      const endedMs = await ended(store!, 'p', ['a1', 'a2', 'a3']);
      for (const id of ['a1', 'a2', 'a3']) await store!.updateTask(id, { status: 'completed', nextExecutionMs: null, updatedAtMs: endedMs });
      const p = await register(store!, 'q');
      await oneOffs(store!, ['flaky', 'busy', 'waiting'], p.nowMs - 10);
      const held = (await claim(store!, p, 2)).claimed;
      const flaky = held.find((c) => c.execution.taskId === 'flaky')!.execution;
      const retry = await store!.finishClaimed({
        executionId: flaky.id, fencingToken: flaky.fencingToken, outcome: 'failed', endedAtMs: p.nowMs, error: { message: 'boom' }, retryAtMs: p.nowMs + 3_600_000,
      });
      ok(retry.status === 'completed', JSON.stringify(retry));
      // Cancelled, each with an open row: a retry waiting (its record pruned below), a run held; and one never claimed.
      for (const id of ['flaky', 'busy', 'waiting']) await store!.updateTask(id, { status: 'cancelled', updatedAtMs: p.nowMs });
      await location.advance(1_000);
      const cut = p.nowMs + 1;
      let records = 0;
      for (let round = await store!.pruneHistoryRound(cut, 100); round.status === 'pruned' && round.deleted > 0; round = await store!.pruneHistoryRound(cut, 100)) records += round.deleted;
      equal(records, 3, 'the records of a1 to a3 (flaky keeps its own: its retry waits)');
      const rounds: number[] = [];
      let after: string | null = null;
      do {
        const round = await store!.pruneEndedTasksRound!(cut, after, 2);
        ok(round.status === 'pruned', JSON.stringify(round));
        rounds.push(round.deleted);
        after = round.next;
      } while (after !== null && rounds.length < 100);
      equal(rounds.reduce((a, b) => a + b, 0), 3, `a1 to a3, at most two a round: ${rounds}`);
      ok(rounds.every((n) => n <= 2), `bounded: ${rounds}`);
      for (const id of ['a1', 'a2', 'a3']) equal(await store!.getTask(id), undefined, `${id} is gone`);
      for (const id of ['flaky', 'busy', 'waiting']) equal((await store!.getTask(id))?.status, 'cancelled', `${id} stays: an open row`);
      equal((await store!.pendingSlots()).map((s) => s.taskId).sort(), ['flaky', 'waiting'], 'the open rows are as they were');
      await rejects(store!.pruneEndedTasksRound!(cut, null, 0), 'ERR_INVALID_ARGUMENT', 'limit');
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
