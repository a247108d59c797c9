// Slot constraints on in-memory recurring tasks (every, recurring, cron): the
// task's function is wrapped, so each run is judged when it starts, at the
// wall clock's now, by the same rules as durable slots (admission.ts).
// - A refused run ends at once without calling fn, and is reported as a
//   `taskskip` event with its reason (memory keeps no history to record it
//   in). It still counts as a run of the task (maxRuns, stats).
// - With 'defer', the run sleeps (ctx.sleep: holding no concurrency slot)
//   until the next admissible instant, then calls fn. A fixed-rate task's
//   ticks that pass meanwhile are skipped as after any overrun; a cron task's
//   next run is its first slot after the deferred one ends.
// The hook is the function itself: an in-memory task lives no longer than it.
import type { Clock } from '../time/clock.js';
import type { TaskFn } from '../engine/engine.js';
import type { SchedulerEvents } from '../events.js';
import { priorityName } from '../tasks/priorities.js';
import type { TaskContext } from '../tasks/task-context.js';
import { Admission, checkAdmitsSome, findAdmissible, type Verdict } from './admission.js';
import { type AdmitFn, type ConstraintsRecord, resolveConstraints } from './slot-constraints.js';

/** What of the engine a constrained task needs: the clocks, the events, a task's name and priority (for its skip event). */
export interface ConstrainHost {
  readonly clock: Clock;
  readonly events: SchedulerEvents;
  readonly core: { snapshot(id: number): { priorityClass: number } };
  nameOf(id: number): string;
}

/** The constrained in-memory tasks of one scheduler, and why each deferred one waits (describe()). */
export class ConstrainedTasks {
  readonly #host: ConstrainHost;
  readonly #notes = new Map<number, string>();

  constructor(host: ConstrainHost) {
    this.#host = host;
  }

  /** Why task `id` waits, when its run was deferred by its constraints. */
  noteOf(id: number): string | undefined {
    return this.#notes.get(id);
  }

  /**
   * `fn` judged by the `constraints` option at each run. Throws
   * InvalidArgumentError (its shape), UnknownTimeZoneError, and
   * SlotConstraintsError when its hours and blackouts admit no run of the
   * schedule (`nextSlotAfter`).
   */
  constrain<R, S>(
    path: string, fn: TaskFn<R, S>, constraints: unknown, timezone: string | undefined, nextSlotAfter: (afterMs: number) => number | null,
    endAtMs: number | null = null,
  ): TaskFn<R, S> {
    const record = resolveConstraints(constraints, path, timezone ?? null, 'function') as ConstraintsRecord;
    const first = nextSlotAfter(this.#host.clock.wallNow());
    if (first !== null) checkAdmitsSome(new Admission(record), path, first, nextSlotAfter);
    return this.wrap(fn, record, (constraints as { admit?: AdmitFn }).admit, nextSlotAfter, endAtMs) as TaskFn<R, S>;
  }

  /**
   * `fn`, judged by `record` (and `hook`) at each run; `nextSlotAfter` is where
   * a deferral goes after a hook's refusal; none goes past `endAtMs` (the
   * task's endAt: the run is skipped instead).
   */
  wrap<R, S>(
    fn: TaskFn<R, S>, record: ConstraintsRecord, hook: AdmitFn | undefined, nextSlotAfter: (afterMs: number) => number | null,
    endAtMs: number | null = null,
  ): TaskFn<R | undefined, S> {
    const admission = new Admission(record);
    const runsByDay = new Map<number, number>();
    const runsOnDay = (day: number) => runsByDay.get(day) ?? 0;
    const count = (atMs: number) => {
      const day = admission.dayOf(atMs);
      runsByDay.set(day, runsOnDay(day) + 1);
      for (const key of runsByDay.keys()) if (key < day - 1) runsByDay.delete(key);
    };
    const host = this.#host;
    return (ctx: TaskContext<S>) => {
      const nowMs = Math.round(host.clock.wallNow());
      const judge = (atMs: number): Verdict =>
        admission.judge(atMs, runsOnDay, hook === undefined ? undefined : (at, runsToday) => hook({ taskId: ctx.handle, nominalMs: nowMs, atMs: at, runsToday }));
      const verdict = judge(nowMs);
      if (verdict.admitted) {
        count(nowMs);
        return fn(ctx);
      }
      if (record.inadmissible === 'skip') return this.#skip(ctx, verdict.reason);
      const found = findAdmissible(nowMs, judge, nextSlotAfter);
      if (found.atMs === null) return this.#skip(ctx, `not deferred: ${found.reason}`);
      const untilMs = found.atMs;
      if (endAtMs !== null && untilMs > endAtMs) {
        return this.#skip(ctx, `not deferred: the next admissible instant (${new Date(untilMs).toISOString()}) is after endAt: ${verdict.reason}`);
      }
      count(untilMs);
      this.#notes.set(ctx.handle, `deferred to ${new Date(untilMs).toISOString()}: ${verdict.reason}`);
      return ctx
        .sleep(untilMs - nowMs)
        .finally(() => this.#notes.delete(ctx.handle))
        .then(() => fn(ctx));
    };
  }

  #skip(ctx: TaskContext<unknown>, reason: string): undefined {
    const { events, clock } = this.#host;
    if (events.wants('taskskip')) {
      const { core, nameOf } = this.#host;
      const priority = priorityName(core.snapshot(ctx.handle).priorityClass);
      events.emit('taskskip', { id: ctx.handle, name: nameOf.call(this.#host, ctx.handle), priority, attempt: ctx.attempt, atMs: clock.now(), count: 1, reason });
    }
    return undefined;
  }
}
