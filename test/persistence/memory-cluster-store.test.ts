import { describe, expect, it } from 'vitest';
import { isClusterStore } from '../../src/store/cluster.js';
import { MemoryClusterDatabase, MemoryClusterStore } from '../../src/store/memory-cluster-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { describeClusterContract } from './cluster-contract.js';
import { describeStoreContract } from './store-contract.js';

/** The database server's clock: moved only by the cases (advance). */
function manualClock(startMs: number) {
  let nowMs = startMs;
  return { wallNow: () => nowMs, advance: (ms: number) => void (nowMs += ms) };
}

describeClusterContract({
  name: 'MemoryClusterStore',
  async location() {
    const clock = manualClock(1_800_000_000_000);
    const database = new MemoryClusterDatabase({ clock });
    return { store: () => new MemoryClusterStore({ database }), advance: async (ms: number) => clock.advance(ms), dispose: async () => {} };
  },
});

// A cluster store is a Store first: the one-owner contract holds for it unchanged.
describeStoreContract({
  name: 'MemoryClusterStore',
  async location() {
    const database = new MemoryClusterDatabase();
    return { store: () => new MemoryClusterStore({ database }), dispose: async () => {} };
  },
});

describe('MemoryClusterStore', () => {
  it('is recognised as cluster-capable, and a MemoryStore is not', () => {
    expect(isClusterStore(new MemoryClusterStore())).toBe(true);
    expect(isClusterStore(new MemoryStore())).toBe(false);
  });

  it('validates its options and its database\'s when constructed', () => {
    expect(() => new MemoryClusterStore({ database: new MemoryStore().database as never })).toThrow(/options.database must be a MemoryClusterDatabase/);
    expect(() => new MemoryClusterStore(null as never)).toThrow(/options must be an object, received null/);
    expect(() => new MemoryClusterDatabase({ clock: {} as never })).toThrow(/options.clock must be an object with a wallNow\(\) method/);
    expect(() => new MemoryClusterDatabase({ now: 1 } as never)).toThrow(/options.now is not a MemoryClusterDatabase option/);
  });

  it('rejects every cluster call before open() with StoreClosedError', async () => {
    const store = new MemoryClusterStore();
    await expect(store.processes()).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
    await expect(store.claimDue({ ownerId: 'a', epoch: 1, limit: 1 })).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
  });
});
