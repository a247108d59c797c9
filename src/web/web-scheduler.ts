// The Prioritized Task Scheduling API's `scheduler` (postTask, yield) on a
// timeslice Scheduler under the 'priority' policy: strict classes, FIFO
// within a class (the core's sequence tie-break).
//
// Queues. The spec keeps, per priority, a continuation queue (scheduler.yield()
// continuations) ranked above that priority's task queue and below the next
// higher priority. The core has five classes for those six queues, so:
//
//   class 0 critical    user-blocking continuations
//   class 1 high        user-blocking tasks
//   class 2 normal      user-visible continuations
//   class 3 low         user-visible tasks
//   class 4 background  background tasks and continuations
//
// Background continuations share their tasks' class; ctx.yield() keeps the
// task's sequence number, so they still go ahead of background tasks queued
// after their task was.
//
// One task per host macrotask. Browsers run each task (and each continuation)
// as a task of the event loop, so what a task settles (its promise's
// reactions) runs before the next one starts. The engine runs several tasks
// in one slice, so while a task's code runs the engine is paused ("held"),
// and resumed from a microtask queued after that code: its loop then returns
// at once, and resume() continues it in a new host macrotask.
//
// Continuations. A yield() made while a task's code runs (its callback, or a
// continuation of it) continues that task: the task's engine run is kept in
// flight, moved to its continuation class and requeued with ctx.yield(). When
// the engine resumes it, the yield's promise resolves inside a held "window",
// so the continuation's synchronous part runs before anything else (the
// engine would otherwise go on in the very next microtask, and our promise,
// which can also reject on abort, settles one microtask after the engine's).
// "The task whose code runs" is tracked here (#current): during the callback,
// during each window, and during the reactions to a yield rejected by an
// abort. The engine's currentContext() is not enough: it is cleared before a
// continuation's code runs, for the reason above.
//
// A yield() made elsewhere (top level, after a task awaited something else,
// or two promise reactions or more after a continuation) is a new user-visible
// continuation: the spec inherits the task's priority and signal across those
// awaits, which would need AsyncContext.
import type { PriorityName } from '../tasks/priorities.js';
import { resolveBackendOptions, WebBackend } from './web-backend.js';
import type { Clock } from '../time/clock.js';
import type { TaskContext } from '../tasks/task-context.js';
import type { TaskHandle } from '../tasks/task-handle.js';
import { type PostTaskRequest, readPostTaskArguments, type SchedulerPostTaskOptions } from './post-task.js';
import { onPriorityChange } from './task-signal.js';
import type { TaskPriority } from './webidl.js';
import { InvalidArgumentError, mustBe } from '../../bindings/errors.js';
import { coreLoaded, loadCore } from '../../bindings/load.js';

const TASK_CLASS: Readonly<Record<TaskPriority, PriorityName>> = Object.freeze({
  'user-blocking': 'high',
  'user-visible': 'low',
  background: 'background',
});

const CONTINUATION_CLASS: Readonly<Record<TaskPriority, PriorityName>> = Object.freeze({
  'user-blocking': 'critical',
  'user-visible': 'normal',
  background: 'background',
});

export interface WebSchedulerOptions {
  /**
   * Where time comes from (delays, host yields).
   * @default the real clock
   * @example createWebScheduler({ clock: new VirtualClock() }) // VirtualClock from timeslice/testing
   */
  clock?: Clock;
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T | PromiseLike<T>): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T | PromiseLike<T>) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A postTask task, or a continuation made outside any task, as one engine task. */
interface WebTask {
  handle: TaskHandle | undefined;
  /** Set when the engine starts it. */
  ctx: TaskContext | undefined;
  /** Its current priority (it changes with a followed TaskSignal). */
  priority: TaskPriority;
  /** The abort source its yields inherit. */
  readonly signal: AbortSignal | undefined;
  /** Pending yield() promises, oldest first; the first resolves at the next resume. */
  readonly yields: Array<Deferred<void>>;
  /** Requeued by ctx.yield(), waiting for the engine to resume it. */
  parked: boolean;
  ended: boolean;
  /** Settles the engine run, when it was left in flight. */
  finish: (() => void) | undefined;
  /** Removes the abort listener and the priority-change algorithm. */
  detach: (() => void) | undefined;
}

function newTask(priority: TaskPriority, signal: AbortSignal | undefined): WebTask {
  return { handle: undefined, ctx: undefined, priority, signal, yields: [], parked: false, ended: false, finish: undefined, detach: undefined };
}

