// SqliteStore under faults: files that are not (or no longer) databases, a full
// disk, and a database that belongs to someone else. Each damaged file must
// fail fast with a typed error naming it, and stay byte for byte as it was.
import { existsSync } from 'node:fs';
import { readFile, stat, truncate, writeFile } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreCorruptError, StoreFullError, StoreSchemaTooNewError } from '../../src/store/errors.js';
import { LATEST_SCHEMA_VERSION } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { allTasks, slot, task } from './contract/harness.js';
import { tempDir } from './temp-dir.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
let path: string;
beforeEach(async () => {
  temp = await tempDir();
  path = temp.file('jobs.db');
});
afterEach(() => temp.dispose());

/** A closed database file holding `count` tasks (checkpointed: no -wal left). */
async function populated(count: number): Promise<void> {
  const store = new SqliteStore(path);
  await store.open();
  await store.putTasks(Array.from({ length: count }, (_, i) => task(`task-${i}`, { params: { pad: 'x'.repeat(200), i } })));
  await store.close();
  expect(existsSync(`${path}-wal`)).toBe(false);
}

/** Opening fails with StoreCorruptError naming the path; the file is unchanged and no side file appears. */
async function expectRefusedUntouched(why: RegExp, options: { integrityCheck?: 'quick' } = {}): Promise<void> {
  const before = await readFile(path);
  const store = new SqliteStore({ path, ...options });
  const error = await store.open().then(() => undefined, (e: unknown) => e);
  expect(StoreCorruptError.is(error)).toBe(true);
  expect(error).toMatchObject({ code: 'ERR_STORE_CORRUPT', path, name: 'StoreCorruptError' });
  expect((error as Error).message).toContain(path);
  expect((error as Error).message).toMatch(why);
  expect((await readFile(path)).equals(before)).toBe(true);
  expect(existsSync(`${path}-wal`)).toBe(false);
  await expect(store.getTask('x')).rejects.toMatchObject({ code: 'ERR_STORE_CLOSED' });
}

describe('SqliteStore with a damaged or foreign file', () => {
  it('refuses a database whose header was overwritten with garbage', async () => {
    await populated(50);
    const bytes = await readFile(path);
    bytes.write('garbage garbage!', 0, 'latin1');
    await writeFile(path, bytes);
    await expectRefusedUntouched(/not 'SQLite format 3'/);
  });

  it('refuses a truncated database: cut mid-page, cut at a page boundary, and cut inside the header', async () => {
    await populated(500);
    const { size } = await stat(path);
    await truncate(path, Math.floor(size / 2) + 100);
    await expectRefusedUntouched(/not a whole number of 4096-byte pages/);
    await truncate(path, 4096 * 3);
    await expectRefusedUntouched(/header says \d+ pages .* but the file has 12288 bytes: truncated/);
    await truncate(path, 60);
    await expectRefusedUntouched(/60 bytes, shorter than the 100-byte SQLite header/);
  });

  it('refuses files that are not SQLite databases at all', async () => {
    await writeFile(path, JSON.stringify({ tasks: Array.from({ length: 50 }, (_, i) => ({ id: i })) }));
    await expectRefusedUntouched(/not 'SQLite format 3' \(it starts "\{\\"tasks\\":\[\{\\"id\\":"\)/);
    await writeFile(path, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(200).fill(7)]));
    await expectRefusedUntouched(/not 'SQLite format 3'/);
  });

  it('refuses damaged pages behind an intact header: at open with integrityCheck, otherwise at the first query that reads them', async () => {
    await populated(2000);
    const bytes = await readFile(path);
    bytes.fill(0xa5, 4096 * 3, 4096 * 12);
    await writeFile(path, bytes);
    await expectRefusedUntouched(/quick_check|SQLITE_CORRUPT/, { integrityCheck: 'quick' });
    const store = new SqliteStore(path);
    await store.open().catch(() => {});
    const found = await allTasks(store).then(() => undefined, (e: unknown) => e);
    expect(found).toMatchObject({ code: 'ERR_STORE_CORRUPT', path });
    // From then on the store refuses every call with that error, and writes nothing.
    await expect(store.putTasks([task('new')])).rejects.toBe(found);
    await expect(store.claim([slot('task-1', 5_000)])).rejects.toBe(found);
    await expect(store.getTask('task-1')).rejects.toBe(found);
    await expect(store.open()).rejects.toBe(found);
    await store.close();
    expect((await readFile(path)).equals(bytes)).toBe(true);
  });

  it("refuses another application's SQLite database without adding tables to it", async () => {
    const other = new Database(path);
    other.exec('CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES (1)');
    other.close();
    await expectRefusedUntouched(/another application \(1 tables/);
  });

  it('refuses a database from a newer schema, leaving it unmigrated', async () => {
    await populated(1);
    const raw = new Database(path);
    raw.pragma('user_version = 99');
    raw.close();
    const before = await readFile(path);
    const error = await new SqliteStore(path).open().then(() => undefined, (e: unknown) => e);
    expect(StoreSchemaTooNewError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/schema version 99 .* knows up to \d+/);
    expect((await readFile(path)).equals(before)).toBe(true);
  });

  it('opens an empty file (what SQLite creates before its first commit) as a new database', async () => {
    await writeFile(path, '');
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    await store.putTasks([task('t')]);
    await store.close();
    const reopened = new SqliteStore(path);
    await reopened.open();
    expect((await reopened.getTask('t'))?.id).toBe('t');
    await reopened.close();
  });
});

