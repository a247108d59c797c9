// WorkerPool: CPU-bound tasks on Piscina threads that share the WebAssembly
// core, with preemption.
//
// One core, many threads. The core's memory is a shared WebAssembly.Memory;
// the main thread owns the first instance and each worker thread attaches its
// own instance to the same memory (bindings/shared.ts). Every core call, from
// any thread, is made under one lock (lock.ts). Ownership of a task:
//   main thread   registers it (with its side-table entry: function, arguments,
//                 weight, attempt), and ends it: complete, retry, requeue after
//                 a yield, cancel, recovery after a worker died;
//   a worker      takes it (READY -> RUNNING, poolTake), charges its runtime,
//                 and gives back tasks it took and did not start.
// So the slot of a task never changes hands while its outcome is in flight:
// a worker reports outcomes in batches (one message per batch, worker.ts) and
// the main thread frees the slot when it reads the outcome.
//
// Preemption. Each worker has a flag in the control block (protocol.ts). It is
// set by the worker itself when its task's quantum is spent and a task of an
// equal or higher claim waits (ctx.shouldYield() checks), by the main thread's
// watchdog for a task that never asks, by an urgent arrival (the least urgent
// running task's worker, at once), by a cancellation, and by a timeout. A task
// that sees it, saves its state and returns is requeued and resumes later,
// anywhere.
//
// Escalation (supervisor.ts). A task is terminated only when it ignores, for
// graceMs of its thread's own time, a flag that cannot wait: a more urgent
// task needs its thread, it was cancelled, or it ran past its timeoutMs. A
// quantum flag (equal work waits) is never escalated: terminating a task that
// has no saved state throws its work away, and doing it for an equal is
// livelock. When urgent work flags a task, the worker's role goes at once to a
// warm spare thread (threads.ts), which runs the urgent task while the flagged
// one has its grace: the urgent task waits neither for the grace nor for a
// thread to boot. A task terminated for urgency resumes from its last saved
// state or restarts as a new attempt, and is never failed for it; after
// maxTerminations (unbounded by default) it is left to finish. A worker that dies on its own (uncaught error, process.exit,
// resourceLimits) fails only its current task's attempt (retried per the
// task's retry policy); the tasks it held and had not finished are requeued.
// Outcomes quote a dispatch number, so an outcome of a run that was already
// recovered is ignored: every task ends exactly once.
// This file takes tasks in (run(), then one flush per microtask) and ends the
// pool; the threads' side (their Piscina, loop arguments, messages, the
// replacement of a lost thread) is pool-thread-host.ts.
// The module's performance, not the global: in Node 20 the global is a getter called on every use.
import { performance } from 'node:perf_hooks';
import type { Core } from '../../bindings/core.js';
import type { CoreExports } from '../../bindings/load.js';
import { CoreOutOfMemoryError, describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import * as L from '../../bindings/layout.generated.js';
import { createSharedCore } from '../../bindings/shared.js';
import { ControlBlock } from './control.js';
import { newCounters, type PoolCounters, PoolEvents } from './events.js';
import { PoolClosedError, PoolTaskCancelledError, UncloneableError } from './errors.js';
import { type PoolOptions, type PoolTaskOptions, type ResolvedPoolOptions, type ResolvedPoolTaskOptions, resolvePoolOptions, resolvePoolTaskOptions, resolveTaskReference, type TaskReference } from './options.js';
import { Outcomes } from './outcomes.js';
import { PayloadArena } from './payload.js';
import type { PoolParts } from './pool-parts.js';
import { PoolThreadHost } from './pool-thread-host.js';
import * as P from './protocol.js';
import type { RecoveryHost } from './recovery.js';
import type { Supervisor } from './supervisor.js';
import { type ArgsOf, PoolTask, type ResultOf, TaskBook, TaskRecord } from './task-record.js';
import { PoolThreads } from './threads.js';

export { PoolTask } from './task-record.js';

/** Flushes of submitted tasks register this many per lock hold, so workers never wait long for the lock. */
const FLUSH_CHUNK = 256;

// run()'s promise executor: one shared function that hands the resolve
// function over, instead of a closure (and its context) made per task. The
// reject function is not kept (TaskRecord.reject).
let capturedResolve: (value: unknown) => void = () => {};
function captureResolve(resolve: (value: never) => void): void {
  capturedResolve = resolve as (value: unknown) => void;
}

export class WorkerPool {
  /** Typed events: preempt, yield, timeout, terminate, replace, resume, restart, crash, retry, fail, cancel. */
  readonly events = new PoolEvents();
  readonly #o: ResolvedPoolOptions;
  readonly #core: Core;
  readonly #w: CoreExports;
  readonly #memory: WebAssembly.Memory;
  readonly #control: ControlBlock;
  readonly #payload = new PayloadArena();
  readonly #book = new TaskBook(this.#payload);
  readonly #host: PoolThreadHost;
  readonly #threads: PoolThreads;
  #staged: TaskRecord[] = [];
  #flushQueued = false;
  readonly #flushBound = () => this.#flush();
  readonly #kinds = new Map<string, PoolTask>();
  readonly #definitions: Array<{ kind: number; module: string; name: string }> = [];
  readonly #counters = newCounters();
  readonly #outcomes: Outcomes;
  readonly #recovery: RecoveryHost;
  readonly #supervisor: Supervisor;
  #closing = false;
  #closed: Promise<void> | undefined;
  /** While close() drains: ends the wait (a hard close overrides a drain). */
  #stopDraining: (() => void) | undefined;
  readonly #epochMs: number;
  /** performance.now() + this = pool time (performance.timeOrigin is a call each time it is read). */
  readonly #clockOffsetMs: number;

  /**
   * @example
   * const pool = new WorkerPool({ threads: 2, reserved: { workers: 1, priority: 'high' } });
   * const hash = pool.task(new URL('./hash.js', import.meta.url), 'hash');
   * const digest = await pool.run(hash, bytes, { priority: 'critical' });
   */
  constructor(options: PoolOptions = {}) {
    this.#o = resolvePoolOptions(options);
    const o = this.#o;
    this.#core = createSharedCore();
    this.#w = this.#core.exports;
    this.#memory = this.#w.memory;
    this.#core.setPolicy(o.policy);
    this.#core.setQuantum(o.quantumMs);
    for (const [cls, ms] of o.deadlinesMs) this.#core.setClassDeadline(cls, ms);
    // Pool time starts a second before now: every thread's clock reads >= 0.
    this.#epochMs = performance.timeOrigin + performance.now() - 1000;
    this.#clockOffsetMs = performance.timeOrigin - this.#epochMs;
    this.#control = new ControlBlock(PoolThreads.seatsFor(o), this.#epochMs);
    const parts: PoolParts = { w: this.#w, control: this.#control, book: this.#book, counters: this.#counters, events: this.events, options: o };
    this.#outcomes = new Outcomes({ ...parts, now: () => this.#now(), wake: (cls, count) => this.#wake(cls, count) });
    this.#recovery = { ...parts, retry: (r, nowMs, error) => this.#outcomes.retry(r, nowMs, error) };
    this.#host = new PoolThreadHost({
      ...parts,
      memory: this.#memory,
      payload: this.#payload,
      definitions: this.#definitions,
      outcomes: this.#outcomes,
      recovery: this.#recovery,
      now: () => this.#now(),
      wake: (cls, count) => this.#wake(cls, count),
      closing: () => this.#closing,
      closed: () => this.#closed !== undefined,
    });
    this.#threads = this.#host.threads;
    this.#supervisor = this.#host.supervisor;
    this.#threads.startAll();
  }

  /** Resolves once every worker thread has started (and made its resource), and every spare has booted. */
  get ready(): Promise<void> {
    return this.#threads.ready;
  }

  get threads(): number {
    return this.#o.threads;
  }

  /** Pool time: ms since the pool's epoch, comparable across threads. */
  #now(): number {
    return performance.now() + this.#clockOffsetMs;
  }

  // ---- tasks ----

  /**
   * Names a function the workers run: a module (absolute path or file: URL)
   * and its export. Typed from the function itself, `task<typeof hashAll>()`
   * (args and awaited result), or as `task<Args, Result>()`.
   * @example const hashAll = pool.task<typeof import('./hash.js').hashAll>(new URL('./hash.js', import.meta.url), 'hashAll');
   */
  task<Spec = unknown, Result = unknown>(module: string | URL, exportName = 'default'): PoolTask<ArgsOf<Spec>, ResultOf<Spec, Result>> {
    const ref = resolveTaskReference('task', { module, export: exportName });
    const key = `${ref.module}#${ref.name}`;
    let task = this.#kinds.get(key);
    if (task === undefined) {
      const kind = this.#definitions.length + 1;
      task = new PoolTask(kind, ref.module, ref.name);
      this.#kinds.set(key, task);
      const definition = { kind, module: ref.module, name: ref.name };
      this.#definitions.push(definition);
      // Posted before any task of this kind can be taken: a worker finds it in its port's queue.
      for (const thread of this.#threads.live()) thread.port.postMessage({ t: 'define', ...definition } satisfies P.ToWorker);
    }
    return task as PoolTask<ArgsOf<Spec>, ResultOf<Spec, Result>>;
  }

  /**
   * Runs a task on a worker: `fn(args, ctx)` of the task's module. Arguments
   * and result are structured-cloned. Rejects (never throws) on bad arguments.
   */
  run<Args, Result>(task: PoolTask<Args, Result> | TaskReference, args?: Args, options?: PoolTaskOptions): Promise<Result> {
    if (this.#closing) return Promise.reject(new PoolClosedError('run: the pool is closing'));
    let kind: number;
    let resolved: ResolvedPoolTaskOptions;
    let argsOffset = 0;
    let argsLength: number;
    try {
      if (task instanceof PoolTask) kind = task.kind;
      else if (typeof task === 'object' && task !== null) kind = this.task(task.module, task.export ?? 'default').kind;
      else throw new InvalidArgumentError(`run: task must be a PoolTask (from pool.task()) or { module, export }, received ${describeValue(task)}`);
      resolved = resolvePoolTaskOptions(options);
      if (typeof args === 'number') {
        argsOffset = args;
        argsLength = P.ARGS_NUMBER;
      } else if (args === undefined) {
        argsLength = P.ARGS_UNDEFINED;
      } else {
        try {
          [argsOffset, argsLength] = this.#payload.store(args);
        } catch (err) {
          throw new UncloneableError(`run: args cannot be sent to a worker: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      return Promise.reject(err);
    }
    if (resolved.signal?.aborted) {
      if (argsLength >= 0) this.#payload.free(argsOffset, argsLength);
      return Promise.reject(new PoolTaskCancelledError('run: the signal was already aborted'));
    }
    const promise = new Promise<Result>(captureResolve);
    this.#book.admit();
    this.#counters.submitted++;
    this.#staged.push(new TaskRecord(kind, resolved, argsOffset, argsLength, capturedResolve));
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushBound);
    }
    return promise;
  }

  /** Registers the tasks submitted since the last flush, FLUSH_CHUNK per lock hold, then wakes or preempts. */
  #flush(): void {
    this.#flushQueued = false;
    const staged = this.#staged;
    this.#staged = [];
    const w = this.#w;
    let mostUrgent = L.CLASS_COUNT;
    for (let from = 0; from < staged.length; from += FLUSH_CHUNK) {
      const to = Math.min(staged.length, from + FLUSH_CHUNK);
      const failed: TaskRecord[] = [];
      this.#control.lock();
      const now = this.#now();
      for (let i = from; i < to; i++) {
        const r = staged[i] as TaskRecord;
        const cls = r.options.priorityClass;
        const handle = w.register(now, cls, 0, L.KIND_ONCE, 0, 0);
        if (handle < 0) {
          failed.push(r);
        } else if (!this.#book.enter(r, handle)) {
          w.cancel(handle);
          failed.push(r);
        } else if (cls < mostUrgent) {
          mostUrgent = cls;
        }
      }
      this.#control.unlock();
      for (const r of failed) {
        this.#book.release(r);
        this.#outcomes.fail(r, new CoreOutOfMemoryError('run: the pool cannot hold more tasks'));
      }
      this.#wake(mostUrgent, to - from);
    }
    for (let i = 0; i < staged.length; i++) {
      const r = staged[i] as TaskRecord;
      const signal = r.options.signal;
      if (signal !== undefined && r.handle !== 0) {
        r.onAbort = () => this.#cancel(r);
        signal.addEventListener('abort', r.onAbort, { once: true });
        // Aborted between run() and this flush: its abort event has fired already.
        if (signal.aborted) this.#cancel(r);
      }
    }
    if (mostUrgent < L.CLASS_COUNT - 1) this.#supervisor.preemptFor(mostUrgent);
    this.#supervisor.arm();
  }

  /** Wakes idle workers that may take a task of class `cls` (reserved ones first), up to `count`. */
  #wake(cls: number, count: number): void {
    for (const thread of this.#threads.workers) {
      if (count <= 0) return;
      if (thread !== undefined && cls <= this.#threads.maxClassOf(thread.index) && this.#control.wakeIfIdle(thread.seat)) count--;
    }
  }

  // ---- cancellation, and failures decided while a worker runs the task ----

  #cancel(r: TaskRecord): void {
    if (r.cancelled || this.#book.of(r.handle) !== r) return;
    this.#counters.cancelled++;
    this.events.emit('cancel', { task: r.handle, atMs: this.#now() });
    this.#supervisor.endEarly(r, new PoolTaskCancelledError('the task was cancelled'));
  }

  // ---- lifecycle and observability ----

  /**
   * Stops the pool. With drain (the default), waits for every submitted task
   * to end first (refusing new ones); without, rejects every queued or
   * running task with PoolClosedError and terminates the threads. A close
   * without drain during a draining one stops the drain: both calls' promise
   * resolves once the threads are stopped.
   */
  close(options: { drain?: boolean } = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      return Promise.reject(new InvalidArgumentError(`close: options must be an object, received ${describeValue(options)}`));
    }
    if (options.drain !== undefined && typeof options.drain !== 'boolean') {
      return Promise.reject(new InvalidArgumentError(`close: options.drain must be a boolean, received ${describeValue(options.drain)}`));
    }
    const drain = options.drain ?? true;
    this.#closing = true;
    if (this.#closed === undefined) this.#closed = this.#shutdown(drain);
    else if (!drain) this.#stopDraining?.();
    return this.#closed;
  }

  async #shutdown(drain: boolean): Promise<void> {
    if (this.#staged.length > 0) this.#flush();
    if (drain && this.#book.live > 0) {
      await new Promise<void>((resolve) => {
        this.#book.onDrained = resolve;
        this.#stopDraining = resolve;
      });
    }
    this.#stopDraining = undefined;
    for (const r of this.#book.all()) {
      r.cancelled = true;
      this.#book.release(r);
      r.reject(new PoolClosedError('the pool was closed without draining'));
    }
    this.#control.setClosing();
    for (const thread of this.#threads.live()) this.#control.wake(thread.seat);
    this.#supervisor.stop();
    this.#outcomes.stop();
    await this.#host.destroy();
  }

  /** Totals since the pool was made, and what is queued and running now. */
  stats(): PoolCounters & { queued: number; running: number; live: number; threads: number; spares: number } {
    this.#control.lock();
    const c = this.#core.counters();
    this.#control.unlock();
    return { ...this.#counters, queued: c.ready + c.waiting, running: c.running, live: this.#book.live, threads: this.#o.threads, spares: this.#threads.warmSpares };
  }
}
