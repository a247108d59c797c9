// Every fixed SQL statement PostgresStore runs, for one schema. Rows come back
// with camelCase names (`column AS "field"`), i.e. already in the StoredTask /
// StoredExecution shape the codec decodes, as in SQLite (sqlite/statements.ts);
// parameters are numbered in the codec's field order.
import { STORED_EXECUTION_FIELDS, STORED_TASK_FIELDS, type StoredExecution, type StoredTask } from '../codec.js';
import { FINAL_OUTCOMES, OPEN_OUTCOMES } from './schema.js';
import { type Statement, statement } from './session.js';

export const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const selectList = (fields: readonly string[]) => fields.map((f) => `${column(f)} AS "${f}"`).join(', ');
const params = (count: number, from = 1) => Array.from({ length: count }, (_, i) => `$${from + i}`).join(', ');

/** The stored columns of an execution: its fields but the id, which is its slot. */
export const EXECUTION_STORED_FIELDS = STORED_EXECUTION_FIELDS.filter((f) => f !== 'id');
/** The SQL type of each task column, for the arrays of a multi-row insert (put-tasks.ts). */
const TASK_COLUMN_TYPES: Readonly<Record<keyof StoredTask, string>> = {
  id: 'text', name: 'text', description: 'text', ownerModule: 'text', functionName: 'text', params: 'text', scheduleKind: 'text',
  delayMs: 'float8', periodMs: 'float8', atMs: 'float8', cronExpression: 'text', timeZone: 'text', priority: 'text',
  misfirePolicy: 'text', misfireGraceMs: 'float8', catchUpWindowMs: 'float8', catchUpMax: 'int8', retry: 'text', createdAtMs: 'float8',
  updatedAtMs: 'float8', lastExecutionMs: 'float8', nextExecutionMs: 'float8', executionCount: 'int8', maxExecutions: 'int8',
  status: 'text', lastError: 'text', metadata: 'text', scheduleVersion: 'int8', highWaterMarkMs: 'float8', dstGap: 'text',
  dstOverlap: 'text', timeoutMs: 'float8', constraints: 'text', calendarPeriod: 'text', startAtMs: 'float8', endAtMs: 'float8',
};
const EXECUTION_COLUMN_TYPES: Readonly<Record<(typeof EXECUTION_STORED_FIELDS)[number], string>> = {
  taskId: 'text', scheduleVersion: 'int8', nominalMs: 'int8', attempt: 'int8', fencingToken: 'int8', startedAtMs: 'float8',
  endedAtMs: 'float8', outcome: 'text', result: 'text', error: 'text', skipReason: 'text', state: 'text', traceId: 'text', spanId: 'text',
};

/**
 * Tasks written by one array per column (in STORED_TASK_FIELDS order), from parameter $`from`, then an array of masks:
 * bit i set where the task's field i + 1 (after the id) is written, NULL sent for the others (taskChanges), which keep
 * their value. A finish's patch changes a few fields (status, counts, times) of a row of 36: its other values, params
 * and metadata among them, are not encoded into arrays, sent and parsed again for nothing (the ends of a batch,
 * cluster-finish.ts).
 */
/**
 * `t.id` among the ids of the array parameter `ids`, as primary-key probes: the array is computed once (an InitPlan),
 * so the planner cannot count it and takes it for a few ids, for which tasks_pkey is the only sensible plan. Joined to
 * the unnest of the arrays alone, the planner hashed the ids and scanned every task for them on tables never analyzed
 * (a round of 100 finishes at 3,000 tasks: `Seq Scan on tasks`), so each round cost O(tasks). An extra conjunct of
 * the join: the rows updated, and a concurrent update's recheck, are as before.
 */
const BY_ID_LIST = (ids: string) => `t.id = ANY(ARRAY(SELECT unnest(${ids}::text[])))`;

