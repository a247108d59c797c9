// Stores written by the previous schema open and upgrade: a SQLite database
// made by schema version 1 (before the DST policy columns) gets them added,
// and an IndexedDB record stored without the fields reads as the default.
import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { wrap } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTask } from '../../src/store/codec.js';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { APPLICATION_ID, MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { allTasks, task } from './contract/harness.js';
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
});
