import { MemoryDatabase, MemoryStore } from '../../src/store/memory-store.js';
import { describeSlotModel } from './slot-model.js';
import { describeStoreContract } from './store-contract.js';

const harness = {
  name: 'MemoryStore',
  async location() {
    const database = new MemoryDatabase();
    return { store: () => new MemoryStore({ database }), dispose: async () => {} };
  },
};

describeStoreContract(harness);
describeSlotModel(harness);
