// Every SQL statement SqliteStore runs, prepared once after the migrations.
// Rows come back with camelCase names (`column AS "field"`), i.e. already in
// the StoredTask / StoredExecution shape the codec decodes; parameters are
// bound by position in the codec's field order.
import type Database from 'better-sqlite3';
import type { PriorityName } from '../../tasks/priorities.js';
import { STORED_EXECUTION_FIELDS, STORED_TASK_FIELDS, type StoredExecution, type StoredTask } from '../codec.js';
import type { ConstraintsRecord } from '../../constraints/slot-constraints.js';
import type { CronGapPolicy, CronOverlapPolicy } from '../../time/cron.js';
import type { LeaseHolder } from '../lease.js';
import type { SlotTask } from '../slot-rules.js';
import { END_KEY_V8, ENDED_STATUSES_V10, FINAL_OUTCOMES_V4 } from './schema.js';
import { type Json, type MisfirePolicy, type ScheduleKind, slotOfExecutionId, type TaskRecord, type TaskStatus } from '../records.js';

export { slotOfExecutionId } from '../records.js';

const column = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const selectList = (fields: readonly string[]) => fields.map((f) => `${column(f)} AS "${f}"`).join(', ');
const columnList = (fields: readonly string[]) => fields.map(column).join(', ');
const placeholders = (count: number) => Array.from({ length: count }, () => '?').join(', ');

const TASK_COLUMNS = columnList(STORED_TASK_FIELDS);
export const TASK_SELECT = selectList(STORED_TASK_FIELDS);
const TASK_UPDATE_SET = STORED_TASK_FIELDS.filter((f) => f !== 'id').map((f) => `${column(f)} = ?`).join(', ');
/** The stored columns of an execution: its fields but the id, which is its slot (schema v4). */
const EXECUTION_STORED_FIELDS = STORED_EXECUTION_FIELDS.filter((f) => f !== 'id');
const EXECUTION_COLUMNS = columnList(EXECUTION_STORED_FIELDS);
const EXECUTION_SELECT = `task_id || '/' || schedule_version || '/' || nominal_ms AS "id", ${selectList(EXECUTION_STORED_FIELDS)}`;
/** Rows per multi-row task INSERT (put-tasks.ts): 32 x 36 columns = 1152 parameters (SQLite allows 32,766). */
export const ROWS_PER_INSERT = 32;
/** An execution's row by its slot: the table's primary key. */
const BY_SLOT = 'task_id = ? AND nominal_ms = ? AND schedule_version = ?';

/** The stored execution with this id, or undefined. */
export function findExecution(s: Statements, id: string): StoredExecution | undefined {
  const slot = slotOfExecutionId(id);
  return slot === undefined ? undefined : s.getExecution.get(...slot);
}

/** A task's values in column order, for insertTask. */
export function taskValues(t: StoredTask): unknown[] {
  return [
    t.id, t.name, t.description, t.ownerModule, t.functionName, t.params, t.scheduleKind, t.delayMs, t.periodMs, t.atMs,
    t.cronExpression, t.timeZone, t.priority, t.misfirePolicy, t.misfireGraceMs, t.catchUpWindowMs, t.catchUpMax, t.retry,
    t.createdAtMs, t.updatedAtMs, t.lastExecutionMs, t.nextExecutionMs, t.executionCount, t.maxExecutions, t.status,
    t.lastError, t.metadata, t.scheduleVersion, t.highWaterMarkMs, t.dstGap ?? null, t.dstOverlap ?? null,
    t.timeoutMs ?? null, t.constraints ?? null, t.calendarPeriod ?? null, t.startAtMs ?? null, t.endAtMs ?? null,
  ];
}

/** A task's values for updateTask: every column but id, then the id for the WHERE. */
export function taskUpdateValues(task: StoredTask): unknown[] {
  const values: unknown[] = [];
  for (const field of STORED_TASK_FIELDS) if (field !== 'id') values.push(task[field] ?? null);
  values.push(task.id);
  return values;
}

