// complete() in PostgreSQL, inside its write transaction: the attempt ended,
// then the task updated, under the rules of slot-rules.ts (as SQLite does it:
// sqlite/end-attempts.ts).
//
// What must be cheap: a completion, once per run. The attempt is ended by one
// UPDATE that holds the rules of a fenced write in its WHERE clause (this
// token, still running) and returns the fields of the record the completion
// does not already hold; only when it matches nothing is the record read, to
// say why. Under READ COMMITTED an UPDATE that waited for another
// transaction's write to the row re-checks its WHERE on the row as committed,
// so two completions of one attempt never both match. A task update of only
// slot fields (SLOT_PATCH_FIELDS) is one UPDATE of those columns, applied only
// while the task is at the attempt's schedule version and has not ended; any
// other patch goes through applyPatch() on the whole record, read under a row lock.
import { applyPatch, decodeExecution, noNegativeZero, type StoredExecution, type StoredTask } from '../codec.js';
import { isManualSlot, slotOfExecutionId } from '../records.js';
import { type EncodedCompletion, isSlotPatch, refuseFenced, updatesTask } from '../slot-rules.js';
import type { EndResult } from '../store.js';
import { type Session, type Statement, statement } from './session.js';
import { column, type EndedExecutionRow, type Statements, taskValues } from './statements.js';

/** `UPDATE tasks SET <the patch's columns> ...` for each set of slot fields a completion writes, made once per set. */
export class SlotPatchStatements {
  readonly #schema: string;
  readonly #byFields = new Map<string, Statement>();

  constructor(schema: string) {
    this.#schema = schema;
  }

  /** Applies `patch` (checked, slot fields only) to the task while it is at `scheduleVersion` and not ended. */
  async run(session: Session, taskId: string, scheduleVersion: number, patch: Readonly<Record<string, unknown>>): Promise<void> {
    const fields = Object.keys(patch);
    const key = fields.join(',');
    let update = this.#byFields.get(key);
    if (update === undefined) {
      const set = fields.map((f, i) => `${column(f)} = $${i + 3}`).join(', ');
      update = statement(
        `UPDATE ${this.#schema}.tasks SET ${set} WHERE id = $1 AND schedule_version = $2 AND status NOT IN ('completed', 'failed', 'cancelled')`,
      );
      this.#byFields.set(key, update);
    }
    const values: unknown[] = [taskId, scheduleVersion];
    // As encodeCheckedTask() stores them: -0 as 0.
    for (const field of fields) values.push(noNegativeZero(patch[field] as number));
    await session.run(update, values);
  }
}

/** Ends one attempt and applies its task update. `task` is the stored task after the update when `readTask` asks for it. */
export async function endAttempt(
  session: Session, s: Statements, slotPatch: SlotPatchStatements, completion: EncodedCompletion, readTask: boolean,
): Promise<{ result: EndResult; task: StoredTask | undefined }> {
  const { request } = completion;
  const endedAtMs = noNegativeZero(request.endedAtMs);
  const slot = slotOfExecutionId(request.executionId);
  const row = slot === undefined
    ? undefined
    : await session.row<EndedExecutionRow>(s.endExecution, [
        ...slot, request.outcome, endedAtMs, completion.result, completion.error, request.trace?.traceId ?? null, request.trace?.spanId ?? null,
        request.fencingToken,
      ]);
  if (slot === undefined || row === undefined) {
    const current = slot === undefined ? undefined : await session.row<StoredExecution>(s.getExecution, slot);
    const refusal = refuseFenced(current, request.fencingToken);
    // The UPDATE matched nothing, so the rules refuse it (unknown, stale token, or ended).
    if (refusal === undefined) throw new Error(`complete: execution ${request.executionId} was neither ended nor refused`);
    return { result: refusal, task: undefined };
  }
  const [taskId, nominalMs, scheduleVersion] = slot;
  const ended: StoredExecution = {
    id: request.executionId, taskId, scheduleVersion, nominalMs, attempt: row.attempt,
    fencingToken: request.fencingToken, startedAtMs: row.startedAtMs, endedAtMs, outcome: request.outcome, result: completion.result,
    error: completion.error, skipReason: row.skipReason, state: row.state, traceId: row.traceId, spanId: row.spanId,
  };
  const patch = request.taskUpdate;
  let task: StoredTask | undefined;
  // The one-UPDATE path matches the task by the attempt's schedule version, which a manual run (version 0) has not.
  if (patch !== undefined && isSlotPatch(patch) && !isManualSlot(ended)) {
    await slotPatch.run(session, ended.taskId, ended.scheduleVersion, patch);
  } else if (patch !== undefined) {
    task = await session.row<StoredTask>(s.lockTask, [ended.taskId]);
    if (updatesTask(task, ended)) {
      task = applyPatch(task, patch, 'request.taskUpdate');
      await session.run(s.updateTask, taskValues(task));
    }
  }
  if (readTask && task === undefined) task = await session.row<StoredTask>(s.getTask, [ended.taskId]);
  return { result: { status: 'completed', execution: decodeExecution(ended) }, task };
}
