// The engine's JavaScript side of the task table: what the core cannot hold
// (functions, option objects, promises), indexed by the core's slot.
//
// What must be cheap: a pending one-shot task. It costs one entry in `fns`
// and one in `books` (the OutcomeBook its handle finds its outcome in, one
// per 64 registrations: see task-outcome.ts) and nothing else: `opts` holds only options that are not
// a shared preset (and those of every periodic task), `extras` only tasks
// that need more (saved state, a retry attempt, a `done` promise read while
// it lives, a cron schedule, a run in flight, a count of runs for maxRuns).
// The arrays are plain fields because the run loop reads them on every task;
// nothing outside src/engine/ touches them.
import * as L from '../../bindings/layout.generated.js';
import type { Clock, TimerId } from '../time/clock.js';
import type { WallSchedule } from '../time/schedule-window.js';
import { DEFAULT_TASK_OPTIONS, type ResolvedTaskOptions } from '../tasks/options.js';
import type { RunState, TaskContext } from '../tasks/task-context.js';
import { CANCELLED, Failed, type OutcomeBook, Settled } from './task-outcome.js';

/**
 * A task's body. `State` is the type of what it saves (`ctx.saveState()`) and
 * resumes from (`ctx.state`): annotate the context, `(ctx: TaskContext<number>) => ...`.
 * Written as a method's type: method parameters are bivariant, so a body for
 * TaskContext<number> is accepted where the engine keeps TaskContext<unknown> ones.
 */
export type TaskFn<Result = unknown, State = unknown> = { body(ctx: TaskContext<State>): Result | PromiseLike<Result> }['body'];

const SLOT_MASK = 2 ** L.HANDLE_SLOT_BITS - 1;

/**
 * The slot of a handle (generation * 2^24 + slot, an integer below 2^53): its
 * low 24 bits. `&` keeps the low 32 bits of such an integer exactly, and is a
 * single instruction where `%` on a double is a call.
 */
export function slotOf(handle: number): number {
  return handle & SLOT_MASK;
}

interface Deferred {
  promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Per-task state beyond function and options, created only when needed. */
export interface Extras {
  attempt: number;
  state: unknown;
  /** Runs that have ended (succeeded, or failed after their last attempt): what maxRuns counts. */
  runsEnded: number;
  done: Deferred | undefined;
  /** A task on wall-clock slots (cron, calendar interval, startAt/endAt): its schedule, asked for the next slot after each run. */
  cron: WallSchedule | undefined;
  /** The run in progress (async, or parked in a yield). */
  run: RunState | undefined;
  /** A parked ctx.yield() continuation, resumed when the core pops the task again. */
  resume: (() => void) | undefined;
  timeoutTimer: TimerId | undefined;
  pauseAfterRun: boolean;
  /** The quantum its turn used before the turn was held across the host's (turns.ts); -1 when not held. */
  heldUsedMs: number;
  /** Asleep in ctx.sleep() until this clock time, holding no concurrency slot (flights.ts); -1 when awake. */
  sleepUntilMs: number;
  detachSignal: (() => void) | undefined;
}

export class TaskSlots {
  readonly fns: Array<TaskFn | undefined> = [];
  /** Options, except for one-shot tasks with a shared preset: the fast path knows those by absence. */
  readonly opts: Array<ResolvedTaskOptions | undefined> = [];
  readonly extras = new Map<number, Extras>();
  /** The outcome book of each task registered through the Scheduler (durable slots have none). */
  readonly books: Array<OutcomeBook | undefined> = [];
  /** Tasks with a book that end by themselves: one-shot, or with maxRuns (what onIdle waits for). */
  finiteLive = 0;
  /** Slots of tasks with a book that never end by themselves (periodic or cron without maxRuns). */
  readonly #unbounded = new Set<number>();
  /** Tasks cancelled so far: a run loop compares it across a run to learn whether the run was cancelled. */
  cancels = 0;
  readonly #clock: Clock;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** A preset's fields other than its class are the same for every class; the class is the core's. */
  optionsOf(slot: number): ResolvedTaskOptions {
    return this.opts[slot] ?? DEFAULT_TASK_OPTIONS;
  }

