// Reading the tasks table a page at a time in PostgreSQL, for loadTasks() and
// the cluster's unofferedTasks(): keyset pages on the id (each page one index
// range scan from the last id read, whatever the table's size), each page one
// read in the store's call order. Moved here from postgres-store.ts (its
// #taskPages) to keep that file to the store's shape; sqlite/task-pages.ts is
// SQLite's. A row that does not decode is reported by onInvalid (codec.ts
// decodeLoadedBatch), not thrown, and the pages go on after it.
import { decodeLoadedBatch, decodeTask, type StoredTask } from '../codec.js';
import type { TaskRecord } from '../records.js';
import type { LoadTasksOptions } from '../store.js';
import { resolveLoadOptions } from '../validate.js';
import type { Session, Statement } from './session.js';
import type { Statements } from './statements.js';

/** A read in the store's call order (PostgresStore's #read). */
type Read = <T>(fn: (session: Session, s: Statements) => Promise<T>) => Promise<T>;

/** Tasks by keyset pages on the id (`page`: the statement and its values after `from`). */
export async function* taskPages(
  read: Read, options: LoadTasksOptions | undefined, page: (s: Statements, from: string | undefined, batchSize: number) => [Statement, unknown[]],
): AsyncIterable<TaskRecord[]> {
  const { batchSize, onInvalid } = resolveLoadOptions(options);
  let afterId: string | undefined;
  for (;;) {
    const from = afterId;
    const rows = await read((session, s) => session.rows<StoredTask>(...page(s, from, batchSize)));
    if (rows.length === 0) return;
    afterId = rows[rows.length - 1]!.id;
    const batch = decodeLoadedBatch(rows, (row) => row.id, decodeTask, onInvalid);
    if (batch.length > 0) yield batch;
    if (rows.length < batchSize) return;
  }
}
