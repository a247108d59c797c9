// Recording the slots a task's plan skips (plan-task.ts queues them ahead of
// the runs that follow). They are written before anything after them: a claim
// of a later slot moves the task's high-water mark past them, and a slot at or
// below the mark with no record would never be planned again (C1, C4). So the
// skips at the head of a task's queue are recorded (batched with the other
// skips of the tick: one transaction) before the task goes on; a write that
// fails puts them back and is tried again after the store's backoff.
import type { SkipRequest, SkipResult } from '../store/store.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { isFenced } from './fenced-store.js';
import type { LiveTask } from './live-task.js';
import type { StoreBackoff } from './store-backoff.js';

export interface SkipHost {
  /** A batched recordSkipped() (one transaction for the skips of one tick). */
  recordSkip(request: SkipRequest): Promise<SkipResult>;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  /** A best-effort write of some of the task's fields. */
  patch(task: LiveTask, patch: { nextExecutionMs: number | null }): void;
  /** Enters the task's next core task, due in delayMs. */
  enter(task: LiveTask, delayMs: number): void;
  continueTask(task: LiveTask): void;
  backoff: StoreBackoff;
  wallNowMs(): number;
}

/** Records the skips at the head of `task`'s queue, then continues the task. */
export async function recordQueuedSkips(task: LiveTask, host: SkipHost): Promise<void> {
  const skips: Array<{ nominalMs: number; reason: string }> = [];
  while (task.queue[0]?.start === 'skip') skips.push(task.queue.shift() as { nominalMs: number; reason: string });
  const { record } = task;
  const recordedAtMs = host.wallNowMs();
  let results: SkipResult[];
  // Nothing else enters the task's next run meanwhile (continueTask waits for a running task).
  task.running = true;
  try {
    results = await Promise.all(
      skips.map(({ nominalMs, reason }) =>
        host.recordSkip({ taskId: record.id, scheduleVersion: record.scheduleVersion, nominalMs, reason, recordedAtMs }),
      ),
    );
  } catch (error) {
    task.running = false;
    // Fenced: the store is another scheduler's now, and this task was removed with the others.
    if (isFenced(error)) return;
    const retryInMs = host.backoff.next();
    host.emit('storeerror', { operation: 'recordSkipped', error, retryInMs });
    task.queue.unshift(...skips.map(({ nominalMs, reason }) => ({ start: 'skip' as const, nominalMs, reason })));
    host.enter(task, retryInMs);
    return;
  }
  task.running = false;
  host.backoff.reset();
  results.forEach((result, i) => {
    const { nominalMs, reason } = skips[i] as { nominalMs: number; reason: string };
    if (result.status === 'recorded') host.emit('slotskip', { taskId: record.id, nominalMs, reason, count: 1 });
  });
  // A fixed-delay task's skipped slot moved its next one to a delay from the plan (plan-task.ts): stored
  // only now, after the skip record, so a crash between the two still finds the skipped slot recorded.
  if (record.scheduleKind === 'fixed-delay') host.patch(task, { nextExecutionMs: record.nextExecutionMs });
  host.continueTask(task);
}
