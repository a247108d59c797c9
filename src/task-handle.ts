// TaskHandle: what registration returns. A thin view (the engine and an id):
// the scheduler keeps no handle object per task, so a million queued tasks
// cost no handle objects unless the caller keeps them.
import type { Engine } from './engine/engine.js';
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

export class TaskHandle<Result = unknown> {
  readonly #engine: Engine;
  /** The task's id: stable for its whole life, never reused for another task. */
  readonly id: number;

  constructor(engine: Engine, id: number) {
    this.#engine = engine;
    this.id = id;
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
   * with its error (after the last retry) or with the cancellation reason.
   * Created on first read; read it while the task is alive (TaskEndedError after).
   */
  get done(): Promise<Result> {
    return this.#engine.controls.done(this.id) as Promise<Result>;
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
