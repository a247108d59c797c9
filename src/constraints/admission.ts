// Judging slots by a task's constraints (slot-constraints.ts): whether an
// instant is admitted, and if not, why and when the constraint that refused
// it opens again. A deferral walks those reopening instants; nothing here
// loops without a bound (MAX_DEFER_STEPS, MAX_DEFER_HORIZON_MS), so a set of
// constraints that admits nothing is reported, never searched forever.
//
// Local time is read through ZoneOffsets (as cron is): working hours are wall
// clock times, so on a DST day the window keeps its local hours, and a local
// start the clock skips (02:30 on a spring-forward night) opens at the end
// of the gap. A local day runs from one local midnight to the next (23 or 25
// hours on DST days): the day `maxPerDay` counts runs in.
import { SlotConstraintsError } from '../errors.js';
import type { CronSchedule } from '../time/cron.js';
import { cronScheduleClass } from '../parts/cron.js';
import { DAY_MS, ZoneOffsets } from '../time/zone-offsets.js';
import type { ConstraintsRecord, HoursRecord } from './slot-constraints.js';

/** The most instants one deferral (or the registration check) tries. */
export const MAX_DEFER_STEPS = 1000;
/** How far ahead a deferral (or the registration check) looks. */
export const MAX_DEFER_HORIZON_MS = 400 * DAY_MS;
const MINUTE_MS = 60_000;
/** 1970-01-01, local day 0, was a Thursday. */
const EPOCH_WEEKDAY = 4;

// Declared with the other schedule errors in src/errors.ts (no croner there): the main entry exports it.
export { SlotConstraintsError };

/** The reasons a refused slot is recorded with (the admit hook's own reason is kept as it returned it). */
export const REFUSALS = Object.freeze({
  hours: 'outside working hours',
  cap: 'daily cap reached',
  hook: 'not admitted by admit()',
  blackout: (name: string) => `blackout: ${name}`,
});

export type Verdict =
  | { readonly admitted: true }
  /** `reopensAtMs`: the first instant the refusing constraint may admit, or null when it cannot say (the hook). */
  | { readonly admitted: false; readonly reason: string; readonly reopensAtMs: number | null };

const ADMITTED: Verdict = Object.freeze({ admitted: true });

/** What an admit hook returned, as a verdict (anything but true or a reason string refuses). */
export function hookVerdict(answer: unknown): Verdict {
  if (answer === true) return ADMITTED;
  if (typeof answer === 'string' && answer.length > 0) return { admitted: false, reason: answer, reopensAtMs: null };
  if (answer === false) return { admitted: false, reason: REFUSALS.hook, reopensAtMs: null };
  return { admitted: false, reason: `${REFUSALS.hook}: it returned ${typeof answer}, not true, false or a reason`, reopensAtMs: null };
}

/** The constraints of one task, compiled for judging instants. */
export class Admission {
  readonly record: ConstraintsRecord;
  readonly #zone: ZoneOffsets;
  readonly #cronBlackouts: Array<{ name: string; schedule: CronSchedule; durationMs: number }> = [];

  constructor(record: ConstraintsRecord) {
    this.record = record;
    this.#zone = new ZoneOffsets(record.timeZone);
    for (const b of record.blackouts) {
      if ('cron' in b) this.#cronBlackouts.push({ name: b.name, schedule: new (cronScheduleClass('a cron blackout'))(b.cron, { timezone: record.timeZone }), durationMs: b.durationMs });
    }
  }

  /** The local day of an instant (days since 1970-01-01 on the local calendar). */
  dayOf(atMs: number): number {
    return Math.floor(this.#zone.localAt(atMs) / DAY_MS);
  }

  /** The instant a local day begins: its midnight, or the end of a clock change that skips midnight. */
  dayStartMs(day: number): number {
    return this.#instantOf(day * DAY_MS);
  }

  #instantOf(localMs: number): number {
    const instants = this.#zone.instantsOf(localMs);
    return instants.kind === 'skipped' ? instants.gapEndMs : instants.firstMs;
  }