/**
 * The `scheduler` of the Prioritized Task Scheduling API, backed by a
 * timeslice Scheduler created (and started) on first use.
 *
 * @example
 * const scheduler = createWebScheduler();
 * const result = await scheduler.postTask(() => compute(), { priority: 'background' });
 * for (const item of items) { process(item); await scheduler.yield(); }
 */
export class WebScheduler {
  readonly #clock: Clock | undefined;
  #backend: WebBackend | undefined;
  /** The task whose code is running now (its callback, or a continuation window). */
  #current: WebTask | undefined;
  /** Open continuation windows; the engine is paused while any is open. */
  #holds = 0;

  constructor(options: WebSchedulerOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw mustBe('createWebScheduler: options', 'an object', options);
    }
    for (const key in options) {
      if (key !== 'clock') throw new InvalidArgumentError(`createWebScheduler: options.${key} is not an option (known: clock)`);
    }
    // Validated now, used when the backend is made on first use: construction starts nothing.
    resolveBackendOptions(this.#backendOptions(options.clock));
    this.#clock = options.clock;
  }

  /**
   * Queues callback (after `delay` ms) at its priority; the promise settles
   * with what it returns or throws. Bad arguments reject with a TypeError.
   */
  postTask<T>(callback: () => T | PromiseLike<T>, options?: SchedulerPostTaskOptions): Promise<Awaited<T>> {
    if (!(this instanceof WebScheduler)) return Promise.reject(new TypeError('postTask: illegal invocation, this is not a scheduler'));
    let request: PostTaskRequest;
    try {
      request = readPostTaskArguments(callback, options);
    } catch (error) {
      return Promise.reject(error);
    }
    const { signal, follows, delayMs } = request;
    if (signal?.aborted) return Promise.reject(signal.reason);
    // A browser build compiles the core asynchronously (bindings/load.ts): the
    // tasks posted before it is ready are posted, in their order, once it is
    // (their delay counted from then; an abort meanwhile rejects as above).
    if (!coreLoaded()) return loadCore().then(() => this.postTask(callback, options));
    const result = deferred<Awaited<T>>();
    const task = newTask(request.priority, signal);
    const run = (ctx: TaskContext) => this.#runCallback(task, ctx, callback, result);
    try {
      const backend = this.#backendStarted();
      const taskOptions = { priority: TASK_CLASS[task.priority] };
      task.handle = delayMs > 0 ? backend.after(delayMs, run, taskOptions) : backend.run(run, taskOptions);
    } catch (error) {
      return Promise.reject(error);
    }
    const detachers: Array<() => void> = [];
    if (signal !== undefined) {
      const onAbort = () => {
        // A no-op once the callback has returned: the promise is already resolved.
        result.reject(signal.reason);
        this.#abort(task, signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      detachers.push(() => signal.removeEventListener('abort', onAbort));
    }
    if (follows !== undefined) detachers.push(onPriorityChange(follows, () => this.#reprioritize(task, follows.priority)));
    task.detach = () => {
      for (const detach of detachers) detach();
    };
    return result.promise;
  }

  /**
   * Resolves once other work has had its turn: inside a task, as a
   * continuation of it (its priority, ahead of tasks of that priority; rejects
   * with the reason if its signal aborts first); elsewhere, as a user-visible
   * continuation.
   */
  yield(): Promise<void> {
    if (!(this instanceof WebScheduler)) return Promise.reject(new TypeError('yield: illegal invocation, this is not a scheduler'));
    const task = this.#current;
    // Checked first: a task cancelled by its abort still rejects the yields it makes.
    if (task?.signal?.aborted) return Promise.reject(task.signal.reason);
    if (task === undefined || task.ended) return this.#postContinuation();
    const pending = deferred<void>();
    // Parked when the running section ends (see #endSection), so several yields share one requeue.
    task.yields.push(pending);
    return pending.promise;
  }

  get [Symbol.toStringTag](): string {
    return 'Scheduler';
  }

  #backendOptions(clock: Clock | undefined) {
    return clock === undefined ? { policy: 'priority' as const } : { policy: 'priority' as const, clock };
  }

  #backendStarted(): WebBackend {
    this.#backend ??= new WebBackend(resolveBackendOptions(this.#backendOptions(this.#clock)));
    return this.#backend;
  }

  /** The engine task of a postTask: runs the callback, then parks the task if it yielded. */
  #runCallback<T>(task: WebTask, ctx: TaskContext, callback: () => T | PromiseLike<T>, result: Deferred<Awaited<T>>): Promise<void> | undefined {
    task.ctx = ctx;
    // Each task is its own host macrotask, as in browsers: what its promise
    // settles runs before the next task, not after the engine's slice.
    this.#hold();
    queueMicrotask(() => this.#release());
    this.#current = task;
    try {
      result.resolve(Reflect.apply(callback, undefined, []) as Awaited<T>);
    } catch (error) {
      result.reject(error);
    } finally {
      this.#current = undefined;
    }
    return this.#endSection(task) ? this.#inFlight(task) : undefined;
  }

  /** A yield() outside any task: a new task in the user-visible continuation class. */
  #postContinuation(): Promise<void> {
    if (!coreLoaded()) return loadCore().then(() => this.#postContinuation());
    const task = newTask('user-visible', undefined);
    const pending = deferred<void>();
    task.yields.push(pending);
    try {
      task.handle = this.#backendStarted().run(
        (ctx) => {
          task.ctx = ctx;
          this.#openWindow(task);
          return this.#inFlight(task);
        },
        { priority: CONTINUATION_CLASS[task.priority] },
      );
    } catch (error) {
      return Promise.reject(error);
    }
    return pending.promise;
  }

