// Offers in PostgreSQL (ClusterStore.offerSlots, and the offers inside
// registerTasks and finishes), in the caller's transaction: moved here from
// cluster.ts (its #offerAll and #offerRound), unchanged but for taking the
// statements and the NOTIFY channel as arguments, to keep that file to the
// other transactions. An offer locks its task row (the slots' open rows
// first: the order claims and finishes lock them in), so two offers of one
// task's next slot queue and the second sees the first's row; the rows it
// inserts wake the listening processes with one NOTIFY at COMMIT.
import { encodeCheckedTask, type StoredTask } from '../codec.js';
import type { OfferRequest, OfferResult } from '../cluster.js';
import { executionIdOf, isManualSlot, type TaskRecord } from '../records.js';
import { refuseByTask, refuseSlot } from '../slot-rules.js';
import type { ClusterStatements } from './cluster-statements.js';
import { batchTask, keyArrays, type Key, pending, pendingOf, type SlotRow } from './cluster-rows.js';
import { readExecutions } from './record-slots.js';
import type { Session } from './session.js';
import type { Statements } from './statements.js';
import { inRoundsByTask } from './task-rounds.js';

/**
 * offerSlot() of the memory store for each offer, in order, in the
 * caller's transaction: in rounds of one offer per task (as the finishes in cluster-finish.ts, finishAll),
 * each round read by arrays (tasks locked in id order, the slots' records
 * and open rows, the tasks' open rows), decided in JavaScript and inserted
 * by one statement: five statements a round in two round trips, whatever its size.
 */
export async function offerAll(session: Session, c: ClusterStatements, s: Statements, channel: string, offers: readonly OfferRequest[]): Promise<OfferResult[]> {
  return inRoundsByTask(offers, (offer) => offer.taskId, (round) => offerRound(session, c, s, channel, round));
}

async function offerRound(session: Session, c: ClusterStatements, s: Statements, channel: string, offers: readonly OfferRequest[]): Promise<OfferResult[]> {
  // The slots' open rows before the tasks, the order claims and finishes lock them in. Tasks first, an
  // offer waiting for a row a claim held, while holding the task that claim's next statement locks,
  // deadlocked it: a process starting (offering its tasks' missing rows) beside one claiming them
  // lost five runs in a row in the postgres smoke and its `ready` rejected (SQLSTATE 40P01).
  // The four reads go in one round trip (session.ts), in this order on the server.
  const ownRows = pending(session.rows<SlotRow & { ownerId: string | null }>(c.openSlots, keyArrays(offers)));
  const storedRows = pending(session.rows<StoredTask>(c.lockTasks, [offers.map((o) => o.taskId)]));
  const existingRows = pending(readExecutions(session, s, offers));
  const scheduled = offers.filter((o) => !isManualSlot(o));
  const openRows = scheduled.length === 0
    ? Promise.resolve([])
    : pending(session.rows<SlotRow>(c.openOfTasks, [scheduled.map((o) => o.taskId), scheduled.map((o) => o.scheduleVersion)]));
  const owns = new Map<string, SlotRow & { ownerId: string | null }>();
  for (const row of await ownRows) owns.set(executionIdOf(row), row);
  const stored = new Map<string, StoredTask>();
  for (const t of await storedRows) stored.set(t.id, t);
  const existing = await existingRows;
  const openOfTask = new Map<string, SlotRow>();
  for (const row of await openRows) openOfTask.set(`${row.scheduleVersion}/${row.taskId}`, row);
  const results: OfferResult[] = new Array(offers.length);
  const inserts: Array<{ k: number; offer: OfferRequest; dueMs: number }> = [];
  for (const [k, offer] of offers.entries()) {
    const id = executionIdOf(offer);
    const task = stored.get(offer.taskId);
    const record = existing.get(id);
    const own = owns.get(id);
    const pending = own !== undefined && own.ownerId === null;
    // A slot with an open record (a retry pending, a rescued attempt) is the open slot below; a closed record is a duplicate.
    const closed = record !== undefined && record.outcome !== 'running' && record.outcome !== 'interrupted' && !pending;
    const refusal = refuseSlot(offer, task === undefined ? undefined : batchTask(task, false), closed ? record : undefined);
    const open = isManualSlot(offer) ? own : openOfTask.get(`${offer.scheduleVersion}/${offer.taskId}`);
    if (refusal !== undefined) results[k] = refusal;
    else if (open !== undefined) results[k] = { status: 'open-slot', slot: { taskId: open.taskId, scheduleVersion: open.scheduleVersion, nominalMs: open.nominalMs } };
    else {
      const markRefusal = refuseByTask(offer, batchTask(task!, true));
      if (markRefusal !== undefined) results[k] = markRefusal;
      else inserts.push({ k, offer, dueMs: Math.floor(offer.dueMs) });
    }
  }
  if (inserts.length === 0) return results;
  const rows = await session.rows<Key & { seq: number }>(c.insertSlots, [
    inserts.map((i) => i.offer.taskId), inserts.map((i) => i.offer.scheduleVersion), inserts.map((i) => i.offer.nominalMs),
    inserts.map((i) => i.dueMs), inserts.map((i) => i.offer.rankMs), inserts.map((i) => i.offer.maxAttempts),
  ]);
  const seqs = new Map(rows.map((row) => [executionIdOf(row), row.seq]));
  // A loop, not Math.min(...): spread past ~120,000 arguments (one scheduleMany() of 200,000) overflows the stack.
  session.notifyAtCommit(channel, inserts.reduce((earliest, i) => Math.min(earliest, i.dueMs), Number.POSITIVE_INFINITY));
  for (const { k, offer, dueMs } of inserts) {
    const slot = { taskId: offer.taskId, scheduleVersion: offer.scheduleVersion, nominalMs: offer.nominalMs };
    results[k] = { status: 'offered', slot: pendingOf({ ...slot, id: '', dueMs, rankMs: offer.rankMs, maxAttempts: offer.maxAttempts, attempts: 0, seq: seqs.get(executionIdOf(slot))! }) };
  }
  return results;
}

