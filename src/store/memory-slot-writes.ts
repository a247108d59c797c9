// The slot writes of a MemoryStore, on its database: a batch of claims or
// skips, each decided against the database and the batch before it and then
// applied together (recordSlots); completions, decided against the database
// and each other before any is applied (Changes, endAttempt); and
// putExecution, which keeps the by-task index with the executions.
//
// Separate from memory-store.ts, which is the store's methods (checks, the
// lease's fence, reads): here is what its writes do to the maps, with every
// rule decided by slot-rules.ts, as the durable stores decide theirs.
import { applyPatch, decodeExecution, type StoredExecution, type StoredTask } from './codec.js';
import type { MemoryDatabase } from './memory-database.js';
import { executionIdOf, type ExecutionRecord, type SlotKey } from './records.js';
import { advanceHighWaterMark, type BatchTask, completedExecution, type EncodedCompletion, refuseFenced, refuseSlot, runningStatus, updatesTask } from './slot-rules.js';
import type { EndResult, SlotRefusal } from './store.js';

/** A batch of claims or skips: each decided against the database and the batch before it, then all applied together. */
export function recordSlots<Request extends SlotKey, Status extends 'claimed' | 'recorded'>(
  db: MemoryDatabase, requests: readonly Request[], build: (request: Request) => StoredExecution, status: Status,
): Array<{ status: Status; execution: ExecutionRecord } | SlotRefusal> {
  const batchTasks = new Map<string, BatchTask>();
  const added = new Map<string, StoredExecution>();
  const results = requests.map((request) => {
    let batchTask = batchTasks.get(request.taskId);
    const stored = db.tasks.get(request.taskId);
    if (batchTask === undefined && stored !== undefined) {
      batchTask = { task: { ...stored }, highWaterMarkBefore: stored.highWaterMarkMs, statusBefore: stored.status };
      batchTasks.set(request.taskId, batchTask);
    }
    const id = executionIdOf(request);
    const refusal = refuseSlot(request, batchTask, added.get(id) ?? db.executions.get(id));
    if (refusal !== undefined) return refusal;
    const execution = build(request);
    added.set(id, execution);
    advanceHighWaterMark(batchTask!, request);
    if (status === 'claimed') batchTask!.task.status = runningStatus(batchTask!.task.status);
    return { status, execution: decodeExecution(execution) };
  });
  for (const execution of added.values()) putExecution(db, execution);
  for (const { task } of batchTasks.values()) db.tasks.set(task.id, task);
  return results;
}

/** The writes of completions, decided against the database and each other, applied together. */
export class Changes {
  readonly #db: MemoryDatabase;
  readonly tasks = new Map<string, StoredTask>();
  readonly executions = new Map<string, StoredExecution>();

  constructor(db: MemoryDatabase) {
    this.#db = db;
  }

  task(id: string): StoredTask | undefined {
    return this.tasks.get(id) ?? this.#db.tasks.get(id);
  }

  execution(id: string): StoredExecution | undefined {
    return this.executions.get(id) ?? this.#db.executions.get(id);
  }

  apply(db: MemoryDatabase): void {
    for (const execution of this.executions.values()) putExecution(db, execution);
    for (const task of this.tasks.values()) db.tasks.set(task.id, task);
  }
}

/** complete()'s rules for one attempt, its writes added to `changes`. */
export function endAttempt(changes: Changes, completion: EncodedCompletion): EndResult {
  const { request } = completion;
  const current = changes.execution(request.executionId);
  const refusal = refuseFenced(current, request.fencingToken);
  if (refusal !== undefined) return refusal;
  const ended = completedExecution(current!, completion);
  const task = changes.task(ended.taskId);
  changes.executions.set(ended.id, ended);
  if (request.taskUpdate !== undefined && updatesTask(task, ended)) changes.tasks.set(task.id, applyPatch(task, request.taskUpdate, 'request.taskUpdate'));
  return { status: 'completed', execution: decodeExecution(ended) };
}

/** Stores an execution and indexes it by task. */
export function putExecution(db: MemoryDatabase, execution: StoredExecution): void {
  db.executions.set(execution.id, execution);
  let ids = db.byTask.get(execution.taskId);
  if (ids === undefined) db.byTask.set(execution.taskId, (ids = new Set()));
  ids.add(execution.id);
}
