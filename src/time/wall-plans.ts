// every(), recurring() and cron() as wall-clock schedules: their options, and
// the plan of a task whose slots are instants on the wall clock (a cron
// expression, a calendar interval, or an interval or fixed delay with
// startAt/endAt): its schedule, the delay to its first slot, and its end. A
// plain every('5m') or recurring('5m') never comes here: it is a fixed-rate
// or fixed-delay task of the core (src/scheduler.ts).
import { InvalidArgumentError } from '../../bindings/errors.js';
import type { AdmitFn, SlotConstraints } from '../constraints/slot-constraints.js';
import { cronScheduleClass } from '../parts/cron.js';
import type { TaskOptions } from '../tasks/options.js';
import { CalendarSchedule } from './calendar.js';
import { type CalendarPeriod, resolveCalendarPeriod } from './calendar-period.js';
import type { CronDstOptions, CronSchedule } from './cron.js';
import { type Duration, requirePositive } from './duration.js';
import {
  FixedDelaySchedule, FixedGridSchedule, noSlotInWindow, resolveScheduleWindow, type ScheduleWindowOptions, type WallSchedule, WindowedSchedule,
} from './schedule-window.js';

export interface CronOptions extends TaskOptions, ScheduleWindowOptions {
  /** IANA time zone the expression is read in. @default 'UTC' */
  timezone?: string;
  /**
   * What runs when a clock change skips or repeats local times (see CronDstOptions).
   * @default { gap: 'run-at-first-valid', overlap: 'once' }
   * @example { timezone: 'Europe/London', dst: { overlap: 'both' } }
   */
  dst?: CronDstOptions;
  /**
   * Which runs may happen (working hours, blackouts, maxPerDay, an admit
   * function), judged when each starts: a refused one is skipped (a
   * `taskskip` event with the reason) or deferred (`inadmissible: 'defer'`).
   * Zone: `constraints.timezone`, else `timezone`.
   * @default every run happens
   * @example { workingHours: { from: '09:00', to: '17:00' }, timezone: 'Europe/Paris', maxPerDay: 4 }
   */
  constraints?: SlotConstraints<AdmitFn>;
}

/** Options of every(): a task's options, its start and end, and for a calendar interval its zone and DST policy. */
export interface EveryOptions extends TaskOptions, ScheduleWindowOptions {
  /**
   * The IANA time zone whose calendar a calendar interval (`{ days: 1 }`,
   * `{ weeks: 1 }`, `{ months: 1 }`) is read in. Refused with a duration
   * ('1d' is 24 h of elapsed time in every zone).
   * @default 'UTC'
   * @example scheduler.every({ days: 1 }, backup, { startAt: Date.parse('2026-03-01T09:00:00+01:00'), timezone: 'Europe/Paris' })
   */
  timezone?: string;
  /**
   * What a calendar interval runs when a clock change skips or repeats its
   * local time (as cron's, see CronDstOptions).
   * @default { gap: 'run-at-first-valid', overlap: 'once' }
   */
  dst?: CronDstOptions;
  /** As cron's: which runs may happen, judged when each starts (see CronOptions.constraints). @default every run happens */
  constraints?: SlotConstraints<AdmitFn>;
}

/**
 * Options of recurring(): a task's, its start and end, and constraints.
 * @example scheduler.recurring('10m', sync, { startAt: Date.parse('2026-12-14T08:00:00Z'), endAt: Date.parse('2026-12-18T18:00:00Z') })
 */
export interface RecurringOptions extends TaskOptions, ScheduleWindowOptions {
  /** As cron's: which runs may happen, judged when each starts (see CronOptions.constraints). @default every run happens */
  constraints?: SlotConstraints<AdmitFn>;
}

/** The wall-clock options every() and cron() read before planning (the task's own go to #register). */
export interface WallOptions {
  timezone: string | undefined;
  dst: CronDstOptions | undefined;
  startAt: Date | number | undefined;
  endAt: Date | number | undefined;
}

/** A wall-clock task's slots: its schedule, the delay from now to its first slot, and its end (null: none). */
export interface WallPlan {
  readonly schedule: WallSchedule;
  readonly delayMs: number;
  readonly endAtMs: number | null;
}

/** every() with a calendar interval, startAt or endAt. InvalidScheduleWindowError when the window leaves no slot. */
export function planEvery(periodMs: Duration | CalendarPeriod, calendar: boolean, options: WallOptions, wallNowMs: number): WallPlan {
  const { timezone, dst, startAt, endAt } = options;
  const window = resolveScheduleWindow('every: options', startAt, endAt, wallNowMs);
  const anchorMs = window.startAtMs ?? wallNowMs;
  const grid: WallSchedule = calendar
    ? new CalendarSchedule(resolveCalendarPeriod('periodMs', periodMs), anchorMs, { timezone, dst })
    : new FixedGridSchedule(anchorMs, requirePositive('periodMs', periodMs as Duration));
  const schedule = window.endAtMs === null ? grid : new WindowedSchedule(grid, window);
  // startAt is the first slot (a slot at now runs now); without it the anchor is now and the first slot one period on.
  const nextMs = schedule.nextRunAfter(window.startAtMs === null ? wallNowMs : wallNowMs - 1);
  if (nextMs === null) throw noSlotInWindow('every', schedule, window);
  return { schedule, delayMs: Math.max(0, nextMs - wallNowMs), endAtMs: window.endAtMs };
}

/** cron(): its expression read in options.timezone, none before startAt nor after endAt. */
export function planCron(expression: string, options: WallOptions, wallNowMs: number): WallPlan {
  const { timezone, dst, startAt, endAt } = options;
  const cron: CronSchedule = new (cronScheduleClass('cron'))(expression, { timezone, dst });
  const window = resolveScheduleWindow('cron: options', startAt, endAt, wallNowMs);
  const schedule = window.startAtMs === null && window.endAtMs === null ? cron : new WindowedSchedule(cron, window);
  const nextMs = schedule.nextRunAfter(wallNowMs);
  if (nextMs === null && schedule !== cron) throw noSlotInWindow('cron', schedule, window);
  if (nextMs === null) throw new InvalidArgumentError(`cron: '${expression}' has no future run`);
  return { schedule, delayMs: Math.max(0, nextMs - wallNowMs), endAtMs: window.endAtMs };
}

/**
 * recurring() with startAt or endAt: the first run at startAt (at once when
 * startAt is past; delayMs from now without it), then delayMs after each run
 * ends, none starting after endAt. InvalidScheduleWindowError when the first
 * run would already be after endAt.
 */
export function planRecurring(delayMs: number, options: Pick<WallOptions, 'startAt' | 'endAt'>, wallNowMs: number): WallPlan {
  const window = resolveScheduleWindow('recurring: options', options.startAt, options.endAt, wallNowMs);
  // The start is the delay's own (FixedDelaySchedule); the window adds only the end.
  const delay = new FixedDelaySchedule(delayMs, window.startAtMs);
  const schedule = window.endAtMs === null ? delay : new WindowedSchedule(delay, { startAtMs: null, endAtMs: window.endAtMs });
  const firstMs = window.startAtMs === null ? wallNowMs + delayMs : Math.max(window.startAtMs, wallNowMs);
  if (window.endAtMs !== null && firstMs > window.endAtMs) throw noSlotInWindow('recurring', schedule, window);
  return { schedule, delayMs: firstMs - wallNowMs, endAtMs: window.endAtMs };
}