/** An execution's values in column order, for insertExecution (no id: it is the slot). */
export function executionValues(e: StoredExecution): unknown[] {
  return [
    e.taskId, e.scheduleVersion, e.nominalMs, e.attempt, e.fencingToken, e.startedAtMs, e.endedAtMs, e.outcome, e.result, e.error, e.skipReason, e.state,
    e.traceId, e.spanId,
  ];
}

/** Positions in a task page row (STORED_TASK_FIELDS order, then the rowid). */
const C = Object.fromEntries(STORED_TASK_FIELDS.map((field, i) => [field, i])) as Readonly<Record<keyof StoredTask, number>>;
export const TASK_ROWID_COLUMN = STORED_TASK_FIELDS.length;
const JSON_FIELDS: ReadonlySet<string> = new Set(['params', 'retry', 'metadata', 'constraints']);

/**
 * A task page row is one JSON array built by SQLite (`json_array`, with the
 * JSON columns embedded as values by `json()`), parsed with one JSON.parse.
 * Loading a million tasks is mostly per-value overhead: better-sqlite3 makes
 * a JS value per column (29 per row, 4 us), a row object costs several times
 * that, and three JSON.parse calls more; one string and one parse per row
 * take about half the time. Exact: SQLite writes each REAL with as many
 * digits as it needs to read back the same double (the contract's round-trip
 * cases and a property test check it).
 */
const TASK_PAGE_ARRAY = `json_array(${STORED_TASK_FIELDS.map((f) => (JSON_FIELDS.has(f) ? `json(${column(f)})` : column(f))).join(', ')}, rowid)`;

/** A TaskRecord from a parsed task page row. */
export function decodeTaskRow(r: unknown[]): TaskRecord {
  return {
    id: r[C.id] as string, name: r[C.name] as string, description: r[C.description] as string | null,
    ownerModule: r[C.ownerModule] as string | null, functionName: r[C.functionName] as string,
    params: r[C.params] as Json, scheduleKind: r[C.scheduleKind] as ScheduleKind,
    delayMs: r[C.delayMs] as number | null, periodMs: r[C.periodMs] as number | null, atMs: r[C.atMs] as number | null,
    cronExpression: r[C.cronExpression] as string | null, timeZone: r[C.timeZone] as string | null,
    dstGap: r[C.dstGap] as CronGapPolicy | null, dstOverlap: r[C.dstOverlap] as CronOverlapPolicy | null,
    priority: r[C.priority] as PriorityName,
    misfire: {
      policy: r[C.misfirePolicy] as MisfirePolicy, graceMs: r[C.misfireGraceMs] as number,
      catchUpWindowMs: r[C.catchUpWindowMs] as number | null, catchUpMax: r[C.catchUpMax] as number | null,
    },
    retry: r[C.retry] as Json, createdAtMs: r[C.createdAtMs] as number, updatedAtMs: r[C.updatedAtMs] as number,
    lastExecutionMs: r[C.lastExecutionMs] as number | null, nextExecutionMs: r[C.nextExecutionMs] as number | null,
    executionCount: r[C.executionCount] as number, maxExecutions: r[C.maxExecutions] as number | null,
    status: r[C.status] as TaskStatus, lastError: r[C.lastError] as string | null, metadata: r[C.metadata] as Json,
    scheduleVersion: r[C.scheduleVersion] as number, highWaterMarkMs: r[C.highWaterMarkMs] as number | null,
    timeoutMs: r[C.timeoutMs] as number | null, constraints: r[C.constraints] as ConstraintsRecord | null,
    calendarPeriod: r[C.calendarPeriod] as string | null,
    startAtMs: r[C.startAtMs] as number | null, endAtMs: r[C.endAtMs] as number | null,
  };
}

export interface CompletedSlotRow {
  taskId: string;
  scheduleVersion: number;
  nominalMs: number;
  outcome: StoredExecution['outcome'];
}