export function updateTasksSql(s: string, from = 1): string {
  const types = STORED_TASK_FIELDS.map((f, i) => `$${from + i}::${TASK_COLUMN_TYPES[f]}[]`).join(', ');
  const set = STORED_TASK_FIELDS.slice(1).map((f, i) => `${column(f)} = CASE WHEN u.changed & ${2 ** i} <> 0 THEN u.${column(f)} ELSE t.${column(f)} END`);
  return `UPDATE ${s}.tasks AS t SET ${set.join(', ')}
       FROM unnest(${types}, $${from + STORED_TASK_FIELDS.length}::int8[]) AS u(${STORED_TASK_FIELDS.map(column).join(', ')}, changed)
       WHERE t.id = u.id AND ${BY_ID_LIST(`$${from}`)}`;
}

/**
 * taskChanges() rows as updateTasksSql's column arrays (ids, the fields, the masks): a field no row changed goes as
 * NULL, which unnest pads with NULLs as it pads a short array, instead of an array of NULLs to write and parse (a
 * round of run ends changes 6 of the 35 fields).
 */
export function taskChangeColumns(rows: readonly unknown[][]): Array<unknown[] | null> {
  const width = STORED_TASK_FIELDS.length + 1;
  const columns: Array<unknown[] | null> = new Array(width);
  for (let c = 0; c < width; c++) {
    const values = new Array<unknown>(rows.length);
    let written = c === 0 || c === width - 1;
    for (let r = 0; r < rows.length; r++) {
      const value = rows[r]![c];
      values[r] = value;
      if (value !== null) written = true;
    }
    columns[c] = written ? values : null;
  }
  return columns;
}

/**
 * `task`'s values in column order for updateTasksSql, with its mask: the id, then each field that differs from
 * `before` (the row as read, locked, in the same transaction), NULL for the others.
 */
export function taskChanges(task: StoredTask, before: StoredTask | undefined): unknown[] {
  const values: unknown[] = [task.id];
  let changed = 0;
  for (let i = 1; i < STORED_TASK_FIELDS.length; i++) {
    const field = STORED_TASK_FIELDS[i]!;
    const value = task[field] ?? null;
    if (before !== undefined && value === (before[field] ?? null)) values.push(null);
    else {
      values.push(value);
      changed += 2 ** (i - 1);
    }
  }
  values.push(changed);
  return values;
}

/** An execution's row by its slot: the table's primary key. */
/**
 * A CTE `marked` that writes tasks' high-water marks and statuses from the arrays that follow an execution's
 * columns ($15 ids, $16 marks, $17 statuses): the second half of a statement that writes executions by arrays.
 */
export function marksFromArraysSql(s: string): string {
  const from = EXECUTION_STORED_FIELDS.length + 1;
  return `marked AS (UPDATE ${s}.tasks AS t SET high_water_mark_ms = u.mark, status = u.status
         FROM unnest($${from}::text[], $${from + 1}::float8[], $${from + 2}::text[]) AS u(id, mark, status) WHERE t.id = u.id AND ${BY_ID_LIST(`$${from}`)})`;
}

const BY_SLOT = 'task_id = $1 AND nominal_ms = $2 AND schedule_version = $3';

export const TASK_SELECT = selectList(STORED_TASK_FIELDS);
export const EXECUTION_SELECT = `task_id || '/' || schedule_version || '/' || nominal_ms AS "id", ${selectList(EXECUTION_STORED_FIELDS)}`;

/** A task's values in column order. */
export function taskValues(t: StoredTask): unknown[] {
  return STORED_TASK_FIELDS.map((field) => t[field] ?? null);
}

/** An execution's values in column order (no id: it is the slot). */
export function executionValues(e: StoredExecution): unknown[] {
  return EXECUTION_STORED_FIELDS.map((field) => e[field] ?? null);
}

/** The fields of an ended execution neither its completion nor its id already hold. */
export type EndedExecutionRow = Pick<StoredExecution, 'attempt' | 'startedAtMs' | 'skipReason' | 'state' | 'traceId' | 'spanId'>;

export interface CompletedSlotRow {
  taskId: string;
  scheduleVersion: number;
  nominalMs: number;
  outcome: StoredExecution['outcome'];
}

/**
 * Ends the attempt holding this token ($10), if it is still running; no row
 * when it is not (the caller then says why). Parameters: the slot ($1 task,
 * $2 nominal, $3 version), outcome, end, result, error, trace id, span id,
 * token. The trace is written only where none is (an earlier attempt's
 * stays: later ones link to it).
 */
