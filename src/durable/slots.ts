// The nominal slots of a durable task: when each run is due by its schedule,
// on the wall clock (ms since the epoch, whole numbers: a slot's nominal time
// is part of its identity in the store, see SlotKey).
//
// Each kind answers one question, "the first slot strictly after afterMs":
// - once: its one slot (atMs), if later;
// - fixed-rate: the grid nextExecutionMs + k * periodMs, so the cadence is
//   kept across restarts (the stored next slot is the grid's anchor); with a
//   calendar period, the calendar grid anchored on atMs (CalendarSchedule);
// - fixed-delay: the stored next slot only: the slot after it depends on when
//   its run ends, which the runner knows (nextFixedDelaySlot);
// - cron: the expression's next instant (CronSchedule, DST policy included).
// Every kind keeps to its window: no slot before startAtMs, none after
// endAtMs (then the schedule has none left, and the task completes).
// None reads a clock: the caller passes the times.
import type { CalendarSchedule } from '../time/calendar.js';
import type { CronSchedule } from '../time/cron.js';
import type { TaskRecord } from '../store/records.js';

/** The schedule fields of a task, plus its parsed cron expression or calendar interval. */
export interface SlotSource {
  readonly record: Pick<TaskRecord, 'scheduleKind' | 'atMs' | 'periodMs' | 'nextExecutionMs'> & Partial<Pick<TaskRecord, 'startAtMs' | 'endAtMs'>>;
  readonly cron: CronSchedule | undefined;
  readonly calendar?: CalendarSchedule | undefined;
}

/** The first slot strictly after `afterMs`, or null when the schedule has none left. */
export function firstSlotAfter(source: SlotSource, afterMs: number): number | null {
  const { startAtMs, endAtMs } = source.record;
  const next = scheduleSlotAfter(source, startAtMs == null ? afterMs : Math.max(afterMs, startAtMs - 1));
  return next === null || (endAtMs != null && next > endAtMs) ? null : next;
}

/** firstSlotAfter without the window. */
function scheduleSlotAfter({ record, cron, calendar }: SlotSource, afterMs: number): number | null {
  switch (record.scheduleKind) {
    case 'once':
      return record.atMs !== null && record.atMs > afterMs ? record.atMs : null;
    case 'fixed-delay': {
      const next = record.nextExecutionMs;
      return next !== null && next > afterMs ? next : null;
    }
    case 'fixed-rate': {
      // A calendar grid's anchor (atMs) is a slot only when it is the startAt (without one it is the registration time).
      if (calendar !== undefined) return calendar.nextRunAfter(record.startAtMs == null ? Math.max(afterMs, calendar.anchorMs) : afterMs);
      const anchor = record.nextExecutionMs;
      const period = record.periodMs;
      if (anchor === null || period === null) return null;
      if (anchor > afterMs) return anchor;
      const steps = Math.floor((afterMs - anchor) / period) + 1;
      return Math.round(anchor + steps * period);
    }
    case 'cron':
      return cron === undefined ? null : cron.nextRunAfter(afterMs);
  }
}

/**
 * How many slots lie in (afterMs, uptoMs] on a fixed-rate grid: counted, not
 * enumerated, so a task missed for a month at 1 ms costs nothing to count.
 */
export function fixedRateSlotsBetween(source: SlotSource, afterMs: number, uptoMs: number): number {
  const first = firstSlotAfter(source, afterMs);
  const period = source.record.periodMs;
  const lastMs = Math.min(uptoMs, source.record.endAtMs ?? uptoMs);
  if (first === null || period === null || source.calendar !== undefined || first > lastMs) return 0;
  return Math.floor((lastMs - first) / period) + 1;
}

/** A fixed-delay task's next slot: its delay after the run that just ended; null when that is after endAtMs (the task ends). */
export function nextFixedDelaySlot(periodMs: number, endedAtWallMs: number, endAtMs: number | null): number | null {
  const next = Math.round(endedAtWallMs + periodMs);
  return endAtMs !== null && next > endAtMs ? null : next;
}
