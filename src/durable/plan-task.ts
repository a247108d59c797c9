// Planning one live task from the wall clock: its due slots go to its queue,
// in nominal order, each as a run (claimed when it starts) or, by its
// missed-run policy, as a skip (recorded before the runs after it, see
// skip-slots.ts); the task's decided mark moves past them. missed-runs.ts
// decides; this applies the decision to a live task.
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import type { AdmitFn } from '../constraints/slot-constraints.js';
import { admitDueSlots } from './admit-slots.js';
import type { LiveTask } from './live-task.js';
import { planDueSlots } from './missed-runs.js';

export interface PlanHost {
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  /** The admit hook a task's constraints name (defined: continueTask waits for it otherwise). */
  admitHook(name: string): AdmitFn | undefined;
}

export function planTask(task: LiveTask, wallNowMs: number, host: PlanHost): void {
  const { record } = task;
  const plan = planDueSlots(task, task.lastSlotMs, wallNowMs, record.misfire);
  if (plan.bulkSkipped > 0) {
    const nominalMs = plan.skip[0]?.nominalMs ?? task.lastSlotMs;
    host.emit('slotskip', { taskId: record.id, nominalMs, reason: 'missed: skipped in bulk', count: plan.bulkSkipped });
  }
  const gate = task.gate;
  let claims = plan.run.length;
  if (gate === undefined) {
    // Skipped slots are always older than the slots that run (missed-runs.ts): skips first keeps nominal order.
    for (const { nominalMs, reason } of plan.skip) task.queue.push({ start: 'skip', nominalMs, reason });
    for (const nominalMs of plan.run) task.queue.push({ start: 'claim', nominalMs });
  } else {
    // Constraints may skip a slot after one that runs: the decisions come in nominal order (admit-slots.ts).
    const admit = gate.admission.record.admit;
    const decisions = admitDueSlots(task, gate, plan.run, plan.skip, wallNowMs, admit === null ? undefined : host.admitHook(admit));
    task.queue.push(...decisions);
    claims = decisions.filter((d) => d.start === 'claim').length;
  }
  const last = task.queue.at(-1);
  if (last !== undefined && last.nominalMs > task.lastSlotMs && (last.start === 'skip' || last.start === 'claim')) task.lastSlotMs = last.nominalMs;
  // A fixed-delay slot skipped (missed, or refused): the next one is a delay from now (stored once the skip is, skip-slots.ts).
  if (record.scheduleKind === 'fixed-delay' && claims === 0 && task.queue.some((d) => d.start === 'skip')) {
    record.nextExecutionMs = Math.round(wallNowMs + (record.periodMs as number));
  }
}
