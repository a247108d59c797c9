// IndexedDbStore against the store contract and the slot model, on
// fake-indexeddb (its own factory per location, so locations never share a
// database). The same contract runs in Chromium: test/browser/indexeddb-store.browser.ts.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { describeSlotModel } from './slot-model.js';
import { describeStoreContract } from './store-contract.js';

const harness = {
  name: 'IndexedDbStore (fake-indexeddb)',
  async location() {
    const indexedDB = new IDBFactory();
    return { store: () => new IndexedDbStore({ name: 'jobs', indexedDB }), dispose: async () => {} };
  },
};

describeStoreContract(harness);
describeSlotModel(harness, 25);