/**
 * The offers of tasks this transaction has just created (registerTasks when
 * every record was new: the INSERT made their rows): decided without reading
 * anything, and the insert sent without waiting. A created task has no slot
 * rows and no executions (both reference the task's row, which no other
 * transaction can see before this one commits, and a deleted task's went
 * with it: ON DELETE CASCADE), so offerRound's four reads would find nothing
 * but the records themselves, and its task lock is this transaction's own
 * new row. Each offer is then judged by the task alone, as offerRound judges
 * one without rows; the NOTIFY is asked for before the insert is sent (the
 * insert adds every row or fails, and a failure fails COMMIT too). Returns
 * the results as a promise that settles with the insert's answer: returned
 * unawaited from the transaction, COMMIT (and its NOTIFY) goes in the
 * insert's round trip, and a schedule() is two round trips (BEGIN with the
 * tasks' INSERT; this INSERT with COMMIT) instead of four.
 *
 * undefined when an offer is not one of a created task's (or two name one
 * task): the caller offers through offerAll().
 */
export function offerCreated(
  session: Session, c: ClusterStatements, channel: string, created: readonly TaskRecord[], offers: readonly OfferRequest[],
): Promise<OfferResult[]> | undefined {
  const tasks = new Map<string, StoredTask>();
  for (const record of created) tasks.set(record.id, encodeCheckedTask(record));
  const offered = new Set<string>();
  const results: OfferResult[] = new Array(offers.length);
  const inserts: Array<{ k: number; offer: OfferRequest; dueMs: number }> = [];
  for (const [k, offer] of offers.entries()) {
    const task = tasks.get(offer.taskId);
    if (task === undefined || offered.has(offer.taskId)) return undefined;
    offered.add(offer.taskId);
    // refuseSlot() without a record is refuseByTask() without the mark check, which this one includes.
    const refusal = refuseByTask(offer, batchTask(task, true));
    if (refusal !== undefined) results[k] = refusal;
    else inserts.push({ k, offer, dueMs: Math.floor(offer.dueMs) });
  }
  if (inserts.length === 0) return Promise.resolve(results);
  session.notifyAtCommit(channel, inserts.reduce((earliest, i) => Math.min(earliest, i.dueMs), Number.POSITIVE_INFINITY));
  return pending(insertOffered(session, c, inserts, results));
}

/** Sends the rows of `inserts` now; fills their results once the insert answers (their seq). */
async function insertOffered(
  session: Session, c: ClusterStatements, inserts: ReadonlyArray<{ k: number; offer: OfferRequest; dueMs: number }>, results: OfferResult[],
): Promise<OfferResult[]> {
  const rows = await session.rows<Key & { seq: number }>(c.insertSlots, [
    inserts.map((i) => i.offer.taskId), inserts.map((i) => i.offer.scheduleVersion), inserts.map((i) => i.offer.nominalMs),
    inserts.map((i) => i.dueMs), inserts.map((i) => i.offer.rankMs), inserts.map((i) => i.offer.maxAttempts),
  ]);
  const seqs = new Map(rows.map((row) => [executionIdOf(row), row.seq]));
  for (const { k, offer, dueMs } of inserts) {
    const slot = { taskId: offer.taskId, scheduleVersion: offer.scheduleVersion, nominalMs: offer.nominalMs };
    results[k] = { status: 'offered', slot: pendingOf({ ...slot, id: '', dueMs, rankMs: offer.rankMs, maxAttempts: offer.maxAttempts, attempts: 0, seq: seqs.get(executionIdOf(slot))! }) };
  }
  return results;
}
