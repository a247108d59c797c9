// IndexedDbStore, as shipped (timeslice/store/indexeddb from the built
// package), on Chromium's real IndexedDB with durability 'strict': the whole
// store contract (test/persistence/contract/), one test per case, each on a
// database of its own that is deleted afterwards. It runs twice: as shipped,
// with Web Locks (navigator.locks) beside the lease record, and with
// `locks: null`, the lease record alone (a browser without Web Locks). The
// two cases that take the lease over from a store instance still open
// (takesOverLiveHolder) run only in the second: with Web Locks an open holder
// keeps the store by design (two tabs: indexeddb-lease.browser.ts).
import { IndexedDbStore } from 'timeslice/store/indexeddb';
import { contractCases, type StoreHarness } from '../persistence/contract/index.js';
import { assert, assertEqual, test } from './harness.js';

let databases = 0;

/**
 * Deletes a database. A closed connection still finishes its transactions
 * (close() only sets a close-pending flag), so the request may first report
 * `blocked`; it succeeds once they are done. A connection really left open
 * would keep it waiting: the harness's per-test timeout catches that.
 */
function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.deleteDatabase(name);
    request.onsuccess = () => resolve();
    request.onerror = () => reject(request.error);
  });
}

function harness(name: string, withLocks: boolean): StoreHarness {
  return {
    name,
    async location() {
      const database = `timeslice-contract-${++databases}`;
      return {
        store: () => new IndexedDbStore(withLocks ? { name: database } : { name: database, locks: null }),
        dispose: () => deleteDatabase(database),
      };
    },
  };
}

const withWebLocks = harness('IndexedDbStore (Chromium, Web Locks)', true);
const recordAlone = harness('IndexedDbStore (Chromium, locks: null)', false);

test('Chromium has Web Locks here (a secure context), so the shipped default uses them', () => {
  assert(typeof navigator.locks?.request === 'function', 'navigator.locks is missing: the Web Locks runs below would test nothing');
});
for (const c of contractCases) {
  if (c.takesOverLiveHolder !== true) test(`[Web Locks] ${c.name}`, () => c.run(withWebLocks));
}
for (const c of contractCases) test(`[locks: null] ${c.name}`, () => c.run(recordAlone));

test("the store opens Chromium's own IndexedDB with strict durability, and a second store sees what the first committed", async () => {
  const first = new IndexedDbStore({ name: 'timeslice-two-connections', durability: 'strict' });
  const second = new IndexedDbStore('timeslice-two-connections');
  try {
    assertEqual(await first.open(), { schemaVersion: 3 }, 'open');
    await second.open();
    await first.putTasks([{
      id: 't', name: 't', description: null, ownerModule: null, functionName: 'f', params: { n: 1 }, scheduleKind: 'once',
      delayMs: null, periodMs: null, atMs: 5, cronExpression: null, timeZone: null, dstGap: null, dstOverlap: null, priority: 'normal',
      misfire: { policy: 'skip', graceMs: 0, catchUpWindowMs: null, catchUpMax: null }, retry: null, createdAtMs: 0,
      updatedAtMs: 0, lastExecutionMs: null, nextExecutionMs: 5, executionCount: 0, maxExecutions: null, status: 'pending',
      lastError: null, metadata: null, timeoutMs: null, constraints: null, calendarPeriod: null, startAtMs: null, endAtMs: null,
      scheduleVersion: 1, highWaterMarkMs: null,
    }]);
    const [claim] = await second.claim([{ taskId: 't', scheduleVersion: 1, nominalMs: 5, startedAtMs: 6 }]);
    assert(claim?.status === 'claimed', `claimed through the second connection: ${JSON.stringify(claim)}`);
    const [again] = await first.claim([{ taskId: 't', scheduleVersion: 1, nominalMs: 5, startedAtMs: 7 }]);
    assertEqual(again?.status, 'duplicate', 'the first connection sees the claim');
  } finally {
    await first.close();
    await second.close();
    await deleteDatabase('timeslice-two-connections');
  }
});
