// The rows of the cluster's tables as PostgresCluster (cluster.ts) and its
// offers (cluster-offer.ts) handle them: their types, the keys and columns
// statements take them by (unnest arrays), the record a finish leaves, and a
// claim's answer whose next due time is still on its way. Moved here from
// cluster.ts, unchanged, to keep that file to the transactions.
import type { StoredExecution, StoredTask } from '../codec.js';
import type { ClaimDueResult, FinishRequest, PendingSlot } from '../cluster.js';
import { byUrgency, type encodeFinish } from '../cluster-rules.js';
import { executionIdOf, type SlotKey } from '../records.js';
import { type BatchTask, completedExecution, skippedExecution } from '../slot-rules.js';
import { unescapeText } from './session.js';

/** A claim whose next due time is read in its transaction's last round trip (with COMMIT): settled after it. */
export type PendingClaim = Exclude<ClaimDueResult, { status: 'claimed' }> | (Omit<Extract<ClaimDueResult, { status: 'claimed' }>, 'nextDueMs'> & { nextDue: Promise<{ dueMs: number | null } | undefined> });

const ignore = (): void => {};

/** `promise`, its rejection handled where it is made (it is awaited later, or the transaction's error says why). */
export function pending<T>(promise: Promise<T>): Promise<T> {
  promise.catch(ignore);
  return promise;
}

export async function settleClaim(claim: PendingClaim): Promise<ClaimDueResult> {
  if (claim.status !== 'claimed') return claim;
  const { nextDue, ...rest } = claim;
  return { ...rest, nextDueMs: (await nextDue)?.dueMs ?? null };
}

export type SlotRow = PendingSlot & { seq: number };
export type ClaimedRow = SlotRow & { fencingToken: number; hadRecord: boolean; started: boolean };
export type Key = Pick<SlotKey, 'taskId' | 'nominalMs' | 'scheduleVersion'>;
/** An open row as a finish reads it (finishLocks): its key, attempts and holder. */
export type OpenRow = Key & Pick<SlotRow, 'attempts'> & { ownerId: string | null };

export const keyArrays = (keys: readonly Key[]) => [keys.map((k) => k.taskId), keys.map((k) => k.nominalMs), keys.map((k) => k.scheduleVersion)];
export const slotValues = (k: Key) => [k.taskId, k.nominalMs, k.scheduleVersion];
export const urgency = (a: SlotRow, b: SlotRow) => byUrgency({ rankMs: a.rankMs, sequence: a.seq }, { rankMs: b.rankMs, sequence: b.seq });

export function pendingOf({ seq: _seq, ...row }: SlotRow): PendingSlot {
  return { ...row, id: executionIdOf(row) };
}

/** A row read as JSON (row_to_json) with its strings as the store wrote them (session.ts escapes them). */
export function unescapeFields<Row>(row: Record<string, unknown>): Row {
  for (const key in row) {
    const value = row[key];
    if (typeof value === 'string') row[key] = unescapeText(value);
  }
  return row as Row;
}

/** Rows of values as one array per column (a statement's unnest parameters). */
export function columnsOf(rows: readonly unknown[][], width: number): unknown[][] {
  const columns: unknown[][] = Array.from({ length: width }, () => new Array(rows.length));
  for (const [r, values] of rows.entries()) for (let c = 0; c < width; c++) columns[c]![r] = values[c];
  return columns;
}

/** The record a finish leaves (`held`: the open row this attempt holds, if any). */
export function endedExecution(current: StoredExecution, request: FinishRequest, encoded: ReturnType<typeof encodeFinish>, held: Pick<SlotRow, 'attempts'> | undefined): StoredExecution {
  if (request.outcome !== 'skipped') return completedExecution(current, { ...encoded, request: { ...request, outcome: request.outcome } });
  return {
    ...skippedExecution({ ...current, reason: request.skipReason!, recordedAtMs: request.endedAtMs }), attempt: held?.attempts ?? 0,
    fencingToken: current.fencingToken, state: current.state,
  };
}

export function batchTask(task: StoredTask, checkMark: boolean): BatchTask {
  return { task: { ...task }, highWaterMarkBefore: checkMark ? task.highWaterMarkMs : null, statusBefore: task.status };
}
