// claim() and recordSkipped() in SQLite, inside their write transaction: one
// execution row per accepted slot (the rules: slot-rules.ts), then each
// touched task's new high-water mark and status (a claim marks it running),
// written once per batch. A claim takes the next fencing token
// (fencing-tokens.ts) only if its row goes in: tokens follow one another.
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
import type { FencingTokens } from './fencing-tokens.js';
import { executionValues, type Statements } from './statements.js';

export function recordSlots<Request extends SlotKey, Status extends 'claimed' | 'recorded'>(
  s: Statements, requests: readonly Request[], build: (request: Request, token: number) => StoredExecution, status: Status, tokens?: FencingTokens,
): Array<{ status: Status; execution: ExecutionRecord } | SlotRefusal> {
  const batchTasks = new Map<string, BatchTask<SlotTask> | undefined>();
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
    const execution = build(request, tokens === undefined ? 0 : tokens.peek(s));
    if (s.insertExecutionIfNew.run(...executionValues(execution)).changes === 0) {
      results.push(duplicateOf(s, request)!);
      continue;
    }
    tokens?.take(s);
    advanceHighWaterMark(batchTask!, request);
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
  return results;
}

/** The duplicate refusal for a slot that has a record, or undefined. */
function duplicateOf(s: Statements, slot: SlotKey): SlotRefusal | undefined {
  const existing = s.getExecution.get(slot.taskId, slot.nominalMs, slot.scheduleVersion);
  return existing === undefined ? undefined : { status: 'duplicate', existing: decodeExecution(existing) };
}
