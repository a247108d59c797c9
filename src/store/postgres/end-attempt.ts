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
// slot fields (SLOT_PATCH_FIELDS) goes in the same statement (SlotPatchStatements),
// applied only if the attempt was ended, while the task is at the attempt's
// schedule version and has not ended: a completion is one round trip. Any
// other patch goes through applyPatch() on the whole record, read under a row lock.
import { applyPatch, decodeExecution, noNegativeZero, type StoredExecution, type StoredTask } from '../codec.js';
import { isManualSlot, slotOfExecutionId } from '../records.js';
import { type EncodedCompletion, endedFromColumns, isSlotPatch, refuseFenced, updatesTask } from '../slot-rules.js';
import type { EndResult } from '../store.js';
import { type Session, type Statement, statement } from './session.js';
import { column, type EndedExecutionRow, endExecutionSql, type Statements, taskValues } from './statements.js';

/**
 * The end of an attempt and its slot patch in one statement, made once per
 * set of patch fields: `WITH ended AS (<end the attempt>) UPDATE tasks SET
 * <the patch's columns> ... WHERE EXISTS (SELECT FROM ended)`, so the task is
 * written only if the attempt was ended, while it is at the attempt's
 * schedule version and has not ended, and the round trip is one.
 */
export class SlotPatchStatements {
  readonly #schema: string;
  readonly #byFields = new Map<string, Statement>();

  constructor(schema: string) {
    this.#schema = schema;
  }

  /** The statement for these fields; its parameters: endExecutionSql's ten, then the patch's values in `fields` order. */
  statement(fields: readonly string[]): Statement {
    const key = fields.join(',');
    let update = this.#byFields.get(key);
    if (update === undefined) {
      const set = fields.map((f, i) => `${column(f)} = $${i + 11}`).join(', ');
      update = statement(
        `WITH ended AS (${endExecutionSql(this.#schema)}),
         patched AS (UPDATE ${this.#schema}.tasks SET ${set}
           WHERE id = $1 AND schedule_version = $3 AND status NOT IN ('completed', 'failed', 'cancelled') AND EXISTS (SELECT FROM ended))
         SELECT * FROM ended`,
      );
      this.#byFields.set(key, update);
    }
    return update;
  }
}

/** Ends one attempt and applies its task update. `task` is the stored task after the update when `readTask` asks for it. */
export async function endAttempt(
  session: Session, s: Statements, slotPatches: SlotPatchStatements, completion: EncodedCompletion, readTask: boolean,
): Promise<{ result: EndResult; task: StoredTask | undefined }> {
  const { request } = completion;
  const endedAtMs = noNegativeZero(request.endedAtMs);
  const slot = slotOfExecutionId(request.executionId);
  const patch = request.taskUpdate;
  // The one-statement path matches the task by the attempt's schedule version, which a manual run (version 0) has not.
  const slotPatch = slot !== undefined && patch !== undefined && isSlotPatch(patch) && !isManualSlot({ scheduleVersion: slot[2] }) ? patch : undefined;
  let row: EndedExecutionRow | undefined;
  if (slot !== undefined) {
    const values = [
      ...slot, request.outcome, endedAtMs, completion.result, completion.error, request.trace?.traceId ?? null, request.trace?.spanId ?? null,
      request.fencingToken,
    ];
    if (slotPatch === undefined) row = await session.row<EndedExecutionRow>(s.endExecution, values);
    else {
      const fields = Object.keys(slotPatch);
      // As encodeCheckedTask() stores them: -0 as 0.
      for (const field of fields) values.push(noNegativeZero((slotPatch as Record<string, unknown>)[field] as number));
      row = await session.row<EndedExecutionRow>(slotPatches.statement(fields), values);
    }
  }
  if (slot === undefined || row === undefined) {
    const current = slot === undefined ? undefined : await session.row<StoredExecution>(s.getExecution, slot);
    const refusal = refuseFenced(current, request.fencingToken);
    // The UPDATE matched nothing, so the rules refuse it (unknown, stale token, or ended).
    if (refusal === undefined) throw new Error(`complete: execution ${request.executionId} was neither ended nor refused`);
    return { result: refusal, task: undefined };
  }
  const ended = endedFromColumns(completion, slot, endedAtMs, row);
  let task: StoredTask | undefined;
  if (patch !== undefined && slotPatch === undefined) {
    task = await session.row<StoredTask>(s.lockTask, [ended.taskId]);
    if (updatesTask(task, ended)) {
      task = applyPatch(task, patch, 'request.taskUpdate');
      await session.run(s.updateTask, taskValues(task));
    }
  }
  if (readTask && task === undefined) task = await session.row<StoredTask>(s.getTask, [ended.taskId]);
  return { result: { status: 'completed', execution: decodeExecution(ended) }, task };
}
