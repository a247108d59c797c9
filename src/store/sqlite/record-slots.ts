// claim() and recordSkipped() in SQLite, inside their write transaction: one
// execution row per accepted slot (the rules: slot-rules.ts), then each
// touched task's new high-water mark and status (a claim marks it running),
// then the fencing token counter, each written once per batch.
//
// What must be cheap: a claim of a due slot, once per run. A slot the task
// accepts has no record yet (refuseByTask), so it is inserted at once: one
// narrow read of its task per batch, one insert per slot. The slot's own
// record is looked up only when it must be reported: when the task refuses
// the slot (a duplicate is reported before the task's reasons), or when the
// insert finds a record after all (a database edited by hand).
import { decodeExecution, type StoredExecution } from '../codec.js';
import type { ExecutionRecord, SlotKey } from '../records.js';
import { advanceHighWaterMark, type BatchTask, refuseByTask, runningStatus, type SlotTask } from '../slot-rules.js';
import type { SlotRefusal } from '../store.js';
import { executionValues, type Statements } from './statements.js';

export function recordSlots<Request extends SlotKey, Status extends 'claimed' | 'recorded'>(
  s: Statements, requests: readonly Request[], build: (request: Request, nextToken: number) => StoredExecution, status: Status,
): Array<{ status: Status; execution: ExecutionRecord } | SlotRefusal> {
  const batchTasks = new Map<string, BatchTask<SlotTask> | undefined>();
  let fencingToken = s.getFencingToken.get()!.value;
  const startToken = fencingToken;
  const results: Array<{ status: Status; execution: ExecutionRecord } | SlotRefusal> = [];
  for (const request of requests) {
    let batchTask = batchTasks.get(request.taskId);
    if (batchTask === undefined && !batchTasks.has(request.taskId)) {
      const task = s.getSlotTask.get(request.taskId);
      batchTask = task === undefined ? undefined : { task, highWaterMarkBefore: task.highWaterMarkMs, statusBefore: task.status };
      batchTasks.set(request.taskId, batchTask);
    }
    const refusal = batchTask === undefined ? { status: 'unknown-task' as const } : refuseByTask(request, batchTask);
    if (refusal !== undefined) {
      results.push(duplicateOf(s, request) ?? refusal);
      continue;
    }
    const execution = build(request, fencingToken + 1);
    if (s.insertExecutionIfNew.run(...executionValues(execution)).changes === 0) {
      results.push(duplicateOf(s, request)!);
      continue;
    }
    // A claim's attempt took the next token (a skip takes none).
    if (status === 'claimed') fencingToken++;
    advanceHighWaterMark(batchTask!, request.nominalMs);
    if (status === 'claimed') batchTask!.task.status = runningStatus(batchTask!.task.status);
    results.push({ status, execution: decodeExecution(execution) });
  }
  for (const batchTask of batchTasks.values()) {
    if (batchTask === undefined) continue;
    const { task } = batchTask;
    if (task.highWaterMarkMs !== batchTask.highWaterMarkBefore || task.status !== batchTask.statusBefore) {
      s.setSlotMarks.run(task.highWaterMarkMs, task.status, task.id);
    }
  }
  if (fencingToken !== startToken) s.setFencingToken.run(fencingToken);
  return results;
}

/** The duplicate refusal for a slot that has a record, or undefined. */
function duplicateOf(s: Statements, slot: SlotKey): SlotRefusal | undefined {
  const existing = s.getExecution.get(slot.taskId, slot.nominalMs, slot.scheduleVersion);
  return existing === undefined ? undefined : { status: 'duplicate', existing: decodeExecution(existing) };
}
