// Planning one live task from the wall clock: its due slots go to its queue
// or, by its missed-run policy, are recorded as skipped (batched, a
// 'slotskip' event each once committed); the task's decided mark moves past
// them. missed-runs.ts decides; this applies the decision to a live task.
import type { TaskPatch } from '../store/records.js';
import type { SkipRequest, SkipResult } from '../store/store.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import type { LiveTask } from './live-task.js';
import { planDueSlots } from './missed-runs.js';

export interface PlanHost {
  /** A batched recordSkipped() (one transaction for the skips of one tick). */
  recordSkip(request: SkipRequest): Promise<SkipResult>;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  /** A best-effort write of some of the task's fields. */
  patch(task: LiveTask, patch: TaskPatch): void;
}

export function planTask(task: LiveTask, wallNowMs: number, host: PlanHost): void {
  const { record } = task;
  const plan = planDueSlots(task, task.lastSlotMs, wallNowMs, record.misfire);
  for (const nominalMs of plan.run) task.queue.push({ nominalMs, start: 'claim', execution: undefined });
  if (plan.bulkSkipped > 0) {
    const nominalMs = plan.skip[0]?.nominalMs ?? task.lastSlotMs;
    host.emit('slotskip', { taskId: record.id, nominalMs, reason: 'missed: skipped in bulk', count: plan.bulkSkipped });
  }
  for (const { nominalMs, reason } of plan.skip) {
    host.recordSkip({ taskId: record.id, scheduleVersion: record.scheduleVersion, nominalMs, reason, recordedAtMs: wallNowMs }).then(
      (result) => {
        if (result.status === 'recorded') host.emit('slotskip', { taskId: record.id, nominalMs, reason, count: 1 });
      },
      (error: unknown) => host.emit('storeerror', { operation: 'recordSkipped', error, retryInMs: 0 }),
    );
  }
  const decided = Math.max(plan.run.at(-1) ?? Number.NEGATIVE_INFINITY, plan.skip.at(-1)?.nominalMs ?? Number.NEGATIVE_INFINITY);
  if (decided > task.lastSlotMs) task.lastSlotMs = decided;
  // A fixed-delay slot skipped as missed: the next one is a delay from now.
  if (record.scheduleKind === 'fixed-delay' && plan.run.length === 0 && plan.skip.length > 0) {
    record.nextExecutionMs = Math.round(wallNowMs + (record.periodMs as number));
    host.patch(task, { nextExecutionMs: record.nextExecutionMs });
  }
}