export function endExecutionSql(s: string): string {
  return `UPDATE ${s}.executions SET outcome = $4, ended_at_ms = $5, result = $6, error = $7,
         trace_id = coalesce(trace_id, $8), span_id = coalesce(span_id, $9)
       WHERE ${BY_SLOT} AND fencing_token = $10 AND outcome = 'running'
       RETURNING attempt, started_at_ms AS "startedAtMs", skip_reason AS "skipReason", state, trace_id AS "traceId", span_id AS "spanId"`;
}

/** The statements of one schema (`s`, quoted). */
export function prepareStatements(s: string) {
  const taskColumns = STORED_TASK_FIELDS.map(column).join(', ');
  const executionColumns = EXECUTION_STORED_FIELDS.map(column).join(', ');
  const unnestOf = (types: readonly string[]) => `unnest(${types.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})`;
  // A slot that has a record already inserts nothing and is not returned: the caller then reports it.
  const insertExecutions = `INSERT INTO ${s}.executions (${executionColumns}) SELECT * FROM ${unnestOf(EXECUTION_STORED_FIELDS.map((f) => EXECUTION_COLUMN_TYPES[f]))}
       ON CONFLICT DO NOTHING RETURNING task_id AS "taskId", nominal_ms AS "nominalMs", schedule_version AS "scheduleVersion"`;
  return {
    // New tasks in one statement, one array parameter per column; the ids already taken insert nothing and are not returned.
    insertTasks: statement(
      `INSERT INTO ${s}.tasks (${taskColumns}) SELECT * FROM ${unnestOf(STORED_TASK_FIELDS.map((f) => TASK_COLUMN_TYPES[f]))}
       ON CONFLICT (id) DO NOTHING RETURNING id`,
    ),
    updateTask: statement(
      `UPDATE ${s}.tasks SET ${STORED_TASK_FIELDS.slice(1).map((f, i) => `${column(f)} = $${i + 2}`).join(', ')} WHERE id = $1`,
    ),
    getTask: statement(`SELECT ${TASK_SELECT} FROM ${s}.tasks WHERE id = $1`),
    /** The same, locking the row until the transaction ends (a merge or a patch reads, then writes, it). */
    lockTask: statement(`SELECT ${TASK_SELECT} FROM ${s}.tasks WHERE id = $1 FOR UPDATE`),
    // Keyset paging on the id (the primary key's index): each page one range scan, whatever the table's size.
    taskPage: statement(`SELECT ${TASK_SELECT} FROM ${s}.tasks WHERE id > $1 ORDER BY id LIMIT $2`),
    firstTaskPage: statement(`SELECT ${TASK_SELECT} FROM ${s}.tasks ORDER BY id LIMIT $1`),
    /** Cluster mode's start: pending tasks with no open row, after id $1 (NULL: from the first), by id; each a probe of open_slots' key. */
    unofferedPage: statement(
      `SELECT ${TASK_SELECT} FROM ${s}.tasks t WHERE t.status = 'pending' AND ($1::text IS NULL OR t.id > $1)
         AND NOT EXISTS (SELECT FROM ${s}.open_slots o WHERE o.task_id = t.id) ORDER BY t.id LIMIT $2`,
    ),
    liveTaskCount: statement(`SELECT count(*) AS n FROM ${s}.tasks WHERE status IN ('pending', 'running')`),
    deleteTask: statement(`DELETE FROM ${s}.tasks WHERE id = $1`),
    // What the rules of a claim or skip read of the batch's tasks (slot-rules.ts SlotTask), locked in id order so
    // that two batches touching the same tasks wait for each other instead of deadlocking.
    lockSlotTasks: statement(
      `SELECT id, schedule_version AS "scheduleVersion", status, high_water_mark_ms AS "highWaterMarkMs"
       FROM ${s}.tasks WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`,
    ),
    setSlotMarks: statement(
      `UPDATE ${s}.tasks AS t SET high_water_mark_ms = u.mark, status = u.status
       FROM unnest($1::text[], $2::float8[], $3::text[]) AS u(id, mark, status) WHERE t.id = u.id`,
    ),
    markTaskRunning: statement(`UPDATE ${s}.tasks SET status = 'running' WHERE id = $1 AND status = 'pending'`),
    highWaterMarks: statement(`SELECT id, high_water_mark_ms AS "highWaterMarkMs" FROM ${s}.tasks WHERE high_water_mark_ms IS NOT NULL`),

    insertExecutions: statement(insertExecutions),
    // The same, and the batch's marks written in the same round trip (record-slots.ts), by arrays $15 (ids), $16 (marks), $17 (statuses).
    insertExecutionsAndMarks: statement(
      `WITH inserted AS (${insertExecutions}),
       ${marksFromArraysSql(s)}
       SELECT * FROM inserted`,
    ),
    getExecution: statement(`SELECT ${EXECUTION_SELECT} FROM ${s}.executions WHERE ${BY_SLOT}`),
    lockExecution: statement(`SELECT ${EXECUTION_SELECT} FROM ${s}.executions WHERE ${BY_SLOT} FOR UPDATE`),
    /** The records of several slots (the duplicates a batch reports), by parallel arrays of task id, nominal time, version. */
    getExecutions: statement(
      `SELECT ${EXECUTION_SELECT} FROM ${s}.executions
       WHERE (task_id, nominal_ms, schedule_version) IN (SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[]))`,
    ),
    /** The same, locked until the transaction ends, in key order (two batches over the same slots queue). */
    lockExecutions: statement(
      `SELECT ${EXECUTION_SELECT} FROM ${s}.executions
       WHERE (task_id, nominal_ms, schedule_version) IN (SELECT * FROM unnest($1::text[], $2::int8[], $3::int8[]))
       ORDER BY task_id, nominal_ms, schedule_version FOR UPDATE`,
    ),
    endExecution: statement(endExecutionSql(s)),
    updateExecution: statement(
      `UPDATE ${s}.executions SET attempt = $4, fencing_token = $5, started_at_ms = $6, ended_at_ms = $7, outcome = $8,
         result = $9, error = $10, state = $11 WHERE ${BY_SLOT}`,
    ),
    // saveState() in one statement when it applies: this token's attempt, still running.
    saveState: statement(
      `UPDATE ${s}.executions SET state = $4 WHERE ${BY_SLOT} AND fencing_token = $5 AND outcome = 'running' RETURNING ${EXECUTION_SELECT}`,
    ),
    unfinishedExecutions: statement(`SELECT ${EXECUTION_SELECT} FROM ${s}.executions WHERE ${OPEN_OUTCOMES}`),
    lastCompletedSlots: statement(
      `SELECT DISTINCT ON (task_id) task_id AS "taskId", schedule_version AS "scheduleVersion", nominal_ms AS "nominalMs", outcome
       FROM ${s}.executions WHERE ${FINAL_OUTCOMES} ORDER BY task_id, nominal_ms DESC, schedule_version DESC`,
    ),
    // Both walk the primary key backwards from the task's newest slot (or the cursor).
    historyNewest: statement(
      `SELECT ${EXECUTION_SELECT} FROM ${s}.executions WHERE task_id = $1 ORDER BY nominal_ms DESC, schedule_version DESC LIMIT $2`,
    ),
    historyBefore: statement(
      `SELECT ${EXECUTION_SELECT} FROM ${s}.executions WHERE task_id = $1 AND (nominal_ms, schedule_version) < ($2, $3)
       ORDER BY nominal_ms DESC, schedule_version DESC LIMIT $4`,
    ),
    pruneHistory: statement(`DELETE FROM ${s}.executions WHERE ${FINAL_OUTCOMES} AND ended_at_ms < $1`),
    // Retention of tasks (pruneEndedTasks): the next $3 tasks by id past $2 along the primary key (no index holds
    // the ended ones alone), deleting those ended before $1 that keep no execution (one lookup of its key each).
    // The conditions are on t, the row as the DELETE finds it: a task registered again meanwhile is pending, kept.
    pruneEndedTasks: statement(endedTasksDelete(s, '')),
    // The same in cluster mode (pruneEndedTasksRound, after tryPruneLock): a task with an open row stays too.
    pruneEndedTasksRound: statement(endedTasksDelete(s, `AND NOT EXISTS (SELECT 1 FROM ${s}.open_slots AS o WHERE o.task_id = t.id)`)),
    // Cluster retention (pruneHistoryRound): one process prunes at a time. The lock is transaction-scoped and
    // named after the schema ($1), so stores in other schemas prune independently; false: another holds it.
    tryPruneLock: statement(`SELECT pg_try_advisory_xact_lock(hashtextextended('timeslice.prune:' || $1::text, 0)) AS locked`),
    // At most $2 rows a round (a bounded transaction: short locks, dead tuples vacuum can keep up with), found by
    // the executions_ended index; a slot with an open row (a retry waiting) keeps its record; rows another
    // transaction has locked are left for the next round rather than waited for.
    pruneRound: statement(
      `DELETE FROM ${s}.executions AS e USING (
         SELECT x.task_id, x.nominal_ms, x.schedule_version FROM ${s}.executions AS x
          WHERE x.${FINAL_OUTCOMES} AND x.ended_at_ms < $1
            AND NOT EXISTS (SELECT 1 FROM ${s}.open_slots AS o
                             WHERE o.task_id = x.task_id AND o.nominal_ms = x.nominal_ms AND o.schedule_version = x.schedule_version)
          LIMIT $2 FOR UPDATE OF x SKIP LOCKED) AS d
       WHERE e.task_id = d.task_id AND e.nominal_ms = d.nominal_ms AND e.schedule_version = d.schedule_version`,
    ),
    /** The records of a page's slots for queryTasks: each task's records at its last execution's nominal time. */
    slotRecords: statement(
      `SELECT e.task_id AS "taskId", e.outcome, e.ended_at_ms AS "endedAtMs"
       FROM unnest($1::text[], $2::int8[]) AS k(task_id, nominal_ms)
       JOIN ${s}.executions AS e ON e.task_id = k.task_id AND e.nominal_ms = k.nominal_ms`,
    ),

    nextTokenBlock: statement(`SELECT nextval('${s}.fencing_tokens') AS "last"`),

    getLease: statement(
      `SELECT owner_id AS "ownerId", host, pid, epoch, since_ms AS "sinceMs", expires_at_ms AS "expiresAtMs" FROM ${s}.lease WHERE id = 1`,
    ),
    /** The lease, held against a takeover until the transaction ends: every fenced write checks it so. */
    shareLease: statement(
      `SELECT owner_id AS "ownerId", host, pid, epoch, since_ms AS "sinceMs", expires_at_ms AS "expiresAtMs" FROM ${s}.lease WHERE id = 1 FOR SHARE`,
    ),
    lockLease: statement(
      `SELECT owner_id AS "ownerId", host, pid, epoch, since_ms AS "sinceMs", expires_at_ms AS "expiresAtMs" FROM ${s}.lease WHERE id = 1 FOR UPDATE`,
    ),
    putLease: statement(
      `INSERT INTO ${s}.lease (id, owner_id, host, pid, epoch, since_ms, expires_at_ms) VALUES (1, ${params(6)})
       ON CONFLICT (id) DO UPDATE SET owner_id = excluded.owner_id, host = excluded.host, pid = excluded.pid, epoch = excluded.epoch,
         since_ms = excluded.since_ms, expires_at_ms = excluded.expires_at_ms`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
export type { Statement };

/** The delete of pruneEndedTasks (and its cluster round, with `also`): $1 the cutoff, $2 the last id looked at, $3 the limit. */
function endedTasksDelete(s: string, also: string): string {
  return `WITH page AS (SELECT id FROM ${s}.tasks WHERE id > $2 ORDER BY id LIMIT $3),
    gone AS (
      DELETE FROM ${s}.tasks AS t USING page AS p
       WHERE t.id = p.id AND t.status IN ('completed', 'failed', 'cancelled') AND t.updated_at_ms < $1
         AND NOT EXISTS (SELECT 1 FROM ${s}.executions AS e WHERE e.task_id = t.id) ${also}
      RETURNING 1)
    SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT count(*) FROM page)::int AS scanned, (SELECT max(id) FROM page) AS last`;
}
