// claim() and recordSkipped() in SQLite, inside their write transaction: one
// execution row per accepted slot (the rules: slot-rules.ts), then each
// touched task's new high-water mark and status (a claim marks it running),
// then the fencing token counter, each written once per batch.
import { decodeExecution, type StoredExecution } from '../codec.js';
import type { ExecutionRecord, SlotKey } from '../records.js';
import { executionIdOf } from '../records.js';
import { advanceHighWaterMark, type BatchTask, refuseSlot, runningStatus } from '../slot-rules.js';
import type { SlotRefusal } from '../store.js';
import { executionValues, type Statements } from './statements.js';

export function recordSlots<Request extends SlotKey, Status extends 'claimed' | 'recorded'>(
  s: Statements, requests: readonly Request[], build: (request: Request, token: () => number) => StoredExecution, status: Status,
): Array<{ status: Status; execution: ExecutionRecord } | SlotRefusal> {
  const batchTasks = new Map<string, BatchTask | undefined>();
  let fencingToken = s.getFencingToken.get()!.value;
  const startToken = fencingToken;
  const results = requests.map((request) => {
    if (!batchTasks.has(request.taskId)) {
      const task = s.getTask.get(request.taskId);
      batchTasks.set(request.taskId, task === undefined ? undefined : { task, highWaterMarkBefore: task.highWaterMarkMs, statusBefore: task.status });
    }
    const batchTask = batchTasks.get(request.taskId);
    const refusal = refuseSlot(request, batchTask, s.getExecution.get(executionIdOf(request)));
    if (refusal !== undefined) return refusal;
    const execution = build(request, () => ++fencingToken);
    s.insertExecution.run(...executionValues(execution));
    advanceHighWaterMark(batchTask!, request.nominalMs);
    if (status === 'claimed') batchTask!.task.status = runningStatus(batchTask!.task.status);
    return { status, execution: decodeExecution(execution) };
  });
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
