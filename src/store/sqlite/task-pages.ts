// Reading the tasks table a page at a time, for loadTasks(): keyset paging on
// the rowid (each page one range scan, whatever the table's size). The fast
// path reads each row as one JSON array built by SQLite (statements.ts:
// TASK_PAGE_ARRAY, one string and one JSON.parse per row); a row SQLite cannot
// build one for (malformed JSON in a JSON column, edited by hand) fails the
// whole page, which is then read again as plain columns, so that only that
// row is reported invalid (codec.ts decodeLoadedBatch).
import { decodeTask } from '../codec.js';
import { StoreCorruptError } from '../errors.js';
import type { TaskRecord } from '../records.js';
import { decodeTaskRow, type Statements, TASK_ROWID_COLUMN } from './statements.js';

export interface TaskPage {
  /** Rows read (valid or not): fewer than the batch size means the last page. */
  count: number;
  /** Where the next page starts. */
  lastRowid: number;
  /** Each row's task id and how to decode it. */
  rows: Array<{ id: unknown; decode: () => TaskRecord }>;
}

/** `read` runs a query on the store's connection, translating SQLite's errors (SqliteStore's #read). */
export function readTaskPage(read: <T>(fn: (s: Statements) => T) => T, afterRowid: number, batchSize: number): TaskPage {
  let texts: string[];
  try {
    texts = read((s) => s.taskPage.all(afterRowid, batchSize));
  } catch (error) {
    if (StoreCorruptError.is(error)) throw error;
    const stored = read((s) => s.taskRowsPage.all(afterRowid, batchSize));
    return { count: stored.length, lastRowid: stored.at(-1)?.rowid ?? afterRowid, rows: stored.map((row) => ({ id: row.id, decode: () => decodeTask(row) })) };
  }
  const rows = texts.map((text) => JSON.parse(text) as unknown[]);
  return {
    count: rows.length,
    lastRowid: (rows.at(-1)?.[TASK_ROWID_COLUMN] as number | undefined) ?? afterRowid,
    rows: rows.map((row) => ({ id: row[0], decode: () => decodeTaskRow(row) })),
  };
}
