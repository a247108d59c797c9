// Contract cases for finishAndClaim() (src/store/cluster.ts): several ends
// and a claim in one transaction, each end fenced on its own, every request
// checked before anything is written.
import { equal, ok, rejects } from './check.js';
import { claim, type ClusterCase, oneOffs, register, withProcesses } from './cluster-harness.js';

export const clusterBatchCases: ClusterCase[] = [
  {
    name: 'finishAndClaim() ends several claims in order, refusing only the fenced ones, then claims the rows their room allows',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      await oneOffs(store!, ['a', 'b', 'c'], p.nowMs - 20);
      const { claimed } = await claim(store!, p, 3);
      await oneOffs(store!, ['d', 'e', 'f'], p.nowMs - 10);
      const [a, b, c] = claimed.map((x) => x.execution);
      const end = (e: typeof a, token = e!.fencingToken) => ({ executionId: e!.id, fencingToken: token, outcome: 'succeeded' as const, endedAtMs: p.nowMs });
      const { finished, claimed: next } = await store!.finishAndClaim([end(a), end(b, b!.fencingToken + 1_000), end(c), { ...end(a), outcome: 'failed' }, end(a)], { ...p, limit: 2 });
      equal(finished.map((f) => f.status), ['completed', 'stale-token', 'completed', 'already-ended', 'completed'], 'each end fenced on its own, in order');
      equal(finished.map((f) => f.status === 'completed' && f.alreadyStored === true), [false, false, false, false, true], 'the same end again is answered as stored');
      ok(next?.status === 'claimed', JSON.stringify(next));
      equal(next.claimed.map((x) => x.execution.taskId), ['d', 'e'], 'then the claim, most urgent first');
      equal((await store!.getExecution(b!.id))?.outcome, 'running', 'the refused end wrote nothing');
      equal((await store!.getExecution(a!.id))?.outcome, 'succeeded', 'the others are written');
      equal((await store!.finishClaimed(end(b))).status, 'completed', 'the refused one still ends with its own token');
      equal((await store!.finishAndClaim([])).claimed, undefined, 'no claim asked, none made');
    }),
  },
  {
    name: 'finishAndClaim() checks every request first: one that is not valid rejects the call and nothing is written',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      await oneOffs(store!, ['a', 'b'], p.nowMs - 20);
      const { claimed: [a] } = await claim(store!, p, 1);
      const end = { executionId: a!.execution.id, fencingToken: a!.execution.fencingToken, outcome: 'succeeded' as const, endedAtMs: p.nowMs };
      await rejects(store!.finishAndClaim([end, { ...end, outcome: 'skipped' }]), 'ERR_INVALID_ARGUMENT', 'request.skipReason');
      await rejects(store!.finishAndClaim([end], { ...p, limit: 0 }), 'ERR_INVALID_ARGUMENT', 'request.limit');
      await rejects(store!.finishAndClaim(null as never), 'ERR_INVALID_ARGUMENT', 'finishes');
      equal((await store!.getExecution(a!.execution.id))?.outcome, 'running', 'the valid end was not written');
      equal((await store!.pendingSlots()).map((s) => s.taskId), ['b'], 'nothing was claimed');
    }),
  },
];
