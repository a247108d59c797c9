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
  /** Calls fn after delayMs on the scheduler's clock, unless the scheduler has stopped by then. */
  later(fn: () => void, delayMs: number): void;
}

const FIRST_SKIP_RETRY_MS = 1_000;
const MAX_SKIP_RETRY_MS = 30_000;

/**
 * Records one skipped slot (reported by a 'slotskip' event once committed). A
 * failed write (a full disk) is tried again after a backoff until it lands or
 * the scheduler stops: a skipped slot must end with its record (C1).
 */
function recordSkip(request: SkipRequest, host: PlanHost, retryInMs: number): void {
  host.recordSkip(request).then(
    (result) => {
      if (result.status === 'recorded') host.emit('slotskip', { taskId: request.taskId, nominalMs: request.nominalMs, reason: request.reason, count: 1 });
    },
    (error: unknown) => {
      host.emit('storeerror', { operation: 'recordSkipped', error, retryInMs });
      host.later(() => recordSkip(request, host, Math.min(MAX_SKIP_RETRY_MS, retryInMs * 2)), retryInMs);
    },
  );
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
    const request = { taskId: record.id, scheduleVersion: record.scheduleVersion, nominalMs, reason, recordedAtMs: wallNowMs };
    recordSkip(request, host, FIRST_SKIP_RETRY_MS);
  }
  const decided = Math.max(plan.run.at(-1) ?? Number.NEGATIVE_INFINITY, plan.skip.at(-1)?.nominalMs ?? Number.NEGATIVE_INFINITY);
  if (decided > task.lastSlotMs) task.lastSlotMs = decided;
  // A fixed-delay slot skipped as missed: the next one is a delay from now.
  if (record.scheduleKind === 'fixed-delay' && plan.run.length === 0 && plan.skip.length > 0) {
    record.nextExecutionMs = Math.round(wallNowMs + (record.periodMs as number));
    host.patch(task, { nextExecutionMs: record.nextExecutionMs });
  }
}
