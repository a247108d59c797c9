// Seed 004's allow_past_events (default false): a one-off whose `at` is more
// than its task's grace window (`missed.graceMs`) in the past is refused with
// PastScheduleError, unless allowPast (the task's, else the scheduler's) is
// true: then it runs now, as a late slot. The grace window is the tolerance
// because it already says how late a run may be and still simply run, and it
// absorbs the few ms between building a Date and the call. `after` is never
// in the past (`after: 0` runs now). A task the store already has with the
// same `at` is a registration again (the start-up pattern), not refused.
//
// The same holds for a repeating task whose endAt leaves it no slot from now
// on (registered again after its last slot, as at every start): accepted for a
// task the store has with the same schedule, refused with
// InvalidScheduleWindowError otherwise.
import { InvalidScheduleWindowError } from '../errors.js';
import type { TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { PastScheduleError } from './errors.js';

/** How far a one-off's `at` lies in the past beyond its grace window (then the lateness in ms), or 0. */
export function refusedPastByMs(record: TaskRecord, wallNowMs: number): number {
  if (record.scheduleKind !== 'once' || record.delayMs !== null || record.atMs === null) return 0;
  const pastByMs = wallNowMs - record.atMs;
  return pastByMs > record.misfire.graceMs ? pastByMs : 0;
}

/** Throws PastScheduleError unless the store already has the task with this same `at` (a registration again). */
export async function checkPastSchedule(record: TaskRecord, pastByMs: number, path: string, store: Pick<Store, 'getTask'>): Promise<void> {
  const stored = await store.getTask(record.id);
  if (stored !== undefined && stored.scheduleKind === 'once' && stored.delayMs === null && stored.atMs === record.atMs) return;
  throw new PastScheduleError(path, record.id, record.atMs as number, pastByMs, record.misfire.graceMs);
}

/** A repeating task whose window has no slot left (see repeat-timing.ts): it must be one the store has. */
export function hasNoSlotLeft(record: TaskRecord): boolean {
  return record.scheduleKind !== 'once' && record.endAtMs !== null && record.nextExecutionMs === null;
}

/** Throws InvalidScheduleWindowError unless the store already has the task with this same schedule (a registration again). */
export async function checkNoSlotLeft(record: TaskRecord, path: string, store: Pick<Store, 'getTask'>): Promise<void> {
  const stored = await store.getTask(record.id);
  const same =
    stored !== undefined && stored.scheduleKind === record.scheduleKind && stored.periodMs === record.periodMs &&
    stored.calendarPeriod === record.calendarPeriod && stored.cronExpression === record.cronExpression && stored.timeZone === record.timeZone &&
    stored.startAtMs === record.startAtMs && stored.endAtMs === record.endAtMs;
  if (same) return;
  throw new InvalidScheduleWindowError(
    `${path}: no slot is left before endAt (${new Date(record.endAtMs as number).toISOString()}); a task the store has with this same schedule may be registered again, a new one may not`,
  );
}
