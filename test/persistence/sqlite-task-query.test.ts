// SqliteStore answers task queries from its indexes (schema v6, v10): every
// shape of query walks an index in id order from the cursor (or the few open
// executions, for `running`), never a scan of the tasks table nor a sort of
// it, checked on SQLite's own query plans; and a schema version 5 file opens
// at the latest version with its tasks queryable.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeTask } from '../../src/store/codec.js';
import { TASK_STATUSES } from '../../src/store/records.js';
import { APPLICATION_ID, LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/store/sqlite/schema.js';
import { taskQuerySql } from '../../src/store/sqlite/task-query.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import type { TaskQuery } from '../../src/store/task-query.js';
import { task } from './contract/harness.js';
import { tempDir } from './temp-dir.js';

const base: TaskQuery = { statuses: [...TASK_STATUSES], ownerModule: null, name: null, nextBeforeMs: null, afterId: 'k', limit: 101 };
const SHAPES: Array<[string, Partial<TaskQuery>]> = [
  ['every status', {}],
  ['pending (along the id index)', { statuses: ['pending'] }],
  ['running (through the open executions)', { statuses: ['running'] }],
  ['failed (an ended status)', { statuses: ['failed'] }],
  ['running and cancelled', { statuses: ['running', 'cancelled'] }],
  ['two statuses and a next slot', { statuses: ['pending', 'failed'], nextBeforeMs: 5000 }],
  ['an owner module', { ownerModule: 'billing' }],
  ['an owner module and a status', { ownerModule: 'billing', statuses: ['failed'] }],
  ['a name and two statuses', { name: 'invoice', statuses: ['running', 'failed'] }],
  ['a name and an owner module', { name: 'invoice', ownerModule: 'billing' }],
];

function plan(db: Database.Database, query: TaskQuery): string[] {
  const { sql, params } = taskQuerySql(query);
  return db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params).map((row) => (row as { detail: string }).detail);
}

describe('SqliteStore task queries', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    temp = await tempDir();
  });
  afterEach(() => temp.dispose());

  it('answers every shape of query by searching an index from the cursor, never scanning or sorting the tasks table', async () => {
    const path = temp.file('jobs.db');
    const store = new SqliteStore(path);
    await store.open();
    // A table big enough that SQLite's planner has a real choice to make.
    const modules = ['billing', 'reports', 'search', null];
    await store.putTasks(Array.from({ length: 2000 }, (_, i) => task(`t${i}`, {
      ownerModule: modules[i % 4]!, name: `n${i % 50}`, status: TASK_STATUSES[i % 5]!,
    })));
    await store.close();
    // No ANALYZE: the plans the store gets as it ships (it never runs one).
    const db = new Database(path, { readonly: true });
    for (const [what, fields] of SHAPES) {
      for (const afterId of ['k', null]) {
        const lines = plan(db, { ...base, ...fields, afterId });
        const where = `${what}${afterId === null ? ', first page' : ''}: ${lines.join(' | ')}`;
        if (process.env.SHOW_PLANS) console.log(where);
        // 'SCAN tasks' alone reads the whole table; with USING INDEX it walks an index in order and stops at the limit.
        expect(lines.filter((l) => /^SCAN tasks$/.test(l) || /SCAN tasks USING INDEX/.test(l) && afterId !== null), where).toEqual([]);
        // A sort only of a status's page (at most `limit` rows, read by the line before it), merged with the others.
        expect(lines.some((l, i) => /USE TEMP B-TREE/.test(l) && !/^SCAN \(subquery-\d+\)$/.test(lines[i - 1] ?? '')), where).toBe(false);
        expect(lines.some((l) => /(SEARCH|SCAN) tasks USING (COVERING )?INDEX (tasks_ended|tasks_by_(module|name)|sqlite_autoindex_tasks_1)/.test(l)), where).toBe(true);
        if (fields.statuses?.includes('running') && !fields.ownerModule && !fields.name) expect(lines.some((l) => /SEARCH executions USING (COVERING )?INDEX executions_end/.test(l)), where).toBe(true);
        if (fields.statuses?.some((s) => s !== 'pending' && s !== 'running') && !fields.ownerModule && !fields.name) {
          expect(lines.some((l) => /SEARCH tasks USING INDEX tasks_ended/.test(l)), where).toBe(true);
        }
      }
    }
    db.close();
  });

  it('opens a schema version 5 file at the latest version, its tasks queryable by status, owner module and name', async () => {
    const path = temp.file('v5.db');
    const v5 = new Database(path);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 5)) v5.exec(migration.sql);
    v5.pragma('user_version = 5');
    v5.pragma(`application_id = ${APPLICATION_ID}`);
    const rows = [task('b', { ownerModule: 'billing', name: 'invoice' }), task('a', { ownerModule: 'reports', status: 'failed' }), task('c', { ownerModule: 'billing' })];
    for (const record of rows) {
      // Without the columns of versions 7 (constraints) and 8 (calendar period, start, end).
      const { constraints: _constraints, calendarPeriod: _period, startAtMs: _start, endAtMs: _end, ...row } = encodeTask(record, 'task');
      const fields = Object.keys(row);
      const columns = fields.map((f) => f.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
      v5.prepare(`INSERT INTO tasks (${columns.join(', ')}) VALUES (${fields.map(() => '?').join(', ')})`).run(...fields.map((f) => row[f as keyof typeof row]));
    }
    v5.close();
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    const ids = async (fields: Partial<TaskQuery>) => (await store.queryTasks({ ...base, afterId: null, ...fields })).map((t) => t.id);
    expect(await ids({})).toEqual(['a', 'b', 'c']);
    expect(await ids({ ownerModule: 'billing' })).toEqual(['b', 'c']);
    expect(await ids({ statuses: ['failed'] })).toEqual(['a']);
    expect(await ids({ name: 'invoice' })).toEqual(['b']);
    await store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks' AND name LIKE 'tasks%' ORDER BY name").pluck().all())
      .toEqual(['tasks_by_module', 'tasks_by_name', 'tasks_ended']);
    raw.close();
  });
});
