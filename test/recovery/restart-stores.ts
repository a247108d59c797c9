// The stores a durable test runs over, each opened again as a restart would:
// a factory per store kind that prepares what outlives one store instance (a
// MemoryDatabase, a SQLite file in a temporary directory, a fake IndexedDB
// factory) and answers how to open a store on it. Temporary files are removed
// after each test.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach } from 'vitest';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { MemoryDatabase, MemoryStore } from '../../src/store/memory-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../persistence/temp-dir.js';

export type StoreKind = 'MemoryStore' | 'SqliteStore' | 'IndexedDbStore';
/** Opens a store on the same data each time it is called (a restart). */
export type OpenStore = () => Store;

/** `[kind, prepare]` rows for describe.each, in the order given; registers the clean-up. */
export function restartStores(kinds: readonly StoreKind[]): Array<[StoreKind, () => Promise<OpenStore>]> {
  const disposals: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const dispose of disposals.splice(0)) await dispose();
  });
  const prepare: Record<StoreKind, () => Promise<OpenStore>> = {
    MemoryStore: async () => {
      const database = new MemoryDatabase();
      return () => new MemoryStore({ database });
    },
    SqliteStore: async () => {
      const dir = await tempDir();
      disposals.push(dir.dispose);
      return () => new SqliteStore({ path: dir.file('jobs.db') });
    },
    IndexedDbStore: async () => {
      const indexedDB = new IDBFactory();
      return () => new IndexedDbStore({ name: 'jobs', indexedDB });
    },
  };
  return kinds.map((kind) => [kind, prepare[kind]]);
}
