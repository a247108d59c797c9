// IndexedDbStore's lease beyond the contract, on fake-indexeddb: the fence is
// read inside the write's own transaction, the two ways the store tells who is
// alive (the lease record alone, or a Web Lock beside it: FakeLockManager
// plays navigator.locks), and which one it picks by default. The real Web
// Locks across two Chromium tabs: test/browser/indexeddb-lease.browser.ts.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { wrap } from 'idb';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION } from '../../src/store/indexeddb/schema.js';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import type { LeaseHolder, LeaseRequest } from '../../src/store/lease.js';
import { task } from './contract/harness.js';
import { FakeLockManager } from './fake-lock-manager.js';

const LOCK = 'timeslice:jobs';

function request(ownerId: string, nowMs: number, ttlMs = 10_000): LeaseRequest {
  return { ownerId, host: 'browser', pid: 0, nowMs, ttlMs };
}

const open: IndexedDbStore[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((store) => store.close()));
});

/** Opened stores over one fresh database, as so many tabs of one origin. */
async function tabs(count: number, locks: FakeLockManager | null): Promise<{ stores: IndexedDbStore[]; indexedDB: IDBFactory }> {
  const indexedDB = new IDBFactory();
  const stores: IndexedDbStore[] = [];
  for (let i = 0; i < count; i++) {
    const store = new IndexedDbStore({ name: 'jobs', indexedDB, locks: locks as LockManager | null });
    await store.open();
    open.push(store);
    stores.push(store);
  }
  return { stores, indexedDB };
}

/** Runs `make` with globalThis.navigator set to `navigator` (undefined: none), then puts the real one back. */
function withNavigator<T>(navigator: { locks: FakeLockManager } | undefined, make: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: navigator, configurable: true, writable: true });
  try {
    return make();
  } finally {
    if (saved === undefined) delete (globalThis as { navigator?: unknown }).navigator;
    else Object.defineProperty(globalThis, 'navigator', saved);
  }
}

/** Overwrites the lease record from outside any store (a writer that takes no lock). */
async function putLeaseRecord(indexedDB: IDBFactory, lease: LeaseHolder): Promise<void> {
  const db = (await wrap(indexedDB.open('jobs')))!;
  await db.put('lease', lease, 'current');
  db.close();
}

describe('the fence is read in the write transaction itself', () => {
  it('a takeover started while a fenced write is in flight waits for it: the write commits first, under the old epoch, and the next write is refused', async () => {
    const { stores: [a], indexedDB } = await tabs(1, null);
    await a!.acquireLease(request('a', 1_000));
    const order: string[] = [];
    const write = a!.putTasks([task('u')]).then(() => order.push('write committed'));
    // Another connection takes the lease over in a transaction created after the write's.
    const raw = (await wrap(indexedDB.open('jobs')))!;
    const takeover = raw.transaction('lease', 'readwrite');
    void takeover.store.put({ ownerId: 'b', host: 'browser', pid: 0, epoch: 2, sinceMs: 20_000, expiresAtMs: 30_000 }, 'current');
    await Promise.all([write, takeover.done.then(() => order.push('takeover committed'))]);
    raw.close();
    expect(order).toEqual(['write committed', 'takeover committed']);
    expect(await a!.getTask('u')).toMatchObject({ id: 'u' });
    await expect(a!.putTasks([task('v')])).rejects.toMatchObject({ code: 'ERR_LEASE_LOST', holder: { ownerId: 'b', epoch: 2 } });
    expect(await a!.getTask('v')).toBeUndefined();
  });
});

describe('without Web Locks: the lease record alone', () => {
  it('is the default where there is no navigator.locks (Node 20, older browsers): a lapsed lease is taken over while its holder is still open', async () => {
    const indexedDB = new IDBFactory();
    const [a, b] = withNavigator(undefined, () => [new IndexedDbStore({ name: 'jobs', indexedDB }), new IndexedDbStore({ name: 'jobs', indexedDB })]);
    open.push(a, b);
    await a.open();
    await b.open();
    await a.acquireLease(request('a', 1_000));
    expect(await b.acquireLease(request('b', 10_999))).toMatchObject({ status: 'held', holder: { ownerId: 'a' } });
    expect(await b.acquireLease(request('b', 11_000))).toMatchObject({ status: 'acquired', lease: { ownerId: 'b', epoch: 2 } });
    await expect(a.putTasks([task('t')])).rejects.toMatchObject({ code: 'ERR_LEASE_LOST' });
  });

  it('takes navigator.locks by default where it exists', async () => {
    const locks = new FakeLockManager();
    const store = withNavigator({ locks }, () => new IndexedDbStore({ name: 'jobs', indexedDB: new IDBFactory() }));
    open.push(store);
    await store.open();
    await store.acquireLease(request('a', 1_000));
    expect(locks.isHeld(LOCK)).toBe(true);
  });
});

