// putTasks() in SQLite, inside its write transaction: each record inserted if
// its id is new, merged into the stored task if not (codec.ts mergeUpsert).
//
// What must be cheap: a batch of new tasks (scheduleMany). better-sqlite3
// pays a fixed cost per statement run (bind, step, reset, a call into the
// addon), about as much as SQLite's own work for a task row, so new tasks go
// in ROWS_PER_INSERT at a time, one multi-row INSERT each
// (bench/ab/durable-enqueue-floor.mjs measures both shapes). That INSERT has
// no conflict clause: an id that is taken (stored before, or twice in the
// chunk) fails it with a constraint error, which undoes that statement alone
// (SQLite's statement rollback), and the chunk then goes one row at a time,
// in order, each merged if its id is taken, exactly as if it had never been
// tried whole.
import { encodeCheckedTask, mergeUpsert, noNegativeZero, type PutStatus } from '../codec.js';
import type { Json, TaskRecord } from '../records.js';
import { ROWS_PER_INSERT, type Statements, taskUpdateValues } from './statements.js';

/** The JSON text of the last frozen retry policy encoded: records the scheduler builds share its default one. */
let frozenRetry: Json | undefined;
let frozenRetryText = '';

function retryText(retry: Json): string {
  if (retry === frozenRetry) return frozenRetryText;
  const text = JSON.stringify(retry);
  if (typeof retry === 'object' && retry !== null && Object.isFrozen(retry)) {
    frozenRetry = retry;
    frozenRetryText = text;
  }
  return text;
}

/**
 * Appends a checked record's column values (taskValues(encodeCheckedTask(r)),
 * in insertTask's column order) to `values`, without the encoded record or
 * the array of one row between them: a registration's insert is most of
 * scheduleMany's cost, and its garbage the rest.
 */
export function pushTaskValues(values: unknown[], r: TaskRecord): void {
  const m = r.misfire;
  values.push(
    r.id, r.name, r.description, r.ownerModule, r.functionName, JSON.stringify(r.params), r.scheduleKind, noNegativeZero(r.delayMs), r.periodMs,
    noNegativeZero(r.atMs), r.cronExpression, r.timeZone, r.priority, m.policy, noNegativeZero(m.graceMs), noNegativeZero(m.catchUpWindowMs),
    m.catchUpMax, retryText(r.retry), noNegativeZero(r.createdAtMs), noNegativeZero(r.updatedAtMs), noNegativeZero(r.lastExecutionMs),
    noNegativeZero(r.nextExecutionMs), noNegativeZero(r.executionCount), r.maxExecutions, r.status, r.lastError, JSON.stringify(r.metadata),
    r.scheduleVersion, noNegativeZero(r.highWaterMarkMs), r.dstGap ?? null, r.dstOverlap ?? null, r.timeoutMs ?? null,
    r.constraints == null ? null : JSON.stringify(r.constraints), r.calendarPeriod ?? null, noNegativeZero(r.startAtMs ?? null),
    noNegativeZero(r.endAtMs ?? null),
  );
}

function isConstraintError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_CONSTRAINT');
}

/** Writes `tasks` (checked already) in order; each one's PutStatus. */
export function putTaskRecords(s: Statements, tasks: readonly TaskRecord[]): PutStatus[] {
  const statuses: PutStatus[] = [];
  let start = 0;
  for (; start + ROWS_PER_INSERT <= tasks.length; start += ROWS_PER_INSERT) {
    const values: unknown[] = [];
    for (let i = start; i < start + ROWS_PER_INSERT; i++) pushTaskValues(values, tasks[i]!);
    try {
      s.insertTaskChunk.run(values);
      for (let i = 0; i < ROWS_PER_INSERT; i++) statuses.push('created');
    } catch (error) {
      if (!isConstraintError(error)) throw error;
      for (let i = start; i < start + ROWS_PER_INSERT; i++) statuses.push(putOne(s, tasks[i]!));
    }
  }
  for (let i = start; i < tasks.length; i++) statuses.push(putOne(s, tasks[i]!));
  return statuses;
}

/** One record: inserted if its id is new (the usual case), else merged into the stored task. */
function putOne(s: Statements, record: TaskRecord): PutStatus {
  const values: unknown[] = [];
  pushTaskValues(values, record);
  if (s.insertTask.run(values).changes === 1) return 'created';
  const incoming = encodeCheckedTask(record);
  const existing = s.getTask.get(incoming.id);
  const { task, status } = mergeUpsert(existing, incoming);
  const moved = task.highWaterMarkMs !== existing?.highWaterMarkMs || task.scheduleVersion !== existing?.scheduleVersion;
  if (status !== 'unchanged' || moved) s.updateTask.run(taskUpdateValues(task));
  return status;
}
