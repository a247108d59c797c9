// Retention in PostgreSQL, inside the store's transactions: the bodies of
// PostgresStore's pruneHistory, pruneEndedTasks and the cluster's prune rounds
// (pruneHistoryRound, pruneEndedTasksRound), moved here from postgres-store.ts
// to keep that file to the store's shape.
//
// The ended tasks go in keyset batches on the id: the cursor is the last id
// looked at ('' is below every id: ids are not empty), and a batch that
// scanned `limit` ids says where the next one starts. A cluster round first
// takes the prune lock, a transaction-scoped advisory lock: it ends with the
// round's commit, and a process that did not get it deletes nothing ('busy').
import type { PruneRoundResult, PruneTasksRoundResult } from '../cluster.js';
import type { PruneTasksResult } from '../store.js';
import type { Session } from './session.js';
import type { Statements } from './statements.js';

/** What the pruneEndedTasks statements answer. */
interface EndedTasksRow {
  deleted: number;
  scanned: number;
  last: string | null;
}

function endedTasksBatch(row: EndedTasksRow, limit: number): PruneTasksResult {
  return { deleted: row.deleted, next: row.scanned === limit ? row.last : null };
}

/** pruneEndedTasks's write: one batch from the cursor `after`. */
export async function pruneEndedTasksIn(session: Session, s: Statements, olderThanMs: number, after: string | null, limit: number): Promise<PruneTasksResult> {
  // The cursor is the last id looked at ('' is below every id: ids are not empty).
  return endedTasksBatch((await session.row<EndedTasksRow>(s.pruneEndedTasks, [olderThanMs, after ?? '', limit]))!, limit);
}

/** pruneHistoryRound's transaction: the prune lock is transaction-scoped, it ends with this round's commit. */
export async function pruneHistoryRoundIn(session: Session, s: Statements, schema: string, olderThanMs: number, limit: number): Promise<PruneRoundResult> {
  const lock = await session.row<{ locked: boolean }>(s.tryPruneLock, [schema]);
  if (lock?.locked !== true) return { status: 'busy' };
  return { status: 'pruned', deleted: await session.run(s.pruneRound, [olderThanMs, limit]) };
}

/** pruneEndedTasksRound's transaction: under the prune lock, the cursor as for pruneEndedTasks. */
export async function pruneEndedTasksRoundIn(
  session: Session, s: Statements, schema: string, olderThanMs: number, after: string | null, limit: number,
): Promise<PruneTasksRoundResult> {
  const lock = await session.row<{ locked: boolean }>(s.tryPruneLock, [schema]);
  if (lock?.locked !== true) return { status: 'busy' };
  const row = await session.row<EndedTasksRow>(s.pruneEndedTasksRound, [olderThanMs, after ?? '', limit]);
  return { status: 'pruned', ...endedTasksBatch(row!, limit) };
}
