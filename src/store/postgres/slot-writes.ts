// The one-owner slot writes in PostgreSQL, inside the store's fenced write
// transactions: the bodies of PostgresStore's retry, complete,
// completeAndClaim and saveState, moved here from postgres-store.ts to keep
// that file to the store's shape. The rules are the shared ones
// (slot-rules.ts), decided on rows read under row locks; the fencing token is
// in each UPDATE's WHERE (C3), so a write that matched nothing reads the
// record only to say why.
import { decodeExecution, decodeTask, type StoredExecution } from '../codec.js';
import { slotOfExecutionId } from '../records.js';
import { claimedExecution, type EncodedCompletion, refuseFenced, refuseRetry, retriedExecution } from '../slot-rules.js';
import type { ClaimRequest, CompleteResult, RetryRequest, RetryResult, SaveStateResult, SlotWritesResult } from '../store.js';
import { endAttempt, type SlotPatchStatements } from './end-attempt.js';
import type { FencingTokens } from './fencing-tokens.js';
import { recordSlots } from './record-slots.js';
import type { Session } from './session.js';
import type { Statements } from './statements.js';

/** retry's write: the attempt run again under a new fencing token. */
export async function retryIn(session: Session, s: Statements, tokens: FencingTokens, request: RetryRequest): Promise<RetryResult> {
  const slot = slotOfExecutionId(request.executionId);
  const current = slot === undefined ? undefined : await session.row<StoredExecution>(s.lockExecution, slot);
  const refusal = refuseRetry(current, request.fencingToken);
  if (refusal !== undefined) return refusal;
  const [token] = await tokens.take(session);
  const retried = retriedExecution(current!, request.startedAtMs, token!);
  await session.run(s.updateExecution, [
    ...slot!, retried.attempt, retried.fencingToken, retried.startedAtMs, retried.endedAtMs, retried.outcome, retried.result, retried.error,
    retried.state,
  ]);
  await session.run(s.markTaskRunning, [retried.taskId]);
  return { status: 'retried', execution: decodeExecution(retried) };
}

/** complete's write (end-attempt.ts). */
export async function completeIn(session: Session, s: Statements, slotPatch: SlotPatchStatements, completion: EncodedCompletion): Promise<CompleteResult> {
  const { result, task } = await endAttempt(session, s, slotPatch, completion, true);
  return result.status === 'completed' ? { ...result, task: task === undefined ? undefined : decodeTask(task) } : result;
}

/** completeAndClaim's write: the completions in order, then the claims. */
export async function completeAndClaimIn(
  session: Session, s: Statements, slotPatch: SlotPatchStatements, tokens: FencingTokens, encoded: readonly EncodedCompletion[], claims: readonly ClaimRequest[],
): Promise<SlotWritesResult> {
  const completed = [];
  for (const completion of encoded) completed.push((await endAttempt(session, s, slotPatch, completion, false)).result);
  return { completed, claimed: await recordSlots(session, s, claims, claimedExecution, 'claimed', tokens) };
}

/** saveState's write (`text`: the state as encodeSaveState wrote it). */
export async function saveStateIn(session: Session, s: Statements, executionId: string, fencingToken: number, text: string): Promise<SaveStateResult> {
  const slot = slotOfExecutionId(executionId);
  if (slot === undefined) return { status: 'unknown-execution' };
  const saved = await session.row<StoredExecution>(s.saveState, [...slot, text, fencingToken]);
  if (saved !== undefined) return { status: 'saved', execution: decodeExecution(saved) };
  // The UPDATE matched nothing: the rules say why.
  return refuseFenced(await session.row<StoredExecution>(s.getExecution, slot), fencingToken) ?? { status: 'unknown-execution' };
}