describe('SqliteStore on a full disk (PRAGMA max_page_count)', () => {
  it('rejects a write that does not fit with StoreFullError, stores nothing of it, and writes again once there is room', async () => {
    const store = new SqliteStore(path);
    await store.open();
    await store.putTasks([task('before')]);
    await store.setMaxPageCount(1); // SQLite keeps it at the current size: any growth fails
    const big = Array.from({ length: 2000 }, (_, i) => task(`big-${i}`, { params: { pad: 'y'.repeat(500) } }));
    const error = await store.putTasks(big).then(() => undefined, (e: unknown) => e);
    expect(StoreFullError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_STORE_FULL', path });
    expect((error as Error).message).toMatch(/nothing of it was stored/);
    expect((await allTasks(store)).map((t) => t.id)).toEqual(['before']);
    await expect(store.claim(Array.from({ length: 2000 }, (_, i) => slot('before', i)))).rejects.toMatchObject({ code: 'ERR_STORE_FULL' });
    expect((await store.history('before')).executions).toEqual([]);
    expect((await store.getTask('before'))?.highWaterMarkMs).toBeNull();

    await store.setMaxPageCount(null);
    await store.putTasks(big);
    expect(await allTasks(store)).toHaveLength(2001);
    expect((await store.claim([slot('before', 1)]))[0]?.status).toBe('claimed');
    await store.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    check.close();
  });

  it('applies maxPageCount from the options', async () => {
    const store = new SqliteStore({ path, maxPageCount: 20 });
    await store.open();
    await expect(store.putTasks(Array.from({ length: 500 }, (_, i) => task(`t${i}`, { params: 'z'.repeat(300) })))).rejects.toMatchObject({ code: 'ERR_STORE_FULL' });
    await store.putTasks([task('small')]);
    expect((await allTasks(store)).map((t) => t.id)).toEqual(['small']);
    await store.close();
  });
});

describe('SqliteStore storage details', () => {
  it('keeps one record per slot in the database itself: a second row for a slot violates a UNIQUE constraint', async () => {
    const store = new SqliteStore(path);
    await store.open();
    await store.putTasks([task('t')]);
    await store.claim([slot('t', 1000)]);
    await store.close();
    const raw = new Database(path);
    const insert = () => raw.prepare(`INSERT INTO executions (task_id, schedule_version, nominal_ms, attempt, fencing_token, outcome, result, error, state)
      VALUES ('t', 1, 1000, 1, 99, 'succeeded', 'null', 'null', 'null')`).run();
    expect(insert).toThrow(/UNIQUE constraint failed: executions.task_id, executions.nominal_ms, executions.schedule_version/);
    raw.close();
  });

  it('writes in WAL mode and records its schema version and marker', async () => {
    const store = new SqliteStore(path);
    await store.open();
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    expect(raw.pragma('application_id', { simple: true })).toBe(0x54534c43);
    raw.close();
  });

  it('validates its options when constructed', () => {
    expect(() => new SqliteStore({ path, synchronous: 'off' as never })).toThrow(/options.synchronous must be 'normal', 'full' or 'extra', received 'off' \(string\)/);
    expect(() => new SqliteStore({ path, busyTimeout: 1 } as never)).toThrow(/options.busyTimeout is not a SqliteStore option/);
    expect(() => new SqliteStore({ path: 5 } as never)).toThrow(/options.path must be a file path or ':memory:', received 5 \(number\)/);
    expect(() => new SqliteStore({ path, maxPageCount: 0 })).toThrow(/options.maxPageCount must be an integer from 1/);
    expect(() => new SqliteStore({ path, integrityCheck: 'yes' as never })).toThrow(/options.integrityCheck/);
  });
});
