// putTasks() in PostgreSQL, inside its write transaction: each record inserted
// if its id is new, merged into the stored task if not (codec.ts mergeUpsert).
//
// What must be cheap: a batch of new tasks (scheduleMany). Each round trip to
// the server costs more than the server's work for a row, so the new ids go
// in with one INSERT per INSERT_CHUNK records, each column an array parameter
// (unnest), ON CONFLICT DO NOTHING RETURNING the ids it inserted. The records
// it did not insert (their id was taken) are then merged one at a time, in
// order, each reading its stored task under a row lock.
//
// Only the first record of each id goes in the INSERT; a later one with the
// same id is merged over it, so the batch ends as if its records had been
// written one after the other (different ids never affect each other).
import { encodeCheckedTask, mergeUpsert, type PutStatus, STORED_TASK_FIELDS, type StoredTask } from '../codec.js';
import type { TaskRecord } from '../records.js';
import type { Session } from './session.js';
import { type Statements, taskValues } from './statements.js';

/** Records per INSERT: bounds the size of one statement's arrays (a few MB at most for typical records). */
const INSERT_CHUNK = 1000;

/** Writes `tasks` (checked already) in order; each one's PutStatus. */
export async function putTaskRecords(session: Session, s: Statements, tasks: readonly TaskRecord[]): Promise<PutStatus[]> {
  const statuses: PutStatus[] = [];
  const seen = new Set<string>();
  for (let start = 0; start < tasks.length; start += INSERT_CHUNK) {
    const chunk = tasks.slice(start, start + INSERT_CHUNK);
    const first = chunk.map((task) => {
      if (seen.has(task.id)) return false;
      seen.add(task.id);
      return true;
    });
    const fresh = chunk.filter((_, i) => first[i]).map((task) => encodeCheckedTask(task));
    const created = await insertNew(session, s, fresh);
    for (let i = 0; i < chunk.length; i++) {
      const task = chunk[i]!;
      statuses.push(first[i] && created.has(task.id) ? 'created' : await mergeOne(session, s, task));
    }
  }
  return statuses;
}

/** Inserts the records whose id is free; the ids inserted. */
async function insertNew(session: Session, s: Statements, tasks: readonly StoredTask[]): Promise<Set<string>> {
  if (tasks.length === 0) return new Set();
  const columns: unknown[][] = STORED_TASK_FIELDS.map(() => new Array(tasks.length));
  for (let row = 0; row < tasks.length; row++) {
    const values = taskValues(tasks[row]!);
    for (let c = 0; c < values.length; c++) columns[c]![row] = values[c];
  }
  const rows = await session.rows<{ id: string }>(s.insertTasks, columns);
  return new Set(rows.map((row) => row.id));
}

/** A record whose id is taken: merged into the stored task (locked meanwhile). */
async function mergeOne(session: Session, s: Statements, record: TaskRecord): Promise<PutStatus> {
  const incoming = encodeCheckedTask(record);
  const existing = await session.row<StoredTask>(s.lockTask, [incoming.id]);
  const { task, status } = mergeUpsert(existing, incoming);
  if (existing === undefined) {
    // Deleted since the INSERT found the id taken (another connection): this record creates it again.
    await insertNew(session, s, [task]);
    return status;
  }
  const moved = task.highWaterMarkMs !== existing.highWaterMarkMs || task.scheduleVersion !== existing.scheduleVersion;
  if (status !== 'unchanged' || moved) await session.run(s.updateTask, taskValues(task));
  return status;
}
