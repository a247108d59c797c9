// Stores written by the previous schema open and upgrade: a SQLite database
// made by schema version 1 (before the DST policy columns) gets them added,
// an IndexedDB record stored without the fields reads as the default, and an
// IndexedDB database of schema version 1 (before the lease) gets its lease
// store with everything else kept.
import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { type IDBPDatabase, wrap } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTask } from '../../src/store/codec.js';
import { MIGRATIONS as IDB_MIGRATIONS, type TimesliceDb, type UpgradeTransaction } from '../../src/store/indexeddb/schema.js';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { claimedExecution } from '../../src/store/slot-rules.js';
import { APPLICATION_ID, MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { allTasks, slot, task } from './contract/harness.js';
import { tempDir } from './temp-dir.js';

const CRON = { scheduleKind: 'cron', cronExpression: '30 2 * * *', timeZone: 'America/New_York' } as const;

let temp: Awaited<ReturnType<typeof tempDir>>;
let path: string;
beforeEach(async () => {
  temp = await tempDir();
  path = temp.file('jobs.db');
});
afterEach(() => temp.dispose());

/** A database file exactly as schema version 1 left it, holding one cron task written with that version's columns. */
function makeVersion1Database(): void {
  const db = new Database(path);
  db.exec(MIGRATIONS.find((m) => m.version === 1)!.sql);
  db.pragma('user_version = 1');
  db.pragma(`application_id = ${APPLICATION_ID}`);
  const { dstGap: _gap, dstOverlap: _overlap, ...v1 } = encodeTask(task('old', CRON), 'task');
  const fields = Object.keys(v1);
  const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  db.prepare(`INSERT INTO tasks (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(
    ...fields.map((f) => v1[f as keyof typeof v1]),
  );
  db.close();
}

/** An IndexedDB database exactly as schema version 1 left it (no lease store), open. */
function makeVersion1IndexedDb(indexedDB: IDBFactory): Promise<IDBPDatabase<TimesliceDb>> {
  const request = indexedDB.open('jobs', 1);
  request.onupgradeneeded = () => {
    const db = wrap(request.result) as unknown as IDBPDatabase<TimesliceDb>;
    IDB_MIGRATIONS.find((m) => m.version === 1)!.up(db, wrap(request.transaction!) as unknown as UpgradeTransaction);
  };
  return wrap(request) as unknown as Promise<IDBPDatabase<TimesliceDb>>;
}

describe('opening a store written by the previous schema', () => {
  it('upgrades a schema version 1 SQLite database, whose tasks read with the default DST policy', async () => {
    makeVersion1Database();
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: 3 });
    const old = await store.getTask('old');
    expect(old).toEqual(task('old', CRON));
    expect([old?.dstGap, old?.dstOverlap]).toEqual([null, null]);
    expect(await allTasks(store)).toEqual([task('old', CRON)]);
    const fresh = task('new', { ...CRON, dstGap: 'skip', dstOverlap: 'both' });
    await store.putTasks([fresh]);
    expect(await store.getTask('new')).toEqual(fresh);
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(3);
    raw.close();
  });

  it('reads an IndexedDB task record stored without the DST fields with the default policy, and replaces it without a schedule change', async () => {
    const indexedDB = new IDBFactory();
    const store = new IndexedDbStore({ name: 'jobs', indexedDB });
    await store.open();
    await store.close();
    const db = await wrap(indexedDB.open('jobs'));
    const { dstGap: _gap, dstOverlap: _overlap, ...v1 } = encodeTask(task('old', CRON), 'task');
    await db!.put('tasks', v1);
    db!.close();
    const reopened = new IndexedDbStore({ name: 'jobs', indexedDB });
    await reopened.open();
    expect(await reopened.getTask('old')).toEqual(task('old', CRON));
    await reopened.putTasks([task('old', { ...CRON, name: 'renamed' })]);
    expect(await reopened.getTask('old')).toMatchObject({ name: 'renamed', dstGap: null, scheduleVersion: 1 });
    await reopened.close();
  });

  it('upgrades a schema version 1 IndexedDB database to version 2 (the lease store), keeping its tasks, executions and fencing token counter', async () => {
    const indexedDB = new IDBFactory();
    const v1 = await makeVersion1IndexedDb(indexedDB);
    const running = claimedExecution({ ...slot('old', 5_000), startedAtMs: 5_001 }, 7);
    await Promise.all([v1.put('tasks', encodeTask(task('old', { highWaterMarkMs: 5_000 }), 'task')), v1.put('executions', running), v1.put('meta', 7, 'fencingToken')]);
    expect([...v1.objectStoreNames].sort()).toEqual(['executions', 'meta', 'tasks']);
    v1.close();

    const store = new IndexedDbStore({ name: 'jobs', indexedDB, locks: null });
    expect(await store.open()).toEqual({ schemaVersion: 2 });
    expect(await store.getTask('old')).toEqual(task('old', { highWaterMarkMs: 5_000 }));
    expect(await store.getExecution(running.id)).toMatchObject({ outcome: 'running', fencingToken: 7, attempt: 1 });
    expect(await store.getLease()).toBeUndefined();
    expect(await store.acquireLease({ ownerId: 'a', host: 'browser', pid: 0, nowMs: 6_000, ttlMs: 10_000 })).toMatchObject({ status: 'acquired', lease: { epoch: 1 } });
    const [next] = await store.claim([slot('old', 6_000)]);
    expect(next).toMatchObject({ status: 'claimed', execution: { fencingToken: 8 } });
    await store.close();

    const v2 = (await wrap(indexedDB.open('jobs')))!;
    expect([v2.version, [...v2.objectStoreNames].sort()]).toEqual([2, ['executions', 'lease', 'meta', 'tasks']]);
    v2.close();
  });
});
