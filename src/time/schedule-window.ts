// Start and end of a repeating schedule (startAt, endAt), for interval and
// cron tasks alike, in memory and durable.
//
// - startAt: an interval task's first slot, its grid anchored on it (so a
//   past startAt sets the grid, and the first slot is the grid's first one
//   from now); a cron task has no slot before it.
// - endAt: no slot after it; once the schedule has none left the task ends,
//   as after its last run of maxRuns / maxExecutions.
// Both are wall-clock instants (a Date or ms since the epoch), kept as whole
// ms: a durable slot's nominal time is part of its identity.
//
// recurring() (a fixed delay after each run) takes both too: its first run
// is at startAt (at once if startAt is past), and no run starts after endAt.
//
// A schedule here is anything that answers "the first slot strictly after
// this wall-clock instant": CronSchedule, CalendarSchedule, and the three below.
import { describeValue } from '../../bindings/errors.js';
import { dateMs } from './duration.js';
import { InvalidScheduleWindowError } from '../errors.js';

/** A schedule of wall-clock slots, asked only for its next one. */
export interface WallSchedule {
  /** 'cron' for a cron expression; 'interval' for a grid of every(). */
  readonly kind: 'cron' | 'interval';
  /** How describe() names it (a cron expression, a calendar interval...). */
  readonly expression: string;
  /** The first slot strictly after `wallMs`, or null when there is none. */
  nextRunAfter(wallMs: number): number | null;
}

export interface ScheduleWindowOptions {
  /**
   * The first slot (an interval's grid is anchored on it; a cron task has no
   * run before it): a Date or ms since the epoch. In the past it still
   * anchors the grid, and the first run is the grid's next slot; a fixed
   * delay (recurring) has no grid, and runs at once. A runNow() before it
   * runs at once, and the next scheduled run is still not before it.
   * @default one period from now (interval), the expression's next instant (cron), one delay from now (recurring)
   * @example { startAt: new Date('2026-12-13T00:00:00Z') } // the weekly run starts next Sunday at midnight
   */
  startAt?: Date | number;
  /**
   * No slot after this instant: the task ends after its last slot at or before
   * it (as after maxRuns). At or after startAt, and in the future.
   * @default no end
   * @example { endAt: Date.parse('2027-01-01T00:00:00Z') }
   */
  endAt?: Date | number;
}

/** A window as validated: whole ms since the epoch, or null when not set. */
export interface ScheduleWindow {
  readonly startAtMs: number | null;
  readonly endAtMs: number | null;
}

export const NO_WINDOW: ScheduleWindow = Object.freeze({ startAtMs: null, endAtMs: null });

/**
 * startAt and endAt checked: each a valid date (InvalidArgumentError),
 * endAt not before startAt (InvalidScheduleWindowError), nor in the past
 * unless `pastEndAllowed` (a durable task registered again after its end:
 * the store decides, see src/durable/past-schedule.ts). `path` names the
 * options in messages ('every: options', 'schedule: options').
 */
export function resolveScheduleWindow(path: string, startAt: unknown, endAt: unknown, wallNowMs: number, pastEndAllowed = false): ScheduleWindow {
  if (startAt === undefined && endAt === undefined) return NO_WINDOW;
  const startAtMs = startAt === undefined ? null : Math.round(dateMs(`${path}.startAt`, startAt, wallNowMs));
  const endAtMs = endAt === undefined ? null : Math.round(dateMs(`${path}.endAt`, endAt, wallNowMs));
  if (startAtMs !== null && endAtMs !== null && endAtMs < startAtMs) {
    throw new InvalidScheduleWindowError(
      `${path}.endAt must not be before startAt, received endAt ${describeValue(endAt)} before startAt ${describeValue(startAt)}`,
    );
  }
  if (endAtMs !== null && endAtMs < wallNowMs && !pastEndAllowed) {
    throw new InvalidScheduleWindowError(`${path}.endAt is in the past (${new Date(endAtMs).toISOString()}): the task would never run`);
  }
  return Object.freeze({ startAtMs, endAtMs });
}

/** The error for a window that leaves a schedule no slot. */
export function noSlotInWindow(path: string, schedule: WallSchedule, window: ScheduleWindow): InvalidScheduleWindowError {
  const iso = (ms: number | null) => (ms === null ? 'none' : new Date(ms).toISOString());
  return new InvalidScheduleWindowError(
    `${path}: ${schedule.expression} has no slot between startAt (${iso(window.startAtMs)}) and endAt (${iso(window.endAtMs)})`,
  );
}

/** A fixed-rate grid anchored on an instant: anchorMs + k * periodMs, k >= 0. */
export class FixedGridSchedule implements WallSchedule {
  readonly kind = 'interval';
  readonly expression: string;

  constructor(
    readonly anchorMs: number,
    readonly periodMs: number,
  ) {
    this.expression = `every ${periodMs} ms from ${new Date(anchorMs).toISOString()}`;
  }

  nextRunAfter(wallMs: number): number | null {
    if (wallMs < this.anchorMs) return this.anchorMs;
    return Math.round(this.anchorMs + (Math.floor((wallMs - this.anchorMs) / this.periodMs) + 1) * this.periodMs);
  }
}

/**
 * recurring()'s fixed delay as a wall schedule: the next run delayMs after
 * the instant it is asked from, which the run loop passes as the end of the
 * run (settlement.ts), so windowed it ends the task at endAt. Not before
 * startAtMs: a run made before it (runNow()) leaves the next one at startAt.
 * It keeps its own startAt because a window's (WindowedSchedule) asks a grid
 * for its first slot from startAt - 1, which for a delay would be a delay late.
 */
export class FixedDelaySchedule implements WallSchedule {
  readonly kind = 'interval';
  readonly expression: string;

  constructor(
    readonly delayMs: number,
    readonly startAtMs: number | null = null,
  ) {
    this.expression = `${delayMs} ms after each run${startAtMs === null ? '' : `, from ${new Date(startAtMs).toISOString()}`}`;
  }

  nextRunAfter(wallMs: number): number {
    const next = wallMs + this.delayMs;
    return this.startAtMs === null || next >= this.startAtMs ? next : this.startAtMs;
  }
}

/** `inner` with no slot before window.startAtMs nor after window.endAtMs. */
export class WindowedSchedule implements WallSchedule {
  readonly kind: WallSchedule['kind'];
  readonly expression: string;

  constructor(
    readonly inner: WallSchedule,
    readonly window: ScheduleWindow,
  ) {
    const { startAtMs, endAtMs } = window;
    this.kind = inner.kind;
    this.expression = `${inner.expression}${startAtMs === null ? '' : `, from ${new Date(startAtMs).toISOString()}`}${endAtMs === null ? '' : `, until ${new Date(endAtMs).toISOString()}`}`;
  }

  nextRunAfter(wallMs: number): number | null {
    const { startAtMs, endAtMs } = this.window;
    const next = this.inner.nextRunAfter(startAtMs === null ? wallMs : Math.max(wallMs, startAtMs - 1));
    return next === null || (endAtMs !== null && next > endAtMs) ? null : next;
  }
}
