// Stores written by the previous schema open and upgrade: a SQLite database
// made by schema version 1 (before the DST policy columns) gets them added,
// an IndexedDB record stored without the fields reads as the default, and an
// IndexedDB database of schema version 1 (before the lease) gets its lease
// store with everything else kept. Schema 11 (SQLite) adds an execution's
// trace; IndexedDB records without it read as having none.
import 'fake-indexeddb/auto';
import Database from 'better-sqlite3';
import { IDBFactory } from 'fake-indexeddb';
import { type IDBPDatabase, wrap } from 'idb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTask, type StoredTask } from '../../src/store/codec.js';
import { LATEST_SCHEMA_VERSION as IDB_LATEST, MIGRATIONS as IDB_MIGRATIONS, type TimesliceDb, type UpgradeTransaction } from '../../src/store/indexeddb/schema.js';
import { IndexedDbStore } from '../../src/store/indexeddb-store.js';
import { TASK_STATUSES } from '../../src/store/records.js';
import { claimedExecution } from '../../src/store/slot-rules.js';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/sqlite/schema.js';
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
  const { dstGap: _gap, dstOverlap: _overlap, timeoutMs: _timeout, constraints: _constraints, ...v1 } = withoutV9(encodeTask(task('old', CRON), 'task'));
  const fields = Object.keys(v1);
  const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
  db.prepare(`INSERT INTO tasks (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(
    ...fields.map((f) => v1[f as keyof typeof v1]),
  );
  db.close();
}

/** A stored task without the fields schema version 9 added (calendar period, start, end). */
function withoutV9(stored: StoredTask): Omit<StoredTask, 'calendarPeriod' | 'startAtMs' | 'endAtMs'> {
  const { calendarPeriod: _period, startAtMs: _start, endAtMs: _end, ...rest } = stored;
  return rest;
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
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    const old = await store.getTask('old');
    expect(old).toEqual(task('old', CRON));
    expect([old?.dstGap, old?.dstOverlap]).toEqual([null, null]);
    expect(await allTasks(store)).toEqual([task('old', CRON)]);
    const fresh = task('new', { ...CRON, dstGap: 'skip', dstOverlap: 'both' });
    await store.putTasks([fresh]);
    expect(await store.getTask('new')).toEqual(fresh);
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    raw.close();
  });

  it('upgrades a schema version 3 SQLite database to version 4 (tables rebuilt, executions keyed by their slot), keeping every task, execution, mark and token', async () => {
    // A version 3 file with a history: claims, a completion, a skip, an interrupted attempt, saved state.
    const v3 = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) v3.exec(migration.sql);
    v3.pragma('user_version = 3');
    v3.pragma(`application_id = ${APPLICATION_ID}`);
    v3.close();
    const before = new SqliteStore(path);
    expect(await before.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    await before.close();
    // The same history written by version 3's statements, then upgraded: the upgrade of that raw file is what matters.
    const raw = new Database(path);
    raw.pragma('foreign_keys = OFF');
    raw.exec('DROP TABLE executions; DROP TABLE tasks; DROP TABLE meta; DROP TABLE lease;');
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) raw.exec(migration.sql);
    raw.pragma('user_version = 3');
    const { timeoutMs: _timeout, constraints: _constraints, ...t } = withoutV9(encodeTask(task('a/b', { highWaterMarkMs: 3000, status: 'running' }), 'task'));
    const fields = Object.keys(t) as Array<keyof typeof t>;
    raw.prepare(`INSERT INTO tasks (${fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`)
      .run(...fields.map((f) => t[f] ?? null));
    const insert = raw.prepare(`INSERT INTO executions (id, task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms, outcome, result, error, skip_reason, state)
      VALUES (?, 'a/b', 1, ?, ?, ?, ?, ?, ?, ?, 'null', ?, ?)`);
    insert.run('a/b/1/1000', 1000, 1, 1, 1001, 1002, 'succeeded', '{"n":1}', null, 'null');
    insert.run('a/b/1/2000', 2000, 0, 0, null, 2500, 'skipped', 'null', 'missed', 'null');
    insert.run('a/b/1/3000', 3000, 2, 7, 3001, null, 'running', 'null', null, '{"page":3}');
    raw.prepare("UPDATE meta SET value = 7 WHERE key = 'fencing_token'").run();
    raw.close();

    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    expect(await store.getTask('a/b')).toEqual(task('a/b', { highWaterMarkMs: 3000, status: 'running' }));
    const history = (await store.history('a/b')).executions;
    expect(history.map((e) => [e.id, e.outcome, e.attempt, e.result, e.skipReason, e.state])).toEqual([
      ['a/b/1/3000', 'running', 2, null, null, { page: 3 }],
      ['a/b/1/2000', 'skipped', 0, null, 'missed', null],
      ['a/b/1/1000', 'succeeded', 1, { n: 1 }, null, null],
    ]);
    expect(await store.getExecution('a/b/1/3000')).toEqual(history[0]);
    expect((await store.unfinishedExecutions()).map((e) => e.id)).toEqual(['a/b/1/3000']);
    expect(await store.claim([slot('a/b', 3000), slot('a/b', 4000)])).toMatchObject([{ status: 'duplicate' }, { status: 'claimed', execution: { fencingToken: 8 } }]);
    const ended = await store.complete({ executionId: 'a/b/1/3000', fencingToken: 7, outcome: 'succeeded', endedAtMs: 3500 });
    expect(ended).toMatchObject({ status: 'completed', execution: { id: 'a/b/1/3000', state: { page: 3 } } });
    expect(await store.deleteTask('a/b')).toBe(true);
    expect(await store.history('a/b')).toEqual({ executions: [], next: null });
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(check.pragma('foreign_key_check')).toEqual([]);
    check.close();
  });

  it('upgrades a schema version 4 SQLite database to version 5 (tasks.timeout_ms): its tasks read with no timeout of their own, new ones keep theirs', async () => {
    const v4 = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 4)) v4.exec(migration.sql);
    v4.pragma('user_version = 4');
    v4.pragma(`application_id = ${APPLICATION_ID}`);
    const { timeoutMs: _timeout, constraints: _constraints, ...row } = withoutV9(encodeTask(task('old', CRON), 'task'));
    const fields = Object.keys(row);
    const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    v4.prepare(`INSERT INTO tasks (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(...fields.map((f) => row[f as keyof typeof row]));
    v4.close();
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    expect(await store.getTask('old')).toEqual(task('old', CRON));
    expect((await store.getTask('old'))?.timeoutMs).toBeNull();
    const fresh = task('new', { timeoutMs: 90_000 });
    await store.putTasks([fresh]);
    expect(await store.getTask('new')).toEqual(fresh);
    // A changed timeout is a changed definition, not a new schedule.
    expect(await store.putTasks([task('new', { timeoutMs: 1_000 })])).toEqual(['updated']);
    expect(await store.getTask('new')).toMatchObject({ timeoutMs: 1_000, scheduleVersion: 1 });
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(raw.prepare('SELECT timeout_ms FROM tasks ORDER BY id').pluck().all()).toEqual([1_000, null]);
    raw.close();
  });

  it('upgrades a schema version 6 SQLite database to version 7 (tasks.constraints): its tasks read with no constraints, new ones keep theirs', async () => {
    const v6 = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 6)) v6.exec(migration.sql);
    v6.pragma('user_version = 6');
    v6.pragma(`application_id = ${APPLICATION_ID}`);
    const { constraints: _constraints, ...row } = withoutV9(encodeTask(task('old', CRON), 'task'));
    const fields = Object.keys(row);
    const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    v6.prepare(`INSERT INTO tasks (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(...fields.map((f) => row[f as keyof typeof row]));
    v6.close();
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    expect(await store.getTask('old')).toEqual(task('old', CRON));
    expect((await store.getTask('old'))?.constraints).toBeNull();
    const constraints = {
      timeZone: 'Europe/Berlin', workingHours: [{ days: [1, 2, 3, 4, 5], fromMinute: 540, toMinute: 1020 }], blackouts: [],
      maxPerDay: 2, admit: null, inadmissible: 'defer' as const,
    };
    const fresh = task('new', { ...CRON, constraints });
    await store.putTasks([fresh]);
    expect(await store.getTask('new')).toEqual(fresh);
    // Changed constraints are a changed definition, not a new schedule.
    expect(await store.putTasks([task('new', { ...CRON, constraints: { ...constraints, maxPerDay: 3 } })])).toEqual(['updated']);
    expect(await store.getTask('new')).toMatchObject({ constraints: { maxPerDay: 3 }, scheduleVersion: 1 });
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT json_extract(constraints, \'$.maxPerDay\') FROM tasks ORDER BY id').pluck().all()).toEqual([3, null]);
    raw.close();
  });

  it('upgrades a schema version 8 SQLite database to version 9 (calendar_period, start_at_ms, end_at_ms): its tasks read with none, new ones keep theirs', async () => {
    const v8 = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 8)) v8.exec(migration.sql);
    v8.pragma('user_version = 8');
    v8.pragma(`application_id = ${APPLICATION_ID}`);
    const row = withoutV9(encodeTask(task('old', CRON), 'task'));
    const fields = Object.keys(row);
    const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    v8.prepare(`INSERT INTO tasks (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(...fields.map((f) => row[f as keyof typeof row]));
    v8.close();
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    expect(await store.getTask('old')).toEqual(task('old', CRON));
    expect(await store.getTask('old')).toMatchObject({ calendarPeriod: null, startAtMs: null, endAtMs: null });
    const monthly = task('monthly', { periodMs: null, calendarPeriod: 'P1M', atMs: 1_000, timeZone: 'Europe/Paris', startAtMs: 1_000, endAtMs: 9_000_000_000 });
    await store.putTasks([monthly]);
    expect(await store.getTask('monthly')).toEqual(monthly);
    // A changed end is a changed schedule: a new schedule version.
    expect(await store.putTasks([{ ...monthly, endAtMs: 8_000_000_000 }])).toEqual(['rescheduled']);
    expect(await store.getTask('monthly')).toMatchObject({ endAtMs: 8_000_000_000, scheduleVersion: 2 });
    expect(await store.putTasks([{ ...monthly, endAtMs: 8_000_000_000, startAtMs: 2_000 }])).toEqual(['rescheduled']);
    expect(await store.putTasks([{ ...monthly, endAtMs: 8_000_000_000, startAtMs: 2_000, calendarPeriod: 'P2M' }])).toEqual(['rescheduled']);
    // The anchor (atMs) of a calendar interval is not compared: registered again later, the grid stays.
    expect(await store.putTasks([{ ...monthly, endAtMs: 8_000_000_000, startAtMs: 2_000, calendarPeriod: 'P2M', atMs: 5_000 }])).toEqual(['unchanged']);
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(raw.prepare('SELECT calendar_period, start_at_ms, end_at_ms FROM tasks ORDER BY id').raw().all()).toEqual([
      ['P2M', 2_000, 8_000_000_000],
      [null, null, null],
    ]);
    // The schema refuses an end before the start even when written by hand.
    expect(() => raw.prepare("UPDATE tasks SET start_at_ms = 2, end_at_ms = 1 WHERE id = 'old'").run()).toThrow();
    raw.close();
  });

  it('upgrades a schema version 10 SQLite database to version 11 (executions.trace_id, span_id): its executions read with no trace, and a completion stores one', async () => {
    const v10 = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 10)) v10.exec(migration.sql);
    v10.pragma('user_version = 10');
    v10.pragma(`application_id = ${APPLICATION_ID}`);
    const row = encodeTask(task('t', { highWaterMarkMs: 2000, status: 'running' }), 'task');
    const fields = Object.keys(row);
    const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    v10.prepare(`INSERT INTO tasks (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(...fields.map((f) => row[f as keyof typeof row]));
    const insert = v10.prepare(`INSERT INTO executions (task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms, outcome, result, error, skip_reason, state)
      VALUES ('t', 1, ?, 1, ?, ?, ?, ?, ?, 'null', NULL, 'null')`);
    insert.run(1000, 1, 1001, 1002, 'succeeded', '{"n":1}');
    insert.run(2000, 2, 2001, null, 'running', 'null');
    v10.prepare("UPDATE meta SET value = 2 WHERE key = 'fencing_token'").run();
    v10.close();
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    const history = (await store.history('t')).executions;
    expect(history.map((e) => [e.id, e.outcome, e.result, e.traceId, e.spanId])).toEqual([
      ['t/1/2000', 'running', null, null, null],
      ['t/1/1000', 'succeeded', { n: 1 }, null, null],
    ]);
    const trace = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
    const ended = await store.complete({ executionId: 't/1/2000', fencingToken: 2, outcome: 'succeeded', endedAtMs: 2500, trace });
    expect(ended).toMatchObject({ status: 'completed', execution: trace });
    expect(await store.getExecution('t/1/2000')).toMatchObject(trace);
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare('SELECT trace_id, span_id FROM executions ORDER BY nominal_ms').all()).toEqual([
      { trace_id: null, span_id: null },
      { trace_id: trace.traceId, span_id: trace.spanId },
    ]);
    raw.close();
  });

  it('reads an IndexedDB task record stored without the DST fields, timeoutMs, constraints, calendarPeriod, startAtMs and endAtMs with the defaults, and replaces it without a schedule change', async () => {
    const indexedDB = new IDBFactory();
    const store = new IndexedDbStore({ name: 'jobs', indexedDB });
    await store.open();
    await store.close();
    const db = await wrap(indexedDB.open('jobs'));
    const { dstGap: _gap, dstOverlap: _overlap, timeoutMs: _timeout, constraints: _constraints, ...v1 } = withoutV9(encodeTask(task('old', CRON), 'task'));
    await db!.put('tasks', v1);
    db!.close();
    const reopened = new IndexedDbStore({ name: 'jobs', indexedDB });
    await reopened.open();
    expect(await reopened.getTask('old')).toEqual(task('old', CRON));
    await reopened.putTasks([task('old', { ...CRON, name: 'renamed' })]);
    expect(await reopened.getTask('old')).toMatchObject({
      name: 'renamed', dstGap: null, timeoutMs: null, constraints: null, calendarPeriod: null, startAtMs: null, endAtMs: null, scheduleVersion: 1,
    });
    await reopened.close();
  });

  it('upgrades a schema version 2 IndexedDB database to version 3 (the task query indexes, filled from the tasks it holds)', async () => {
    const indexedDB = new IDBFactory();
    const request = indexedDB.open('jobs', 2);
    request.onupgradeneeded = (event) => {
      const db = wrap(request.result) as unknown as IDBPDatabase<TimesliceDb>;
      for (const migration of IDB_MIGRATIONS.filter((m) => m.version > event.oldVersion && m.version <= 2)) {
        migration.up(db, wrap(request.transaction!) as unknown as UpgradeTransaction);
      }
    };
    const v2 = (await wrap(request)) as unknown as IDBPDatabase<TimesliceDb>;
    await Promise.all([
      v2.put('tasks', encodeTask(task('b', { ownerModule: 'billing', name: 'invoice' }), 'task')),
      v2.put('tasks', encodeTask(task('a', { ownerModule: 'reports', status: 'failed' }), 'task')),
      v2.put('tasks', encodeTask(task('c', { ownerModule: 'billing' }), 'task')),
    ]);
    expect([...v2.transaction('tasks').store.indexNames]).toEqual(['byMark']);
    v2.close();

    const store = new IndexedDbStore({ name: 'jobs', indexedDB, locks: null });
    expect(await store.open()).toEqual({ schemaVersion: 3 });
    const all = { statuses: [...TASK_STATUSES], ownerModule: null, name: null, nextBeforeMs: null, afterId: null, limit: 10 };
    const ids = async (fields: object) => (await store.queryTasks({ ...all, ...fields })).map((t) => t.id);
    expect(await ids({})).toEqual(['a', 'b', 'c']);
    expect(await ids({ ownerModule: 'billing' })).toEqual(['b', 'c']);
    expect(await ids({ statuses: ['failed'] })).toEqual(['a']);
    expect(await ids({ name: 'invoice' })).toEqual(['b']);
    await store.close();
  });

  it('reads an IndexedDB execution record stored without traceId and spanId as having none, and a completion adds them', async () => {
    const indexedDB = new IDBFactory();
    const store = new IndexedDbStore({ name: 'jobs', indexedDB, locks: null });
    await store.open();
    await store.putTasks([task('t', { highWaterMarkMs: 5_000 })]);
    await store.close();
    const db = (await wrap(indexedDB.open('jobs')))!;
    const { traceId: _trace, spanId: _span, ...old } = claimedExecution({ ...slot('t', 5_000), startedAtMs: 5_001 }, 7);
    await db.put('executions', old as never);
    await db.put('meta', 7, 'fencingToken');
    db.close();
    const reopened = new IndexedDbStore({ name: 'jobs', indexedDB, locks: null });
    await reopened.open();
    expect(await reopened.getExecution(old.id)).toMatchObject({ outcome: 'running', traceId: null, spanId: null });
    const trace = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
    await reopened.complete({ executionId: old.id, fencingToken: 7, outcome: 'succeeded', endedAtMs: 5_500, trace });
    expect(await reopened.getExecution(old.id)).toMatchObject({ outcome: 'succeeded', ...trace });
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
    expect(await store.open()).toEqual({ schemaVersion: IDB_LATEST });
    expect(await store.getTask('old')).toEqual(task('old', { highWaterMarkMs: 5_000 }));
    expect(await store.getExecution(running.id)).toMatchObject({ outcome: 'running', fencingToken: 7, attempt: 1 });
    expect(await store.getLease()).toBeUndefined();
    expect(await store.acquireLease({ ownerId: 'a', host: 'browser', pid: 0, nowMs: 6_000, ttlMs: 10_000 })).toMatchObject({ status: 'acquired', lease: { epoch: 1 } });
    const [next] = await store.claim([slot('old', 6_000)]);
    expect(next).toMatchObject({ status: 'claimed', execution: { fencingToken: 8 } });
    await store.close();

    const v2 = (await wrap(indexedDB.open('jobs')))!;
    expect([v2.version, [...v2.objectStoreNames].sort()]).toEqual([IDB_LATEST, ['executions', 'lease', 'meta', 'tasks']]);
    v2.close();
  });
});