/** The fields of an ended execution neither its completion nor its id already hold. */
export type EndedExecutionRow = Pick<StoredExecution, 'attempt' | 'startedAtMs' | 'skipReason' | 'state' | 'traceId' | 'spanId'>;

type Stmt<Params extends unknown[], Row = unknown> = Database.Statement<Params, Row>;

/**
 * `UPDATE tasks SET <the patch's columns> WHERE id = ? AND schedule_version = ?`
 * for a completion's slot patch (slot-rules.ts SLOT_PATCH_FIELDS), prepared
 * once per set of fields: a completion writes only what it changes, and only
 * while the task is at the schedule version of the attempt it ends.
 */
export class SlotPatchStatements {
  readonly #db: Database.Database;
  readonly #byFields = new Map<string, Stmt<unknown[]>>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** Applies `patch` (checked, slot fields only); the number of rows changed (0: no task at that version, or the task has ended). */
  run(taskId: string, scheduleVersion: number, patch: Readonly<Record<string, unknown>>): number {
    const fields = Object.keys(patch);
    const key = fields.join(',');
    let statement = this.#byFields.get(key);
    if (statement === undefined) {
      const set = fields.map((f) => `${column(f)} = ?`).join(', ');
      // A chain of <>, not NOT IN: SQLite builds an IN list's lookup table at every run (bench/ab/durable-statements-ab.mjs).
      statement = this.#db.prepare<unknown[]>(
        `UPDATE tasks SET ${set} WHERE id = ? AND schedule_version = ? AND status <> 'completed' AND status <> 'failed' AND status <> 'cancelled'`,
      );
      this.#byFields.set(key, statement);
    }
    const values: unknown[] = [];
    for (const field of fields) {
      const value = patch[field];
      // As encodeCheckedTask() stores them: -0 as 0.
      values.push(value === 0 ? 0 : value);
    }
    values.push(taskId, scheduleVersion);
    return statement.run(...values).changes;
  }
}

export interface Statements {
  insertTask: Stmt<unknown[]>;
  /** ROWS_PER_INSERT new tasks in one INSERT, no conflict clause (put-tasks.ts). */
  insertTaskChunk: Stmt<unknown[]>;
  updateTask: Stmt<unknown[]>;
  getTask: Stmt<[string], StoredTask>;
  taskPage: Stmt<[number, number], string>;
  taskRowsPage: Stmt<[number, number], StoredTask & { rowid: number }>;
  deleteTask: Stmt<[string]>;
  getSlotTask: Stmt<[string], SlotTask>;
  setSlotMarks: Stmt<[number | null, string, string]>;
  markTaskRunning: Stmt<[string]>;
  highWaterMarks: Stmt<[], { id: string; highWaterMarkMs: number }>;
  insertExecution: Stmt<unknown[]>;
  insertExecutionIfNew: Stmt<unknown[]>;
  getExecution: Stmt<[string, number, number], StoredExecution>;
  endExecution: Stmt<[string, number | null, string, string, string | null, string | null, string, number, number, number], EndedExecutionRow>;
  updateExecution: Stmt<[number, number, number | null, number | null, string, string, string, string, string, number, number]>;
  unfinishedExecutions: Stmt<[], StoredExecution>;
  lastCompletedSlots: Stmt<[], CompletedSlotRow>;
  historyNewest: Stmt<[string, number], StoredExecution>;
  historyBefore: Stmt<[string, number, number, number, number], StoredExecution>;
  pruneHistory: Stmt<[number]>;
  endedTasksPage: Stmt<[number, string, string, number], { id: string; prunable: 0 | 1 }>;
  getFencingToken: Stmt<[], { value: number }>;
  setFencingToken: Stmt<[number]>;
  getLease: Stmt<[], LeaseHolder>;
  /** The lease's epoch if `ownerId` holds it and has not released it (plucked), else undefined: the fence of every write. */
  heldEpoch: Stmt<[string], number>;
  putLease: Stmt<[string, string, number, number, number, number]>;
  slotPatch: SlotPatchStatements;
}

