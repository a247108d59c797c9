// What a cluster process writes with a slot it claimed, beside how the slot
// ended: the slots it decided not to run (the task's missed-run policy) and
// the task's next slot, so the task always has its one open row (C1, see
// src/store/cluster.ts). The decisions are the one-owner scheduler's
// (missed-runs.ts, slots.ts), taken on the claimer when the slot ends, or
// when it was claimed too late to run (the whole cluster was down).
import type { OfferRequest } from '../../store/cluster.js';
import { isManualSlot, type TaskPatch, type TaskRecord } from '../../store/records.js';
import type { SkipRequest } from '../../store/store.js';
import { LiveTask } from '../live-task.js';
import { firstSlotAfter } from '../slots.js';
import type { CronSchedule } from '../../time/cron.js';
import { planDueSlots, SKIP_REASONS } from '../missed-runs.js';
import type { PriorityName } from '../../tasks/priorities.js';
import { slotRankMs } from './slot-rank.js';

/** The writes that go with a claimed slot's end. */
export interface SlotFollowUp {
  taskUpdate: TaskPatch;
  skipped: SkipRequest[];
  next: OfferRequest | undefined;
}

/** A pending row for `task`'s slot at nominalMs, due then. */
export function offerOf(task: LiveTask, nominalMs: number, deadlinesMs: ReadonlyMap<PriorityName, number>): OfferRequest {
  const { record } = task;
  return {
    taskId: record.id, scheduleVersion: record.scheduleVersion, nominalMs, dueMs: nominalMs,
    rankMs: slotRankMs(nominalMs, record.priority, deadlinesMs), maxAttempts: task.retry.attempts,
  };
}

/**
 * The slots after `afterMs` as of wallNowMs under the task's policy: the due
 * ones it skips (recorded), and the one to offer next (a late one that runs,
 * or the first not yet due), or null when the schedule has none left. A
 * fixed-delay task's next slot is its stored one (its delay after the run).
 */
export function nextSlots(task: LiveTask, afterMs: number, wallNowMs: number): { skipped: Array<{ nominalMs: number; reason: string }>; nextMs: number | null } {
  const { record } = task;
  if (record.scheduleKind === 'fixed-delay') return { skipped: [], nextMs: record.nextExecutionMs };
  const plan = planDueSlots(task, afterMs, wallNowMs, record.misfire);
  // Catch-up slots run one after another: the first is offered, the others are planned again after it.
  return { skipped: plan.skip, nextMs: plan.run[0] ?? plan.nextMs };
}

/**
 * The follow-up of an attempt that ended: `taskUpdate` is SlotAttempt's (its
 * count, status, next slot from the schedule); a task still pending gets the
 * missed-run plan from the slot that ran, its next slot offered.
 */
export function followUpOfEnd(
  task: LiveTask, nominalMs: number, taskUpdate: TaskPatch, wallNowMs: number, deadlinesMs: ReadonlyMap<PriorityName, number>,
): SlotFollowUp {
  if (taskUpdate.status !== 'pending' || taskUpdate.nextExecutionMs === undefined) return { taskUpdate, skipped: [], next: undefined };
  const { record } = task;
  // A fixed-delay task's next slot is the one SlotAttempt computed from the run's end.
  if (record.scheduleKind === 'fixed-delay') {
    const nextMs = taskUpdate.nextExecutionMs;
    return { taskUpdate, skipped: [], next: nextMs === null ? undefined : offerOf(task, nextMs, deadlinesMs) };
  }
  const { skipped, nextMs } = nextSlots(task, Math.max(nominalMs, task.lastSlotMs), wallNowMs);
  const ended = nextMs === null;
  return {
    taskUpdate: { ...taskUpdate, nextExecutionMs: ended ? null : nextMs, ...(ended ? { status: 'completed' } : {}) },
    skipped: skipped.map((s) => skipOf(task, s.nominalMs, s.reason, wallNowMs)),
    next: ended ? undefined : offerOf(task, nextMs, deadlinesMs),
  };
}

/**
 * Whether a slot claimed as its first attempt runs, by the task's missed-run
 * policy as of wallNowMs; if not, why, and the follow-up (its other skipped
 * slots and the next one). Retries and manual runs always run: they are not
 * missed slots.
 */
export function decideAtClaim(
  task: LiveTask, slot: { nominalMs: number; scheduleVersion: number; attempt: number }, wallNowMs: number, deadlinesMs: ReadonlyMap<PriorityName, number>,
): { run: true } | { run: false; reason: string; followUp: SlotFollowUp } {
  const { nominalMs } = slot;
  if (slot.attempt !== 1 || isManualSlot(slot) || wallNowMs - nominalMs <= task.record.misfire.graceMs) return { run: true };
  const { skipped, nextMs } = nextSlots(task, nominalMs - 1, wallNowMs);
  const own = skipped.find((s) => s.nominalMs === nominalMs);
  // The claimed slot is the first due one: the plan runs it (the first to run), skips it, or dropped it in bulk.
  if (own === undefined && nextMs === nominalMs) return { run: true };
  const ended = nextMs === null;
  return {
    run: false,
    reason: own?.reason ?? SKIP_REASONS.bulk,
    followUp: {
      taskUpdate: { nextExecutionMs: nextMs, status: ended ? 'completed' : 'pending', updatedAtMs: wallNowMs },
      skipped: skipped.filter((s) => s.nominalMs > nominalMs).map((s) => skipOf(task, s.nominalMs, s.reason, wallNowMs)),
      next: ended ? undefined : offerOf(task, nextMs, deadlinesMs),
    },
  };
}

function skipOf(task: LiveTask, nominalMs: number, reason: string, recordedAtMs: number): SkipRequest {
  return { taskId: task.record.id, scheduleVersion: task.record.scheduleVersion, nominalMs, reason, recordedAtMs };
}

/** The first slot of each task, as offers (what registration materialises); a task with no slot left has none. */
export function firstOffers(records: readonly TaskRecord[], cronCache: Map<string, CronSchedule>, deadlinesMs: ReadonlyMap<PriorityName, number>): OfferRequest[] {
  const offers: OfferRequest[] = [];
  for (const record of records) {
    const task = new LiveTask(record, cronCache);
    const nextMs = record.scheduleKind === 'fixed-delay' ? record.nextExecutionMs : firstSlotAfter(task, task.lastSlotMs);
    if (nextMs !== null) offers.push(offerOf(task, nextMs, deadlinesMs));
  }
  return offers;
}
