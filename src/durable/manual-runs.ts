// Manual runs (runNow) in a live task's queue of decisions: where one goes,
// and how the ones still waiting for their claim are rejected when the task
// ends, is cancelled or is rescheduled. A manual run is claimed outside the
// schedule (it moves no high-water mark), so it may go ahead of queued slots
// (live-task.ts PendingRun); it never goes ahead of an attempt already
// started in the store. Apart from the live tasks (live-tasks.ts), which
// decide when the queue's first run enters the core.
import type { ExecutionRecord } from '../store/records.js';
import type { LiveTask, PendingRun } from './live-task.js';

/**
 * Queues a manual run asked for at wallNowMs: ahead of the queued slots,
 * behind a retry waiting for its backoff. Whether the task's waiting core
 * task (a wake-up or a queued run) should give way to it now: false while
 * the task runs or waits for a concurrency slot, or behind a retry.
 */
export function queueManualRun(task: LiveTask, wallNowMs: number, resolve: (execution: ExecutionRecord) => void, reject: (error: Error) => void): boolean {
  const run = { start: 'manual' as const, nominalMs: Math.round(wallNowMs), claimed: { resolve, reject } };
  const first = task.queue[0];
  if (first?.start === 'started' || (first?.start === 'retry' && first.readyAtMs !== undefined)) {
    // A retry waiting for its backoff keeps its turn.
    task.queue.splice(1, 0, run);
    return false;
  }
  task.queue.unshift(run);
  // Running, or waiting for a slot: the manual run goes first when the task's turn comes.
  return !(task.running || task.waitsForSlot);
}

/**
 * Manual runs still waiting for their claim will not run: runNow() rejects
 * with `why()`. The error is made only if one waits: capturing a stack
 * costs about 10 µs, and every ended task passes here.
 */
export function dropManualRuns(task: LiveTask, why: () => Error): void {
  let error: Error | undefined;
  for (let i = task.queue.length - 1; i >= 0; i--) {
    const run = task.queue[i] as PendingRun;
    if (run.start !== 'manual') continue;
    task.queue.splice(i, 1);
    error ??= why();
    run.claimed.reject(error);
  }
}