describe('with Web Locks: the lock says who is alive', () => {
  it('refuses a second tab while the holder keeps its lock, naming the record\'s holder even after its expiry passed', async () => {
    const locks = new FakeLockManager();
    const { stores: [a, b] } = await tabs(2, locks);
    await a!.acquireLease(request('a', 1_000));
    expect(await b!.acquireLease(request('b', 50_000))).toEqual({
      status: 'held', holder: { ownerId: 'a', host: 'browser', pid: 0, epoch: 1, sinceMs: 1_000, expiresAtMs: 11_000 },
    });
    await a!.putTasks([task('t')]);
    expect(await a!.renewLease(60_000, 10_000)).toMatchObject({ status: 'renewed', lease: { epoch: 1, expiresAtMs: 70_000 } });
  });

  it('takes the record over at once, with the next epoch, when the holder\'s tab goes away, though the record has not expired; the old instance\'s writes are refused', async () => {
    const locks = new FakeLockManager();
    const { stores: [a, b] } = await tabs(2, locks);
    await a!.acquireLease(request('a', 1_000, 60_000));
    locks.free(LOCK);
    const taken = await b!.acquireLease(request('b', 2_000));
    expect(taken).toEqual({
      status: 'acquired',
      lease: { ownerId: 'b', host: 'browser', pid: 0, epoch: 2, sinceMs: 2_000, expiresAtMs: 12_000 },
      previous: { ownerId: 'a', host: 'browser', pid: 0, epoch: 1, sinceMs: 1_000, expiresAtMs: 61_000 },
    });
    await expect(a!.putTasks([task('t')])).rejects.toMatchObject({ code: 'ERR_LEASE_LOST', holder: { ownerId: 'b' } });
    expect(await a!.renewLease(2_500, 10_000)).toMatchObject({ status: 'lost', holder: { ownerId: 'b', epoch: 2 } });
    await b!.putTasks([task('t')]);
  });

  it('frees the lock on releaseLease() and on close(), so the next tab gets the store at once', async () => {
    const locks = new FakeLockManager();
    const { stores: [a, b, c] } = await tabs(3, locks);
    await a!.acquireLease(request('a', 1_000, 60_000));
    await a!.releaseLease();
    expect(locks.isHeld(LOCK)).toBe(false);
    await b!.acquireLease(request('b', 2_000, 60_000));
    await b!.close();
    expect(locks.isHeld(LOCK)).toBe(false);
    expect(await c!.acquireLease(request('c', 3_000, 60_000))).toMatchObject({ status: 'acquired', lease: { epoch: 3 }, previous: { ownerId: 'b', expiresAtMs: 62_000 } });
  });

  it('frees the lock when another tab upgrades the schema (the store steps aside on versionchange)', async () => {
    const locks = new FakeLockManager();
    const { stores: [a], indexedDB } = await tabs(1, locks);
    await a!.acquireLease(request('a', 1_000));
    const newer = (await wrap(indexedDB.open('jobs', LATEST_SCHEMA_VERSION + 1)))!;
    newer.close();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(locks.isHeld(LOCK)).toBe(false);
    await expect(a!.putTasks([task('t')])).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
  });

  it('acquiring again while holding the lock keeps the epoch and asks for no second lock', async () => {
    const locks = new FakeLockManager();
    const { stores: [a] } = await tabs(1, locks);
    await a!.acquireLease(request('a', 1_000));
    expect(await a!.acquireLease(request('a', 5_000))).toMatchObject({ status: 'acquired', lease: { epoch: 1, expiresAtMs: 15_000 } });
    expect(locks.requests).toBe(1);
  });

  it('frees the lock when the record cannot be written (the store closed meanwhile)', async () => {
    const locks = new FakeLockManager();
    const { stores: [a, b] } = await tabs(2, locks);
    const acquiring = a!.acquireLease(request('a', 1_000));
    await a!.close();
    await expect(acquiring).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    expect(locks.isHeld(LOCK)).toBe(false);
    expect(await b!.acquireLease(request('b', 2_000))).toMatchObject({ status: 'acquired', lease: { epoch: 1 } });
  });

  it('frees the lock when a renewal finds the lease lost (a writer without the lock took the record)', async () => {
    const locks = new FakeLockManager();
    const { stores: [a], indexedDB } = await tabs(1, locks);
    await a!.acquireLease(request('a', 1_000));
    await putLeaseRecord(indexedDB, { ownerId: 'x', host: 'browser', pid: 0, epoch: 2, sinceMs: 2_000, expiresAtMs: 12_000 });
    expect(await a!.renewLease(3_000, 10_000)).toMatchObject({ status: 'lost', holder: { ownerId: 'x' } });
    expect(locks.isHeld(LOCK)).toBe(false);
  });

  it('names an unknown holder (epoch 0) when the lock is taken and no lease record is written yet', async () => {
    const locks = new FakeLockManager();
    const { stores: [a] } = await tabs(1, locks);
    let free = () => {};
    void locks.request(LOCK, { mode: 'exclusive', ifAvailable: true }, () => new Promise<void>((resolve) => {
      free = resolve;
    }));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await a!.acquireLease(request('a', 1_000))).toEqual({
      status: 'held', holder: { ownerId: 'unknown', host: 'another tab (lease record not yet written)', pid: 0, epoch: 0, sinceMs: 1_000, expiresAtMs: 11_000 },
    });
    free();
    expect(await a!.getLease()).toBeUndefined();
  });

  it('forgets a lock stolen from it (steal: true elsewhere): acquiring again asks for the lock anew and is refused while the thief holds it', async () => {
    const locks = new FakeLockManager();
    const { stores: [a] } = await tabs(1, locks);
    await a!.acquireLease(request('a', 1_000));
    locks.steal(LOCK);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(await a!.acquireLease(request('a', 2_000))).toMatchObject({ status: 'held', holder: { ownerId: 'a', epoch: 1 } });
    expect(locks.requests).toBe(2);
    // The record is still a's: its writes stay fenced by it alone.
    await a!.putTasks([task('t')]);
  });
});

describe('the locks option', () => {
  it('is a LockManager or null', () => {
    expect(() => new IndexedDbStore({ name: 'x', indexedDB: new IDBFactory(), locks: {} as never })).toThrow(
      /options.locks must be a LockManager \(navigator.locks\) or null, received a value of type object/,
    );
    expect(() => new IndexedDbStore({ name: 'x', indexedDB: new IDBFactory(), locks: null })).not.toThrow();
  });
});
