import { describe, expect, it } from 'vitest';
import { MemoryDatabase, MemoryStore } from '../../src/store/memory-store.js';
import { describeRoundTripProperty } from './round-trip-property.js';
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
describeRoundTripProperty(harness);

describe('MemoryStore options', () => {
  it('validates its options when constructed', () => {
    expect(() => new MemoryStore({ database: {} as never })).toThrow(/options.database must be a MemoryDatabase .*received a value of type object/);
    expect(() => new MemoryStore({ path: 'x' } as never)).toThrow(/options.path is not a MemoryStore option/);
    expect(() => new MemoryStore(null as never)).toThrow(/options must be an object, received null/);
  });
});
