// The `store` option of a Scheduler: a Store, or the path of a SQLite file.
// A path is opened lazily, through a dynamic import of the SQLite store, so
// importing `timeslice` (or making a Scheduler without a store) loads no
// database driver: better-sqlite3 is loaded by the first durable call.
//
// The import names the package's own entry, `timeslice/store/sqlite` (Node
// resolves a package's imports of itself through its exports), held in a
// variable so that bundlers do not follow it: a browser bundle of `timeslice`
// must not try to pull in better-sqlite3 and Node's fs.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { Store } from '../store/store.js';

/** Resolved at run time, never by a bundler (see the header). */
const SQLITE_ENTRY: string = 'timeslice/store/sqlite';

const STORE_METHODS = [
  'open', 'close', 'putTasks', 'updateTask', 'getTask', 'loadTasks', 'claim', 'retry', 'complete', 'saveState',
  'recordSkipped', 'unfinishedExecutions', 'history', 'pruneHistory', 'acquireLease', 'renewLease', 'releaseLease', 'getLease',
] as const;

/** A store as the scheduler gets it: on first use after each start; `owned` when the scheduler made it (and so closes it on stop). */
export interface StoreSource {
  readonly description: string;
  readonly owned: boolean;
  get(): Promise<Store>;
}

export function resolveStoreOption(value: unknown): StoreSource | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (value.length === 0) throw new InvalidArgumentError("options.store must be a Store or a SQLite file path, received ''");
    return {
      description: value,
      owned: true,
      // A new store each time: the scheduler opens one per start and closes it on stop.
      get: () =>
        (import(/* @vite-ignore */ /* webpackIgnore: true */ SQLITE_ENTRY) as Promise<typeof import('../store/sqlite-store.js')>).then(
          ({ SqliteStore }) => new SqliteStore(value),
        ),
    };
  }
  const missing =
    typeof value === 'object' && value !== null ? STORE_METHODS.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function') : STORE_METHODS;
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `options.store must be a Store (MemoryStore, SqliteStore, IndexedDbStore...) or a SQLite file path, received ${describeValue(value)}` +
        (typeof value === 'object' && value !== null ? ` without ${missing.join(', ')}` : ''),
    );
  }
  const store = value as Store;
  return { description: store.kind, owned: false, get: () => Promise.resolve(store) };
}
