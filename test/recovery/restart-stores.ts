// The stores a durable test runs over, each opened again as a restart would:
// a factory per store kind that prepares what outlives one store instance (a
// MemoryDatabase, a SQLite file in a temporary directory, a fake IndexedDB
// factory, a PostgreSQL schema in the test file's database) and answers how to
// open a store on it. Temporary files are removed, and PostgreSQL stores closed
// (the scheduler leaves a store it was given open), after each test.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach } from 'vitest';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { MemoryDatabase, MemoryStore } from '../../src/store/memory-store.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { type TestDatabase, usePostgresDatabase } from '../persistence/postgres-db.js';
import { leaseTimedStore } from '../persistence/postgres-lease-clock.js';
import { trackStoreCalls } from './helpers.js';
import { tempDir } from '../persistence/temp-dir.js';

export type StoreKind = 'MemoryStore' | 'SqliteStore' | 'IndexedDbStore' | 'PostgresStore';
/** Opens a store on the same data each time it is called (a restart). */
export type OpenStore = () => Store;

/** `[kind, prepare]` rows for describe.each, in the order given; registers the clean-up. */
export function restartStores(kinds: readonly StoreKind[]): Array<[StoreKind, () => Promise<OpenStore>]> {
  const disposals: Array<() => Promise<void>> = [];
  // A database for the file only when one of its stores is PostgreSQL's (registered here, at the file's top level).
  const database: TestDatabase | undefined = kinds.includes('PostgresStore') ? usePostgresDatabase('restart') : undefined;
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
    PostgresStore: async () => {
      const schema = database!.nextSchema();
      // The lease is timed by the schedulers' (virtual) clocks, as on the other stores: a crash's lease lapses after its ttl.
      const clock = { nowMs: 0 };
      return () => {
        const store = leaseTimedStore(database!.url, schema, clock);
        disposals.push(() => store.close());
        // Counted while in flight, so advanceWithIo lets its real I/O finish before virtual time moves on.
        return trackStoreCalls(store);
      };
    },
    IndexedDbStore: async () => {
      const indexedDB = new IDBFactory();
      return () => new IndexedDbStore({ name: 'jobs', indexedDB });
    },
  };
  return kinds.map((kind) => [kind, prepare[kind]]);
}
