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
// opportunity: the time it was either running or blocked by its own doing, and
// not the time it was runnable but waiting for a CPU. Per watchdog tick, from
// the thread's clocks (thread-clock.ts):
//   runnable now      used += its CPU time over the tick
//                     (it may have waited for a CPU; only its running counts)
//   blocked now       used += wall time over the tick - its runqueue wait
//                     (its sleep counts, its waiting for a CPU does not; a
//                     sleeping thread's counters are up to date)
// each clamped to [0, the tick's wall time]. Both undercount by at most a
// kernel tick, in the task's favour. Without the thread's clocks (not Linux),
// a tick adds its wall time but at most maxStepMs (two watchdog periods): when
// the main thread's own timer fires late the machine is overloaded, and that
// lateness is not charged to the task.
//
// The grace starts when the watchdog first sees the flag (at most a tick after
// it was set) and belongs to one flag on one task: a new flag, or another task
// on the seat, starts it again.
import type { ThreadSample } from './thread-clock.js';

/** One seat's grace in progress. */
interface Running {
  handle: number;
  flagAtMs: number;
  usedMs: number;
  lastWallMs: number;
  last: ThreadSample | undefined;
}

/** The opportunity (ms) a thread had over one tick of `wallMs`: see the header. */
export function opportunityMs(wallMs: number, before: ThreadSample | undefined, after: ThreadSample | undefined, maxStepMs: number): number {
  if (before === undefined || after === undefined) return Math.min(wallMs, maxStepMs);
  const ms = after.runnable ? after.cpuMs - before.cpuMs : wallMs - (after.waitMs - before.waitMs);
  return Math.min(Math.max(ms, 0), wallMs);
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
      this.#seats.set(seat, { handle, flagAtMs, usedMs: 0, lastWallMs: nowMs, last: sample });
      return false;
    }
    r.usedMs += opportunityMs(Math.max(0, nowMs - r.lastWallMs), r.last, sample, this.#maxStepMs);
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
