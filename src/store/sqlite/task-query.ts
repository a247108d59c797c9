// queryTasks() in SQLite (task-query.ts has the rules): one statement per
// shape of query, prepared on first use, each read in id order from an index,
// so a page costs a range of about `limit` rows (test/persistence/
// sqlite-task-query.test.ts checks the plans):
//
// - an owner module or a name: that index (owner_module, id) or (name, id)
//   from the cursor on; the statuses are checked on the rows it walks;
// - statuses only, merged by SQLite (UNION ALL, ORDER BY id), each at most
//   `limit` rows: an ended status (completed, failed, cancelled) from the
//   partial index tasks_ended (status, id); `running` from the open
//   executions (executions_end), a few at any time; `pending` along the id
//   index, its status checked on the rows walked. The statuses a run moves
//   (pending -> running -> pending) are in no task index: each move would
//   rewrite index entries at every run (schema v10 says what it cost);
// - every status: the primary key's index (id).
//
// nextBeforeMs is checked on the rows walked (no index holds the next slot,
// which every run moves). The last execution of each task of the page is a
// lookup of its slot's records by the executions' primary key.
import type Database from 'better-sqlite3';
import { decodeLoaded, decodeTask, type StoredTask } from '../codec.js';
import { TASK_STATUSES } from '../records.js';
import { type EndedCandidate, lastExecutionOf, type QueriedTask, type TaskQuery } from '../task-query.js';
import { END_KEY_V8, ENDED_STATUSES_V10 } from './schema.js';
import { TASK_SELECT } from './statements.js';

/** The SQL of a query and its parameters, in placeholder order. */
export function taskQuerySql(query: TaskQuery): { sql: string; params: unknown[] } {
  const filters: string[] = [];
  const filterParams: unknown[] = [];
  if (query.ownerModule !== null) {
    filters.push('owner_module = ?');
    filterParams.push(query.ownerModule);
  }
  if (query.name !== null) {
    filters.push('name = ?');
    filterParams.push(query.name);
  }
  if (query.nextBeforeMs !== null) {
    filters.push('next_execution_ms < ?');
    filterParams.push(query.nextBeforeMs);
  }
  if (query.afterId !== null) {
    filters.push('id > ?');
    filterParams.push(query.afterId);
  }
  const everyStatus = query.statuses.length === TASK_STATUSES.length;
  if (everyStatus || query.ownerModule !== null || query.name !== null) {
    const where = [...filters];
    const params = [...filterParams];
    if (!everyStatus) {
      where.push(`status IN (${query.statuses.map(() => '?').join(', ')})`);
      params.push(...query.statuses);
    }
    params.push(query.limit);
    return { sql: `SELECT ${TASK_SELECT} FROM tasks${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`, params };
  }
  const parts: string[] = [];
  const params: unknown[] = [];
  for (const status of query.statuses) {
    // A literal from TASK_STATUSES (checked): SQLite uses a partial index only for a condition it can read when preparing.
    const where = [`status = '${status}'`, ...filters];
    if (status === 'running') where.push(`id IN (SELECT task_id FROM executions WHERE ${END_KEY_V8} = 'open')`);
    else if (status !== 'pending') where.push(ENDED_STATUSES_V10);
    parts.push(`SELECT * FROM (SELECT ${TASK_SELECT} FROM tasks WHERE ${where.join(' AND ')} ORDER BY id LIMIT ?)`);
    params.push(...filterParams, query.limit);
  }
  if (parts.length === 1) return { sql: parts[0] as string, params };
  params.push(query.limit);
  return { sql: `${parts.join(' UNION ALL ')} ORDER BY "id" LIMIT ?`, params };
}

/** The prepared statements of queryTasks(), by the shape of the query. */
export class TaskQueryStatements {
  readonly #db: Database.Database;
  readonly #byShape = new Map<string, Database.Statement<unknown[], StoredTask>>();
  #slotRecords: Database.Statement<[string, number], EndedCandidate> | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  run(query: TaskQuery): QueriedTask[] {
    const { sql, params } = taskQuerySql(query);
    let statement = this.#byShape.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<unknown[], StoredTask>(sql);
      this.#byShape.set(sql, statement);
    }
    this.#slotRecords ??= this.#db.prepare<[string, number], EndedCandidate>(
      'SELECT outcome, ended_at_ms AS "endedAtMs" FROM executions WHERE task_id = ? AND nominal_ms = ?',
    );
    const slotRecords = this.#slotRecords;
    return statement.all(...params).map((row) => {
      const task = decodeLoaded(row.id, () => decodeTask(row));
      const candidates = task.lastExecutionMs === null ? [] : slotRecords.all(task.id, task.lastExecutionMs);
      return { ...task, lastExecution: lastExecutionOf(task.lastExecutionMs, candidates) };
    });
  }
}
