// Slot constraints (working hours, blackouts, maxPerDay, an admit hook) in
// cluster mode: judged by the process that claimed a scheduled slot's first
// attempt, at the claim, by the one-owner rules (admit-slots.ts): the slot
// runs, is skipped with the refusal's reason, or (inadmissible: 'defer') is
// skipped as deferred and the task's next row is offered at the next
// admissible instant. No process keeps a gate between claims: any of them
// may claim the task's next slot, so each judgement builds its gate afresh.
//
// maxPerDay counts the cluster's runs, not this process's: today's scheduled
// runs are read from the executions (loadDayRuns), where every process's
// claims are. The task's slots never overlap (one open scheduled row per
// task, and a row of a task with a row held is not claimed), so the count a
// claim reads is every run before it; the claimed slot's own record (running)
// is in that history and is taken out.
import type { AdmitFn } from '../../constraints/slot-constraints.js';
import type { SkipRequest, Store } from '../../store/store.js';
import type { PriorityName } from '../../tasks/priorities.js';
import { admitDueSlots, gateOf, loadDayRuns } from '../admit-slots.js';
import type { LiveTask } from '../live-task.js';
import { nextSlots, offerOf, type SlotFollowUp } from './next-slots.js';

export type ClaimAdmission = { run: true } | { run: false; reason: string; followUp: SlotFollowUp };

/** Judges a claimed scheduled slot (first attempt) by its task's constraints, at `nowMs` (the store's clock). */
export async function admitAtClaim(
  task: LiveTask, nominalMs: number, nowMs: number, store: Store, hook: AdmitFn | undefined, deadlinesMs: ReadonlyMap<PriorityName, number>,
): Promise<ClaimAdmission> {
  const gate = gateOf(task.record.constraints);
  if (gate === undefined) return { run: true };
  if (!gate.loaded) {
    await loadDayRuns(store, task.record.id, gate, nowMs);
    // This slot's own record (running) was counted if it falls on today.
    const today = gate.admission.dayOf(nowMs);
    if (gate.admission.dayOf(nominalMs) === today) gate.runsByDay.set(today, Math.max(0, (gate.runsByDay.get(today) ?? 0) - 1));
  }
  const decisions = admitDueSlots(task, gate, [nominalMs], [], nowMs, hook);
  const own = decisions.find((d) => d.nominalMs === nominalMs);
  if (own?.start === 'claim') return { run: true };
  const reason = own?.start === 'skip' ? own.reason : 'not admitted';
  const deferredTo = decisions.find((d) => d.start === 'claim');
  if (deferredTo !== undefined) {
    return {
      run: false, reason,
      followUp: { taskUpdate: { nextExecutionMs: deferredTo.nominalMs, status: 'pending', updatedAtMs: nowMs }, skipped: [], next: offerOf(task, deferredTo.nominalMs, deadlinesMs) },
    };
  }
  // Skipped: the task goes on from its next slot (missed ones by its policy); that one is judged at its own claim.
  const { skipped, nextMs } = nextSlots(task, nominalMs, nowMs);
  const ended = nextMs === null;
  const skips: SkipRequest[] = skipped.map((s) => ({ taskId: task.record.id, scheduleVersion: task.record.scheduleVersion, nominalMs: s.nominalMs, reason: s.reason, recordedAtMs: nowMs }));
  return {
    run: false, reason,
    followUp: {
      taskUpdate: { nextExecutionMs: nextMs, status: ended ? 'completed' : 'pending', updatedAtMs: nowMs },
      skipped: skips,
      next: ended ? undefined : offerOf(task, nextMs, deadlinesMs),
    },
  };
}
