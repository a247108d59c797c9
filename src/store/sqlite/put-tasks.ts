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
import { encodeCheckedTask, mergeUpsert, type PutStatus } from '../codec.js';
import type { TaskRecord } from '../records.js';
import { ROWS_PER_INSERT, type Statements, taskUpdateValues, taskValues } from './statements.js';

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
    for (let i = start; i < start + ROWS_PER_INSERT; i++) values.push(...taskValues(encodeCheckedTask(tasks[i]!)));
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
  const incoming = encodeCheckedTask(record);
  if (s.insertTask.run(taskValues(incoming)).changes === 1) return 'created';
  const existing = s.getTask.get(incoming.id);
  const { task, status } = mergeUpsert(existing, incoming);
  const moved = task.highWaterMarkMs !== existing?.highWaterMarkMs || task.scheduleVersion !== existing?.scheduleVersion;
  if (status !== 'unchanged' || moved) s.updateTask.run(taskUpdateValues(task));
  return status;
}
