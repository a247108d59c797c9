// One owner per IndexedDB database across tabs (C6), in Chromium, with the
// store as shipped: each test opens real tabs of this origin (harness.ts's
// openTab()), each with its own IndexedDbStore over one database, and drives
// them. With Web Locks (the default here) the lock says who is alive: a second
// tab is refused while the first lives, whatever the times say, and takes the
// store over the moment the first is closed or crashes. With `locks: null` the
// lease record alone decides, and a tab whose lease lapsed is fenced.
//
// Lease times are passed explicitly (nowMs), so no assertion depends on the
// wall clock: a takeover before the record's passed expiry proves the lock.
import { taskRecord } from 'timeslice/store';
import { IndexedDbStore } from 'timeslice/store/indexeddb';
import type { AcquireResult, RenewResult } from '../../src/store/lease.js';
import { assert, assertEqual, openTab, serveTab, type Tab, test } from './harness.js';

const TTL_MS = 600_000;

// What a tab does when told (runs in the tab's own page).
let store: IndexedDbStore | undefined;
const opened = (): IndexedDbStore => {
  if (store === undefined) throw new Error('this tab has no store open');
  return store;
};
serveTab({
  async open(name: string, withLocks: boolean) {
    store = new IndexedDbStore(withLocks ? { name } : { name, locks: null });
    await store.open();
  },
  acquire: (ownerId: string, nowMs: number, ttlMs: number = TTL_MS) => opened().acquireLease({ ownerId, host: 'browser', pid: 0, nowMs, ttlMs }),
  renew: (nowMs: number) => opened().renewLease(nowMs, TTL_MS),
  release: () => opened().releaseLease(),
  /** Writes a task: 'written', or the code of the error the write was refused with. */
  async write(id: string) {
    try {
      await opened().putTasks([taskRecord({ id, functionName: 'work', scheduleKind: 'once', atMs: 1, createdAtMs: 0 })]);
      return 'written';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  },
});

let databases = 0;

/** Two-tab scenarios on a fresh database, deleted afterwards (once every tab is gone). */
async function withTabs(count: number, withLocks: boolean, body: (tabs: Tab[], name: string) => Promise<void>): Promise<void> {
  const name = `timeslice-lease-tabs-${++databases}`;
  const tabs: Tab[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const tab = await openTab();
      tabs.push(tab);
      await tab.call('open', name, withLocks);
    }
    await body(tabs, name);
  } finally {
    await Promise.all(tabs.map((tab) => tab.close().catch(() => {})));
    await new Promise<void>((resolve, reject) => {
      const request = indexedDB.deleteDatabase(name);
      request.onsuccess = () => resolve();
      request.onerror = () => reject(request.error);
    });
  }
}

/**
 * Asks `tab` for the store until it is granted: a tab closes (or crashes)
 * asynchronously, and the browser frees its lock once the tab's document is
 * torn down. Bounded by tries, not by time; reports how many it took.
 */
async function acquireOnceFreed(tab: Tab, ownerId: string, nowMs: number): Promise<{ result: AcquireResult; tries: number }> {
  for (let tries = 1; tries <= 200; tries++) {
    const result = await tab.call<AcquireResult>('acquire', ownerId, nowMs);
    if (result.status === 'acquired') return { result, tries };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${ownerId}: the store was still held after 200 tries`);
}

test('Web Locks: the second tab is refused while the first lives, even past the record\'s expiry; closing the first hands it over at once with the next epoch', async () => {
  assert(typeof navigator.locks?.request === 'function', 'navigator.locks is missing: this test would test nothing');
  await withTabs(2, true, async ([a, b]) => {
    const first = await a!.call<AcquireResult>('acquire', 'tab-a', 1_000);
    assert(first.status === 'acquired' && first.lease.epoch === 1, `tab a acquired: ${JSON.stringify(first)}`);
    const holderA = first.lease;
    assertEqual(await b!.call('acquire', 'tab-b', 2_000), { status: 'held', holder: holderA }, 'tab b refused, tab a named');
    // Far past the record's expiry by the times given: tab a's lock still says it lives.
    assertEqual(await b!.call('acquire', 'tab-b', 10 * TTL_MS), { status: 'held', holder: holderA }, 'still refused after the expiry');
    assertEqual(await a!.call('write', 't1'), 'written', 'tab a writes');
    await a!.close();
    const { result } = await acquireOnceFreed(b!, 'tab-b', 3_000);
    assertEqual(result, {
      status: 'acquired', previous: holderA,
      lease: { ownerId: 'tab-b', host: 'browser', pid: 0, epoch: 2, sinceMs: 3_000, expiresAtMs: 3_000 + TTL_MS },
    }, 'tab b took the unexpired record over with epoch 2');
    assertEqual(await b!.call('write', 't2'), 'written', 'tab b writes');
  });
});

test('Web Locks: a crashed tab frees the store at once; a tab that released it is fenced once another took it', async () => {
  await withTabs(3, true, async ([a, b, c]) => {
    const first = await a!.call<AcquireResult>('acquire', 'tab-a', 1_000);
    assert(first.status === 'acquired', `tab a acquired: ${JSON.stringify(first)}`);
    await a!.crash();
    const { result: second } = await acquireOnceFreed(b!, 'tab-b', 2_000);
    assert(second.status === 'acquired' && second.lease.epoch === 2 && second.previous?.ownerId === 'tab-a', `tab b after the crash: ${JSON.stringify(second)}`);
    await b!.call('release');
    const third = await c!.call<AcquireResult>('acquire', 'tab-c', 3_000);
    assert(third.status === 'acquired' && third.lease.epoch === 3, `tab c took the released store at once: ${JSON.stringify(third)}`);
    assertEqual(await b!.call('write', 'late'), 'ERR_LEASE_LOST', 'tab b, fenced');
    assertEqual(await b!.call('acquire', 'tab-b', 3_500), { status: 'held', holder: third.lease }, 'tab b refused, tab c named');
    assertEqual(await c!.call('write', 'late'), 'written', 'tab c writes');
  });
});

test('locks: null: the lease record alone; a tab whose lease lapsed is taken over while it lives, and its writes are fenced', async () => {
  await withTabs(2, false, async ([a, b]) => {
    const first = await a!.call<AcquireResult>('acquire', 'tab-a', 1_000, 10_000);
    assert(first.status === 'acquired', `tab a acquired: ${JSON.stringify(first)}`);
    assertEqual(await b!.call('acquire', 'tab-b', 10_999, 10_000), { status: 'held', holder: first.lease }, 'live: refused');
    const taken = await b!.call<AcquireResult>('acquire', 'tab-b', 11_000, 10_000);
    assert(taken.status === 'acquired' && taken.lease.epoch === 2, `lapsed: tab b took it over: ${JSON.stringify(taken)}`);
    assertEqual(await a!.call('write', 'late'), 'ERR_LEASE_LOST', 'tab a, fenced');
    const renewed = await a!.call<RenewResult>('renew', 11_500);
    assert(renewed.status === 'lost' && renewed.holder?.ownerId === 'tab-b', `tab a's renewal: ${JSON.stringify(renewed)}`);
    assertEqual(await b!.call('write', 't'), 'written', 'tab b writes');
  });
});
