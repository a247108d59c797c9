// complete() in IndexedDB, inside its readwrite transaction: the attempt
// ended under the rules of a fenced write (slot-rules.ts), and the task
// updated if it is still at the attempt's schedule version.
import type { IDBPTransaction } from 'idb';
import { applyPatch, decodeExecution, type StoredTask } from '../codec.js';
import { completedExecution, type EncodedCompletion, refuseFenced, updatesTask } from '../slot-rules.js';
import type { EndResult } from '../store.js';
import type { AllStores, TimesliceDb } from './schema.js';

type WriteTx = IDBPTransaction<TimesliceDb, AllStores, 'readwrite'>;

/** complete()'s rules for one attempt inside `tx`: the result, and the task as it is afterwards. */
export async function endAttempt(tx: WriteTx, completion: EncodedCompletion): Promise<{ result: EndResult; task: StoredTask | undefined }> {
  const { request } = completion;
  const current = await tx.objectStore('executions').get(request.executionId);
  const refusal = refuseFenced(current, request.fencingToken);
  if (refusal !== undefined) return { result: refusal, task: undefined };
  const ended = completedExecution(current!, completion);
  let task = await tx.objectStore('tasks').get(ended.taskId);
  const updates = request.taskUpdate !== undefined && updatesTask(task, ended);
  if (updates) task = applyPatch(task!, request.taskUpdate!, 'request.taskUpdate');
  await Promise.all([tx.objectStore('executions').put(ended), ...(updates ? [tx.objectStore('tasks').put(task!)] : [])]);
  return { result: { status: 'completed', execution: decodeExecution(ended) }, task };
}