  /** Blackouts and working hours: what admits an instant whatever has run. */
  judgeCalendar(atMs: number): Verdict {
    for (const b of this.record.blackouts) {
      if ('fromMs' in b && b.fromMs <= atMs && atMs < b.toMs) return { admitted: false, reason: REFUSALS.blackout(b.name), reopensAtMs: b.toMs };
    }
    for (const { name, schedule, durationMs } of this.#cronBlackouts) {
      // A window [start, start + duration) holds atMs when it starts in (atMs - duration, atMs].
      const start = schedule.nextRunAfter(atMs - durationMs);
      if (start !== null && start <= atMs) return { admitted: false, reason: REFUSALS.blackout(name), reopensAtMs: start + durationMs };
    }
    const hours = this.record.workingHours;
    if (hours !== null && !this.#inHours(hours, atMs)) return { admitted: false, reason: REFUSALS.hours, reopensAtMs: this.#nextOpening(hours, atMs) };
    return ADMITTED;
  }

  /**
   * Every constraint: the calendar, then `maxPerDay` against `runsOnDay`
   * (the runs already admitted on the instant's local day), then the hook.
   */
  judge(atMs: number, runsOnDay: (day: number) => number, hook?: (atMs: number, runsToday: number) => unknown): Verdict {
    const calendar = this.judgeCalendar(atMs);
    if (!calendar.admitted) return calendar;
    const max = this.record.maxPerDay;
    const day = max !== null || hook !== undefined ? this.dayOf(atMs) : 0;
    const runsToday = max !== null || hook !== undefined ? runsOnDay(day) : 0;
    if (max !== null && runsToday >= max) return { admitted: false, reason: REFUSALS.cap, reopensAtMs: this.dayStartMs(day + 1) };
    if (hook === undefined) return ADMITTED;
    try {
      return hookVerdict(hook(atMs, runsToday));
    } catch (error) {
      return { admitted: false, reason: `${REFUSALS.hook}: it threw ${error instanceof Error ? error.message : String(error)}`, reopensAtMs: null };
    }
  }

  #inHours(hours: readonly HoursRecord[], atMs: number): boolean {
    const localMs = this.#zone.localAt(atMs);
    const day = Math.floor(localMs / DAY_MS);
    const weekday = (((day + EPOCH_WEEKDAY) % 7) + 7) % 7;
    const intoDayMs = localMs - day * DAY_MS;
    return hours.some((w) => w.days.includes(weekday) && w.fromMinute * MINUTE_MS <= intoDayMs && intoDayMs < w.toMinute * MINUTE_MS);
  }

  /** The first instant after atMs at which a window opens (a week and a day ahead at most: every window recurs weekly). */
  #nextOpening(hours: readonly HoursRecord[], atMs: number): number | null {
    const today = this.dayOf(atMs);
    for (let day = today; day <= today + 8; day++) {
      const weekday = (((day + EPOCH_WEEKDAY) % 7) + 7) % 7;
      let best: number | null = null;
      for (const w of hours) {
        if (!w.days.includes(weekday)) continue;
        const startMs = this.#instantOf(day * DAY_MS + w.fromMinute * MINUTE_MS);
        // A window the clock skips whole (inside a spring-forward gap) opens nowhere that day.
        if (startMs > atMs && this.#inHours(hours, startMs) && (best === null || startMs < best)) best = startMs;
      }
      if (best !== null) return best;
    }
    return null;
  }
}

export type Found = { readonly atMs: number } | { readonly atMs: null; readonly reason: string };

/**
 * The first instant at or after `fromMs` that `judge` admits. A refusal that
 * says when it reopens jumps there; one that cannot (the hook) tries the
 * schedule's next slot (`nextSlotAfter`). At most MAX_DEFER_STEPS instants,
 * within MAX_DEFER_HORIZON_MS; otherwise the last refusal, with why the
 * search stopped.
 */
export function findAdmissible(fromMs: number, judge: (atMs: number) => Verdict, nextSlotAfter: (afterMs: number) => number | null): Found {
  let atMs: number | null = fromMs;
  let reason = '';
  for (let step = 0; step < MAX_DEFER_STEPS; step++) {
    if (atMs === null) return { atMs: null, reason: `${reason}; the schedule has no later slot` };
    if (atMs - fromMs > MAX_DEFER_HORIZON_MS) return { atMs: null, reason: `${reason}; nothing admitted within ${MAX_DEFER_HORIZON_MS / DAY_MS} days` };
    const verdict = judge(atMs);
    if (verdict.admitted) return { atMs };
    reason = verdict.reason;
    atMs = verdict.reopensAtMs !== null && verdict.reopensAtMs > atMs ? verdict.reopensAtMs : nextSlotAfter(atMs);
  }
  return { atMs: null, reason: `${reason}; nothing admitted in ${MAX_DEFER_STEPS} tries` };
}

/**
 * Refuses (SlotConstraintsError) a registration whose calendar (hours and
 * blackouts) admits nothing it could run: with 'skip', no slot of the
 * schedule from `firstSlotMs` on; with 'defer', no instant at all.
 */
export function checkAdmitsSome(admission: Admission, path: string, firstSlotMs: number, nextSlotAfter: (afterMs: number) => number | null): void {
  const defer = admission.record.inadmissible === 'defer';
  const calendar = (atMs: number) => admission.judgeCalendar(atMs);
  // Skip: only slots run, so a refusal goes on at the first slot at or after its reopening.
  const slotsOnly = (atMs: number): Verdict => {
    const verdict = calendar(atMs);
    if (verdict.admitted) return verdict;
    return { ...verdict, reopensAtMs: nextSlotAfter(verdict.reopensAtMs === null ? atMs : verdict.reopensAtMs - 1) };
  };
  const found = findAdmissible(firstSlotMs, defer ? calendar : slotsOnly, defer ? () => null : nextSlotAfter);
  if (found.atMs === null) {
    throw new SlotConstraintsError(`${path} admit${defer ? 's no instant' : 's no slot of the schedule'}: ${found.reason}`);
  }
}
