// Finishes in PostgreSQL (ClusterStore.finishClaimed and the finishes of
// finishAndClaim), in the caller's transaction: moved here from cluster.ts
// (its #finishAll and #finishRound), unchanged but for taking the statements
// and the NOTIFY channel as arguments (a retry's row wakes the listening
// processes with one NOTIFY at COMMIT, as cluster.ts's #wake sends it), to
// keep that file to the other transactions. A finish locks the slot's open
// row, then its execution, then its task: the order claims and rescues lock
// them in.
import { applyPatch, decodeExecution, decodeTask, type StoredExecution, type StoredTask } from '../codec.js';
import type { FinishRequest, FinishResult } from '../cluster.js';
import { type encodeFinish, refuseFinish, storedFinish } from '../cluster-rules.js';
import { executionIdOf, slotOfExecutionId, type TaskRecord } from '../records.js';
import { skippedExecution, updatesTask } from '../slot-rules.js';
import { offerAll } from './cluster-offer.js';
import { columnsOf, endedExecution, type Key, keyArrays, type OpenRow, slotValues, unescapeFields } from './cluster-rows.js';
import type { ClusterStatements } from './cluster-statements.js';
import type { KnownRow, KnownRows } from './known-rows.js';
import { recordSlots } from './record-slots.js';
import { type Session, unescapeText } from './session.js';
import { executionValues, EXECUTION_STORED_FIELDS, type Statements, taskChangeColumns, taskChanges } from './statements.js';
import { inRoundsByTask } from './task-rounds.js';

/**
 * The finishes of one call, in rounds of one finish per task (a task's
 * finishes in their order, round after round): the finishes of one round
 * touch disjoint tasks and slots, so each statement serves the whole round
 * (its rows locked in key order, the ends and patches decided in
 * JavaScript by the rules of one finish, then written by arrays), and the
 * outcome is the one of finishing them one by one.
 */
export async function finishAll(
  session: Session, c: ClusterStatements, s: Statements, channel: string, known: KnownRows, requests: readonly FinishRequest[],
  encoded: ReadonlyArray<ReturnType<typeof encodeFinish>>,
): Promise<FinishResult[]> {
  return inRoundsByTask(
    requests.map((_, i) => i), (i) => slotOfExecutionId(requests[i]!.executionId)?.[0],
    (round) => finishRound(session, c, s, channel, known, round.map((i) => requests[i]!), round.map((i) => encoded[i]!)),
  );
}

