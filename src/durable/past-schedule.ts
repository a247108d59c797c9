// Seed 004's allow_past_events (default false): a one-off whose `at` is more
// than its task's grace window (`missed.graceMs`) in the past is refused with
// PastScheduleError, unless allowPast (the task's, else the scheduler's) is
// true: then it runs now, as a late slot. The grace window is the tolerance
// because it already says how late a run may be and still simply run, and it
// absorbs the few ms between building a Date and the call. `after` is never
// in the past (`after: 0` runs now). A task the store already has with the
// same `at` is a registration again (the start-up pattern), not refused.
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
