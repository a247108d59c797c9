// The IndexedDB schema, as numbered migrations run from `upgradeneeded`: the
// database's own version number records the last one applied, and the whole
// upgrade is one versionchange transaction (all of it happens, or none).
//
//   tasks       StoredTask by id; index byMark on highWaterMarkMs (records
//               without a mark are not indexed: null is not a key)
//   executions  StoredExecution by id; the UNIQUE index `slot` on
//               [taskId, nominalMs, scheduleVersion] makes a second record for
//               a slot fail in the database itself (C2), and also serves
//               history() (a task's range, walked backwards is newest first);
//               byOutcome (open executions), byEnded (retention)
//   meta        small values by key: the fencing token counter
//   lease       (version 2) one record, key 'current': the store's lease
//               (LeaseHolder, src/store/lease.ts), read by every write
//               transaction of a fenced instance
//
// Version 2 only adds the lease store, so an upgrade from version 1 keeps
// every task, execution and the fencing token counter as they were.
// Version 3 adds the task indexes of queryTasks() (indexeddb/task-query.ts):
// byStatus [status, id], byModule [ownerModule, id], byName [name, id]; the
// database fills them from the records already there (a task without an
// owner module is not in byModule: null is not a key).
//
// A field added to StoredTask needs no migration when its absence means its
// default: dstGap and dstOverlap (a cron task's DST policy), timeoutMs (an
// attempt's limit), calendarPeriod, startAtMs and endAtMs (a calendar
// interval, a start and an end) are missing from records written before
// them, and decodeTask() reads them as null.
import type { DBSchema, IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { StoredExecution, StoredTask } from '../codec.js';
import type { LeaseHolder } from '../lease.js';

export interface TimesliceDb extends DBSchema {
  tasks: {
    key: string;
    value: StoredTask;
    indexes: { byMark: number; byStatus: [string, string]; byModule: [string, string]; byName: [string, string] };
  };
  executions: {
    key: string;
    value: StoredExecution;
    indexes: { slot: [string, number, number]; byOutcome: string; byEnded: number };
  };
  meta: { key: string; value: number };
  lease: { key: string; value: LeaseHolder };
}

export type Db = IDBPDatabase<TimesliceDb>;
export type AllStores = ['tasks', 'executions', 'meta', 'lease'];
/** Every transaction's scope: the lease store among them, so each write reads its fence in its own transaction. */
export const ALL_STORES: AllStores = ['tasks', 'executions', 'meta', 'lease'];
export type UpgradeTransaction = IDBPTransaction<TimesliceDb, StoreNames<TimesliceDb>[], 'versionchange'>;

export const FENCING_TOKEN_KEY = 'fencingToken';
/** The key of the one record of the lease store. */
export const LEASE_KEY = 'current';

export interface Migration {
  version: number;
  up(db: Db, tx: UpgradeTransaction): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    up(db) {
      const tasks = db.createObjectStore('tasks', { keyPath: 'id' });
      tasks.createIndex('byMark', 'highWaterMarkMs');
      const executions = db.createObjectStore('executions', { keyPath: 'id' });
      executions.createIndex('slot', ['taskId', 'nominalMs', 'scheduleVersion'], { unique: true });
      executions.createIndex('byOutcome', 'outcome');
      executions.createIndex('byEnded', 'endedAtMs');
      const meta = db.createObjectStore('meta');
      meta.put(0, FENCING_TOKEN_KEY);
    },
  },
  {
    version: 2,
    up(db) {
      db.createObjectStore('lease');
    },
  },
  {
    version: 3,
    up(_db, tx) {
      const tasks = tx.objectStore('tasks');
      tasks.createIndex('byStatus', ['status', 'id']);
      tasks.createIndex('byModule', ['ownerModule', 'id']);
      tasks.createIndex('byName', ['name', 'id']);
    },
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Runs the migrations after `oldVersion` inside the upgrade transaction. */
export function migrate(db: Db, oldVersion: number, tx: UpgradeTransaction): void {
  for (const migration of MIGRATIONS) if (migration.version > oldVersion) migration.up(db, tx);
}
