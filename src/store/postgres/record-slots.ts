// claim() and recordSkipped() in PostgreSQL, inside their write transaction:
// one execution row per accepted slot (the rules: slot-rules.ts), then each
// touched task's new high-water mark and status (a claim marks it running).
//
// What must be cheap: a claim of due slots, once per run. A batch costs two
// statements whatever its size: the batch's tasks read and locked (in id
// order, so two batches over the same tasks queue rather than deadlock), then
// the accepted slots inserted by one INSERT ... ON CONFLICT DO NOTHING (the
// primary key is C2: a slot with a record is not inserted, and is reported)
// with the tasks' new marks written by the same statement, as they are once
// every accepted slot is in; in the rare batch where one is not (below), the
// marks are written again from what went in. Refusals are decided first: a
// task's rules compare with the mark as it was before the batch, so whether
// one slot is accepted never depends on another, and a slot twice in the
// batch is accepted once and reported as a duplicate of that record. The
// records of refused slots are read (one statement) only when there are some,
// to report a duplicate before the task's own reasons, as SQLite does.
//
// Tokens: each accepted claim takes the next token in request order. A slot
// accepted by the rules always inserts unless its record exists already, which
// only a manual slot (or a row written by hand) can meet; such a slot's token
// is then skipped, never reused.
import { decodeExecution, type StoredExecution } from '../codec.js';
import { executionIdOf, type ExecutionRecord, type SlotKey } from '../records.js';
import { advanceHighWaterMark, type BatchTask, refuseByTask, runningStatus, type SlotTask } from '../slot-rules.js';
import type { SlotRefusal } from '../store.js';
import type { FencingTokens } from './fencing-tokens.js';
import type { Session } from './session.js';
import { EXECUTION_STORED_FIELDS, executionValues, type Statements } from './statements.js';

type SlotResult<Status> = { status: Status; execution: ExecutionRecord } | SlotRefusal;

export async function recordSlots<Request extends SlotKey, Status extends 'claimed' | 'recorded'>(
  session: Session, s: Statements, requests: readonly Request[], build: (request: Request, token: number) => StoredExecution, status: Status,
  tokens?: FencingTokens,
): Promise<Array<SlotResult<Status>>> {
  if (requests.length === 0) return [];
  const ids = [...new Set(requests.map((r) => r.taskId))];
  const batchTasks = new Map<string, BatchTask<SlotTask>>();
  for (const task of await session.rows<SlotTask>(s.lockSlotTasks, [ids])) {
    batchTasks.set(task.id, { task, highWaterMarkBefore: task.highWaterMarkMs, statusBefore: task.status });
  }

  const results: Array<SlotResult<Status> | undefined> = new Array(requests.length);
  const refusals = new Map<number, SlotRefusal>();
  const accepted: Array<{ index: number; request: Request }> = [];
  const acceptedIds = new Set<string>();
  for (let i = 0; i < requests.length; i++) {
    const request = requests[i]!;
    const batchTask = batchTasks.get(request.taskId);
    const refusal = batchTask === undefined ? { status: 'unknown-task' as const } : refuseByTask(request, batchTask);
    const id = executionIdOf(request);
    if (refusal !== undefined) refusals.set(i, refusal);
    else if (!acceptedIds.has(id)) {
      // (A slot accepted earlier in the batch is answered below, as a duplicate of that record.)
      acceptedIds.add(id);
      accepted.push({ index: i, request });
    }
  }

  const taken = tokens === undefined ? [] : await tokens.take(session, accepted.length);
  const built = accepted.map(({ request }, k) => build(request, taken[k] ?? 0));
  // The marks as they will be if every accepted slot goes in (all but always): written by the INSERT's statement.
  const expected = marksAfter(batchTasks, accepted, acceptedIds, status === 'claimed');
  const inserted = await insertExecutions(session, s, built, expected.filter(changed));
  if (inserted.size !== built.length) {
    // A slot met a record after all (a manual slot run twice, a row written by hand): the marks of what went in.
    const actual = marksAfter(batchTasks, accepted, inserted, status === 'claimed');
    await session.run(s.setSlotMarks, [actual.map((b) => b.task.id), actual.map((b) => b.task.highWaterMarkMs), actual.map((b) => b.task.status)]);
  }
  const notInserted: SlotKey[] = [];
  for (let k = 0; k < accepted.length; k++) {
    const { index, request } = accepted[k]!;
    const execution = built[k]!;
    if (inserted.has(execution.id)) results[index] = { status, execution: decodeExecution(execution) };
    else notInserted.push(request);
  }

  // The rest are duplicates when their slot has a record (stored before, or inserted by this batch), else the task's refusal.
  const lookups = [...notInserted, ...[...refusals.keys()].map((i) => requests[i]!)];
  const records = lookups.length === 0 ? new Map<string, StoredExecution>() : await readExecutions(session, s, lookups);
  for (const execution of built) if (inserted.has(execution.id)) records.set(execution.id, execution);
  for (let i = 0; i < requests.length; i++) {
    if (results[i] !== undefined) continue;
    const record = records.get(executionIdOf(requests[i]!));
    const refusal = refusals.get(i);
    if (record !== undefined) results[i] = { status: 'duplicate', existing: decodeExecution(record) };
    else if (refusal !== undefined) results[i] = refusal;
    else throw new Error(`slot ${executionIdOf(requests[i]!)} was neither inserted nor found`);
  }

  return results as Array<SlotResult<Status>>;
}

