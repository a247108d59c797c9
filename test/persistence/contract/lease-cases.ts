// Contract cases for the lease (C6, src/store/lease.ts): one owner at a time,
// takeover when the lease lapses or is released, and fencing: once a store
// instance acquired the lease, each of its writes is refused (LeaseLostError,
// nothing written) after the lease moved on. Two store instances over one
// location are two processes on one database.
import type { LeaseRequest } from '../../../src/store/lease.js';
import type { Store } from '../../../src/store/store.js';
import { equal, ok, rejects } from './check.js';
import { allHistory, type ContractCase, type StoreHarness, slot, task, withStore } from './harness.js';

function request(ownerId: string, nowMs: number, ttlMs = 10_000): LeaseRequest {
  return { ownerId, host: 'test-host', pid: ownerId === 'a' ? 101 : 202, nowMs, ttlMs };
}

/** A second opened store over the same location as `first`'s: another process. */
async function withTwo(h: StoreHarness, body: (a: Store, b: Store) => Promise<void>): Promise<void> {
  await withStore(h, async (a, location) => {
    const b = location.store();
    await b.open();
    try {
      await body(a, b);
    } finally {
      await b.close();
    }
  });
}

export const leaseCases: ContractCase[] = [
  {
    name: 'the first acquireLease() gets epoch 1; a second owner is refused with the holder named while the lease is live',
    run: (h) => withTwo(h, async (a, b) => {
      equal(await a.getLease(), undefined, 'no lease before the first acquire');
      const first = await a.acquireLease(request('a', 1_000));
      equal(first, {
        status: 'acquired', previous: undefined,
        lease: { ownerId: 'a', host: 'test-host', pid: 101, epoch: 1, sinceMs: 1_000, expiresAtMs: 11_000 },
      }, 'acquired');
      const second = await b.acquireLease(request('b', 10_999));
      equal(second, { status: 'held', holder: { ownerId: 'a', host: 'test-host', pid: 101, epoch: 1, sinceMs: 1_000, expiresAtMs: 11_000 } }, 'held by a');
      equal((await b.getLease())?.ownerId, 'a', 'getLease from the other instance');
    }),
  },
  {
    name: 'renewLease() extends the holder\'s lease; the same owner acquiring again keeps its epoch',
    run: (h) => withStore(h, async (store) => {
      await store.acquireLease(request('a', 1_000));
      equal(await store.renewLease(5_000, 10_000), {
        status: 'renewed', lease: { ownerId: 'a', host: 'test-host', pid: 101, epoch: 1, sinceMs: 1_000, expiresAtMs: 15_000 },
      }, 'renewed');
      const again = await store.acquireLease(request('a', 6_000));
      ok(again.status === 'acquired' && again.lease.epoch === 1 && again.lease.expiresAtMs === 16_000, `re-acquired: ${JSON.stringify(again)}`);
    }),
  },
  {
    name: 'a holder whose lease lapsed while nobody took it over renews it, keeping its epoch (it was paused, not replaced)',
    run: (h) => withTwo(h, async (a, b) => {
      await a.acquireLease(request('a', 1_000));
      equal((await b.getLease())?.expiresAtMs, 11_000, 'lapses at 11 s');
      const renewed = await a.renewLease(15_000, 10_000);
      ok(renewed.status === 'renewed' && renewed.lease.epoch === 1 && renewed.lease.expiresAtMs === 25_000, `renewed late: ${JSON.stringify(renewed)}`);
      equal((await b.acquireLease(request('b', 16_000))).status, 'held', 'held again');
    }),
  },
  {
    name: 'a lapsed lease is taken over with the next epoch; the old holder\'s renewal reports it lost',
    takesOverLiveHolder: true,
    run: (h) => withTwo(h, async (a, b) => {
      await a.acquireLease(request('a', 1_000));
      const taken = await b.acquireLease(request('b', 11_000));
      ok(taken.status === 'acquired' && taken.lease.epoch === 2 && taken.previous?.ownerId === 'a', `taken over: ${JSON.stringify(taken)}`);
      const renewed = await a.renewLease(11_500, 10_000);
      ok(renewed.status === 'lost' && renewed.holder?.ownerId === 'b' && renewed.holder.epoch === 2, `a lost it: ${JSON.stringify(renewed)}`);
    }),
  },
  {
    name: 'a paused holder that wakes after a takeover has every write refused with LeaseLostError, and nothing of them stored',
    takesOverLiveHolder: true,
    run: (h) => withTwo(h, async (a, b) => {
      await a.acquireLease(request('a', 1_000));
      await a.putTasks([task('t')]);
      const [claim] = await a.claim([slot('t', 1_000)]);
      ok(claim?.status === 'claimed', 'a claimed a slot');
      const execution = claim.execution;
      await b.acquireLease(request('b', 20_000));
      const lost = 'ERR_LEASE_LOST';
      await rejects(a.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 20_001 }), lost);
      await rejects(a.saveState(execution.id, execution.fencingToken, { at: 1 }), lost);
      await rejects(a.claim([slot('t', 2_000)]), lost);
      await rejects(a.recordSkipped([{ ...slot('t', 3_000), reason: 'x', recordedAtMs: 1 }]), lost);
      await rejects(a.putTasks([task('u')]), lost);
      await rejects(a.updateTask('t', { name: 'renamed' }), lost);
      await rejects(a.deleteTask('t'), lost);
      await rejects(a.pruneHistory(1e15), lost);
      await rejects(a.pruneEndedTasks!(1e15, null, 10), lost);
      equal((await b.getExecution(execution.id))?.outcome, 'running', 'the execution is as a left it');
      equal((await b.getTask('u')), undefined, 'no task u');
      equal((await b.getTask('t'))?.name, 't', 't unchanged');
      equal((await allHistory(b, 't')).length, 1, 'one execution of t');
      // The new holder's writes go through, the interrupted attempt's among them.
      const ended = await b.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'interrupted', endedAtMs: 20_002 });
      equal(ended.status, 'completed', 'b ends the attempt');
    }),
  },
  {
    name: 'releaseLease() lets another owner in at once; the releasing instance writes nothing more until it acquires again',
    run: (h) => withTwo(h, async (a, b) => {
      await a.acquireLease(request('a', 1_000));
      await a.releaseLease();
      await a.releaseLease();
      equal((await a.getLease())?.expiresAtMs, 0, 'released: expires at 0');
      await rejects(a.putTasks([task('t')]), 'ERR_LEASE_LOST');
      const taken = await b.acquireLease(request('b', 1_001));
      ok(taken.status === 'acquired' && taken.lease.epoch === 2, `b took it at once: ${JSON.stringify(taken)}`);
      await b.putTasks([task('t')]);
      equal((await a.renewLease(1_002, 10_000)).status, 'lost', 'a cannot renew');
    }),
  },
  {
    name: 'a store instance that never acquired a lease is not fenced; the epoch survives a reopen',
    run: (h) => withStore(h, async (store, location) => {
      await store.putTasks([task('t')]);
      await store.acquireLease(request('a', 1_000));
      await store.releaseLease();
      await store.close();
      const reopened = location.store();
      await reopened.open();
      try {
        await reopened.putTasks([task('u')]);
        const next = await reopened.acquireLease(request('b', 2_000));
        ok(next.status === 'acquired' && next.lease.epoch === 2, `the epoch continues: ${JSON.stringify(next)}`);
      } finally {
        await reopened.close();
      }
    }),
  },
  {
    name: 'lease calls are checked before any transaction: bad owner ids, times and ttls are refused',
    run: (h) => withStore(h, async (store) => {
      await rejects(store.acquireLease({ ...request('a', 1_000), ownerId: '' }), 'ERR_INVALID_ARGUMENT');
      await rejects(store.acquireLease({ ...request('a', 1_000), nowMs: Number.NaN }), 'ERR_INVALID_ARGUMENT');
      await rejects(store.acquireLease({ ...request('a', 1_000), ttlMs: 0 }), 'ERR_INVALID_ARGUMENT');
      await rejects(store.acquireLease(null as never), 'ERR_INVALID_ARGUMENT');
      await rejects(store.renewLease(1_000, -1), 'ERR_INVALID_ARGUMENT');
      equal(await store.getLease(), undefined, 'nothing written');
    }),
  },
];