/** finishClaimed() of each request (each of another task), by arrays: see finishAll. */
async function finishRound(
  session: Session, c: ClusterStatements, s: Statements, channel: string, known: KnownRows, requests: readonly FinishRequest[],
  encoded: ReadonlyArray<ReturnType<typeof encodeFinish>>,
): Promise<FinishResult[]> {
  const keys: Key[] = [];
  // The rows this process's claim wrote for these slots, with that transaction's id (known-rows.ts); by task, those
  // found (a round has one finish per task).
  const xids: Array<number | null> = [];
  const knownTasks = new Map<string, KnownRow>();
  for (const request of requests) {
    const slot = slotOfExecutionId(request.executionId);
    if (slot === undefined) continue;
    keys.push({ taskId: slot[0], nominalMs: slot[1], scheduleVersion: slot[2] });
    const row = known.take(request.executionId);
    xids.push(row?.xid ?? null);
    if (row !== undefined) knownTasks.set(slot[0], row);
  }
  // The open rows first, then the executions, then the tasks (the order claims and rescues lock them in), in one
  // statement; an execution or task the claim's transaction wrote, unchanged since, as a mark (`known`).
  const opens = new Map<string, OpenRow>();
  const currents = new Map<string, StoredExecution>();
  const tasks = new Map<string, StoredTask>();
  if (keys.length > 0) {
    for (const { kind, row } of await session.rows<{ kind: string; row: Record<string, unknown> }>(c.finishLocks, [...keyArrays(keys), xids])) {
      if (kind === 'open') {
        const open = unescapeFields<OpenRow>(row);
        opens.set(executionIdOf(open), open);
      } else if (kind === 'execution') {
        // A mark is { id, known: true } (the id as executionIdOf writes it); a whole row's `known` is false or NULL.
        if (row.known === true) {
          const { execution } = knownTasks.get(slotOfExecutionId(unescapeText(row.id as string))![0])!;
          currents.set(execution.id, execution);
        } else {
          const { known: _, ...execution } = unescapeFields<StoredExecution & { known: boolean | null }>(row);
          currents.set(execution.id, execution);
        }
      } else if (row.known === true) {
        const { task } = knownTasks.get(unescapeText(row.id as string))!;
        tasks.set(task.id, task);
      } else {
        const { known: _, ...task } = unescapeFields<StoredTask & { known: boolean | null }>(row);
        tasks.set(task.id, task);
      }
    }
  }
  const results: FinishResult[] = new Array(requests.length);
  const live: Array<{ k: number; ended: StoredExecution; held: OpenRow | undefined; current: StoredExecution }> = [];
  for (const [k, request] of requests.entries()) {
    const current = currents.get(request.executionId);
    const refusal = refuseFinish(current, encoded[k]!);
    if (refusal === 'stored') results[k] = storedFinish(current!, tasks.get(current!.taskId));
    else if (refusal !== undefined) results[k] = refusal;
    else {
      const open = opens.get(request.executionId);
      live.push({ k, ended: endedExecution(current!, request, encoded[k]!, open?.ownerId != null ? open : undefined), held: open?.ownerId != null ? open : undefined, current: current! });
    }
  }
  if (live.length === 0) return results;
  // Decide every task's patch before writing anything: a patch refused here writes nothing.
  const patched: unknown[][] = [];
  for (const { k, ended } of live) {
    const request = requests[k]!;
    const task = tasks.get(ended.taskId);
    if (request.taskUpdate === undefined || !updatesTask(task, ended)) continue;
    const patch = applyPatch(task, request.taskUpdate, 'request.taskUpdate');
    // The fields the patch changed, against the row as locked above (the others are not sent: updateTasksSql).
    patched.push(taskChanges(patch, task));
    tasks.set(patch.id, patch);
  }
  const deleted = live.filter(({ k, held }) => requests[k]!.retryAtMs === undefined && held !== undefined).map(({ current }) => current);
  // The executions, the patched tasks and the finished open rows in one statement, its answer not awaited (session.ts).
  session.later(c.finishWrites, [
    ...columnsOf(live.map((l) => executionValues(l.ended)), EXECUTION_STORED_FIELDS.length),
    ...taskChangeColumns(patched), ...keyArrays(deleted),
  ]);
  for (const { k, ended, held, current } of live) {
    const retryAtMs = requests[k]!.retryAtMs;
    if (retryAtMs === undefined) continue;
    session.notifyAtCommit(channel, Math.floor(retryAtMs));
    if (held !== undefined) await session.run(c.retrySlot, [...slotValues(current), Math.floor(retryAtMs), ended.attempt]);
    else {
      // Claimed by the one-owner claim(), not from a row: pending from its nominal time's rank, one attempt more allowed.
      await session.run(c.deleteSlot, slotValues(current));
      await session.run(c.insertSlot, [current.taskId, current.scheduleVersion, current.nominalMs, Math.floor(retryAtMs), current.nominalMs, ended.attempt + 1, ended.attempt]);
    }
  }
  // The skips of every finish in one batch (each of its own task), then each next slot.
  const skips = live.flatMap(({ k }) => requests[k]!.skipped ?? []);
  const recorded = await recordSlots(session, s, skips, (skip) => skippedExecution(skip), 'recorded');
  let skip = 0;
  // One next slot per finish at most, each of its own task: one round of offers.
  const withNext = live.filter(({ k }) => requests[k]!.next !== undefined);
  const offered = withNext.length === 0 ? [] : await offerAll(session, c, s, channel, withNext.map(({ k }) => requests[k]!.next!));
  const nexts = live.map(({ k }) => (requests[k]!.next === undefined ? undefined : offered[withNext.findIndex((w) => w.k === k)]));
  // The tasks as they are now: as patched here, unless skips moved their marks (read again then).
  if (skips.length > 0) for (const t of await session.rows<StoredTask>(c.lockTasks, [[...tasks.keys()]])) tasks.set(t.id, t);
  for (const [n, { k, ended }] of live.entries()) {
    const skipped = recorded.slice(skip, (skip += requests[k]!.skipped?.length ?? 0));
    const taskNow = tasks.get(ended.taskId);
    // Decoded when read: the cluster runner reads none (~1.5 us of JSON.parse a job, bench/ab/cluster-cpu-profile.mjs).
    let task: TaskRecord | undefined;
    results[k] = {
      status: 'completed', execution: decodeExecution(ended),
      get task() {
        return (task ??= taskNow === undefined ? undefined : decodeTask(taskNow));
      },
      skipped, next: nexts[n],
    };
  }
  return results;
}