/** Each task of the batch as it is once the slots of `insertedIds` are in: the mark moved, a claimed task running (slot-rules.ts). */
function marksAfter(
  batchTasks: ReadonlyMap<string, BatchTask<SlotTask>>, accepted: ReadonlyArray<{ request: SlotKey }>, insertedIds: ReadonlySet<string>, claim: boolean,
): Array<BatchTask<SlotTask>> {
  const after = new Map<string, BatchTask<SlotTask>>();
  for (const [id, b] of batchTasks) after.set(id, { ...b, task: { ...b.task } });
  for (const { request } of accepted) {
    if (!insertedIds.has(executionIdOf(request))) continue;
    const batchTask = after.get(request.taskId)!;
    advanceHighWaterMark(batchTask, request);
    if (claim) batchTask.task.status = runningStatus(batchTask.task.status);
  }
  return [...after.values()];
}

const changed = (b: BatchTask<SlotTask>) => b.task.highWaterMarkMs !== b.highWaterMarkBefore || b.task.status !== b.statusBefore;

/** Inserts the executions, writing `marks` in the same statement; the ids of those inserted (a slot with a record already is not). */
async function insertExecutions(
  session: Session, s: Statements, executions: readonly StoredExecution[], marks: ReadonlyArray<BatchTask<SlotTask>>,
): Promise<Set<string>> {
  if (executions.length === 0) return new Set();
  const columns: unknown[][] = EXECUTION_STORED_FIELDS.map(() => new Array(executions.length));
  for (let row = 0; row < executions.length; row++) {
    const values = executionValues(executions[row]!);
    for (let c = 0; c < values.length; c++) columns[c]![row] = values[c];
  }
  const rows = marks.length === 0
    ? await session.rows<SlotKey>(s.insertExecutions, columns)
    : await session.rows<SlotKey>(s.insertExecutionsAndMarks, [
        ...columns, marks.map((b) => b.task.id), marks.map((b) => b.task.highWaterMarkMs), marks.map((b) => b.task.status),
      ]);
  return new Set(rows.map((row) => executionIdOf(row)));
}

/** The stored records of these slots, by execution id. */
export async function readExecutions(session: Session, s: Statements, slots: readonly SlotKey[]): Promise<Map<string, StoredExecution>> {
  const rows = await session.rows<StoredExecution>(s.getExecutions, [slots.map((x) => x.taskId), slots.map((x) => x.nominalMs), slots.map((x) => x.scheduleVersion)]);
  return new Map(rows.map((row) => [row.id, row]));
}
