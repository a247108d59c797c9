// Contract cases for the wake-up of a cluster store (ClusterStore.watchOffers,
// optional: a store without it skips them): every transaction that makes
// rows pending tells each watcher once, with the earliest due time; nothing
// else tells. No case waits for a notice that should not come: each ends with
// a marker offer, due at a time no other row has, and notices arrive in
// commit order, so once the marker's is heard every earlier one has been.
import type { OfferWatch, OfferWatcher } from '../../../src/store/cluster.js';
import { equal, ok } from './check.js';
import { claim, type ClusterCapableStore, type ClusterCase, offer, oneOffs, register, withProcesses } from './cluster-harness.js';
import { task } from './harness.js';

/** A watcher that records what it is told, and can wait for a notice. */
export function recordingWatcher() {
  const notices: number[] = [];
  const waits: Array<{ dueMs: number; resolve: () => void }> = [];
  const watcher: OfferWatcher = {
    offered(dueMs) {
      notices.push(dueMs);
      for (const w of waits.filter((w) => w.dueMs === dueMs)) w.resolve();
    },
    interrupted() {},
    resumed() {},
  };
  return {
    notices,
    watcher,
    /** Resolves once a notice of `dueMs` is heard (at once if it was). */
    heard: (dueMs: number) => new Promise<void>((resolve) => (notices.includes(dueMs) ? resolve() : waits.push({ dueMs, resolve }))),
  };
}

/** Offers a marker task's slot due at `dueMs` through `store`, waits until `watchers` heard it, and returns what each heard before it (clearing what they heard). */
async function upToMarker(store: ClusterCapableStore, dueMs: number, ...watchers: Array<ReturnType<typeof recordingWatcher>>): Promise<number[][]> {
  const id = `marker-${dueMs}`;
  await store.putTasks([task(id, { scheduleKind: 'once', periodMs: null, atMs: dueMs, nextExecutionMs: dueMs })]);
  equal((await store.offerSlots([offer(id, dueMs)]))[0]?.status, 'offered', 'the marker is offered');
  await Promise.all(watchers.map((w) => w.heard(dueMs)));
  return watchers.map((w) => w.notices.splice(0).slice(0, -1));
}

