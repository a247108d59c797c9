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
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { Core } from '../../bindings/core.js';
import type { CoreExports } from '../../bindings/load.js';
import { CoreOutOfMemoryError, describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import * as L from '../../bindings/layout.generated.js';
import { createSharedCore, sharedAttachModule } from '../../bindings/shared.js';
import { retryDelayMs } from '../retry.js';
import { newCounters, type PoolCounters, PoolEvents } from './events.js';
import { PoolClosedError, PoolTaskCancelledError, TaskError, TaskTerminatedError, UncloneableError, WorkerCrashedError } from './errors.js';
import { lock, OWNER_MAIN, OWNER_WORKER0, unlock } from './lock.js';
import { type PoolOptions, type PoolTaskOptions, type ResolvedPoolOptions, type ResolvedPoolTaskOptions, resolvePoolOptions, resolvePoolTaskOptions, resolveTaskReference, type TaskReference } from './options.js';
import { PayloadArena } from './payload.js';
import * as P from './protocol.js';

/** A task function registered with pool.task(): pass it to run(). */
export class PoolTask<Args = unknown, Result = unknown> {
  /** @internal */
  readonly kind: number;
  readonly module: string;
  readonly export: string;
  /** @internal */
  constructor(kind: number, module: string, name: string) {
    this.kind = kind;
    this.module = module;
    this.export = name;
  }
  /** Types only: the argument and result of the function. */
  declare readonly __types?: [Args, Result];
}

interface TaskRecord {
  handle: number;
  readonly kind: number;
  readonly options: ResolvedPoolTaskOptions;
  readonly argsOffset: number;
  readonly argsLength: number;
  stateOffset: number;
  stateLength: number;
  attempt: number;
  terminations: number;
  cancelled: boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  onAbort: (() => void) | undefined;
}

interface Seat {
  readonly index: number;
  seat: number;
  port: MessagePort | undefined;
  controller: AbortController | undefined;
  incarnation: number;
  /** Fenced by an escalation: its loop's end is expected and already handled. */
  fenced: boolean;
  ready: boolean;
}

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
  readonly #control: SharedArrayBuffer;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  readonly #side: P.GrowableSharedArrayBuffer;
  readonly #side64: Float64Array;
  readonly #payload = new PayloadArena();
  readonly #piscina: Piscina;
  readonly #seats: Seat[] = [];
  readonly #oldPorts: MessagePort[] = [];
  readonly #records: Array<TaskRecord | undefined> = [];
  #staged: TaskRecord[] = [];
  #flushQueued = false;
  readonly #kinds = new Map<string, PoolTask>();
  readonly #definitions: Array<{ kind: number; module: string; name: string }> = [];
  #live = 0;
  readonly #counters = newCounters();
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #dueTimer: ReturnType<typeof setTimeout> | undefined;
  #closing = false;
  #closed: Promise<void> | undefined;
  #drained: (() => void) | undefined;
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
    const seats = o.threads * 2;
    this.#control = new SharedArrayBuffer(P.controlBytes(seats));
    this.#i32 = new Int32Array(this.#control);
    this.#f64 = new Float64Array(this.#control);
    // Pool time starts a second before now: every thread's clock reads >= 0.
    this.#epochMs = performance.timeOrigin + performance.now() - 1000;
    this.#f64[P.F_EPOCH] = this.#epochMs;
    this.#side = P.growableSharedArrayBuffer(1024 * P.TASK_WORDS * 8, P.MAX_TASK_SLOTS * P.TASK_WORDS * 8);
    this.#side64 = new Float64Array(this.#side);
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
    const signal = resolved.signal;
    if (signal?.aborted) {
      if (argsLength >= 0) this.#payload.free(argsOffset, argsLength);
      return Promise.reject(new PoolTaskCancelledError('run: the signal was already aborted'));
    }
    return new Promise<Result>((resolve, reject) => {
      const record: TaskRecord = {
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
      };
      this.#live++;
      this.#counters.submitted++;
      this.#staged.push(record);
      if (!this.#flushQueued) {
        this.#flushQueued = true;
        queueMicrotask(() => this.#flush());
      }
    });
  }

  #ensureSide(slot: number): void {
    const needed = (slot + 1) * P.TASK_WORDS * 8;
    if (needed <= this.#side.byteLength) return;
    let bytes = this.#side.byteLength;
    while (bytes < needed) bytes *= 2;
    if (bytes > this.#side.maxByteLength) throw new CoreOutOfMemoryError('run: the pool holds its maximum of tasks');
    this.#side.grow(bytes);
  }

  /** Registers the tasks submitted since the last flush, FLUSH_CHUNK per lock hold, then wakes or preempts. */
  #flush(): void {
    this.#flushQueued = false;
    const staged = this.#staged;
    this.#staged = [];
    const w = this.#w;
    const side = this.#side64;
    let mostUrgent = L.CLASS_COUNT;
    for (let from = 0; from < staged.length; from += FLUSH_CHUNK) {
      const to = Math.min(staged.length, from + FLUSH_CHUNK);
      const failed: TaskRecord[] = [];
      lock(this.#i32, OWNER_MAIN);
      const now = this.#now();
      for (let i = from; i < to; i++) {
        const r = staged[i] as TaskRecord;
        const cls = r.options.priorityClass;
        const handle = w.register(now, cls, 0, L.KIND_ONCE, 0, 0);
        if (handle < 0) {
          failed.push(r);
          continue;
        }
        const slot = P.slotOf(handle);
        try {
          this.#ensureSide(slot);
        } catch {
          w.cancel(handle);
          failed.push(r);
          continue;
        }
        r.handle = handle;
        const at = slot * P.TASK_WORDS;
        side[at + P.T_KIND] = r.kind;
        side[at + P.T_ARGS] = r.argsOffset;
        side[at + P.T_ARGS_LEN] = r.argsLength;
        side[at + P.T_STATE_LEN] = P.STATE_NONE;
        side[at + P.T_WEIGHT] = r.options.weight;
        side[at + P.T_ATTEMPT] = 1;
        this.#records[slot] = r;
        if (cls < mostUrgent) mostUrgent = cls;
      }
      unlock(this.#i32);
      for (const r of failed) this.#settle(r, new CoreOutOfMemoryError('run: the core cannot hold more tasks'));
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
    this.#armWatchdog();
  }

  /** Wakes idle workers that may take a task of class `cls` (reserved ones first), up to `count`. */
  #wake(cls: number, count: number): void {
    const o = this.#o;
    for (const seat of this.#seats) {
      if (count <= 0) return;
      if (seat.index < o.reservedWorkers && cls > o.reservedMaxClass) continue;
      const b = P.workerI32(seat.seat);
      if (this.#i32[b + P.W_STATE] === P.WORKER_IDLE && Atomics.load(this.#i32, b + P.W_WAKE) === 0) {
        Atomics.store(this.#i32, b + P.W_WAKE, 1);
        Atomics.notify(this.#i32, b + P.W_WAKE);
        count--;
      }
    }
  }

  /**
   * A task of class `cls` was queued. If no eligible worker is idle, the least
   * urgent running task of a less urgent class is preempted at once, provided
   * the new task's claim is at least its claim were it requeued now.
   */
  #preemptFor(cls: number): void {
    const o = this.#o;
    for (const seat of this.#seats) {
      if (seat.index < o.reservedWorkers && cls > o.reservedMaxClass) continue;
      if (this.#i32[P.workerI32(seat.seat) + P.W_STATE] === P.WORKER_IDLE) return;
    }
    const w = this.#w;
    lock(this.#i32, OWNER_MAIN);
    let victim: Seat | undefined;
    let victimKey = Number.NEGATIVE_INFINITY;
    for (const seat of this.#seats) {
      const handle = this.#f64[this.#seatF64(seat) + P.W_CURRENT] as number;
      if (handle === 0 || seat.fenced || Atomics.load(this.#i32, P.workerI32(seat.seat) + P.W_FLAG) !== 0) continue;
      if (w.taskState(handle) !== RUNNING || this.#core.priorityClassOf(handle) <= cls) continue;
      const key = w.poolClaimKey(handle);
      if (key > victimKey) {
        victimKey = key;
        victim = seat;
      }
    }
    if (victim !== undefined) {
      const now = this.#now();
      const handle = this.#f64[this.#seatF64(victim) + P.W_CURRENT] as number;
      if (w.poolTopKey(cls) <= w.poolRequeueKey(handle, now)) {
        this.#flag(victim, P.PREEMPT_URGENT, now);
        unlock(this.#i32);
        this.#counters.preemptUrgent++;
        this.events.emit('preempt', { task: handle, worker: victim.index, reason: 'urgent', atMs: now });
        return;
      }
    }
    unlock(this.#i32);
  }

  #seatF64(seat: Seat): number {
    return P.workerF64(this.#o.threads * 2, seat.seat);
  }

  #flag(seat: Seat, reason: number, now: number): void {
    this.#f64[this.#seatF64(seat) + P.W_FLAG_AT] = now;
    Atomics.store(this.#i32, P.workerI32(seat.seat) + P.W_FLAG, reason);
  }

  // ---- outcomes ----

  #onMessage(seat: Seat, incarnation: number, message: P.FromWorker): void {
    if (message.t === 'results') this.#onResults(message.n, message.v);
    else if (message.t === 'state') this.#onState(message.handle, message.dispatch, message.state);
    else if (message.t === 'ready' && seat.incarnation === incarnation) {
      seat.ready = true;
      if (this.#seats.every((s) => s.ready)) this.#markReady?.();
    }
  }

  /** The record of a handle whose run `dispatch` is the current one, or undefined (an outcome to ignore). */
  #current(handle: number, dispatch: number): TaskRecord | undefined {
    const slot = P.slotOf(handle);
    const r = this.#records[slot];
    if (r === undefined || r.handle !== handle || this.#side64[slot * P.TASK_WORDS + P.T_DISPATCH] !== dispatch) return undefined;
    return r;
  }

  #onState(handle: number, dispatch: number, state: unknown): void {
    const r = this.#current(handle, dispatch);
    if (r === undefined) return;
    if (r.stateLength >= 0) this.#payload.free(r.stateOffset, r.stateLength);
    const [offset, length] = this.#payload.store(state);
    r.stateOffset = offset;
    r.stateLength = length;
    // Read by whichever worker takes the task next, after the requeue that publishes it under the lock.
    const at = P.slotOf(handle) * P.TASK_WORDS;
    this.#side64[at + P.T_STATE] = offset;
    this.#side64[at + P.T_STATE_LEN] = length;
  }

  #onResults(numbers: Float64Array | number[], values: unknown[]): void {
    const w = this.#w;
    const settled: Array<[TaskRecord, unknown, boolean]> = [];
    let requeued = 0;
    let retried = false;
    lock(this.#i32, OWNER_MAIN);
    const now = this.#now();
    for (let i = 0, v = 0; i < numbers.length; i += 4, v++) {
      const handle = numbers[i] as number;
      const r = this.#current(handle, numbers[i + 1] as number);
      if (r === undefined) {
        this.#counters.staleOutcomes++;
        continue;
      }
      const code = numbers[i + 2] as number;
      if (r.cancelled) {
        w.complete(handle, now, L.COMPLETE_FINAL);
        this.#release(r);
      } else if (code === P.OUT_RETURNED) {
        w.complete(handle, now, 0);
        this.#release(r);
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
    unlock(this.#i32);
    for (const [r, value, ok] of settled) {
      if (ok) r.resolve(value);
      else this.#fail(r, value);
    }
    if (requeued > 0) this.#wake(L.CLASS_COUNT - 1, requeued);
    if (retried) this.#armDueTimer();
  }

  /** Under the lock: retries the failed attempt if the policy allows (true), else ends the task in the core (false). */
  #retry(r: TaskRecord, now: number, error: unknown): boolean {
    const w = this.#w;
    const retry = r.options.retry;
    if (r.attempt < retry.attempts) {
      r.attempt++;
      this.#side64[P.slotOf(r.handle) * P.TASK_WORDS + P.T_ATTEMPT] = r.attempt;
      w.retry(r.handle, now, retryDelayMs(retry, r.attempt, Math.random));
      this.#counters.retries++;
      this.events.emit('retry', { task: r.handle, attempt: r.attempt, error, atMs: now });
      return true;
    }
    w.complete(r.handle, now, L.COMPLETE_FAILED);
    this.#release(r);
    return false;
  }

  #fail(r: TaskRecord, error: unknown): void {
    this.#counters.failed++;
    this.events.emit('fail', { task: r.handle, error, atMs: this.#now() });
    r.reject(error);
  }

  /** The task's slot is free in the core: forget it, free its payload. */
  #release(r: TaskRecord): void {
    this.#records[P.slotOf(r.handle)] = undefined;
    if (r.argsLength >= 0) this.#payload.free(r.argsOffset, r.argsLength);
    if (r.stateLength >= 0) this.#payload.free(r.stateOffset, r.stateLength);
    if (r.onAbort !== undefined) r.options.signal?.removeEventListener('abort', r.onAbort);
    this.#live--;
    if (this.#live === 0) this.#drained?.();
  }

  /** Ends a task that never reached the core, or rejects a run whose outcome will be ignored. */
  #settle(r: TaskRecord, error: unknown): void {
    if (r.argsLength >= 0) this.#payload.free(r.argsOffset, r.argsLength);
    this.#live--;
    if (this.#live === 0) this.#drained?.();
    this.#fail(r, error);
  }

  #armDueTimer(): void {
    if (this.#dueTimer !== undefined) clearTimeout(this.#dueTimer);
    const due = this.#w.nextDue();
    if (due === Number.POSITIVE_INFINITY) return;
    this.#dueTimer = setTimeout(() => {
      this.#dueTimer = undefined;
      lock(this.#i32, OWNER_MAIN);
      const moved = this.#w.advance(this.#now());
      unlock(this.#i32);
      if (moved > 0) this.#wake(L.CLASS_COUNT - 1, moved);
      this.#armDueTimer();
    }, Math.max(0, Math.ceil(due - this.#now())));
  }

  // ---- cancellation ----

  #cancel(r: TaskRecord): void {
    if (r.cancelled || this.#records[P.slotOf(r.handle)] !== r) return;
    r.cancelled = true;
    this.#counters.cancelled++;
    const w = this.#w;
    const now = this.#now();
    lock(this.#i32, OWNER_MAIN);
    if (w.taskState(r.handle) !== RUNNING) {
      // Queued (ready, or waiting for a retry): gone at once.
      w.cancel(r.handle);
      this.#release(r);
    } else {
      // Taken by a worker: its flag tells it, its signal fires; it has graceMs to return.
      for (const seat of this.#seats) {
        if (this.#f64[this.#seatF64(seat) + P.W_CURRENT] === r.handle) {
          this.#flag(seat, P.PREEMPT_ABORT, now);
          seat.port?.postMessage({ t: 'abort', handle: r.handle } satisfies P.ToWorker);
          this.#counters.preemptCancel++;
        }
      }
    }
    unlock(this.#i32);
    this.events.emit('cancel', { task: r.handle, atMs: now });
    r.reject(new PoolTaskCancelledError('the task was cancelled'));
  }

  // ---- the watchdog: quantum flags for tasks that never ask, escalation ----

  #armWatchdog(): void {
    if (this.#watchdog !== undefined || this.#live === 0) return;
    const periodMs = Math.max(1, Math.min(this.#o.quantumMs, this.#o.graceMs) / 2);
    this.#watchdog = setTimeout(() => {
      this.#watchdog = undefined;
      this.#watch();
      this.#armWatchdog();
    }, periodMs);
  }

  #watch(): void {
    const w = this.#w;
    const o = this.#o;
    for (const seat of this.#seats) {
      if (seat.fenced) continue;
      const f = this.#seatF64(seat);
      const handle = this.#f64[f + P.W_CURRENT] as number;
      if (handle === 0) continue;
      const now = this.#now();
      const flag = Atomics.load(this.#i32, P.workerI32(seat.seat) + P.W_FLAG);
      if (flag === 0) {
        if (now - (this.#f64[f + P.W_SEGMENT_START] as number) < o.quantumMs) continue;
        const maxClass = seat.index < o.reservedWorkers ? o.reservedMaxClass : L.POOL_ANY_CLASS;
        lock(this.#i32, OWNER_MAIN);
        const waiting = this.#f64[f + P.W_CURRENT] === handle && w.taskState(handle) === RUNNING && w.poolTopKey(maxClass) <= w.poolRequeueKey(handle, now);
        if (waiting) this.#flag(seat, P.PREEMPT_QUANTUM, now);
        unlock(this.#i32);
        if (waiting) {
          this.#counters.preemptQuantum++;
          this.events.emit('preempt', { task: handle, worker: seat.index, reason: 'quantum', atMs: now });
        }
      } else if (now - (this.#f64[f + P.W_FLAG_AT] as number) >= o.graceMs) {
        this.#escalate(seat, handle);
      }
    }
  }

  /** The task on `seat` ignored its flag past graceMs: fence the worker, recover its tasks, terminate it. */
  #escalate(seat: Seat, handle: number): void {
    lock(this.#i32, OWNER_MAIN);
    if (this.#f64[this.#seatF64(seat) + P.W_CURRENT] !== handle) {
      unlock(this.#i32); // it returned in time after all
      return;
    }
    // Under the lock: the worker is not inside the core, and will never enter it again.
    this.#i32[P.workerI32(seat.seat) + P.W_FENCE] = 1;
    this.#i32[P.workerI32(seat.seat) + P.W_STATE] = P.WORKER_FENCED;
    seat.fenced = true;
    const now = this.#now();
    const outcome = this.#recover(seat, 'terminated', now);
    unlock(this.#i32);
    this.#counters.terminations++;
    this.events.emit('terminate', { task: handle, worker: seat.index, atMs: now });
    this.#afterRecovery(outcome);
    // Piscina terminates the thread running an aborted task, and starts another (minThreads).
    seat.controller?.abort(new Error('terminated: the task ignored its preemption flag'));
  }

  /**
   * Under the lock: every task the seat held is requeued, except its current
   * one, which (terminated) resumes from its saved state or restarts, or
   * (crashed) fails this attempt. Every recovered run's dispatch number moves
   * on, so its outcome, if still in flight, is ignored.
   */
  #recover(seat: Seat, cause: 'terminated' | 'crashed', now: number): { settled: Array<[TaskRecord, unknown]>; requeued: number; retried: boolean } {
    const w = this.#w;
    const b32 = P.workerI32(seat.seat);
    const f = this.#seatF64(seat);
    const current = this.#f64[f + P.W_CURRENT] as number;
    const count = this.#i32[b32 + P.W_BATCH_COUNT] as number;
    const handles = new Set<number>();
    for (let i = 0; i < count; i++) handles.add(this.#f64[f + P.W_BATCH_HANDLES + i] as number);
    if (current !== 0) handles.add(current);
    const out = { settled: [] as Array<[TaskRecord, unknown]>, requeued: 0, retried: false };
    for (const handle of handles) {
      const slot = P.slotOf(handle);
      const r = this.#records[slot];
      if (r === undefined || r.handle !== handle || w.taskState(handle) !== RUNNING) continue;
      this.#side64[slot * P.TASK_WORDS + P.T_DISPATCH] = (this.#side64[slot * P.TASK_WORDS + P.T_DISPATCH] as number) + 1;
      if (r.cancelled) {
        w.complete(handle, now, L.COMPLETE_FINAL);
        this.#release(r);
      } else if (handle !== current) {
        w.requeue(handle, now, L.REQUEUE_KEEP_PLACE);
        out.requeued++;
      } else if (cause === 'terminated') {
        r.terminations++;
        if (r.terminations > this.#o.maxTerminations) {
          w.complete(handle, now, L.COMPLETE_FAILED);
          this.#release(r);
          out.settled.push([r, new TaskTerminatedError(`the task ignored its preemption flag for ${this.#o.graceMs} ms ${r.terminations} times; its worker was terminated each time`)]);
        } else {
          if (r.stateLength >= 0) {
            this.#counters.resumes++;
            this.events.emit('resume', { task: handle, worker: seat.index, attempt: r.attempt, atMs: now });
          } else {
            r.attempt++;
            this.#side64[slot * P.TASK_WORDS + P.T_ATTEMPT] = r.attempt;
            this.#counters.restarts++;
            this.events.emit('restart', { task: handle, worker: seat.index, attempt: r.attempt, atMs: now });
          }
          w.requeue(handle, now, L.REQUEUE_PREEMPTED);
          out.requeued++;
        }
      } else {
        const error = new WorkerCrashedError(`the worker running the task died (attempt ${r.attempt})`);
        if (this.#retry(r, now, error)) out.retried = true;
        else out.settled.push([r, error]);
      }
    }
    this.#i32[b32 + P.W_BATCH_COUNT] = 0;
    this.#f64[f + P.W_CURRENT] = 0;
    return out;
  }

  #afterRecovery(outcome: { settled: Array<[TaskRecord, unknown]>; requeued: number; retried: boolean }): void {
    for (const [r, error] of outcome.settled) this.#fail(r, error);
    if (outcome.requeued > 0) this.#wake(L.CLASS_COUNT - 1, outcome.requeued);
    if (outcome.retried) this.#armDueTimer();
  }

  // ---- worker threads ----

  #startLoop(seat: Seat): void {
    const b32 = P.workerI32(seat.seat);
    const f = this.#seatF64(seat);
    this.#i32.fill(0, b32, b32 + P.WORKER_I32);
    this.#f64.fill(0, f, f + P.WORKER_F64);
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
      workers: this.#o.threads * 2,
      index: seat.index,
      maxClass: seat.index < this.#o.reservedWorkers ? this.#o.reservedMaxClass : L.POOL_ANY_CLASS,
      module: sharedAttachModule(),
      memory: this.#memory,
      control: this.#control,
      side: this.#side,
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
      Atomics.compareExchange(this.#i32, P.I_LOCK, OWNER_WORKER0 + seat.seat, 0);
      lock(this.#i32, OWNER_MAIN);
      const now = this.#now();
      const outcome = this.#recover(seat, 'crashed', now);
      unlock(this.#i32);
      this.#counters.crashes++;
      this.events.emit('crash', { worker: seat.index, error: err, atMs: now });
      this.#afterRecovery(outcome);
    }
    if (this.#closing && this.#live === 0) return;
    // The replacement takes the other seat: the old thread may still be
    // stopping, and must not write over the new one's words.
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
    if (drain && this.#live > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    for (const r of this.#records) {
      if (r === undefined) continue;
      r.cancelled = true;
      this.#release(r);
      r.reject(new PoolClosedError('the pool was closed without draining'));
    }
    Atomics.store(this.#i32, P.I_CLOSING, 1);
    for (const seat of this.#seats) {
      Atomics.store(this.#i32, P.workerI32(seat.seat) + P.W_WAKE, 1);
      Atomics.notify(this.#i32, P.workerI32(seat.seat) + P.W_WAKE);
    }
    if (this.#watchdog !== undefined) clearTimeout(this.#watchdog);
    if (this.#dueTimer !== undefined) clearTimeout(this.#dueTimer);
    this.#watchdog = undefined;
    this.#dueTimer = undefined;
    await this.#piscina.destroy();
    for (const seat of this.#seats) seat.port?.close();
    for (const port of this.#oldPorts) port.close();
  }

  /** Totals since the pool was made, and what is queued and running now. */
  stats(): PoolCounters & { queued: number; running: number; live: number; threads: number } {
    lock(this.#i32, OWNER_MAIN);
    const c = this.#core.counters();
    unlock(this.#i32);
    return { ...this.#counters, queued: c.ready + c.waiting, running: c.running, live: this.#live, threads: this.#o.threads };
  }
}