  /**
   * A section of the task's code has ended (its callback returned, or a
   * window closed). With yields pending the task parks, in its continuation
   * class (true: its run stays in flight); otherwise it ends.
   */
  #endSection(task: WebTask): boolean {
    if (task.ended) return false;
    if (task.yields.length === 0) {
      this.#end(task);
      return false;
    }
    task.parked = true;
    task.handle!.setPriority(CONTINUATION_CLASS[task.priority]);
    void task.ctx!.yield().then(() => this.#resumed(task));
    return true;
  }

  /** The engine resumed a parked task (this runs before the engine's own next microtask). */
  #resumed(task: WebTask): void {
    task.parked = false;
    // An aborted task is cancelled and never resumed; this guards a stopped engine.
    if (task.ended) return;
    this.#openWindow(task);
  }

  /** Resolves the oldest pending yield with the engine held, so the continuation runs before any other task. */
  #openWindow(task: WebTask): void {
    this.#hold();
    this.#current = task;
    task.yields.shift()?.resolve();
    // Queued after the continuation's first microtask: its synchronous part runs first.
    queueMicrotask(() => {
      if (this.#current === task) this.#current = undefined;
      this.#endSection(task);
      this.#release();
    });
  }

  /** Pauses the engine: its loop returns at once, and resume() continues it in a new host macrotask. */
  #hold(): void {
    if (this.#holds++ === 0) this.#backend!.pause();
  }

  #release(): void {
    if (--this.#holds === 0) this.#backend!.resume();
  }

  #inFlight(task: WebTask): Promise<void> {
    return new Promise<void>((resolve) => {
      task.finish = resolve;
    });
  }

  #end(task: WebTask): void {
    task.ended = true;
    task.detach?.();
    task.detach = undefined;
    task.finish?.();
    task.finish = undefined;
  }

  /** The task's signal aborted. Before it started: it is dropped. After: its pending yields reject. */
  #abort(task: WebTask, reason: unknown): void {
    if (task.ended) return;
    const rejected = task.yields.splice(0);
    if (rejected.length > 0) {
      // The code handling the rejection is the task's (a yield() there rejects
      // at once): current from before the rejection's reactions to after them.
      let previous: WebTask | undefined;
      queueMicrotask(() => {
        previous = this.#current;
        this.#current = task;
      });
      for (const pending of rejected) pending.reject(reason);
      queueMicrotask(() => {
        if (this.#current === task) this.#current = previous;
      });
    }
    if (task.ctx === undefined || task.parked) {
      task.handle!.cancel();
      this.#end(task);
    }
  }

  /** The followed TaskSignal changed priority: the task moves (a queued one keeps its enqueue order). */
  #reprioritize(task: WebTask, priority: TaskPriority): void {
    task.priority = priority;
    if (!task.ended) task.handle!.setPriority((task.parked ? CONTINUATION_CLASS : TASK_CLASS)[priority]);
  }
}

/** A Scheduler-API object on its own timeslice Scheduler (made on first use); the shared `scheduler` is one. */
export function createWebScheduler(options: WebSchedulerOptions = {}): WebScheduler {
  return new WebScheduler(options);
}
