// queryTasks() in PostgreSQL (task-query.ts has the rules): one statement per
// shape of query, read in id order ("C" collation: the byte order of UTF-8,
// as SQLite's), then one statement for the last execution of every task of
// the page; both in one REPEATABLE READ transaction, so the page and its
// executions are one committed state.
//
// Indexes: an owner module or a name is read from its index, (owner_module,
// id) or (name, id), from the cursor on; otherwise the primary key is walked
// in id order from the cursor. Statuses and the next slot are checked on the
// rows walked: no task index holds a column a run changes (schema.ts says why).
import { decodeLoaded, type StoredTask } from '../codec.js';
import { decodeTask } from '../codec.js';
import { TASK_STATUSES } from '../records.js';
import { type EndedCandidate, lastExecutionOf, type QueriedTask, type TaskQuery } from '../task-query.js';
import { type Session, type Statement, statement } from './session.js';
import { type Statements, TASK_SELECT } from './statements.js';

/** The SQL of a query and its parameters, in placeholder order. */
export function taskQuerySql(schema: string, query: TaskQuery): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown, cast = '') => {
    params.push(value);
    return `$${params.length}${cast}`;
  };
  if (query.ownerModule !== null) where.push(`owner_module = ${param(query.ownerModule)}`);
  if (query.name !== null) where.push(`name = ${param(query.name)}`);
  if (query.nextBeforeMs !== null) where.push(`next_execution_ms < ${param(query.nextBeforeMs)}`);
  if (query.afterId !== null) where.push(`id > ${param(query.afterId)}`);
  if (query.statuses.length !== TASK_STATUSES.length) where.push(`status = ANY(${param(query.statuses, '::text[]')})`);
  // With a module or name filter, order by that index's key: equal on its first column, so the same order as id.
  const order = query.ownerModule !== null ? 'owner_module, id' : query.name !== null ? 'name, id' : 'id';
  const sql = `SELECT ${TASK_SELECT} FROM ${schema}.tasks${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${param(query.limit)}`;
  return { sql, params };
}

/** The statements of queryTasks(), by the shape of the query. */
export class TaskQueryStatements {
  readonly #schema: string;
  readonly #byShape = new Map<string, Statement>();

  constructor(schema: string) {
    this.#schema = schema;
  }

  /** Runs the query in the session's open (REPEATABLE READ) transaction. */
  async run(session: Session, s: Statements, query: TaskQuery): Promise<QueriedTask[]> {
    const { sql, params } = taskQuerySql(this.#schema, query);
    let select = this.#byShape.get(sql);
    if (select === undefined) {
      select = statement(sql);
      this.#byShape.set(sql, select);
    }
    const rows = await session.rows<StoredTask>(select, params);
    const tasks = rows.map((row) => decodeLoaded(row.id, () => decodeTask(row)));
    // Only an integer can be a slot's nominal time: a task whose lastExecutionMs is not one has no record to find.
    const withSlot = tasks.filter((t) => t.lastExecutionMs !== null && Number.isSafeInteger(t.lastExecutionMs));
    const candidates = new Map<string, EndedCandidate[]>();
    if (withSlot.length > 0) {
      const records = await session.rows<EndedCandidate & { taskId: string }>(s.slotRecords, [withSlot.map((t) => t.id), withSlot.map((t) => t.lastExecutionMs)]);
      for (const record of records) {
        let list = candidates.get(record.taskId);
        if (list === undefined) candidates.set(record.taskId, (list = []));
        list.push(record);
      }
    }
    return tasks.map((task) => ({ ...task, lastExecution: lastExecutionOf(task.lastExecutionMs, candidates.get(task.id) ?? []) }));
  }
}
