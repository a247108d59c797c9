// TaskHandle: what registration returns. A thin view (the engine and an id)
// that also keeps how its task ended, in one field (engine/task-outcome.ts),
// so that `done` can be read at any time. The engine holds each live task's
// handle for that (48 bytes per pending task); `done`'s promise is made only
// when read.
import type { Engine } from './engine/engine.js';
import { endedPromise, type OutcomeSink, Settled } from './engine/task-outcome.js';
import { type Priority, type PriorityName, priorityClass, priorityName } from './priorities.js';
import type { TaskState } from '../bindings/core.js';

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

export class TaskHandle<Result = unknown> implements OutcomeSink {
  readonly #engine: Engine;
  /** The task's id: stable for its whole life, never reused for another task. */
  readonly id: number;
  /** How the task ended (see engine/task-outcome.ts); undefined while it lives. */
  #outcome: unknown = undefined;

  /** @internal Made by the Scheduler at registration. */
  constructor(engine: Engine, id: number) {
    this.#engine = engine;
    this.id = id;
  }

  /** @internal The engine tells the handle how its task ended. */
  recordEnd(outcome: unknown): void {
    this.#outcome = outcome;
  }

  /** The task's name (TaskEndedError once it has ended). */
  get name(): string {
    this.#engine.controls.liveState(this.id, 'name');
    return this.#engine.nameOf(this.id);
  }

  /** Cancels the task: it will not run again; a running async run's signal is aborted; `done` rejects. */
  cancel(): void {
    this.#engine.controls.cancel(this.id);
  }

  /** Stops the task from being picked until resume() (a running run finishes first). */
  pause(): void {
    this.#engine.controls.pause(this.id);
  }

  resume(): void {
    this.#engine.controls.resume(this.id);
  }

  /** Makes the pending run ready now (a fixed-rate task keeps its cadence). */
  runNow(): void {
    this.#engine.controls.runNow(this.id);
  }

  setPriority(priority: Priority): void {
    this.#engine.controls.setPriority(this.id, priorityClass('priority', priority));
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
    const outcome = this.#outcome;
    if (outcome instanceof Settled) return outcome.promise as Promise<Result>;
    // Alive: the engine settles the promise when the task ends.
    if (this.#engine.isLive(this.id)) return this.#engine.controls.done(this.id) as Promise<Result>;
    const promise = endedPromise(outcome, this.id);
    this.#outcome = new Settled(promise);
    return promise as Promise<Result>;
  }

  /** Live statistics from the core's counters. */
  stats(): TaskStats {
    this.#engine.controls.liveState(this.id, 'stats');
    const snap = this.#engine.core.snapshot(this.id);
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
