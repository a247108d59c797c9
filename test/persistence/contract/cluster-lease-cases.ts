// Contract cases for the cluster's processes and leases (src/store/cluster.ts):
// registration and heartbeats by the store's clock, rescue of an expired
// process's rows by any other (and never while it is alive), fencing of the
// late holder's writes, and a clean stop giving its rows back at once.
import { equal, ok } from './check.js';
import { claim, type ClusterCase, LEASE_MS, oneOffs, register, withProcesses } from './cluster-harness.js';

export const clusterLeaseCases: ClusterCase[] = [
  {
    name: 'registerProcess() gives each process a new epoch and a lease from the store\'s clock; heartbeat() renews it and reports that clock',
    run: (h) => withProcesses(h, 2, async ([a, b], location) => {
      const pa = await register(a!, 'a');
      const pb = await register(b!, 'b');
      ok(pb.epoch > pa.epoch, `epochs increase: ${pa.epoch}, ${pb.epoch}`);
      const listed = await a!.processes();
      equal(listed.map((p) => [p.ownerId, p.epoch, p.expiresAtMs - p.heartbeatAtMs, p.running]), [['a', pa.epoch, LEASE_MS, 0], ['b', pb.epoch, LEASE_MS, 0]], 'both listed, by epoch');
      await location.advance(10_000);
      const beat = await a!.heartbeat(pa, LEASE_MS);
      ok(beat.status === 'renewed', JSON.stringify(beat));
      equal(beat.nowMs - pa.nowMs >= 10_000, true, 'the store\'s clock moved on');
      equal(beat.process.expiresAtMs, beat.nowMs + LEASE_MS, 'renewed from the store\'s now');
      equal((await a!.heartbeat({ ownerId: 'a', epoch: pa.epoch + 100 }, LEASE_MS)).status, 'lost', 'another epoch is not this process');
      const again = await register(a!, 'a');
      ok(again.epoch > pb.epoch, 'registering again gives a new epoch');
      equal((await a!.heartbeat(pa, LEASE_MS)).status, 'lost', 'and the old epoch is gone');
    }),
  },
  {
    name: 'a live process\'s rows are never rescued; once its lease expires any process rescues them, and another claims them as attempt 2',
    run: (h) => withProcesses(h, 2, async ([a, b], location) => {
      const pa = await register(a!, 'a');
      const pb = await register(b!, 'b');
      await oneOffs(a!, ['x', 'y'], pa.nowMs - 10);
      const held = (await claim(a!, pa, 2)).claimed;
      equal(held.length, 2, 'a holds both');
      await location.advance(LEASE_MS - 1);
      await b!.heartbeat(pb, LEASE_MS);
      const early = await b!.rescueExpired();
      equal([early.expired, early.interrupted], [[], 0], 'nothing expired yet');
      equal((await claim(b!, pb, 10)).claimed.length, 0, 'b takes nothing a live process holds');
      await location.advance(1);
      const rescue = await b!.rescueExpired();
      equal(rescue.expired, [{ ownerId: 'a', epoch: pa.epoch }], 'a expired');
      equal(rescue.interrupted, 2, 'its two rows went back');
      equal((await b!.rescueExpired()).interrupted, 0, 'a second rescue finds nothing');
      const interrupted = await b!.getExecution(held[0]!.execution.id);
      equal(interrupted?.outcome, 'interrupted', 'the attempt is recorded as interrupted');
      equal((await b!.processes()).map((p) => p.ownerId), ['b'], 'a is no longer listed');
      const taken = (await claim(b!, pb, 10)).claimed;
      equal(taken.map((c) => [c.execution.taskId, c.execution.attempt, c.exhausted]).sort(), [['x', 2, false], ['y', 2, false]], 'b runs them as second attempts');
    }),
  },
  {
    name: 'fencing: the late holder\'s end, after the rescue and after the next claim, is refused and writes nothing; its heartbeat reports it lost',
    run: (h) => withProcesses(h, 2, async ([a, b], location) => {
      const pa = await register(a!, 'a', 5_000);
      await oneOffs(a!, ['job'], pa.nowMs - 1);
      const { claimed: [stale] } = await claim(a!, pa, 1);
      await location.advance(5_000);
      const pb = await register(b!, 'b');
      await b!.rescueExpired();
      const end = { executionId: stale!.execution.id, fencingToken: stale!.execution.fencingToken, outcome: 'succeeded' as const, endedAtMs: pb.nowMs };
      equal((await a!.finishClaimed(end)).status, 'already-ended', 'refused after the rescue');
      equal((await a!.finishClaimed({ ...end, outcome: 'interrupted' })).status, 'already-ended', 'as interrupted at the rescue\'s time too: the rescue\'s end is not its end');
      equal((await a!.saveState(stale!.execution.id, stale!.execution.fencingToken, { step: 9 })).status, 'already-ended', 'saved state too');
      const { claimed: [fresh] } = await claim(b!, pb, 1);
      const refused = await a!.finishClaimed(end);
      ok(refused.status === 'stale-token' && refused.current.fencingToken === fresh!.execution.fencingToken, `refused after the next claim: ${JSON.stringify(refused)}`);
      equal((await b!.getExecution(fresh!.execution.id))?.outcome, 'running', 'the new attempt is untouched');
      equal((await a!.heartbeat(pa, 5_000)).status, 'lost', 'a learns it was declared dead');
      equal((await a!.claimDue({ ...pa, limit: 5 })).status, 'not-registered', 'and may claim nothing until it registers again');
      const done = await b!.finishClaimed({ executionId: fresh!.execution.id, fencingToken: fresh!.execution.fencingToken, outcome: 'succeeded', endedAtMs: pb.nowMs });
      equal(done.status, 'completed', 'the new holder ends it');
    }),
  },
  {
    name: 'a process past its lease claims nothing until it heartbeats; a paused process nobody rescued keeps its rows and renews',
    run: (h) => withProcesses(h, 1, async ([a], location) => {
      const pa = await register(a!, 'a', 5_000);
      await oneOffs(a!, ['first', 'second'], pa.nowMs - 1);
      const { claimed: [held] } = await claim(a!, pa, 1);
      await location.advance(6_000);
      equal((await a!.claimDue({ ...pa, limit: 5 })).status, 'lease-expired', 'expired: no new claims');
      equal((await a!.heartbeat(pa, 5_000)).status, 'renewed', 'paused, not replaced: renewed');
      equal((await claim(a!, pa, 5)).claimed.map((c) => c.execution.taskId), ['second'], 'claims again');
      const done = await a!.finishClaimed({ executionId: held!.execution.id, fencingToken: held!.execution.fencingToken, outcome: 'succeeded', endedAtMs: 1 });
      equal(done.status, 'completed', 'and ends what it held');
    }),
  },
  {
    name: 'a slot whose last attempt died with its process is handed to the next claimer as exhausted, to be failed with the next slot',
    run: (h) => withProcesses(h, 2, async ([a, b], location) => {
      const pa = await register(a!, 'a', 5_000);
      await oneOffs(a!, ['once-only'], pa.nowMs - 1, { maxAttempts: 1 });
      await claim(a!, pa, 1);
      await location.advance(5_000);
      const pb = await register(b!, 'b');
      equal((await b!.rescueExpired()).interrupted, 1, 'rescued, not failed by the rescue');
      const { claimed: [last] } = await claim(b!, pb, 1);
      equal([last?.exhausted, last?.execution.attempt], [true, 1], 'exhausted: no attempt 2');
      const failed = await b!.finishClaimed({
        executionId: last!.execution.id, fencingToken: last!.execution.fencingToken, outcome: 'failed', endedAtMs: pb.nowMs,
        error: { name: 'LeaseExpiredError', message: 'x' }, taskUpdate: { status: 'failed', nextExecutionMs: null },
      });
      ok(failed.status === 'completed' && failed.execution.outcome === 'failed' && failed.task?.status === 'failed', JSON.stringify(failed));
    }),
  },
  {
    name: 'deregister() gives an unstarted claim back with no attempt counted and a started one as interrupted, so another claims both at once',
    run: (h) => withProcesses(h, 2, async ([a, b]) => {
      const pa = await register(a!, 'a');
      const pb = await register(b!, 'b');
      await oneOffs(a!, ['started', 'unstarted'], pa.nowMs - 1);
      const held = (await claim(a!, pa, 2)).claimed;
      const unstarted = held.find((c) => c.execution.taskId === 'unstarted')!;
      const back = await a!.deregister({ ...pa, unstarted: [{ executionId: unstarted.execution.id, fencingToken: unstarted.execution.fencingToken }] });
      equal([back.returned, back.interrupted], [1, 1], 'one returned, one interrupted');
      equal(await b!.getExecution(unstarted.execution.id), undefined, 'the unstarted claim left no attempt behind');
      equal((await b!.processes()).map((p) => p.ownerId), ['b'], 'a is gone at once');
      const taken = (await claim(b!, pb, 5)).claimed.map((c) => [c.execution.taskId, c.execution.attempt]).sort();
      equal(taken, [['started', 2], ['unstarted', 1]], 'b takes both without waiting for a lease');
      const repeat = await a!.deregister(pa);
      equal([repeat.returned, repeat.interrupted], [0, 0], 'deregister again is harmless');
    }),
  },
  {
    name: 'claimDue() with `known` gives back the rows this registration holds and does not name (a claim whose answer was lost), with no attempt counted',
    run: (h) => withProcesses(h, 2, async ([a, b]) => {
      const pa = await register(a!, 'a');
      const pb = await register(b!, 'b');
      await oneOffs(a!, ['kept', 'lost'], pa.nowMs - 2);
      const held = (await claim(a!, pa, 2)).claimed;
      equal(held.map((c) => c.execution.taskId).sort(), ['kept', 'lost'], 'a holds both');
      await oneOffs(a!, ['theirs'], pa.nowMs - 1);
      equal((await claim(b!, pb, 5)).claimed.map((c) => c.execution.taskId), ['theirs'], 'b holds its own');
      const kept = held.find((c) => c.execution.taskId === 'kept')!.execution;
      const lost = held.find((c) => c.execution.taskId === 'lost')!.execution;
      // a never heard of `lost`: its next claim names only `kept`. The row may be taken again by this very claim.
      const again = (await claim(a!, pa, 5, { known: [{ executionId: kept.id, fencingToken: kept.fencingToken }] })).claimed;
      const retaken = [...again, ...(await claim(b!, pb, 5)).claimed].map((c) => c.execution);
      equal(retaken.map((e) => [e.taskId, e.attempt]), [['lost', 1]], 'given back as it was before the lost claim, and taken again as attempt 1');
      ok(retaken[0]!.fencingToken !== lost.fencingToken, 'under a new token');
      equal((await a!.getExecution(kept.id))?.fencingToken, kept.fencingToken, 'the known row stays held');
      equal((await a!.processes()).map((p) => p.running), [1 + again.length, 2 - again.length], 'b\'s rows are not a\'s to give back');
    }),
  },
  {
    name: 'rows claimed beyond startNow are held unstarted: a rescue interrupts them and allows one attempt more, unless a batch named them started',
    run: (h) => withProcesses(h, 2, async ([a, b], location) => {
      const pa = await register(a!, 'a');
      const pb = await register(b!, 'b');
      await oneOffs(a!, ['q1', 'q2', 'q3', 'q4'], pa.nowMs - 10, { maxAttempts: 1 });
      const claimed = await a!.claimDue({ ...pa, limit: 4, startNow: 1 });
      ok(claimed.status === 'claimed', JSON.stringify(claimed));
      equal(claimed.claimed.map((c) => [c.execution.taskId, c.started]), [['q1', true], ['q2', false], ['q3', false], ['q4', false]], 'the most urgent starts now, the rest queue');
      const q2 = claimed.claimed[1]!.execution;
      // q2 started since the claim: named with a batch (no end, no claim). A stale token names nothing.
      await a!.finishAndClaim([], undefined, [{ executionId: q2.id, fencingToken: q2.fencingToken }, { executionId: claimed.claimed[2]!.execution.id, fencingToken: 1 }]);
      await location.advance(LEASE_MS - 1);
      await b!.heartbeat(pb, LEASE_MS);
      await location.advance(1);
      const rescue = await b!.rescueExpired();
      equal([rescue.interrupted, rescue.returned], [4, 0], 'all four interrupted');
      equal((await b!.getExecution(claimed.claimed[3]!.execution.id))?.outcome, 'interrupted', 'an unstarted attempt is recorded as interrupted');
      const pending = await b!.pendingSlots();
      equal(pending.map((p) => [p.taskId, p.attempts, p.maxAttempts]), [['q1', 1, 1], ['q2', 1, 1], ['q3', 1, 2], ['q4', 1, 2]], 'the unstarted ones got one attempt more');
      const taken = (await claim(b!, pb, 10)).claimed;
      equal(
        taken.map((c) => [c.execution.taskId, c.execution.attempt, c.exhausted]), [['q1', 1, true], ['q2', 1, true], ['q3', 2, false], ['q4', 2, false]],
        'the started ones used their one attempt; the queued ones run as second attempts, each start with a higher number',
      );
    }),
  },
];
