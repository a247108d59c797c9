// complete() in SQLite, inside its write transaction: the attempt ended, then
// the task updated, under the rules of slot-rules.ts.
//
// What must be cheap: a completion, once per run. The attempt is ended by one
// UPDATE that holds the rules of a fenced write in its WHERE clause (this
// token, still running) and returns the fields of the record the completion
// does not already hold; only when it matches nothing is the record read, to
// say why. A task update of only slot fields (the count, the next slot, the
// status, the last error: SLOT_PATCH_FIELDS) is one UPDATE of those columns,
// applied only while the task is at the attempt's schedule version
// (updatesTask); any other patch goes through applyPatch() on the whole record.
import { applyPatch, decodeExecution, noNegativeZero, type StoredTask } from '../codec.js';
import { isManualSlot } from '../records.js';
import { type EncodedCompletion, endedFromColumns, isSlotPatch, refuseFenced, updatesTask } from '../slot-rules.js';
import type { EndResult } from '../store.js';
import { findExecution, slotOfExecutionId, type Statements, taskUpdateValues } from './statements.js';

/**
 * Ends one attempt and applies its task update. `task` is the stored task
 * after the update when `readTask` asks for it (complete() answers with it).
 */
export function endAttempt(s: Statements, completion: EncodedCompletion, readTask: boolean): { result: EndResult; task: StoredTask | undefined } {
  const { request } = completion;
  const endedAtMs = noNegativeZero(request.endedAtMs);
  const slot = slotOfExecutionId(request.executionId);
  const row = slot === undefined
    ? undefined
    : s.endExecution.get(
        request.outcome, endedAtMs, completion.result, completion.error, request.trace?.traceId ?? null, request.trace?.spanId ?? null,
        slot[0], slot[1], slot[2], request.fencingToken,
      );
  if (slot === undefined || row === undefined) {
    const refusal = refuseFenced(findExecution(s, request.executionId), request.fencingToken);
    // The UPDATE matched nothing, so the rules refuse it (unknown, stale token, or ended).
    if (refusal === undefined) throw new Error(`complete: execution ${request.executionId} was neither ended nor refused`);
    return { result: refusal, task: undefined };
  }
  const ended = endedFromColumns(completion, slot, endedAtMs, row);
  const patch = request.taskUpdate;
  let task: StoredTask | undefined;
  // The one-UPDATE path matches the task by the attempt's schedule version, which a manual run (version 0) has not.
  if (patch !== undefined && isSlotPatch(patch) && !isManualSlot(ended)) {
    s.slotPatch.run(ended.taskId, ended.scheduleVersion, patch);
  } else if (patch !== undefined) {
    task = s.getTask.get(ended.taskId);
    if (updatesTask(task, ended)) {
      task = applyPatch(task, patch, 'request.taskUpdate');
      s.updateTask.run(...taskUpdateValues(task));
    }
  }
  if (readTask && task === undefined) task = s.getTask.get(ended.taskId);
  return { result: { status: 'completed', execution: decodeExecution(ended) }, task };
}
