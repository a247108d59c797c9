// The timing of a durable repeating task with a calendar interval, a start or
// an end (schedule({ every: { months: 1 }, timezone, startAt, endAt }), or
// recurring with startAt/endAt): the record fields it is stored as, and its
// first slot. The in-memory every(), recurring() and cron() follow the same
// rules (src/scheduler.ts, src/time/schedule-window.ts).
//
// As stored:
// - a calendar interval is scheduleKind 'fixed-rate' with calendarPeriod
//   ('P1M') instead of periodMs, its zone in timeZone (and DST policy in
//   dstGap/dstOverlap), its grid anchored on atMs: the startAt, or the
//   registration time. The anchor is not part of the timing a registration is
//   compared by (codec.ts timingChanged), so registering the same task again
//   at the next start keeps the grid it had;
// - startAtMs and endAtMs as given (whole ms), null when not. A fixed
//   duration with a startAt is anchored by its first slot (nextExecutionMs),
//   as every fixed-rate grid is. A fixed delay (recurring) has no grid: its
//   first slot is startAt (now when startAt is past), each next one a delay
//   after a run ends (slot-attempt.ts), none after endAt.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { CalendarSchedule } from '../time/calendar.js';
import { calendarPeriodText, isCalendarPeriod, resolveCalendarPeriod } from '../time/calendar-period.js';
import type { CronDstOptions, CronSchedule } from '../time/cron.js';
import { FixedGridSchedule, noSlotInWindow, resolveScheduleWindow, type ScheduleWindow, type WallSchedule, WindowedSchedule } from '../time/schedule-window.js';

/** The fields of a repeating task's timing that this file decides. */
export interface RepeatTiming {
  readonly periodMs: number | null;
  readonly calendarPeriod: string | null;
  /** A calendar interval's anchor. */
  readonly atMs: number | null;
  readonly startAtMs: number | null;
  readonly endAtMs: number | null;
  /**
   * The first slot; null when none is left before endAt, which only a task
   * the store already has with this schedule may be (registered again after
   * its last slot): the scheduler checks the store (past-schedule.ts).
   */
  readonly nextExecutionMs: number | null;
}

/** Refuses startAt and endAt where they mean nothing (one-offs), and `at` beside `every`, `recurring` or `cron`. */
export function checkWindowKeys(o: Record<string, unknown>, path: string): void {
  const repeating = o.every !== undefined || o.recurring !== undefined || o.cron !== undefined;
  if (o.at !== undefined && repeating) {
    throw new InvalidArgumentError(`${path}.at runs a task once; to start a repeating task at an instant, give it startAt (with every, recurring or cron)`);
  }
  for (const key of ['startAt', 'endAt'] as const) {
    if (o[key] !== undefined && !repeating) throw new InvalidArgumentError(`${path}.${key} applies only to every, recurring and cron`);
  }
}

/** The window of a registration (startAt, endAt), checked; a past endAt is left to the store check (past-schedule.ts). */
export function windowOf(o: Record<string, unknown>, path: string, wallNowMs: number): ScheduleWindow {
  return resolveScheduleWindow(path, o.startAt, o.endAt, wallNowMs, true);
}

/** True when `every` is a calendar interval ({ months: 1 }) rather than a duration. */
export function isCalendarEvery(every: unknown): boolean {
  return isCalendarPeriod(every);
}

/**
 * A fixed-rate task's timing: a calendar interval (`every` an object), or a
 * duration `periodMs` with a window. The first slot is startAt (or the grid's
 * first slot from now, for a past one), else one period from now.
 */
export function everyTiming(
  o: Record<string, unknown>, path: string, wallNowMs: number, window: ScheduleWindow, periodMs: number | null,
): RepeatTiming {
  let grid: WallSchedule;
  let calendarPeriod: string | null = null;
  let atMs: number | null = null;
  if (periodMs === null) {
    const period = resolveCalendarPeriod(`${path}.every`, o.every);
    atMs = window.startAtMs ?? Math.round(wallNowMs);
    grid = new CalendarSchedule(period, atMs, { timezone: o.timezone as string | undefined, dst: o.dst as CronDstOptions | undefined });
    calendarPeriod = calendarPeriodText(period);
  } else {
    if (o.timezone !== undefined || o.dst !== undefined) {
      throw new InvalidArgumentError(
        `${path}.timezone and ${path}.dst apply only to cron and to a calendar interval such as every: { days: 1 }; the duration ${describeValue(o.every)} is a fixed length of elapsed time`,
      );
    }
    grid = new FixedGridSchedule(window.startAtMs ?? Math.round(wallNowMs), periodMs);
  }
  const schedule = window.endAtMs === null ? grid : new WindowedSchedule(grid, window);
  // startAt is the first slot (one at now runs now); without it, the anchor (now) is not a slot: the first is one period on.
  const nextMs = schedule.nextRunAfter(window.startAtMs === null ? Math.round(wallNowMs) : wallNowMs - 1);
  if (nextMs === null) noSlotLeft(path, schedule, window);
  return { periodMs, calendarPeriod, atMs, startAtMs: window.startAtMs, endAtMs: window.endAtMs, nextExecutionMs: nextMs };
}

/**
 * A fixed-delay task's timing: its first slot is startAt (now when startAt
 * is past), else one delay from now; null when that is after endAt (see
 * RepeatTiming.nextExecutionMs: only a task the store has may be so).
 */
export function recurringTiming(wallNowMs: number, window: ScheduleWindow, periodMs: number): RepeatTiming {
  const firstMs = window.startAtMs === null ? Math.round(wallNowMs + periodMs) : Math.max(window.startAtMs, Math.round(wallNowMs));
  const nextMs = window.endAtMs !== null && firstMs > window.endAtMs ? null : firstMs;
  return { periodMs, calendarPeriod: null, atMs: null, startAtMs: window.startAtMs, endAtMs: window.endAtMs, nextExecutionMs: nextMs };
}

/** A cron task's first slot within its window (null: none left before endAt, see RepeatTiming.nextExecutionMs). */
export function cronFirstSlot(cron: CronSchedule, path: string, wallNowMs: number, window: ScheduleWindow): number | null {
  const schedule = window.startAtMs === null && window.endAtMs === null ? cron : new WindowedSchedule(cron, window);
  const nextMs = schedule.nextRunAfter(wallNowMs);
  if (nextMs === null && schedule !== cron) noSlotLeft(path, schedule, window);
  if (nextMs === null && schedule === cron) throw new InvalidArgumentError(`${path}.cron: '${cron.expression}' has no future run`);
  return nextMs;
}

/**
 * No slot is left from now to endAt. Refused at once when the window never
 * had one between its startAt and its end; otherwise the task may be one the
 * store has, registered again after its last slot: left to that check
 * (past-schedule.ts), as is a window that began at the first registration
 * (no startAt), which only the store knows.
 */
function noSlotLeft(path: string, schedule: WallSchedule, window: ScheduleWindow): void {
  if (window.startAtMs === null || schedule.nextRunAfter(window.startAtMs - 1) !== null) return;
  throw noSlotInWindow(path, schedule, window);
}