  extrasOf(slot: number): Extras | undefined {
    return this.extras.size === 0 ? undefined : this.extras.get(slot);
  }

  extrasFor(slot: number): Extras {
    let ex = this.extras.get(slot);
    if (ex === undefined) {
      ex = {
        attempt: 1, state: undefined, runsEnded: 0, done: undefined, cron: undefined, run: undefined,
        resume: undefined, timeoutTimer: undefined, pauseAfterRun: false, heldUsedMs: -1, sleepUntilMs: -1,
        detachSignal: undefined,
      };
      this.extras.set(slot, ex);
    }
    return ex;
  }

  /** The task's `done` promise, made on first request. */
  doneOf(slot: number): Promise<unknown> {
    const ex = this.extrasFor(slot);
    if (ex.done === undefined) {
      let resolve!: (value: unknown) => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<unknown>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A rejection nobody awaited must not crash the process: `done` is optional.
      promise.catch(() => {});
      ex.done = { promise, resolve, reject };
    }
    return ex.done.promise;
  }

  /** The task's name: its `name` option, else its function's name, else task-<id>. */
  nameOf(handle: number): string {
    const slot = slotOf(handle);
    return this.opts[slot]?.name ?? (this.fns[slot]?.name || `task-${handle}`);
  }

  /** The name failures are counted under: the task's own name, or one for every task that has none. */
  reportGroupOf(handle: number): string {
    const slot = slotOf(handle);
    return this.opts[slot]?.name ?? (this.fns[slot]?.name || '(anonymous)');
  }

  /** A task given a book (engine.track) never ends by itself: onIdle does not count it. */
  trackUnbounded(slot: number): void {
    this.#unbounded.add(slot);
  }

  /** The task's book, taken out of the table (undefined for a durable slot). */
  #untrack(slot: number): OutcomeBook | undefined {
    const book = this.books[slot];
    if (book === undefined) return undefined;
    this.books[slot] = undefined;
    if (this.#unbounded.size === 0 || !this.#unbounded.delete(slot)) this.finiteLive--;
    return book;
  }

  /** One-shot task `id` of the fast path returned `value`: it has ended, with nothing else to drop. */
  endReturned(id: number, value: unknown): void {
    const slot = slotOf(id);
    this.fns[slot] = undefined;
    const book = this.#untrack(slot);
    if (value !== undefined && book !== undefined) book.record(id, value);
  }

  /**
   * Task `id` is gone from the core: drop its JS state, settle `done` if it
   * was read, and record in its book how it ended (valueOrError may be
   * task-outcome's CANCELLED: an error nobody has asked for yet).
   */
  end(id: number, ok: boolean, valueOrError: unknown): void {
    const slot = slotOf(id);
    this.fns[slot] = undefined;
    // Only where set: a write past its end would grow `opts` to every slot a task ever ended in.
    if (this.opts[slot] !== undefined) this.opts[slot] = undefined;
    const book = this.#untrack(slot);
    const ex = this.extrasOf(slot);
    if (ex !== undefined) {
      this.extras.delete(slot);
      ex.detachSignal?.();
      if (ex.timeoutTimer !== undefined) this.#clock.clearTimer(ex.timeoutTimer);
      if (ex.done !== undefined) {
        if (ok) ex.done.resolve(valueOrError);
        else ex.done.reject(valueOrError);
        book?.record(id, new Settled(ex.done.promise));
        return;
      }
    }
    if (book === undefined) return;
    if (!ok) book.record(id, valueOrError === CANCELLED ? CANCELLED : new Failed(valueOrError));
    else if (valueOrError !== undefined) book.record(id, valueOrError);
  }

  /**
   * Gives back the arrays' memory (a million slots kept 16 MB of them): only
   * when no task lives, with the core renewed (core-renewal.ts).
   */
  shrink(): void {
    this.fns.length = 0;
    this.opts.length = 0;
    this.books.length = 0;
  }

  /** Slots that hold a task, in slot order. */
  *liveSlots(): Generator<number> {
    for (let slot = 0; slot < this.fns.length; slot++) if (this.fns[slot] !== undefined) yield slot;
  }
}
