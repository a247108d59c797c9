// Schema v8: one index on executions, executions_end (keyed 'open' for a
// running or interrupted execution, its ended_at_ms for an ended one), in
// place of v4's two partial indexes. What it must keep: recovery finds every
// open execution and pruning deletes exactly the ended ones older than a time,
// both through the index (not a scan of the whole history), on a file
// upgraded from v7 as on a new one; and a run's claim and completion change
// one page of it.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTask } from '../../src/store/codec.js';
import { APPLICATION_ID, END_KEY_V8, LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { task } from './contract/harness.js';
import { tempDir } from './temp-dir.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
let path: string;
beforeEach(async () => {
  temp = await tempDir();
  path = temp.file('jobs.db');
});
afterEach(() => temp.dispose());

/** A version 7 file (the one before) holding task 't' and one execution of each outcome (ended ones at 1000 + nominal). */
function makeVersion7Database(): void {
  const db = new Database(path);
  for (const migration of MIGRATIONS.filter((m) => m.version <= 7)) db.exec(migration.sql);
  db.pragma('user_version = 7');
  db.pragma(`application_id = ${APPLICATION_ID}`);
  const row = encodeTask(task('t'), 'task');
  // Only the columns a version 7 file has: later versions add some (calendar_period, ...).
  const columns = new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('tasks') as string[]);
  const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  const fields = (Object.keys(row) as Array<keyof typeof row>).filter((f) => columns.has(column(f)));
  db.prepare(`INSERT INTO tasks (${fields.map(column).join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(...fields.map((f) => row[f] ?? null));
  const insert = db.prepare(`INSERT INTO executions (task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms, outcome, result, error, skip_reason, state)
    VALUES ('t', 1, ?, 1, ?, ?, ?, ?, 'null', 'null', NULL, 'null')`);
  const outcomes = ['succeeded', 'failed', 'skipped', 'cancelled', 'running', 'interrupted'];
  outcomes.forEach((outcome, i) => {
    const open = outcome === 'running' || outcome === 'interrupted';
    insert.run(i * 100, i + 1, i * 100, open ? null : 1000 + i * 100, outcome);
  });
  db.close();
}

/** The indexes SQLite has on executions (its own primary key's aside). */
function executionIndexes(db: Database.Database): string[] {
  return db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'executions' AND sql IS NOT NULL ORDER BY name").pluck().all() as string[];
}

function plan(db: Database.Database, sql: string): string {
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
}

describe('SqliteStore executions_end index (schema v8)', () => {
  it('upgrades a version 7 file: one index in place of two, every open execution found, only ended ones pruned', async () => {
    makeVersion7Database();
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    expect((await store.unfinishedExecutions()).map((e) => e.outcome).sort()).toEqual(['interrupted', 'running']);
    // Ended at 1000, 1100, 1200, 1300: those before 1250 go, the open ones (no end) stay.
    expect(await store.pruneHistory(1250)).toBe(3);
    expect((await store.history('t')).executions.map((e) => e.outcome)).toEqual(['interrupted', 'running', 'cancelled']);
    expect(await store.pruneHistory(Number.MAX_SAFE_INTEGER)).toBe(1);
    expect((await store.unfinishedExecutions()).map((e) => e.outcome).sort()).toEqual(['interrupted', 'running']);
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(executionIndexes(raw)).toEqual(['executions_end']);
    raw.close();
  });

  it('reads open executions and prunes through the index, not a scan of the history', async () => {
    const store = new SqliteStore(path);
    await store.open();
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(executionIndexes(raw)).toEqual(['executions_end']);
    expect(plan(raw, `SELECT * FROM executions WHERE ${END_KEY_V8} = 'open'`)).toMatch(/USING INDEX executions_end/);
    expect(plan(raw, `SELECT * FROM executions WHERE ${END_KEY_V8} < 5`)).toMatch(/USING INDEX executions_end/);
    raw.close();
  });

  it('keeps an execution found open through claim, interruption, retry and end, and prunes it only once ended', async () => {
    const store = new SqliteStore(path);
    await store.open();
    await store.putTasks([task('t')]);
    const [claimed] = await store.claim([{ taskId: 't', scheduleVersion: 1, nominalMs: 1000, startedAtMs: 1000 }]);
    if (claimed?.status !== 'claimed') throw new Error(`expected a claim, got ${claimed?.status}`);
    const { id, fencingToken } = claimed.execution;
    expect((await store.unfinishedExecutions()).map((e) => e.id)).toEqual([id]);
    expect(await store.pruneHistory(Number.MAX_SAFE_INTEGER)).toBe(0);
    await store.complete({ executionId: id, fencingToken, outcome: 'succeeded', endedAtMs: 2000 });
    expect(await store.unfinishedExecutions()).toEqual([]);
    expect(await store.pruneHistory(2000)).toBe(0);
    expect(await store.pruneHistory(2001)).toBe(1);
    await store.close();
  });
});
