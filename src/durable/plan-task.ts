// Planning one live task from the wall clock: its due slots go to its queue,
// in nominal order, each as a run (claimed when it starts) or, by its
// missed-run policy, as a skip (recorded before the runs after it, see
// skip-slots.ts); the task's decided mark moves past them. missed-runs.ts
// decides; this applies the decision to a live task.
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import type { LiveTask } from './live-task.js';
import { planDueSlots } from './missed-runs.js';

export interface PlanHost {
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
}

export function planTask(task: LiveTask, wallNowMs: number, host: PlanHost): void {
  const { record } = task;
  const plan = planDueSlots(task, task.lastSlotMs, wallNowMs, record.misfire);
  if (plan.bulkSkipped > 0) {
    const nominalMs = plan.skip[0]?.nominalMs ?? task.lastSlotMs;
    host.emit('slotskip', { taskId: record.id, nominalMs, reason: 'missed: skipped in bulk', count: plan.bulkSkipped });
  }
  // Skipped slots are always older than the slots that run (missed-runs.ts): skips first keeps nominal order.
  for (const { nominalMs, reason } of plan.skip) task.queue.push({ start: 'skip', nominalMs, reason });
  for (const nominalMs of plan.run) task.queue.push({ start: 'claim', nominalMs });
  const decided = Math.max(plan.run.at(-1) ?? Number.NEGATIVE_INFINITY, plan.skip.at(-1)?.nominalMs ?? Number.NEGATIVE_INFINITY);
  if (decided > task.lastSlotMs) task.lastSlotMs = decided;
  // A fixed-delay slot skipped as missed: the next one is a delay from now (stored once the skip is, skip-slots.ts).
  if (record.scheduleKind === 'fixed-delay' && plan.run.length === 0 && plan.skip.length > 0) {
    record.nextExecutionMs = Math.round(wallNowMs + (record.periodMs as number));
  }
}
