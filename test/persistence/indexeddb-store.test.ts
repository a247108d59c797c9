// IndexedDbStore against the store contract and the slot model, on
// fake-indexeddb (its own factory per location, so locations never share a
// database), deciding the lease by its record alone. The same contract runs
// in Chromium: test/browser/indexeddb-store.browser.ts.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { wrap } from 'idb';
import { describe, expect, it } from 'vitest';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { slot, task } from './contract/harness.js';
import { describeRoundTripProperty } from './round-trip-property.js';
import { describeSlotModel } from './slot-model.js';
import { describeStoreContract } from './store-contract.js';

const harness = {
  name: 'IndexedDbStore (fake-indexeddb)',
  async location() {
    const indexedDB = new IDBFactory();
    // The lease record alone (no Web Locks: the default in Node 20), as in every store; the lock path: indexeddb-lease.test.ts.
    return { store: () => new IndexedDbStore({ name: 'jobs', indexedDB, locks: null }), dispose: async () => {} };
  },
};

describeStoreContract(harness);
describeSlotModel(harness, 25);
describeRoundTripProperty(harness);

describe('IndexedDbStore storage details', () => {
  it('keeps one record per slot in the database itself: a second record for a slot violates the unique slot index', async () => {
    const indexedDB = new IDBFactory();
    const store = new IndexedDbStore({ name: 'jobs', indexedDB });
    await store.open();
    await store.putTasks([task('t')]);
    await store.claim([slot('t', 1000)]);
    await store.close();
    const db = await wrap(indexedDB.open('jobs'));
    const stored = await db!.get('executions', 't/1/1000');
    const error = await db!.add('executions', { ...stored, id: 'another-id' }).then(() => undefined, (e: unknown) => e);
    expect((error as { name?: string }).name).toBe('ConstraintError');
    db!.close();
  });

  it('refuses a database from a newer schema with StoreSchemaTooNewError', async () => {
    const indexedDB = new IDBFactory();
    const newer = await wrap(indexedDB.open('jobs', 7));
    newer!.close();
    await expect(new IndexedDbStore({ name: 'jobs', indexedDB }).open()).rejects.toMatchObject({ code: 'ERR_STORE_SCHEMA_TOO_NEW' });
  });

  it('validates its options when constructed', () => {
    expect(() => new IndexedDbStore({ name: '' })).toThrow(/options.name must be a non-empty string, received '' \(string\)/);
    expect(() => new IndexedDbStore({ name: 'x', durability: 'fast' as never })).toThrow(/options.durability must be 'strict', 'default' or 'relaxed'/);
    expect(() => new IndexedDbStore({ name: 'x', indexedDB: {} as never })).toThrow(/options.indexedDB must be an IDBFactory/);
    expect(() => new IndexedDbStore({ name: 'x', version: 2 } as never)).toThrow(/options.version is not an IndexedDbStore option/);
  });
});
