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
// running task's worker, at once), and by a cancellation. A task that sees it,
// saves its state and returns is requeued and resumes later, anywhere.
//
// Escalation. A flag still set after graceMs with the same task running: the
// main thread fences the worker (under the lock, so it is not inside the core
// and will never enter it again), recovers the tasks it held, and aborts its
// loop task, on which Piscina terminates the thread and starts another. The
// task resumes from its last saved state, or restarts as a new attempt; after
// maxTerminations it fails. A worker that dies on its own (uncaught error,
// process.exit, resourceLimits) fails only its current task's attempt (retried
// per the task's retry policy); the tasks it held and had not finished are
// requeued. Outcomes quote a dispatch number, so an outcome of a run that was
// already recovered is ignored: every task ends exactly once.
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Core } from '../../bindings/core.js';
import type { CoreExports } from '../../bindings/load.js';
import { CoreOutOfMemoryError, describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import * as L from '../../bindings/layout.generated.js';
import { createSharedCore, sharedAttachModule } from '../../bindings/shared.js';
import { retryDelayMs } from '../retry.js';
import { ControlBlock } from './control.js';
import { newCounters, type PoolCounters, PoolEvents } from './events.js';
import { PoolClosedError, PoolTaskCancelledError, TaskError, UncloneableError } from './errors.js';
import { type PoolOptions, type PoolTaskOptions, type ResolvedPoolOptions, type ResolvedPoolTaskOptions, resolvePoolOptions, resolvePoolTaskOptions, resolveTaskReference, type TaskReference } from './options.js';
import { PayloadArena } from './payload.js';
import type { PoolParts } from './pool-parts.js';
import * as P from './protocol.js';
import { type RecoveryHost, recoverSeat } from './recovery.js';
import { type Seat, Supervisor } from './supervisor.js';
import { PoolTask, TaskBook, type TaskRecord } from './task-record.js';

export { PoolTask } from './task-record.js';

/** Flushes of submitted tasks register this many per lock hold, so workers never wait long for the lock. */
const FLUSH_CHUNK = 256;
const RUNNING = L.STATE_RUNNING;

export class WorkerPool {
  /** Typed events: preempt, yield, terminate, replace, resume, restart, crash, retry, fail, cancel. */
  readonly events = new PoolEvents();
  readonly #o: ResolvedPoolOptions;
  readonly #core: Core;
  readonly #w: CoreExports;
  readonly #memory: WebAssembly.Memory;
  readonly #control: ControlBlock;
  readonly #payload = new PayloadArena();
  readonly #book = new TaskBook(this.#payload);
  readonly #piscina: Piscina;
  readonly #seats: Seat[] = [];
  readonly #oldPorts: MessagePort[] = [];
  #staged: TaskRecord[] = [];
  #flushQueued = false;
  readonly #kinds = new Map<string, PoolTask>();
  readonly #definitions: Array<{ kind: number; module: string; name: string }> = [];
  readonly #counters = newCounters();
  readonly #recovery: RecoveryHost;
  readonly #supervisor: Supervisor;
  #dueTimer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;
  readonly #epochMs: number;
  readonly #ready: Promise<void>;
  #markReady: (() => void) | undefined;

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
    this.#control = new ControlBlock(o.threads, this.#epochMs);
    const parts: PoolParts = { w: this.#w, control: this.#control, book: this.#book, counters: this.#counters, events: this.events, options: o };
    this.#recovery = { ...parts, retry: (r, nowMs, error) => this.#retry(r, nowMs, error) };
    this.#supervisor = new Supervisor({
      ...parts,
      seats: this.#seats,
      recovery: this.#recovery,
      now: () => this.#now(),
      wake: (cls, count) => this.#wake(cls, count),
      fail: (r, error) => this.#fail(r, error),
      armDueTimer: () => this.#armDueTimer(),
      drain: (seat) => this.#drain(seat),
    });
    this.#piscina = new Piscina({
      filename: fileURLToPath(new URL('./pool-worker.js', import.meta.url)),
      minThreads: o.threads,
      maxThreads: o.threads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
    });
    this.#ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    for (let i = 0; i < o.threads; i++) {
      const seat: Seat = { index: i, seat: i, port: undefined, controller: undefined, incarnation: 0, fenced: false, ready: false };
      this.#seats.push(seat);
      this.#startLoop(seat);
    }
  }

  /** Resolves once every worker thread has started (and made its resource). */
  get ready(): Promise<void> {
    return this.#ready;
  }

  get threads(): number {
    return this.#o.threads;
  }

  #now(): number {
    return performance.timeOrigin + performance.now() - this.#epochMs;
  }

  // ---- tasks ----

  /** Names a function the workers run: a module (absolute path or file: URL) and its export. */
  task<Args = unknown, Result = unknown>(module: string | URL, exportName = 'default'): PoolTask<Args, Result> {
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
      for (const seat of this.#seats) seat.port?.postMessage({ t: 'define', ...definition } satisfies P.ToWorker);
    }
    return task as PoolTask<Args, Result>;
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
    return new Promise<Result>((resolve, reject) => {
      this.#book.admit();
      this.#counters.submitted++;
      this.#staged.push({
        handle: 0,
        kind,
        options: resolved,
        argsOffset,
        argsLength,
        stateOffset: 0,
        stateLength: P.STATE_NONE,
        attempt: 1,
        terminations: 0,
        cancelled: false,
        resolve: resolve as (value: unknown) => void,
        reject,
        onAbort: undefined,
      });
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(() => this.#flush());
      }
    });
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
        this.#fail(r, new CoreOutOfMemoryError('run: the pool cannot hold more tasks'));
      }
      this.#wake(mostUrgent, to - from);
    }
    for (const r of staged) {
      const signal = r.options.signal;
      if (signal !== undefined && r.handle !== 0) {
        r.onAbort = () => this.#cancel(r);
        signal.addEventListener('abort', r.onAbort, { once: true });
      }
    }
    if (mostUrgent < L.CLASS_COUNT - 1) this.#preemptFor(mostUrgent);
    this.#supervisor.arm();
  }

  #takes(seat: Seat, cls: number): boolean {
    return seat.index >= this.#o.reservedWorkers || cls <= this.#o.reservedMaxClass;
  }

  /** Wakes idle workers that may take a task of class `cls` (reserved ones first), up to `count`. */
  #wake(cls: number, count: number): void {
    for (const seat of this.#seats) {
      if (count <= 0) return;
      if (this.#takes(seat, cls) && this.#control.wakeIfIdle(seat.seat)) count--;
    }
  }

  /**
   * A task of class `cls` was queued. If no eligible worker is idle, the least
   * urgent running task of a less urgent class is preempted at once, provided
   * the new task's claim is at least its claim were it requeued now.
   */
  #preemptFor(cls: number): void {
    const control = this.#control;
    for (const seat of this.#seats) if (this.#takes(seat, cls) && control.isIdle(seat.seat)) return;
    const w = this.#w;
    control.lock();
    let victim: Seat | undefined;
    let victimHandle = 0;
    let victimKey = Number.NEGATIVE_INFINITY;
    for (const seat of this.#seats) {
      const handle = control.current(seat.seat);
      if (handle === 0 || seat.fenced || control.flag(seat.seat) !== 0) continue;
      if (w.taskState(handle) !== RUNNING || this.#core.priorityClassOf(handle) <= cls) continue;
      const key = w.poolClaimKey(handle);
      if (key > victimKey) {
        victimKey = key;
        victim = seat;
        victimHandle = handle;
      }
    }
    const now = this.#now();
    const preempt = victim !== undefined && w.poolTopKey(cls) <= w.poolRequeueKey(victimHandle, now);
    if (preempt) control.setFlag((victim as Seat).seat, P.PREEMPT_URGENT, now);
    control.unlock();
    if (preempt) {
      this.#counters.preemptUrgent++;
      this.events.emit('preempt', { task: victimHandle, worker: (victim as Seat).index, reason: 'urgent', atMs: now });
    }
  }

  // ---- outcomes ----

  #onMessage(seat: Seat, incarnation: number, message: P.FromWorker): void {
    if (message.t === 'results') this.#onResults(message.n, message.v);
    else if (message.t === 'state') {
      const r = this.#book.current(message.handle, message.dispatch);
      if (r !== undefined) this.#book.saveState(r, message.state);
    } else if (message.t === 'ready' && seat.incarnation === incarnation) {
      seat.ready = true;
      if (this.#seats.every((s) => s.ready)) this.#markReady?.();
    }
  }

  /**
   * Handles, now, every message the seat's thread has posted: before its tasks
   * are recovered, so that outcomes and saved states it sent first are used
   * (a task that finished is not run again; a resumed task gets its last state).
   */
  #drain(seat: Seat): void {
    const port = seat.port;
    if (port === undefined) return;
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) this.#onMessage(seat, seat.incarnation, m.message as P.FromWorker);
  }

  #onResults(numbers: Float64Array | number[], values: unknown[]): void {
    const w = this.#w;
    const book = this.#book;
    const settled: Array<[TaskRecord, unknown, boolean]> = [];
    let requeued = 0;
    let retried = false;
    this.#control.lock();
    const now = this.#now();
    for (let i = 0, v = 0; i < numbers.length; i += 4, v++) {
      const handle = numbers[i] as number;
      const r = book.current(handle, numbers[i + 1] as number);
      if (r === undefined) {
        this.#counters.staleOutcomes++;
        continue;
      }
      const code = numbers[i + 2] as number;
      if (r.cancelled) {
        w.complete(handle, now, L.COMPLETE_FINAL);
        book.release(r);
      } else if (code === P.OUT_RETURNED) {
        w.complete(handle, now, 0);
        book.release(r);
        this.#counters.completed++;
        settled.push([r, values[v], true]);
      } else if (code === P.OUT_YIELDED) {
        w.requeue(handle, now, L.REQUEUE_PREEMPTED);
        this.#counters.yields++;
        requeued++;
        this.events.emit('yield', { task: handle, attempt: r.attempt, atMs: now });
      } else {
        const data = values[v] as P.ErrorData;
        const error = new TaskError(data.message, data.name, data.code, data.stack);
        if (this.#retry(r, now, error)) retried = true;
        else settled.push([r, error, false]);
      }
    }
    this.#control.unlock();
    for (const [r, value, ok] of settled) {
      if (ok) r.resolve(value);
      else this.#fail(r, value);
    }
    if (requeued > 0) this.#wake(L.CLASS_COUNT - 1, requeued);
    if (retried) this.#armDueTimer();
  }

  /** Under the lock: retries the failed attempt if the policy allows (true), else ends the task in the core (false). */
  #retry(r: TaskRecord, now: number, error: unknown): boolean {
    const retry = r.options.retry;
    if (r.attempt < retry.attempts) {
      this.#book.nextAttempt(r);
      this.#w.retry(r.handle, now, retryDelayMs(retry, r.attempt, Math.random));
      this.#counters.retries++;
      this.events.emit('retry', { task: r.handle, attempt: r.attempt, error, atMs: now });
      return true;
    }
    this.#w.complete(r.handle, now, L.COMPLETE_FAILED);
    this.#book.release(r);
    return false;
  }

  #fail(r: TaskRecord, error: unknown): void {
    this.#counters.failed++;
    this.events.emit('fail', { task: r.handle, error, atMs: this.#now() });
    r.reject(error);
  }

  #armDueTimer(): void {
    if (this.#dueTimer !== undefined) clearTimeout(this.#dueTimer);
    const due = this.#w.nextDue();
    if (due === Number.POSITIVE_INFINITY) return;
    this.#dueTimer = setTimeout(() => {
      this.#dueTimer = undefined;
      this.#control.lock();
      const moved = this.#w.advance(this.#now());
      this.#control.unlock();
      if (moved > 0) this.#wake(L.CLASS_COUNT - 1, moved);
      this.#armDueTimer();
    }, Math.max(0, Math.ceil(due - this.#now())));
  }

  // ---- cancellation ----

  #cancel(r: TaskRecord): void {
    if (r.cancelled || this.#book.of(r.handle) !== r) return;
    r.cancelled = true;
    this.#counters.cancelled++;
    const w = this.#w;
    const control = this.#control;
    const now = this.#now();
    control.lock();
    if (w.taskState(r.handle) !== RUNNING) {
      // Queued (ready, or waiting for a retry): gone at once.
      w.cancel(r.handle);
      this.#book.release(r);
    } else {
      // Taken by a worker: its flag tells it, its signal fires; it has graceMs to return.
      for (const seat of this.#seats) {
        if (control.current(seat.seat) !== r.handle) continue;
        control.setFlag(seat.seat, P.PREEMPT_ABORT, now);
        seat.port?.postMessage({ t: 'abort', handle: r.handle } satisfies P.ToWorker);
        this.#counters.preemptCancel++;
      }
    }
    control.unlock();
    this.events.emit('cancel', { task: r.handle, atMs: now });
    r.reject(new PoolTaskCancelledError('the task was cancelled'));
  }

  // ---- worker threads ----

  #startLoop(seat: Seat): void {
    this.#control.reset(seat.seat);
    seat.fenced = false;
    seat.incarnation++;
    const incarnation = seat.incarnation;
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (message: P.FromWorker) => this.#onMessage(seat, incarnation, message));
    port1.unref();
    seat.port = port1;
    const controller = new AbortController();
    seat.controller = controller;
    const args: P.LoopArgs = {
      worker: seat.seat,
      workers: this.#control.seats,
      index: seat.index,
      maxClass: seat.index < this.#o.reservedWorkers ? this.#o.reservedMaxClass : L.POOL_ANY_CLASS,
      module: sharedAttachModule(),
      memory: this.#memory,
      control: this.#control.buffer,
      side: this.#book.side,
      payload: this.#payload.buffer,
      port: port2,
      definitions: this.#definitions,
      resource: this.#o.resource,
      quantumMs: this.#o.quantumMs,
    };
    this.#piscina.run(args, { transferList: [port2] as never, signal: controller.signal }).then(
      () => {},
      (err: unknown) => this.#onLoopEnded(seat, incarnation, err),
    );
  }

  #onLoopEnded(seat: Seat, incarnation: number, err: unknown): void {
    if (seat.incarnation !== incarnation || this.#closed !== undefined) return;
    // The port stays open: outcomes the thread posted before it died may not
    // have been delivered yet, and closing it would drop them (the tasks they
    // report are no longer in its batch list). Old ports close with the pool.
    if (seat.port !== undefined) this.#oldPorts.push(seat.port);
    if (!seat.fenced) {
      // It died on its own. If it died holding the lock (it cannot die inside a
      // core call in normal operation: the lock is held only around them), free it.
      const control = this.#control;
      control.releaseIfHeldBy(seat.seat);
      this.#drain(seat);
      control.lock();
      const now = this.#now();
      const recovered = recoverSeat(this.#recovery, seat.seat, seat.index, 'crashed', now);
      control.unlock();
      this.#counters.crashes++;
      this.events.emit('crash', { worker: seat.index, error: err, atMs: now });
      this.#supervisor.afterRecovery(recovered);
    }
    if (this.#closing && this.#book.live === 0) return;
    // The replacement takes the worker's other seat: the old thread may still
    // be stopping, and must not write over the new one's words.
    seat.seat = seat.seat < this.#o.threads ? seat.seat + this.#o.threads : seat.seat - this.#o.threads;
    this.#counters.replacements++;
    this.events.emit('replace', { worker: seat.index, atMs: this.#now() });
    this.#startLoop(seat);
  }

  // ---- lifecycle and observability ----

  /**
   * Stops the pool. With drain (the default), waits for every submitted task
   * to end first (refusing new ones); without, rejects every queued or
   * running task with PoolClosedError and terminates the threads.
   */
  close(options: { drain?: boolean } = {}): Promise<void> {
    if (typeof options !== 'object' || options === null) {
      return Promise.reject(new InvalidArgumentError(`close: options must be an object, received ${describeValue(options)}`));
    }
    if (options.drain !== undefined && typeof options.drain !== 'boolean') {
      return Promise.reject(new InvalidArgumentError(`close: options.drain must be a boolean, received ${describeValue(options.drain)}`));
    }
    this.#closing = true;
    this.#closed ??= this.#shutdown(options.drain ?? true);
    return this.#closed;
  }

  async #shutdown(drain: boolean): Promise<void> {
    if (this.#staged.length > 0) this.#flush();
    if (drain && this.#book.live > 0) {
      await new Promise<void>((resolve) => {
        this.#book.onDrained = resolve;
      });
    }
    for (const r of this.#book.all()) {
      r.cancelled = true;
      this.#book.release(r);
      r.reject(new PoolClosedError('the pool was closed without draining'));
    }
    this.#control.setClosing();
    for (const seat of this.#seats) this.#control.wake(seat.seat);
    this.#supervisor.stop();
    if (this.#dueTimer !== undefined) clearTimeout(this.#dueTimer);
    this.#dueTimer = undefined;
    await this.#piscina.destroy();
    for (const seat of this.#seats) seat.port?.close();
    for (const port of this.#oldPorts) port.close();
  }

  /** Totals since the pool was made, and what is queued and running now. */
  stats(): PoolCounters & { queued: number; running: number; live: number; threads: number } {
    this.#control.lock();
    const c = this.#core.counters();
    this.#control.unlock();
    return { ...this.#counters, queued: c.ready + c.waiting, running: c.running, live: this.#book.live, threads: this.#o.threads };
  }
}
