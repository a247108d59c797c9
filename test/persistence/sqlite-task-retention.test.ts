// Retention of ended tasks on SQLite (SqliteStore.pruneEndedTasks): each batch
// reads a range of the partial index tasks_ended (status, id) past its cursor,
// one status at a time, and decides each row with one lookup of the
// executions' primary key. So a batch costs its limit in index entries however
// many tasks are pending, and a pass reads each ended task once.
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrate } from '../../src/store/sqlite/schema.js';
import { prepareStatements } from '../../src/store/sqlite/statements.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { allTasks, task } from './contract/harness.js';
import { tempDir } from './temp-dir.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(() => temp.dispose());

it('a batch is a range of tasks_ended past the cursor, and one primary-key lookup of executions per task', () => {
  const db = new Database(temp.file('plan.db'));
  migrate(db, 0);
  const statement = prepareStatements(db).endedTasksPage;
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${statement.source}`).all(0, 'completed', '', 10) as Array<{ detail: string }>).map((r) => r.detail);
  expect(plan).toContain('SEARCH tasks USING INDEX tasks_ended (status=? AND id>?)');
  expect(plan).toContain('SEARCH executions USING PRIMARY KEY (task_id=?)');
  db.close();
});

it('the limit counts ended tasks only: 3 ended tasks among 2,000 pending ones go in one batch of 3', async () => {
  const store = new SqliteStore(temp.file('jobs.db'));
  await store.open();
  await store.putTasks(Array.from({ length: 2000 }, (_, k) => task(`p${String(k).padStart(4, '0')}`)));
  for (const [id, status] of [['p0001', 'completed'], ['p1000', 'cancelled'], ['p1999', 'failed']] as const) {
    await store.updateTask(id, { status, updatedAtMs: 10 });
  }
  // A limit of 3 is met by the three ended tasks alone: the cursor is the last of them, and the next batch finds none.
  const first = await store.pruneEndedTasks(20, null, 3);
  expect(first).toEqual({ deleted: 3, next: 'failed p1999' });
  expect(await store.pruneEndedTasks(20, first.next, 3)).toEqual({ deleted: 0, next: null });
  expect((await allTasks(store)).filter((t) => t.status === 'pending').length).toBe(1997);
  await store.close();
});
