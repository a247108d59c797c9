// Manual runs' slots (`scheduler.runNow(id)`): how a slot key says it is one.
import type { SlotKey } from './records.js';

/**
 * The schedule version of a manual run (`scheduler.runNow(id)`): a slot
 * outside every schedule. Schedules are numbered from 1, so a manual slot's
 * key (task, 0, nominalMs) never meets a scheduled slot's, and the store
 * tells one apart by it: a manual slot is claimed whatever the task's
 * schedule version and high-water mark, and never moves that mark (C4 is a
 * rule of the schedule's slots), while UNIQUE(task, slot) still allows one
 * record per manual slot (C2). Its nominalMs is when the run was asked for.
 */
export const MANUAL_SCHEDULE_VERSION = 0;

/** Whether a slot (or an execution record) is a manual run, not a slot of the task's schedule. */
export function isManualSlot(slot: Pick<SlotKey, 'scheduleVersion'>): boolean {
  return slot.scheduleVersion === MANUAL_SCHEDULE_VERSION;
}
