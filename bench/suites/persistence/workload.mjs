// What the persistence suite stores: task records shaped like real
// registrations (a named function, small JSON params, a fixed-rate schedule),
// temporary database files under os.tmpdir(), and the check that a run
// stored what it claims (a benchmark that stores nothing measures nothing).
import '../../../scripts/current-dist.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taskRecord } from '../../../dist/store.js';
import { SqliteStore } from '../../../dist/store/sqlite.js';

const CREATED_AT_MS = Date.UTC(2026, 0, 1);

/** The i-th task record of a workload (ids sort in registration order). */
export function benchTask(i) {
  return taskRecord({
    id: `task-${String(i).padStart(7, '0')}`,
    name: `report ${i}`,
    functionName: 'sendReport',
    ownerModule: 'reports',
    scheduleKind: 'fixed-rate',
    periodMs: 60_000,
    params: { userId: i, kind: 'daily', channels: ['email'] },
    createdAtMs: CREATED_AT_MS,
    nextExecutionMs: CREATED_AT_MS + 60_000 + (i % 60_000),
  });
}

/** n records, built before any timed region. */
export function benchTasks(n, offset = 0) {
  return Array.from({ length: n }, (_, i) => benchTask(offset + i));
}

/** A fresh temporary directory; remove() deletes it and every database in it. */
export function scratchDir() {
  const dir = mkdtempSync(join(tmpdir(), 'timeslice-bench-'));
  return { file: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Throws unless the store holds exactly `expected` tasks (counted by a full scan). */
export async function expectTaskCount(store, expected, what) {
  let count = 0;
  for await (const batch of store.loadTasks({ batchSize: 10_000 })) count += batch.length;
  if (count !== expected) throw new Error(`persistence: ${what} stored ${count} tasks, expected ${expected}`);
}

/**
 * Fills a new database file at `path` with n tasks, untimed: `batchOf(count,
 * offset)` makes each batch, written by putTasks in 10,000-record transactions
 * (synchronous=NORMAL: only the reading is measured), then closes it.
 */
export async function fillDatabase(path, n, batchOf) {
  const chunk = 10_000;
  const store = new SqliteStore({ path, synchronous: 'normal' });
  await store.open();
  for (let offset = 0; offset < n; offset += chunk) await store.putTasks(batchOf(Math.min(chunk, n - offset), offset));
  await store.close();
}
