// TaskHandle: what registration returns. A thin view (the engine and an id)
// that also keeps how its task ended, so that `done` can be read at any
// time. The engine holds each live task's handle for that; `done`'s promise
// is made only when read.
//
// Two fields, as small as a handle can be (40 bytes): every pending task's
// handle is kept alive by the engine, so its size is paid per task. The
// first field is the engine while the task lives, and stays so when it ends
// returning undefined (the core then says it has ended); any other end
// (a value, an error, a cancellation, a `done` read while it lived) replaces
// it with an Ended (engine/task-outcome.ts).
import type { Engine } from './engine/engine.js';
import { Ended, type OutcomeSink } from './engine/task-outcome.js';
import { TaskEndedError } from './scheduler-errors.js';
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

/**
 * The engine, for an operation on a live task; TaskEndedError once it ended
 * with an outcome kept on the handle. A function, not a private method: a
 * class with private methods gives each instance a brand slot (8 bytes more
 * per pending task).
 */
function live(ref: Engine | Ended, id: number, operation: string): Engine {
  if (ref instanceof Ended) throw new TaskEndedError(`${operation}: task ${id} has ended`);
  return ref;
}

export class TaskHandle<Result = unknown> implements OutcomeSink {
  /** The engine, or how the task ended (see the header). */
  #ref: Engine | Ended;
  /** The task's id: stable for its whole life, never reused for another task. */
  readonly id: number;

  /** @internal Made by the Scheduler at registration. */
  constructor(engine: Engine, id: number) {
    this.#ref = engine;
    this.id = id;
  }

  /** @internal The engine tells the handle how its task ended. */
  recordEnd(outcome: unknown): void {
    this.#ref = new Ended(outcome);
  }

  /** The task's name (TaskEndedError once it has ended). */
  get name(): string {
    const engine = live(this.#ref, this.id, 'name');
    engine.controls.liveState(this.id, 'name');
    return engine.nameOf(this.id);
  }

  /** Cancels the task: it will not run again; a running async run's signal is aborted; `done` rejects. */
  cancel(): void {
    live(this.#ref, this.id, 'cancel').controls.cancel(this.id);
  }

  /** Stops the task from being picked until resume() (a running run finishes first). */
  pause(): void {
    live(this.#ref, this.id, 'pause').controls.pause(this.id);
  }

  resume(): void {
    live(this.#ref, this.id, 'resume').controls.resume(this.id);
  }

  /** Makes the pending run ready now (a fixed-rate task keeps its cadence). */
  runNow(): void {
    live(this.#ref, this.id, 'runNow').controls.runNow(this.id);
  }

  setPriority(priority: Priority): void {
    live(this.#ref, this.id, 'setPriority').controls.setPriority(this.id, priorityClass('priority', priority));
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
    const ref = this.#ref;
    if (!(ref instanceof Ended)) {
      // Alive: the engine settles the promise when the task ends.
      if (ref.isLive(this.id)) return ref.controls.done(this.id) as Promise<Result>;
      // Ended returning undefined: nothing was kept, nothing needed.
      const ended = new Ended(undefined);
      this.#ref = ended;
      return ended.promiseFor(this.id) as Promise<Result>;
    }
    return ref.promiseFor(this.id) as Promise<Result>;
  }

  /** Live statistics from the core's counters. */
  stats(): TaskStats {
    const engine = live(this.#ref, this.id, 'stats');
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
