// every(), recurring() and cron() past their plain forms: reading their
// options, then registering either a periodic task of the core (an interval
// or a fixed delay, constraints or not) or a one-shot task that follows a
// wall-clock plan (a calendar interval, a window, a cron expression: the
// calendar part, src/parts/load.ts). The plain forms, every('5m', fn) and
// recurring('5m', fn), stay in the Scheduler (src/scheduler.ts) and never
// come here; neither does anything on the dispatch path.
import * as L from '../bindings/layout.generated.js';
import { describeValue, InvalidArgumentError, mustBe } from '../bindings/errors.js';
import type { TaskFn } from './engine/engine.js';
import { cronScheduleClass, part } from './parts/load.js';
import { CRON_OPTION_KEYS, RECURRING_OPTION_KEYS, type TaskOptions } from './tasks/options.js';
import { readOptions } from './tasks/read-options.js';
import type { TaskHandle } from './tasks/task-handle.js';
import type { CalendarPeriod } from './time/calendar-period.js';
import { type Duration, isCalendarPeriod, requirePositive } from './time/duration.js';
import type { WallSchedule } from './time/schedule-window.js';
import type { CronOptions, EveryOptions, RecurringOptions } from './time/wall-plans.js';

/** What a Scheduler lends these functions: its registration, its slot constraints and its wall clock. */
export interface Registrar {
  register<R>(
    operation: string, fn: TaskFn<R>, options: TaskOptions | undefined, kind: number, delayMs: number, periodMs: number, cron?: WallSchedule,
    endsByItself?: boolean,
  ): TaskHandle<R>;
  /** `fn` judged by slot constraints at each run, or fn itself without them. */
  constrain<R, S>(
    operation: string, fn: TaskFn<R, S>, constraints: unknown, timezone: string | undefined, nextSlotAfter: (afterMs: number) => number | null,
    endAtMs?: number | null,
  ): TaskFn<R, S>;
  wallNowMs(): number;
}

/** every() with options or a calendar interval (see Scheduler.every). */
export function registerEvery<R, S>(r: Registrar, periodMs: Duration | CalendarPeriod, fn: TaskFn<R, S>, options: EveryOptions | undefined): TaskHandle<R> {
  if (typeof options !== 'object' && options !== undefined) {
    throw mustBe('every: options', 'an options object', options);
  }
  const { timezone, dst, startAt, endAt, constraints, ...taskOptions } = readOptions(options ?? {}, 'options', CRON_OPTION_KEYS, ['dst', 'retry', 'constraints']) as EveryOptions;
  const calendar = isCalendarPeriod(periodMs);
  if (!calendar && (timezone !== undefined || dst !== undefined)) {
    throw new InvalidArgumentError(
      `every: options.timezone and options.dst apply only to a calendar interval such as { days: 1 }; the duration ${describeValue(periodMs)} is a fixed length of elapsed time`,
    );
  }
  if (!calendar && startAt === undefined && endAt === undefined) {
    const period = requirePositive('periodMs', periodMs);
    const run = r.constrain('every', fn, constraints, undefined, (afterMs) => afterMs + period);
    return r.register('every', run as TaskFn<R>, taskOptions, L.KIND_FIXED_RATE, period, period);
  }
  // The calendar part (src/parts/load.ts): calendar intervals, zones and windows, with the package in Node, on demand in a browser.
  const { schedule, delayMs, endAtMs } = part('calendar', 'every').planEvery(periodMs, calendar, { timezone, dst, startAt, endAt }, r.wallNowMs());
  const run = r.constrain('every', fn, constraints, timezone, (afterMs) => schedule.nextRunAfter(afterMs), endAtMs);
  return r.register('every', run as TaskFn<R>, taskOptions, L.KIND_ONCE, delayMs, 0, schedule, endAtMs !== null);
}

/** recurring() with constraints or a window (see Scheduler.recurring); `delayMs` already checked. */
export function registerRecurring<R, S>(r: Registrar, delayMs: number, fn: TaskFn<R, S>, options: RecurringOptions): TaskHandle<R> {
  const { constraints, startAt, endAt, ...taskOptions } = readOptions(options, 'options', RECURRING_OPTION_KEYS, ['retry', 'constraints']) as RecurringOptions;
  if (startAt === undefined && endAt === undefined) {
    const run = r.constrain('recurring', fn, constraints, undefined, (afterMs) => afterMs + delayMs);
    return r.register('recurring', run as TaskFn<R>, taskOptions, L.KIND_FIXED_DELAY, delayMs, delayMs);
  }
  // A window: a wall-clock plan of the calendar part (src/parts/load.ts), the delay counted from each run's end.
  const { schedule, delayMs: firstDelayMs, endAtMs } = part('calendar', 'recurring').planRecurring(delayMs, { startAt, endAt }, r.wallNowMs());
  const run = r.constrain('recurring', fn, constraints, undefined, (afterMs) => afterMs + delayMs, endAtMs);
  return r.register('recurring', run as TaskFn<R>, taskOptions, L.KIND_ONCE, firstDelayMs, 0, schedule, endAtMs !== null);
}

/** cron() (see Scheduler.cron). */
export function registerCron<R, S>(r: Registrar, expression: string, fn: TaskFn<R, S>, options: CronOptions): TaskHandle<R> {
  if (typeof options !== 'object' || options === null) {
    throw mustBe('cron: options', 'an options object', options);
  }
  const { timezone, dst, startAt, endAt, constraints, ...taskOptions } = readOptions(options, 'options', CRON_OPTION_KEYS, ['dst', 'retry', 'constraints']) as CronOptions;
  // Cron support first, for its NotLoadedError; load({ cron: true }) brings the calendar part with it.
  cronScheduleClass('cron');
  const { schedule, delayMs, endAtMs } = part('calendar', 'cron').planCron(expression, { timezone, dst, startAt, endAt }, r.wallNowMs());
  const run = r.constrain('cron', fn, constraints, timezone, (afterMs) => schedule.nextRunAfter(afterMs), endAtMs);
  return r.register('cron', run as TaskFn<R>, taskOptions, L.KIND_ONCE, delayMs, 0, schedule, endAtMs !== null);
}
