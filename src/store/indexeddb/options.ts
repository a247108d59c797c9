// IndexedDbStore's options, checked and resolved once in its constructor.
import { describeValue, InvalidArgumentError } from '../../../bindings/errors.js';
import { checkNonEmptyString, checkObject, invalid } from '../validate.js';

export interface IndexedDbStoreOptions {
  /** The IndexedDB database name. @example 'my-app-jobs' */
  name: string;
  /**
   * Transaction durability: 'strict' resolves a write only once it is flushed
   * to disk; 'default' lets the browser decide (Chromium: like 'relaxed');
   * 'relaxed' resolves once the write is visible to other connections.
   * @default 'strict'
   */
  durability?: 'strict' | 'default' | 'relaxed';
  /** The IndexedDB factory to open the database with. @default globalThis.indexedDB */
  indexedDB?: IDBFactory;
  /**
   * The Web Locks manager that tells live tabs from gone ones for the lease:
   * acquireLease() also takes the exclusive lock `timeslice:<name>`, held until
   * releaseLease() or close(), so a second tab is refused while the holder's
   * tab lives (whatever the clocks say) and takes the store over the moment it
   * closes or crashes. `null`: the lease record alone, whose expiry decides,
   * as in SqliteStore (Node, browsers without Web Locks).
   * @default globalThis.navigator.locks where it exists, else null
   * @example new IndexedDbStore({ name: 'jobs', locks: null }) // the lease record alone
   */
  locks?: LockManager | null;
}

export type ResolvedOptions = Required<IndexedDbStoreOptions>;

const OPTION_KEYS = new Set(['name', 'durability', 'indexedDB', 'locks']);

export function resolveOptions(options: unknown): ResolvedOptions {
  const o = typeof options === 'string' ? { name: options } : options;
  checkObject(o, 'options');
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key)) throw new InvalidArgumentError(`options.${key} is not an IndexedDbStore option (known: ${[...OPTION_KEYS].join(', ')})`);
  }
  checkNonEmptyString(o.name, 'options.name');
  const durability = o.durability ?? 'strict';
  if (durability !== 'strict' && durability !== 'default' && durability !== 'relaxed') {
    throw invalid('options.durability', "'strict', 'default' or 'relaxed'", durability);
  }
  const factory = o.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (typeof factory !== 'object' || factory === null || typeof (factory as IDBFactory).open !== 'function') {
    throw new InvalidArgumentError(`options.indexedDB must be an IDBFactory (no global indexedDB here; in Node use fake-indexeddb), received ${describeValue(factory)}`);
  }
  const locks = o.locks === undefined ? ((globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks ?? null) : o.locks;
  if (locks !== null && (typeof locks !== 'object' || typeof (locks as LockManager).request !== 'function')) {
    throw invalid('options.locks', 'a LockManager (navigator.locks) or null', locks);
  }
  return { name: o.name, durability, indexedDB: factory as IDBFactory, locks: locks as LockManager | null };
}
