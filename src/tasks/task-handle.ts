// TaskHandle: what registration returns. A thin view: the task's id and the
// outcome book (engine/task-outcome.ts) that the engine records how the task
// ended in, so that `done` can be read at any time. The engine does not keep
// handles (it keeps books, one per 64 registrations), so a handle the caller
// drops costs the collector almost nothing; `done`'s promise is made only
// when read.
//
// Two fields (40 bytes); no private method (its brand slot would cost 8
// bytes per handle).
//
// No handle holds a heap number, whatever its id. An id is generation *
// 2^24 + slot and a slot's generation grows each time it is freed, so on a
// long-lived Scheduler (request timeouts set and cancelled all day) a slot
// reused 64 times hands out ids of 2^30 or more, past V8's small-integer
// range with pointer compression (2^31 without). A field holding such an id
// kept a heap number per handle, and at 1e5 timers with one delay a burst no
// longer fit the young generation: after() + cancel() cost 3-5x the CPU of a
// fresh Scheduler's (bench/README.md, the long-lived Scheduler). So a handle
// keeps a key: the id itself when small, else ~index of the id in its book
// (task-outcome.ts LargeIdBook: 8 bytes a task outside the collected heap),
// and `id` is a getter. The constructor stays two plain stores and the book
// picks the key: the books of a Scheduler whose generations are young make
// every handle with the id as its key, so dispatch and a fresh Scheduler's
// timers never test an id.
import type { LargeIdBook, OutcomeBook } from '../engine/task-outcome.js';
import { type Priority, type PriorityName, priorityClass, priorityName } from './priorities.js';
import type { TaskState } from '../../bindings/core.js';

export interface TaskStats {
  id: number;
  name: string;
  state: TaskState;
  priority: PriorityName;
  /** Runs started (retries and resumed interruptions included). */
  runs: number;
  failures: number;
  /** Times the task was interrupted (preempted) and requeued. */
  interruptions: number;
  overruns: number;
  missedTicks: number;
  runtimeMs: number;
  maxRuntimeMs: number;
  waitMs: number;
  /** Clock time (monotonic ms) the last run started, or null. */
  lastRunMs: number | null;
  /** Clock time the next run is due, or null if not waiting on a timer. */
  nextRunMs: number | null;
}

export class TaskHandle<Result = unknown> {
  /** Where the engine records how the task ended; it knows the engine. */
  readonly #book: OutcomeBook;
  /** The id when below SMALL_ID_LIMIT, else ~index of it in the book's large ids (see the header). */
  readonly #key: number;

  /** @internal Made by an OutcomeBook (handle(), handleOf()): `key` is the book's. */
  constructor(book: OutcomeBook, key: number) {
    this.#book = book;
    this.#key = key;
  }

  /** The task's id: stable for its whole life, never reused for another task. */
  get id(): number {
    const key = this.#key;
    return key >= 0 ? key : (this.#book as LargeIdBook).idAt(~key);
  }

  /** The task's name (TaskEndedError once it has ended). */
  get name(): string {
    const engine = this.#book.engine;
    engine.controls.liveState(this.id, 'name');
    return engine.nameOf(this.id);
  }

  /**
   * Cancels the task: it will not run again; a running async run's signal is
   * aborted; `done` rejects. True if this call cancelled it; false, and nothing
   * happens, if it had already ended (ran, failed or was cancelled), as
   * clearTimeout() ignores a timer that fired: `finally { timeout.cancel(); }` is safe.
   */
  cancel(): boolean {
    return this.#book.engine.controls.cancel(this.id);
  }

  /** Stops the task from being picked until resume() (a running run finishes first). */
  pause(): void {
    this.#book.engine.controls.pause(this.id);
  }

  resume(): void {
    this.#book.engine.controls.resume(this.id);
  }

  /** Makes the pending run ready now (a fixed-rate task keeps its cadence). */
  runNow(): void {
    this.#book.engine.controls.runNow(this.id);
  }

  setPriority(priority: Priority): void {
    this.#book.engine.controls.setPriority(this.id, priorityClass('priority', priority));
  }

  /**
   * Settles when the task ends: resolves with the last run's result, rejects
   * with its error (after the last retry) or with the cancellation reason
   * (a TaskCancelledError unless the cancelling signal gave an Error).
   * Read it at any time, before or after the end: the promise is made on
   * first read, and the same one is returned after.
   * @example const result = await scheduler.run(() => compute()).done;
   */
  get done(): Promise<Result> {
    const engine = this.#book.engine;
    // Alive: the engine settles the promise when the task ends.
    if (engine.isLive(this.id)) return engine.controls.done(this.id) as Promise<Result>;
    return this.#book.endedOf(this.id).promiseFor(this.id) as Promise<Result>;
  }

  /** Live statistics from the core's counters. */
  stats(): TaskStats {
    const engine = this.#book.engine;
    engine.controls.liveState(this.id, 'stats');
    const snap = engine.core.snapshot(this.id);
    return {
      id: this.id,
      name: this.name,
      state: snap.state,
      priority: priorityName(snap.priorityClass),
      runs: snap.runs,
      failures: snap.failures,
      interruptions: snap.preemptions,
      overruns: snap.overruns,
      missedTicks: snap.missedTicks,
      runtimeMs: snap.runtimeMs,
      maxRuntimeMs: snap.maxRuntimeMs,
      waitMs: snap.waitMs,
      lastRunMs: snap.runs > 0 ? snap.lastStartMs : null,
      nextRunMs: snap.state === 'waiting' ? snap.dueMs : null,
    };
  }
}
