// Contract cases for the cluster capability's slots (src/store/cluster.ts):
// materialising pending rows (one per slot, one open slot per task), claiming
// due rows (one claimer per row, most urgent first) and finishing them
// (fenced, with the next slot in the same transaction). Several stores over
// one location are several processes on one database.
import type { OfferResult } from '../../../src/store/cluster.js';
import { equal, ok, rejects } from './check.js';
import { claim, type ClusterCase, oneOffs, offer, register, withProcesses } from './cluster-harness.js';
import { task } from './harness.js';

function offered(result: OfferResult | undefined): void {
  ok(result?.status === 'offered', `expected the slot offered, received ${JSON.stringify(result)}`);
}

export const clusterSlotCases: ClusterCase[] = [
  {
    name: 'ids and texts holding an array literal\'s special characters (quotes, backslashes, commas, braces, NULL) go through offer, claim and finish unchanged',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      // A store that sends rows as arrays of text (PostgreSQL's unnest) must quote each element of them.
      const odd = ['a"b', 'c\\d', 'e,f', '{g}', 'NULL', ' h ', '"\\"', 'i\u0000j'];
      await oneOffs(store!, odd, p.nowMs - 1_000);
      const { claimed } = await claim(store!, p, odd.length);
      equal(claimed.map((c) => c.execution.taskId).sort(), [...odd].sort(), 'every row claimed, its task id as offered');
      const { finished } = await store!.finishAndClaim(claimed.map((c) => ({
        executionId: c.execution.id, fencingToken: c.execution.fencingToken, outcome: 'failed' as const, endedAtMs: p.nowMs,
        error: { message: `boom ${c.execution.taskId}` }, taskUpdate: { status: 'failed' as const, lastError: `boom ${c.execution.taskId}` },
      })));
      for (const [i, f] of finished.entries()) {
        const taskId = claimed[i]!.execution.taskId;
        ok(f.status === 'completed', `finished ${JSON.stringify(taskId)}: ${JSON.stringify(f)}`);
        equal([f.execution.taskId, f.task?.lastError, f.task?.status], [taskId, `boom ${taskId}`, 'failed'], 'the end as written');
        equal((await store!.getTask(taskId))?.lastError, `boom ${taskId}`, 'read back');
      }
    }),
  },
  {
    name: 'each due row is claimed by exactly one of several concurrent claimers, and the batches never overlap',
    run: (h) => withProcesses(h, 3, async (stores) => {
      const processes = await Promise.all(stores.map((s, i) => register(s, `p${i}`)));
      const ids = Array.from({ length: 10 }, (_, i) => `t${i}`);
      await oneOffs(stores[0]!, ids, processes[0]!.nowMs - 1_000);
      const batches = await Promise.all(stores.map((s, i) => claim(s, processes[i]!, 4)));
      const taken = batches.flatMap((b) => b.claimed.map((c) => c.execution.taskId));
      equal(taken.length, 10, 'every due row was claimed (capacity 12 for 10 rows)');
      equal(new Set(taken).size, 10, `no row was claimed twice: ${taken.join(',')}`);
      ok(batches.every((b) => b.claimed.length <= 4), 'no batch exceeds its limit');
      const tokens = batches.flatMap((b) => b.claimed.map((c) => c.execution.fencingToken));
      equal(new Set(tokens).size, 10, 'each claim has its own fencing token');
      for (const b of batches) for (const c of b.claimed) equal([c.execution.outcome, c.execution.attempt, c.exhausted], ['running', 1, false], 'a first attempt');
      const again = await Promise.all(stores.map((s, i) => claim(s, processes[i]!, 10)));
      equal(again.map((b) => b.claimed.length), [0, 0, 0], 'nothing is left to claim');
      const listed = await stores[1]!.processes();
      equal(listed.map((p) => p.running).reduce((a, b) => a + b, 0), 10, 'processes() counts the running rows');
    }),
  },
  {
    name: 'claimDue() takes the most urgent due rows by rank, not by nominal time, and nothing not yet due',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      const now = p.nowMs;
      await store!.putTasks(['late-low', 'urgent', 'tie-1', 'tie-2', 'future'].map((id) => task(id, { scheduleKind: 'once', periodMs: null })));
      const results = await store!.offerSlots([
        offer('late-low', now - 5_000, { rankMs: now + 60_000 }),
        offer('urgent', now - 1_000, { rankMs: now - 1_000 }),
        offer('tie-1', now - 2_000, { rankMs: now }),
        offer('tie-2', now - 3_000, { rankMs: now }),
        offer('future', now + 10_000, { rankMs: now - 99_000 }),
      ]);
      results.forEach(offered);
      const first = await claim(store!, p, 3);
      equal(first.claimed.map((c) => c.execution.taskId), ['urgent', 'tie-1', 'tie-2'], 'by rank; equal ranks in the order offered');
      equal(first.nextDueMs, now - 5_000, 'the earliest pending row is reported (due, left by the limit)');
      const second = await claim(store!, p, 3);
      equal(second.claimed.map((c) => c.execution.taskId), ['late-low'], 'a row not yet due is not taken, however urgent');
      equal(second.nextDueMs, now + 10_000, 'then the not-yet-due row is next');
      equal(second.claimed[0]!.execution.startedAtMs, second.nowMs, 'a claim starts at the store\'s now');
    }),
  },
  {
    name: 'a task has one open scheduled slot: a second offer, from any process, with any nominal time, writes nothing',
    run: (h) => withProcesses(h, 2, async ([a, b]) => {
      const pa = await register(a!, 'a');
      await a!.putTasks([task('every-second', { periodMs: 1_000 })]);
      // Two processes register the same task a second apart, and each computes "the next slot" from its own time.
      const [fromA, fromB] = await Promise.all([a!.offerSlots([offer('every-second', 5_000)]), b!.offerSlots([offer('every-second', 6_000)])]);
      const statuses = [fromA[0]!.status, fromB[0]!.status].sort();
      equal(statuses, ['offered', 'open-slot'], 'one row between them');
      equal((await a!.pendingSlots('every-second')).length, 1, 'one pending row');
      const winner = (await a!.pendingSlots('every-second'))[0]!;
      const { claimed: [held] } = await claim(a!, pa, 5);
      equal(held?.execution.nominalMs, winner.nominalMs, 'the row claimed is the one offered');
      equal((await b!.offerSlots([offer('every-second', winner.nominalMs + 1_000)]))[0]!.status, 'open-slot', 'a running slot is the task\'s open slot too');
      const next = offer('every-second', winner.nominalMs + 1_000);
      const finished = await a!.finishClaimed({
        executionId: held!.execution.id, fencingToken: held!.execution.fencingToken, outcome: 'succeeded', endedAtMs: pa.nowMs, next,
        taskUpdate: { executionCount: 1, lastExecutionMs: winner.nominalMs, nextExecutionMs: next.nominalMs, status: 'pending' },
      });
      ok(finished.status === 'completed', JSON.stringify(finished));
      offered(finished.next);
      equal(finished.task?.executionCount, 1, 'the task update was applied');
      equal((await b!.pendingSlots('every-second')).map((s) => s.nominalMs), [winner.nominalMs + 1_000], 'the next slot, materialised with the end');
      equal((await b!.offerSlots([offer('every-second', winner.nominalMs)]))[0]!.status, 'duplicate', 'the ended slot is never offered again');
      equal((await b!.offerSlots([offer('every-second', winner.nominalMs - 500)]))[0]!.status, 'open-slot', 'the open slot is named first');
    }),
  },
  {
    name: 'offers are refused as claims are: a recorded slot, an unknown task, an old schedule version, an ended task',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      await oneOffs(store!, ['once'], p.nowMs - 10);
      const { claimed: [held] } = await claim(store!, p, 1);
      const done = await store!.finishClaimed({ executionId: held!.execution.id, fencingToken: held!.execution.fencingToken, outcome: 'succeeded', endedAtMs: p.nowMs });
      ok(done.status === 'completed' && done.next === undefined && done.skipped.length === 0, JSON.stringify(done));
      equal((await store!.offerSlots([offer('once', p.nowMs - 10)]))[0]!.status, 'duplicate', 'a slot with a final record');
      equal((await store!.offerSlots([offer('once', p.nowMs - 20)]))[0], { status: 'below-high-water-mark', highWaterMarkMs: p.nowMs - 10 }, 'a slot below the mark');
      equal((await store!.offerSlots([offer('ghost', 1)]))[0], { status: 'unknown-task' }, 'no such task');
      await store!.putTasks([task('r', { periodMs: 1_000 })]);
      await store!.updateTask('r', { periodMs: 2_000 });
      equal((await store!.offerSlots([offer('r', 5_000)]))[0], { status: 'schedule-changed', scheduleVersion: 2 }, 'an old version\'s slot');
      await store!.updateTask('r', { status: 'cancelled' });
      equal((await store!.offerSlots([offer('r', 5_000, { scheduleVersion: 2 })]))[0], { status: 'task-ended', taskStatus: 'cancelled' }, 'an ended task');
    }),
  },
  {
    name: 'a row whose task was deleted, cancelled or rescheduled after the offer is dropped at claim, never handed out',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      await oneOffs(store!, ['deleted', 'cancelled', 'rescheduled', 'kept'], p.nowMs - 10);
      await store!.deleteTask('deleted');
      await store!.updateTask('cancelled', { status: 'cancelled' });
      await store!.updateTask('rescheduled', { atMs: p.nowMs + 5 });
      const batch = await claim(store!, p, 10);
      equal(batch.claimed.map((c) => c.execution.taskId), ['kept'], 'only the live task\'s row');
      equal((await store!.pendingSlots()).length, 0, 'the dropped rows are gone');
    }),
  },
  {
    name: 'claimDue() with functions takes only rows of those functions, reports the next due row among them, and leaves the others',
    run: (h) => withProcesses(h, 2, async ([oldCode, newCode]) => {
      const pOld = await register(oldCode!, 'old');
      const pNew = await register(newCode!, 'new');
      const now = pOld.nowMs;
      await oldCode!.putTasks([
        task('old-1', { functionName: 'v1', scheduleKind: 'once', periodMs: null }),
        task('new-1', { functionName: 'v2', scheduleKind: 'once', periodMs: null }),
        task('new-later', { functionName: 'v2', scheduleKind: 'once', periodMs: null }),
      ]);
      (await oldCode!.offerSlots([offer('new-1', now - 30), offer('old-1', now - 20), offer('new-later', now + 5_000)])).forEach(offered);
      const byOld = await oldCode!.claimDue({ ...pOld, limit: 10, functions: ['v1', 'unused'] });
      ok(byOld.status === 'claimed', JSON.stringify(byOld));
      equal(byOld.claimed.map((c) => c.execution.taskId), ['old-1'], 'only its function\'s row, though a more urgent one is due');
      equal(byOld.nextDueMs, null, 'no row of its functions is left');
      equal((await oldCode!.claimDue({ ...pOld, limit: 10, functions: [] }) as { claimed: unknown[] }).claimed, [], 'no functions: nothing');
      const byNew = await newCode!.claimDue({ ...pNew, limit: 10, functions: ['v2'] });
      ok(byNew.status === 'claimed', JSON.stringify(byNew));
      equal(byNew.claimed.map((c) => c.execution.taskId), ['new-1'], 'the row the first process left');
      equal(byNew.nextDueMs, now + 5_000, 'its next row');
      equal((await newCode!.processes()).map((p) => p.running), [1, 1], 'one row each');
    }),
  },
  {
    name: 'a task\'s rows never run at once: a manual row beside a scheduled one waits until the held one ends, from any process',
    run: (h) => withProcesses(h, 2, async ([a, b]) => {
      const pa = await register(a!, 'a');
      const pb = await register(b!, 'b');
      const now = pa.nowMs;
      await a!.putTasks([task('report', { periodMs: 60_000 }), task('other', { periodMs: 60_000 })]);
      const offers = [offer('report', now - 30), offer('report', now - 20, { scheduleVersion: 0 }), offer('report', now - 10, { scheduleVersion: 0 }), offer('other', now - 5)];
      (await a!.offerSlots(offers)).forEach(offered);
      const first = await claim(a!, pa, 10);
      equal(first.claimed.map((c) => [c.execution.taskId, c.execution.scheduleVersion]), [['report', 1], ['other', 1]], 'one row per task in a batch');
      equal((await claim(b!, pb, 10)).claimed, [], 'the manual rows wait while the task\'s scheduled row is held, on another process too');
      const held = first.claimed[0]!.execution;
      const done = await a!.finishClaimed({ executionId: held.id, fencingToken: held.fencingToken, outcome: 'succeeded', endedAtMs: now });
      ok(done.status === 'completed', JSON.stringify(done));
      const second = await claim(b!, pb, 10);
      equal(second.claimed.map((c) => [c.execution.scheduleVersion, c.execution.nominalMs]), [[0, now - 20]], 'then one manual row, the most urgent');
      equal((await claim(a!, pa, 10)).claimed, [], 'and the other waits for it');
    }),
  },
  {
    name: 'finishClaimed() with retryAtMs puts the slot back, due after its backoff, as the task\'s open slot; its next claim is attempt 2',
    run: (h) => withProcesses(h, 1, async ([store], location) => {
      const p = await register(store!, 'p');
      await oneOffs(store!, ['flaky'], p.nowMs - 10);
      const { claimed: [first] } = await claim(store!, p, 1);
      const failed = await store!.finishClaimed({
        executionId: first!.execution.id, fencingToken: first!.execution.fencingToken, outcome: 'failed', endedAtMs: p.nowMs,
        error: { message: 'boom' }, retryAtMs: p.nowMs + 2_000,
      });
      ok(failed.status === 'completed' && failed.execution.outcome === 'failed', JSON.stringify(failed));
      equal((await store!.pendingSlots('flaky')).map((s) => [s.dueMs, s.attempts]), [[p.nowMs + 2_000, 1]], 'pending again, due after the backoff');
      equal((await store!.offerSlots([offer('flaky', p.nowMs - 10)]))[0]!.status, 'open-slot', 'the retried slot is still open');
      equal((await claim(store!, p, 1)).claimed.length, 0, 'not before its time');
      await location.advance(2_000);
      await store!.heartbeat(p, 30_000);
      const { claimed: [second] } = await claim(store!, p, 1);
      equal([second?.execution.attempt, second?.execution.outcome], [2, 'running'], 'the second attempt');
      ok(second!.execution.fencingToken > first!.execution.fencingToken, 'with a fresh token');
      equal((await store!.finishClaimed({ executionId: first!.execution.id, fencingToken: first!.execution.fencingToken, outcome: 'succeeded', endedAtMs: 1 })).status, 'stale-token', 'the first attempt\'s token no longer ends it');
    }),
  },
  {
    name: 'finishClaimed() sent again with the end already stored answers completed, alreadyStored, and writes nothing; another end or an older token is still refused',
    run: (h) => withProcesses(h, 1, async ([store], location) => {
      const p = await register(store!, 'p');
      await oneOffs(store!, ['once', 'flaky'], p.nowMs - 10);
      const { claimed } = await claim(store!, p, 2);
      const [once, flaky] = ['once', 'flaky'].map((id) => claimed.find((c) => c.execution.taskId === id)!.execution);
      const end = { executionId: once!.id, fencingToken: once!.fencingToken, outcome: 'succeeded' as const, endedAtMs: p.nowMs, result: { n: 1 } };
      const first = await store!.finishClaimed(end);
      ok(first.status === 'completed' && first.alreadyStored === undefined, JSON.stringify(first));
      const again = await store!.finishClaimed({ ...end, taskUpdate: { status: 'completed', updatedAtMs: p.nowMs + 1 } });
      ok(again.status === 'completed', JSON.stringify(again));
      equal([again.alreadyStored, again.execution, again.skipped, again.next], [true, first.execution, [], undefined], 'the stored end, as stored');
      equal(again.task?.updatedAtMs, first.task?.updatedAtMs, 'its task update was not applied again');
      for (const [other, what] of [[{ outcome: 'failed' }, 'outcome'], [{ endedAtMs: p.nowMs + 1 }, 'end time'], [{ result: { n: 2 } }, 'result']] as const) {
        equal((await store!.finishClaimed({ ...end, ...other })).status, 'already-ended', `another ${what} is refused`);
      }
      equal((await store!.getExecution(once!.id))?.result, { n: 1 }, 'as stored the first time');
      // A failed end with a retry, sent again: one pending row, one attempt counted.
      const failed = { executionId: flaky!.id, fencingToken: flaky!.fencingToken, outcome: 'failed' as const, endedAtMs: p.nowMs, error: { message: 'boom' }, retryAtMs: p.nowMs + 1_000 };
      equal((await store!.finishClaimed(failed)).status, 'completed', 'the retry is written');
      const repeated = await store!.finishClaimed(failed);
      ok(repeated.status === 'completed' && repeated.alreadyStored === true, JSON.stringify(repeated));
      equal((await store!.pendingSlots('flaky')).map((s) => [s.dueMs, s.attempts]), [[p.nowMs + 1_000, 1]], 'pending once, one attempt counted');
      await location.advance(1_000);
      await store!.heartbeat(p, 30_000);
      const { claimed: [second] } = await claim(store!, p, 1);
      equal(second?.execution.attempt, 2, 'then attempt 2');
      equal((await store!.finishClaimed(failed)).status, 'stale-token', 'the first attempt\'s end, an older token, is refused now');
    }),
  },
  {
    name: 'a claimed slot the claimer does not run ends as skipped, with the slots it skipped after it and the next slot, in one write',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      await store!.putTasks([task('missed', { periodMs: 1_000 })]);
      const base = p.nowMs - 10_000;
      offered((await store!.offerSlots([offer('missed', base)]))[0]);
      const { claimed: [held] } = await claim(store!, p, 1);
      const request = {
        executionId: held!.execution.id, fencingToken: held!.execution.fencingToken, outcome: 'skipped' as const, skipReason: 'missed: policy skip', endedAtMs: p.nowMs,
        skipped: [1, 2].map((k) => ({ taskId: 'missed', scheduleVersion: 1, nominalMs: base + k * 1_000, reason: 'missed: policy skip', recordedAtMs: p.nowMs })),
        next: offer('missed', base + 3_000),
      };
      const finished = await store!.finishClaimed(request);
      ok(finished.status === 'completed', JSON.stringify(finished));
      equal([finished.execution.outcome, finished.execution.skipReason, finished.execution.attempt], ['skipped', 'missed: policy skip', 0], 'skipped, no attempt counted');
      equal(finished.skipped.map((s) => s.status), ['recorded', 'recorded'], 'the other skips');
      offered(finished.next);
      equal((await store!.getTask('missed'))?.highWaterMarkMs, base + 2_000, 'the mark moved past the skips');
      const repeat = await store!.finishClaimed(request);
      equal([repeat.status, repeat.status === 'completed' && repeat.alreadyStored], ['completed', true], 'sent again: answered as stored');
      equal((await store!.finishClaimed({ ...request, skipReason: 'another reason' })).status, 'already-ended', 'another skip reason is refused');
      equal((await store!.pendingSlots('missed')).map((s) => s.nominalMs), [base + 3_000], 'the next slot offered once');
    }),
  },
  {
    name: 'the cluster methods check their arguments before any write and reject with InvalidArgumentError',
    run: (h) => withProcesses(h, 1, async ([store]) => {
      const p = await register(store!, 'p');
      await rejects(store!.registerProcess({ ownerId: '', host: 'h', pid: 1, version: 'v', leaseMs: 1_000 }), 'ERR_INVALID_ARGUMENT', 'request.ownerId');
      await rejects(store!.registerProcess({ ownerId: 'x', host: 'h', pid: 1, version: 'v', leaseMs: 0 }), 'ERR_INVALID_ARGUMENT', 'request.leaseMs');
      await rejects(store!.heartbeat({ ownerId: 'p', epoch: 0 }, 1_000), 'ERR_INVALID_ARGUMENT', 'process.epoch');
      await rejects(store!.claimDue({ ...p, limit: 0 }), 'ERR_INVALID_ARGUMENT', 'request.limit');
      await rejects(store!.claimDue({ ...p, limit: 1, functions: 'work' as never }), 'ERR_INVALID_ARGUMENT', 'request.functions');
      await rejects(store!.claimDue({ ...p, limit: 1, functions: ['work', ''] }), 'ERR_INVALID_ARGUMENT', 'request.functions[1]');
      await rejects(store!.claimDue({ ...p, limit: 1, startNow: -1 }), 'ERR_INVALID_ARGUMENT', 'request.startNow');
      await rejects(store!.finishAndClaim([], undefined, [{ executionId: 'x/1/1', fencingToken: 0.5 }]), 'ERR_INVALID_ARGUMENT', 'started[0].fencingToken');
      await rejects(store!.offerSlots([offer('t', Number.NaN)]), 'ERR_INVALID_ARGUMENT', 'offers[0]');
      await rejects(store!.offerSlots([offer('t', 1, { maxAttempts: 0 })]), 'ERR_INVALID_ARGUMENT', 'offers[0].maxAttempts');
      const base = { executionId: 'x/1/1', fencingToken: 1, endedAtMs: 1 };
      await rejects(store!.finishClaimed({ ...base, outcome: 'skipped' }), 'ERR_INVALID_ARGUMENT', 'request.skipReason');
      await rejects(store!.finishClaimed({ ...base, outcome: 'succeeded', retryAtMs: 5 }), 'ERR_INVALID_ARGUMENT', 'request.outcome');
      await rejects(store!.finishClaimed({ ...base, outcome: 'failed', retryAtMs: 5, next: offer('x', 2) }), 'ERR_INVALID_ARGUMENT', 'request.next');
      await rejects(store!.deregister({ ...p, unstarted: [{ executionId: '', fencingToken: 1 }] }), 'ERR_INVALID_ARGUMENT', 'request.unstarted[0].executionId');
      equal((await store!.processes()).map((x) => x.ownerId), ['p'], 'nothing was written by the refused calls');
    }),
  },
];
