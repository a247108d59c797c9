// How much of its grace a flagged task has used: the watchdog terminates a
// thread whose task ignores an escalating flag (urgent, cancel, timeout) for
// graceMs, and graceMs must mean time the task could have used to notice.
//
// Wall time is the wrong measure. On a loaded machine a thread can wait tens or
// hundreds of milliseconds for a CPU; a cooperative task that checks
// shouldYield() every millisecond of its own running would be killed for the
// scheduler's delay, not its own. CPU time alone is wrong too: a thread blocked
// in Atomics.wait, or a task awaiting a promise that never settles, uses no CPU
// and would never run out of grace. So the grace counts the thread's
// opportunity, per watchdog tick, from the thread's clocks (thread-clock.ts):
//   it ran (runnable now, or its CPU time moved): its CPU time over the tick.
//     It may have waited for a CPU meanwhile; only its running counts.
//   it slept the whole tick (blocked now, no CPU time): the tick's wall time
//     less its wait for a CPU, beyond an allowance. A thread can sleep through
//     no doing of its own: its task's garbage collection waits for helper
//     threads, an internal mutex waits for its holder, and on a loaded machine
//     those are descheduled too. So one stretch of sleep is charged only past
//     max(10 ms, 4 x the thread's mean wait for a CPU per time slice): what a
//     blocked task (Atomics.wait, an await that never settles) sleeps past
//     that, in one stretch, is its own doing. The stretch ends when it runs.
// Each charge is clamped to [0, the tick's wall time]; the kernel updates a
// running thread's CPU time at its ticks, so a reading undercounts by at most
// one, in the task's favour. Without the thread's clocks (not Linux), a tick
// is charged its wall time but at most maxStepMs (two watchdog periods): when
// the main thread's own timer fires late the machine is overloaded, and that
// lateness is not charged to the task.
//
// The grace starts when the watchdog first sees the flag (at most a tick after
// it was set) and belongs to one flag on one task: a new flag, or another task
// on the seat, starts it again.
import type { ThreadSample } from './thread-clock.js';

/** The least sleep a thread may do in one stretch, ms, before it is charged for it. */
const SLEEP_ALLOWANCE_FLOOR_MS = 10;
/** Sleep allowed in one stretch, in mean waits for a CPU per time slice. */
const SLEEP_ALLOWANCE_WAITS = 4;

/** One seat's grace in progress. */
interface Running {
  handle: number;
  flagAtMs: number;
  usedMs: number;
  lastWallMs: number;
  last: ThreadSample | undefined;
  /** The current stretch of sleep, ms, and how much of it was charged. */
  sleptMs: number;
  sleepChargedMs: number;
}

/** The sleep a thread may do in one stretch before it is charged for it (see the header). */
export function sleepAllowanceMs(sample: ThreadSample): number {
  const meanWaitMs = sample.slices > 0 ? sample.waitMs / sample.slices : 0;
  return Math.max(SLEEP_ALLOWANCE_FLOOR_MS, SLEEP_ALLOWANCE_WAITS * meanWaitMs);
}

/**
 * Charges one tick of `wallMs` to a grace in progress: adds to `r.usedMs` the
 * opportunity the thread had (see the header), and keeps the stretch of sleep.
 */
export function chargeTick(r: Pick<Running, 'usedMs' | 'sleptMs' | 'sleepChargedMs'>, wallMs: number, before: ThreadSample | undefined, after: ThreadSample | undefined, maxStepMs: number): void {
  if (before === undefined || after === undefined) {
    r.usedMs += Math.min(wallMs, maxStepMs);
    return;
  }
  const cpuMs = after.cpuMs - before.cpuMs;
  if (after.runnable || cpuMs > 0) {
    r.usedMs += Math.min(Math.max(cpuMs, 0), wallMs);
    r.sleptMs = 0;
    r.sleepChargedMs = 0;
    return;
  }
  r.sleptMs += Math.min(Math.max(wallMs - (after.waitMs - before.waitMs), 0), wallMs);
  const charged = Math.max(0, r.sleptMs - sleepAllowanceMs(after));
  r.usedMs += charged - r.sleepChargedMs;
  r.sleepChargedMs = charged;
}

export class GraceMeter {
  readonly #graceMs: number;
  readonly #maxStepMs: number;
  readonly #seats = new Map<number, Running>();

  constructor(graceMs: number, maxStepMs: number) {
    this.#graceMs = graceMs;
    this.#maxStepMs = maxStepMs;
  }

  /**
   * The watchdog looks at `seat`, whose task `handle` holds an escalating flag
   * set at `flagAtMs`; `sample` is its thread's clocks now, if known. True once
   * the task has had graceMs of opportunity to notice the flag.
   */
  spent(seat: number, handle: number, flagAtMs: number, nowMs: number, sample: ThreadSample | undefined): boolean {
    const r = this.#seats.get(seat);
    if (r === undefined || r.handle !== handle || r.flagAtMs !== flagAtMs) {
      this.#seats.set(seat, { handle, flagAtMs, usedMs: 0, lastWallMs: nowMs, last: sample, sleptMs: 0, sleepChargedMs: 0 });
      return false;
    }
    chargeTick(r, Math.max(0, nowMs - r.lastWallMs), r.last, sample, this.#maxStepMs);
    r.lastWallMs = nowMs;
    r.last = sample;
    return r.usedMs >= this.#graceMs;
  }

  /** The grace used so far on `seat`, ms (0 when none is running). */
  usedMs(seat: number): number {
    return this.#seats.get(seat)?.usedMs ?? 0;
  }

  /** The seat's flag was cleared, or its thread is gone. */
  forget(seat: number): void {
    this.#seats.delete(seat);
  }
}
