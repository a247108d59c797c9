// Ending an attempt that no schedule wants any more: the task was given a new
// schedule (a changed registration, a new schedule version), or it ended
// (cancelled, completed) while a crash left one of its attempts open. Such an
// attempt is not retried: it is recorded as cancelled, with why, so no
// execution stays open forever (C1: every slot ends with a recorded reason).
// Both writes are tried again while the store fails (stored-writes.ts).
import type { ExecutionRecord, Json } from '../store/records.js';
import { completeStored, type RetriedStore, retryStored } from './stored-writes.js';

/** Ends `execution` (running, or interrupted and not retried) as cancelled with `why`. Resolves to whether it did. */
export async function endSuperseded(writes: RetriedStore, execution: ExecutionRecord, why: string, nowMs: number): Promise<boolean> {
  const error: Json = { name: 'SupersededError', message: why };
  let current = execution;
  if (current.outcome === 'interrupted' || current.outcome === 'failed') {
    // Only a running attempt can be ended: open it again (its state kept), then end it.
    const reopened = await retryStored(writes, { executionId: current.id, fencingToken: current.fencingToken, startedAtMs: nowMs }, current.attempt);
    if (reopened.status !== 'retried') return false;
    current = reopened.execution;
  }
  if (current.outcome !== 'running') return false;
  const ended = await completeStored(writes, { executionId: current.id, fencingToken: current.fencingToken, outcome: 'cancelled', endedAtMs: nowMs, error });
  return ended.status === 'completed';
}
