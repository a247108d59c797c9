// claim() and recordSkipped() in IndexedDB, inside their readwrite
// transaction: the touched tasks, the slots' existing executions and the
// fencing token counter are read together (one round of requests), the rules
// decide (slot-rules.ts), then one execution per accepted slot is added and
// each touched task's new high-water mark and status (a claim marks it
// running) and the counter are written, each once per batch.
import type { IDBPTransaction } from 'idb';
import { decodeExecution, type StoredExecution } from '../codec.js';
import type { ExecutionRecord, SlotKey } from '../records.js';
import { executionIdOf } from '../records.js';
import { advanceHighWaterMark, type BatchTask, refuseSlot, runningStatus } from '../slot-rules.js';
import type { SlotRefusal } from '../store.js';
import { type AllStores, FENCING_TOKEN_KEY, type TimesliceDb } from './schema.js';

type WriteTx = IDBPTransaction<TimesliceDb, AllStores, 'readwrite'>;

export async function recordSlots<Request extends SlotKey, Status extends 'claimed' | 'recorded'>(
  tx: WriteTx, requests: readonly Request[], build: (request: Request, token: () => number) => StoredExecution, status: Status,
): Promise<Array<{ status: Status; execution: ExecutionRecord } | SlotRefusal>> {
  const tasks = tx.objectStore('tasks');
  const executions = tx.objectStore('executions');
  const taskIds = [...new Set(requests.map((r) => r.taskId))];
  const [storedTasks, existing, startToken] = await Promise.all([
    Promise.all(taskIds.map((id) => tasks.get(id))),
    Promise.all(requests.map((r) => executions.get(executionIdOf(r)))),
    tx.objectStore('meta').get(FENCING_TOKEN_KEY),
  ]);
  const batchTasks = new Map<string, BatchTask>();
  for (const task of storedTasks) {
    if (task !== undefined) batchTasks.set(task.id, { task, highWaterMarkBefore: task.highWaterMarkMs, statusBefore: task.status });
  }
  let fencingToken = startToken ?? 0;
  const added = new Map<string, StoredExecution>();
  const results = requests.map((request, i) => {
    const id = executionIdOf(request);
    const batchTask = batchTasks.get(request.taskId);
    const refusal = refuseSlot(request, batchTask, added.get(id) ?? existing[i]);
    if (refusal !== undefined) return refusal;
    const execution = build(request, () => ++fencingToken);
    added.set(id, execution);
    advanceHighWaterMark(batchTask!, request);
    if (status === 'claimed') batchTask!.task.status = runningStatus(batchTask!.task.status);
    return { status, execution: decodeExecution(execution) };
  });
  const writes: Promise<unknown>[] = [...added.values()].map((execution) => executions.add(execution));
  for (const { task, highWaterMarkBefore, statusBefore } of batchTasks.values()) {
    if (task.highWaterMarkMs !== highWaterMarkBefore || task.status !== statusBefore) writes.push(tasks.put(task));
  }
  if (fencingToken !== startToken) writes.push(tx.objectStore('meta').put(fencingToken, FENCING_TOKEN_KEY));
  await Promise.all(writes);
  return results;
}