export function prepareStatements(db: Database.Database): Statements {
  return {
    // A taken id inserts nothing (changes = 0): the caller then merges.
    insertTask: db.prepare<unknown[]>(
      `INSERT INTO tasks (${TASK_COLUMNS}) VALUES (${placeholders(STORED_TASK_FIELDS.length)}) ON CONFLICT (id) DO NOTHING`,
    ),
    insertTaskChunk: db.prepare<unknown[]>(
      `INSERT INTO tasks (${TASK_COLUMNS}) VALUES ${Array.from({ length: ROWS_PER_INSERT }, () => `(${placeholders(STORED_TASK_FIELDS.length)})`).join(', ')}`,
    ),
    updateTask: db.prepare<unknown[]>(`UPDATE tasks SET ${TASK_UPDATE_SET} WHERE id = ?`),
    getTask: db.prepare<[string], StoredTask>(`SELECT ${TASK_SELECT} FROM tasks WHERE id = ?`),
    // Keyset paging on the rowid: each page is one index-free range scan, whatever the table's size.
    taskPage: db.prepare<[number, number], string>(`SELECT ${TASK_PAGE_ARRAY} FROM tasks WHERE rowid > ? ORDER BY rowid LIMIT ?`).pluck(true),
    // The same page as plain columns: for a page the fast path cannot build (a malformed JSON column).
    taskRowsPage: db.prepare<[number, number], StoredTask & { rowid: number }>(
      `SELECT ${TASK_SELECT}, rowid FROM tasks WHERE rowid > ? ORDER BY rowid LIMIT ?`,
    ),
    deleteTask: db.prepare<[string]>('DELETE FROM tasks WHERE id = ?'),
    // What the rules of a claim or skip read of a task (slot-rules.ts SlotTask).
    getSlotTask: db.prepare<[string], SlotTask>(
      'SELECT id, schedule_version AS "scheduleVersion", status, high_water_mark_ms AS "highWaterMarkMs" FROM tasks WHERE id = ?',
    ),
    setSlotMarks: db.prepare<[number | null, string, string]>('UPDATE tasks SET high_water_mark_ms = ?, status = ? WHERE id = ?'),
    markTaskRunning: db.prepare<[string]>("UPDATE tasks SET status = 'running' WHERE id = ? AND status = 'pending'"),
    highWaterMarks: db.prepare<[], { id: string; highWaterMarkMs: number }>(
      'SELECT id, high_water_mark_ms AS "highWaterMarkMs" FROM tasks WHERE high_water_mark_ms IS NOT NULL',
    ),

    insertExecution: db.prepare<unknown[]>(`INSERT INTO executions (${EXECUTION_COLUMNS}) VALUES (${placeholders(EXECUTION_STORED_FIELDS.length)})`),
    // A slot that has a record already inserts nothing (changes = 0): the caller then reports it.
    insertExecutionIfNew: db.prepare<unknown[]>(
      `INSERT INTO executions (${EXECUTION_COLUMNS}) VALUES (${placeholders(EXECUTION_STORED_FIELDS.length)}) ON CONFLICT DO NOTHING`,
    ),
    getExecution: db.prepare<[string, number, number], StoredExecution>(`SELECT ${EXECUTION_SELECT} FROM executions WHERE ${BY_SLOT}`),
    // Ends the attempt holding this token, if it is still running; no row when it is not (the caller then says why).
    // The trace is written only where none is (an earlier attempt's stays: later ones link to it).
    endExecution: db.prepare<[string, number | null, string, string, string | null, string | null, string, number, number, number], EndedExecutionRow>(
      `UPDATE executions SET outcome = ?, ended_at_ms = ?, result = ?, error = ?,
         trace_id = coalesce(trace_id, ?), span_id = coalesce(span_id, ?)
       WHERE ${BY_SLOT} AND fencing_token = ? AND outcome = 'running'
       RETURNING attempt, started_at_ms AS "startedAtMs", skip_reason AS "skipReason", state, trace_id AS "traceId", span_id AS "spanId"`,
    ),
    updateExecution: db.prepare<[number, number, number | null, number | null, string, string, string, string, string, number, number]>(
      `UPDATE executions SET attempt = ?, fencing_token = ?, started_at_ms = ?, ended_at_ms = ?, outcome = ?,
         result = ?, error = ?, state = ? WHERE ${BY_SLOT}`,
    ),
    // Both read the index executions_end (schema.ts END_KEY_V8): its open end, and its ended ones older than a time.
    unfinishedExecutions: db.prepare<[], StoredExecution>(`SELECT ${EXECUTION_SELECT} FROM executions WHERE ${END_KEY_V8} = 'open'`),
    lastCompletedSlots: db.prepare<[], CompletedSlotRow>(
      `SELECT task_id AS "taskId", schedule_version AS "scheduleVersion", nominal_ms AS "nominalMs", outcome FROM (
         SELECT task_id, schedule_version, nominal_ms, outcome, row_number() OVER (
           PARTITION BY task_id ORDER BY nominal_ms DESC, schedule_version DESC) AS rank
         FROM executions WHERE ${FINAL_OUTCOMES_V4}
       ) WHERE rank = 1`,
    ),
    historyNewest: db.prepare<[string, number], StoredExecution>(
      `SELECT ${EXECUTION_SELECT} FROM executions WHERE task_id = ?
       ORDER BY nominal_ms DESC, schedule_version DESC LIMIT ?`,
    ),
    historyBefore: db.prepare<[string, number, number, number, number], StoredExecution>(
      `SELECT ${EXECUTION_SELECT} FROM executions
       WHERE task_id = ? AND (nominal_ms < ? OR (nominal_ms = ? AND schedule_version < ?))
       ORDER BY nominal_ms DESC, schedule_version DESC LIMIT ?`,
    ),
    // 'open' (TEXT) is never below a number: only ended executions match.
    pruneHistory: db.prepare<[number]>(`DELETE FROM executions WHERE ${END_KEY_V8} < ?`),
    // Retention of tasks: one status's range of the partial index tasks_ended (status, id) past an id (the
    // planner turns a (status, id) row-value bound over three statuses into three scans from each status's
    // start, so the store asks status by status); whether a row may go is one lookup of the executions' key.
    endedTasksPage: db.prepare<[number, string, string, number], { id: string; prunable: 0 | 1 }>(
      `SELECT id, (updated_at_ms < ? AND NOT EXISTS (SELECT 1 FROM executions WHERE task_id = tasks.id)) AS prunable
       FROM tasks WHERE ${ENDED_STATUSES_V10} AND status = ? AND id > ? ORDER BY id LIMIT ?`,
    ),

    getFencingToken: db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'fencing_token'"),
    setFencingToken: db.prepare<[number]>("UPDATE meta SET value = ? WHERE key = 'fencing_token'"),

    getLease: db.prepare<[], LeaseHolder>(
      `SELECT owner_id AS "ownerId", host, pid, epoch, since_ms AS "sinceMs", expires_at_ms AS "expiresAtMs" FROM lease WHERE id = 1`,
    ),
    // One column, no row object: the check runs in every write transaction (bench/ab/durable-statements-ab.mjs).
    heldEpoch: db.prepare<[string], number>('SELECT epoch FROM lease WHERE id = 1 AND owner_id = ? AND expires_at_ms <> 0').pluck(true),
    putLease: db.prepare<[string, string, number, number, number, number]>(
      `INSERT OR REPLACE INTO lease (id, owner_id, host, pid, epoch, since_ms, expires_at_ms) VALUES (1, ?, ?, ?, ?, ?, ?)`,
    ),
    slotPatch: new SlotPatchStatements(db),
  };
}
