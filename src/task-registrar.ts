// How a Scheduler registers a task on its engine, past run()'s fast path:
// the checks every registering method shares (fn is a function, the
// scheduler still accepts work), the task's options resolved once, the core
// task made, and the handle that tracks it; and slot constraints, which wrap
// a task's function (constrained-task.ts) and are made at the first task that
// has some, as a part of their own (src/parts/load.ts: with the package in
// Node, on demand in a browser).
//
// Separate from scheduler.ts, the facade, which validates each method's own
// arguments and hands the task here; this is also the Registrar that every(),
// recurring() and cron() past their plain forms go through (repeating-tasks.ts).
import * as L from '../bindings/layout.generated.js';
import type { ConstrainedTasks } from './constraints/constrained-task.js';
import type { Engine, TaskFn } from './engine/engine.js';
import { part } from './parts/load.js';
import type { Registrar } from './repeating-tasks.js';
import { resolveTaskOptions, type TaskOptions } from './tasks/options.js';
import { requireFunction } from './tasks/task-context.js';
import type { TaskHandle } from './tasks/task-handle.js';
import type { WallSchedule } from './time/schedule-window.js';

export class TaskRegistrar implements Registrar {
  readonly #engine: Engine;
  /** Made at the first task with constraints. */
  #constrained: ConstrainedTasks | undefined;

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  register<R>(
    operation: string, fn: TaskFn<R>, options: TaskOptions | undefined, kind: number, delayMs: number, periodMs: number, cron?: WallSchedule,
    endsByItself = false,
  ): TaskHandle<R> {
    // The name is built only for the error: this runs for every task.
    if (typeof fn !== 'function') requireFunction(`${operation}: fn`, fn);
    this.#engine.assertAccepting(operation);
    const resolved = resolveTaskOptions(options);
    const engine = this.#engine;
    const id = engine.register(fn as TaskFn, resolved, kind, delayMs, periodMs, cron);
    // A periodic or cron task without maxRuns or endAt never ends by itself (onIdle does not wait for it).
    return engine.track(id, (kind !== L.KIND_ONCE || cron !== undefined) && resolved.maxRuns === 0 && !endsByItself).handle<R>(id);
  }

  /** `fn` judged by slot constraints at each run (constrained-task.ts), or fn itself without them. */
  constrain<R, S>(
    operation: string, fn: TaskFn<R, S>, constraints: unknown, timezone: string | undefined, nextSlotAfter: (afterMs: number) => number | null,
    endAtMs: number | null = null,
  ): TaskFn<R, S> {
    if (constraints === undefined) return fn;
    if (typeof fn !== 'function') requireFunction(`${operation}: fn`, fn);
    this.#constrained ??= new (part('constraints', `${operation}: options.constraints`).ConstrainedTasks)(this.#engine);
    return this.#constrained.constrain(`${operation}: options.constraints`, fn, constraints, timezone, nextSlotAfter, endAtMs);
  }

  wallNowMs(): number {
    return this.#engine.clock.wallNow();
  }

  /** The slot constraints made so far (describe() reads why a constrained task waits), if any task had some. */
  get constrained(): ConstrainedTasks | undefined {
    return this.#constrained;
  }
}