export const clusterNotifyCases: ClusterCase[] = [
  {
    name: 'watchOffers() tells every watching process once per transaction that offers rows, with the earliest due time',
    run: (h) => withProcesses(h, 3, async ([a, b, c]) => {
      if (a!.watchOffers === undefined) return;
      const p = await register(a!, 'p');
      const heardByB = recordingWatcher();
      const heardByC = recordingWatcher();
      const watches: OfferWatch[] = [await b!.watchOffers!(heardByB.watcher), await c!.watchOffers!(heardByC.watcher)];
      try {
        const now = p.nowMs;
        await a!.putTasks(['late', 'due', 'soon'].map((id) => task(id, { scheduleKind: 'once', periodMs: null })));
        const results = await a!.offerSlots([offer('late', now + 5_000), offer('due', now - 1_000), offer('soon', now + 2_000)]);
        ok(results.every((r) => r.status === 'offered'), JSON.stringify(results));
        // Refused offers write nothing, claims and heartbeats make nothing pending: none of them tells.
        equal((await a!.offerSlots([offer('due', now - 500)]))[0]?.status, 'open-slot', 'a second offer of an open slot');
        equal((await claim(a!, p, 10)).claimed.length, 1, 'the due row is claimed');
        await a!.heartbeat(p, 30_000);
        equal(await upToMarker(a!, now + 123_456, heardByB, heardByC), [[now - 1_000], [now - 1_000]], 'one notice each, the earliest due');
        const many = Array.from({ length: 100 }, (_, i) => `many-${i}`);
        await oneOffs(a!, many, now + 7_000);
        equal(await upToMarker(a!, now + 234_567, heardByB, heardByC), [[now + 7_000], [now + 7_000]], '100 offers in one call: one notice');
      } finally {
        for (const w of watches) await w.close();
      }
    }),
  },
  {
    name: 'a retry, a give-back, a rescue and a next slot are told; an end that offers nothing is not',
    run: (h) => withProcesses(h, 2, async ([a, b], location) => {
      if (a!.watchOffers === undefined) return;
      const heard = recordingWatcher();
      const watch = await b!.watchOffers!(heard.watcher);
      try {
        const p = await register(a!, 'p');
        const now = p.nowMs;
        await oneOffs(a!, ['done', 'flaky', 'unstarted'], now - 1_000);
        await a!.putTasks([task('every', { periodMs: 60_000 })]);
        equal((await a!.offerSlots([offer('every', now - 1_000)]))[0]?.status, 'offered', 'the recurring task\'s slot');
        const { claimed } = await claim(a!, p, 10);
        const held = new Map(claimed.map((c) => [c.execution.taskId, c.execution]));
        equal(held.size, 4, 'all four claimed');
        equal(await upToMarker(a!, now + 100_001, heard), [[now - 1_000, now - 1_000]], 'the two offering calls');
        const end = (taskId: string) => ({ executionId: held.get(taskId)!.id, fencingToken: held.get(taskId)!.fencingToken, endedAtMs: now });
        equal((await a!.finishClaimed({ ...end('done'), outcome: 'succeeded' })).status, 'completed', 'an end with nothing next');
        equal(await upToMarker(a!, now + 100_002, heard), [[]], 'is not told');
        await a!.finishClaimed({ ...end('flaky'), outcome: 'failed', error: { message: 'boom' }, retryAtMs: now + 3_000 });
        equal(await upToMarker(a!, now + 100_003, heard), [[now + 3_000]], 'a retry: due after its backoff');
        const next = offer('every', now + 59_000);
        await a!.finishClaimed({ ...end('every'), outcome: 'succeeded', next, taskUpdate: { executionCount: 1, nextExecutionMs: next.nominalMs, status: 'pending' } });
        equal(await upToMarker(a!, now + 100_004, heard), [[now + 59_000]], 'the next slot, with the end');
        const gaveBack = await a!.deregister({ ...p, unstarted: [{ executionId: end('unstarted').executionId, fencingToken: end('unstarted').fencingToken }] });
        equal(gaveBack.returned, 1, 'the unstarted claim went back');
        equal(await upToMarker(a!, now + 100_005, heard), [[gaveBack.nowMs]], 'a give-back: due now');
        const q = await register(a!, 'q', 1_000);
        equal((await claim(a!, q, 1)).claimed.length, 1, 'q holds the given-back row');
        await location.advance(2_000);
        const rescue = await b!.rescueExpired();
        equal(rescue.interrupted, 1, 'q\'s row is rescued');
        equal(await upToMarker(a!, rescue.nowMs + 100_006, heard), [[rescue.nowMs]], 'a rescue: due now');
      } finally {
        await watch.close();
      }
    }),
  },
  {
    name: 'finishAndClaim() tells once for all its ends: a retry and two next slots, the earliest due',
    run: (h) => withProcesses(h, 2, async ([a, b]) => {
      if (a!.watchOffers === undefined) return;
      const heard = recordingWatcher();
      const watch = await b!.watchOffers!(heard.watcher);
      try {
        const p = await register(a!, 'p');
        const now = p.nowMs;
        await oneOffs(a!, ['flaky'], now - 1_000);
        await a!.putTasks([task('r1', { periodMs: 60_000 }), task('r2', { periodMs: 60_000 })]);
        ok((await a!.offerSlots([offer('r1', now - 1_000), offer('r2', now - 1_000)])).every((r) => r.status === 'offered'), 'the recurring slots');
        const { claimed } = await claim(a!, p, 10);
        equal(claimed.length, 3, 'all three claimed');
        await upToMarker(a!, now + 200_001, heard);
        const end = (taskId: string) => {
          const { id, fencingToken } = claimed.find((c) => c.execution.taskId === taskId)!.execution;
          return { executionId: id, fencingToken, endedAtMs: now };
        };
        const next = (taskId: string, dueMs: number) => ({
          ...end(taskId), outcome: 'succeeded' as const, next: offer(taskId, dueMs), taskUpdate: { executionCount: 1, nextExecutionMs: dueMs, status: 'pending' as const },
        });
        const { finished } = await a!.finishAndClaim([
          next('r1', now + 50_000), { ...end('flaky'), outcome: 'failed', error: { message: 'boom' }, retryAtMs: now + 4_000 }, next('r2', now + 30_000),
        ]);
        equal(finished.map((f) => f.status), ['completed', 'completed', 'completed'], 'all three ended');
        equal(await upToMarker(a!, now + 200_002, heard), [[now + 4_000]], 'one notice, the retry\'s due time');
      } finally {
        await watch.close();
      }
    }),
  },
  {
    name: 'a closed watch is told nothing more; the store\'s other watches go on',
    run: (h) => withProcesses(h, 2, async ([a, b]) => {
      if (a!.watchOffers === undefined) return;
      const kept = recordingWatcher();
      const closed = recordingWatcher();
      const keptWatch = await b!.watchOffers!(kept.watcher);
      const closedWatch = await b!.watchOffers!(closed.watcher);
      try {
        const { nowMs } = await register(a!, 'p');
        await upToMarker(a!, nowMs + 1, kept, closed);
        await closedWatch.close();
        await oneOffs(a!, ['after'], nowMs + 5);
        equal(await upToMarker(a!, nowMs + 2, kept), [[nowMs + 5]], 'the open watch hears the offer');
        equal(closed.notices, [], 'the closed one hears nothing');
      } finally {
        await keptWatch.close();
      }
    }),
  },
];
