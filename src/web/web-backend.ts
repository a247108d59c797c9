// The engine a WebScheduler runs its tasks on, made without the Scheduler
// facade: a WebScheduler registers only one-shot tasks (run now, or after a
// delay) at a priority, so `timeslice/web` leaves out of its bundle what only
// the facade uses: repeating tasks, the durable side's hooks, and load() with
// the parts it imports on demand, whose shared chunks split the rest of the
// code into eight files (first load, gzip: 23.8 -> 19.0 KB, in two files;
// test/dist/size.test.ts). The tasks are registered as the facade's run()
// and after() register them.
import * as L from '../../bindings/layout.generated.js';
import type { Engine, TaskFn } from '../engine/engine.js';
import { newEngine } from '../engine/new-engine.js';
import { SchedulerEvents } from '../events.js';
import { resolveTaskOptions, type TaskOptions } from '../tasks/options.js';
import { type ResolvedSchedulerOptions, resolveSchedulerOptions, type SchedulerOptions } from '../tasks/scheduler-options.js';
import type { TaskContext } from '../tasks/task-context.js';
import type { TaskHandle } from '../tasks/task-handle.js';

/** The options a WebScheduler's engine is made with, resolved (no tracer among them). */
export function resolveBackendOptions(options: SchedulerOptions): ResolvedSchedulerOptions {
  return resolveSchedulerOptions(options, () => undefined);
}

export class WebBackend {
  readonly #engine: Engine;

  /** Started: a WebScheduler makes its backend on first use. */
  constructor(options: ResolvedSchedulerOptions) {
    this.#engine = newEngine(options, new SchedulerEvents());
    this.#engine.start();
  }

  /** As Scheduler.run(). */
  run(fn: (ctx: TaskContext) => unknown, options: TaskOptions): TaskHandle {
    const engine = this.#engine;
    engine.assertAccepting('run');
    const id = engine.registerReady(fn as TaskFn, resolveTaskOptions(options));
    return engine.track(id, false).handle(id);
  }

  /** As Scheduler.after(), with delayMs a number of ms already checked. */
  after(delayMs: number, fn: (ctx: TaskContext) => unknown, options: TaskOptions): TaskHandle {
    const engine = this.#engine;
    engine.assertAccepting('after');
    const id = engine.register(fn as TaskFn, resolveTaskOptions(options), L.KIND_ONCE, delayMs, 0);
    return engine.track(id, false).handle(id);
  }

  pause(): void {
    this.#engine.pause();
  }

  resume(): void {
    this.#engine.resume();
  }
}
