// The worker side of the pool: the entry Piscina runs in each thread.
//
// Piscina gives each thread one task, `loop`, that lasts as long as the
// thread: a loop that takes ready tasks straight from the shared core (no
// message per task), runs them, and reports their outcomes in batches. The
// main thread registers tasks and ends them; a worker only moves tasks from
// READY to RUNNING (poolTake), charges their runtime, and gives back tasks it
// took and has not started. Every core call is made under the pool lock
// (lock.ts).
//
// A thread boots first (core attached, the known task modules imported) and
// then either takes the role its seat was given (W_ROLE: which worker it
// serves) or, as a warm spare, waits for one: the main thread promotes a spare
// when a worker is terminated or crashes, so the replacement is not on the
// critical path (pool.ts, threads.ts).
//
// One round of the loop:
//   1. under the lock: charge the runtime of the tasks that returned since the
//      last round, give back the unstarted rest of the batch if it was cut
//      short, clear the preemption flag, and take the next batch, appending
//      its handles to the batch list in the control block;
//   2. post the outcomes of the last batch to the main thread (one message),
//      then drop those handles from the batch list;
//   3. run the batch, in order; stop early when the flag is set (a more urgent
//      task arrived, or the quantum is spent and other work waits) or when a
//      task ran long (the rest go back, so an idle worker can take them);
//   4. with nothing taken: mark itself idle and sleep on its futex until the
//      main thread wakes it (or 100 ms pass).
//
// The batch list is always a superset of the handles this worker holds
// (taken, not yet reported): if the thread dies, the main thread recovers
// exactly those tasks (pool.ts). Results quote the task's dispatch number, so
// the main thread ignores the outcome of a run it has already recovered.
// The module's performance, not the global: in Node 20 the global is a getter called on every use.
import { performance } from 'node:perf_hooks';
import { serialize } from 'node:v8';
import { receiveMessageOnPort } from 'node:worker_threads';
import { instantiateCore } from '../../bindings/load.js';
import * as L from '../../bindings/layout.generated.js';
import { lock, OWNER_WORKER0, unlock } from './lock.js';
import { PoolTaskContext, type Run, type RunHost } from './context.js';
import { readPayload } from './payload.js';
import { type TaskFunction, TaskModules } from './task-modules.js';
import { abortRun, OutcomeBuffer, uncloneable } from './worker-outcomes.js';
import { announceThread, waitForRole } from './worker-seat.js';
import * as P from './protocol.js';

/** A task that ran at least this long gives back the unstarted rest of its batch. */
const LONG_TASK_MS = 1;
/** How often (ms) a task past its quantum asks the core whether other work waits. */
const CLAIM_CHECK_EVERY_MS = 1;

class Loop implements RunHost {
  /** Which worker this thread serves (ctx.worker), once it has its role. */
  index = -1;
  resource: unknown;
  readonly #args: P.LoopArgs;
  readonly #w: ReturnType<typeof instantiateCore>;
  readonly #i32: Int32Array;
  readonly #f64: Float64Array;
  /** Fixed-length views (P.fixedView) of the side table and the payload arena, made again when they have grown. */
  #side: Float64Array;
  #payload: Uint8Array;
  readonly #b32: number;
  readonly #b64: number;
  readonly #owner: number;
  readonly #clockOffsetMs: number;
  readonly #quantumMs: number;
  readonly #modules: TaskModules;
  /** The least urgent class this worker takes (from its role). */
  #maxClass = L.POOL_ANY_CLASS;
  #resourceMade = false;
  #memoryBuffer: ArrayBuffer | SharedArrayBuffer;
  #memory64: Float64Array;
  /** Outcomes not yet posted. */
  readonly #outcomes: OutcomeBuffer;
  /** Runtime (ms) not yet charged to each returned task, with its weight: three numbers per task. */
  #toCharge = new Float64Array(3 * 2 * L.POOL_TAKE_MAX);
  #toChargeCount = 0;
  #current: Run | undefined;
  // The current run's clock (performance.now() ms): when it started, how far its runtime was charged, when
  // shouldYield() may next look at the core. Fields of the loop, not of each run: one run is current at a time.
  #startedAt = 0;
  #chargedUntil = 0;
  #nextClaimCheck = 0;
  /** When the last run ended, and whether nothing has happened since (the next run may start at that time). */
  #lastEndedAt = 0;
  #endedJustNow = false;
  /** Moving average of task runtime, ms: sets the batch size. */
  #avgRuntimeMs = 1;
  /** Moving average of runtime per task kind, ms (undefined: never run here). */
  readonly #kindRuntimeMs: number[] = [];

  constructor(args: P.LoopArgs) {
    this.#args = args;
    this.#i32 = new Int32Array(args.control);
    this.#f64 = new Float64Array(args.control);
    this.#b32 = P.workerI32(args.seat);
    this.#b64 = P.workerF64(args.seats, args.seat);
    // First, so that the main thread can tell when this thread has exited and read its CPU clock.
    announceThread(this.#i32, this.#b32);
    this.#w = instantiateCore(args.module, args.memory);
    this.#side = P.fixedView(Float64Array, args.side, 8);
    this.#payload = P.fixedView(Uint8Array, args.payload, 1);
    this.#owner = OWNER_WORKER0 + args.seat;
    // This thread's performance.now() + offset = pool time (each thread has its own timeOrigin).
    this.#clockOffsetMs = performance.timeOrigin - (this.#f64[P.F_EPOCH] as number);
    this.#quantumMs = args.quantumMs;
    this.#memoryBuffer = args.memory.buffer;
    this.#memory64 = new Float64Array(this.#memoryBuffer);
    this.#outcomes = new OutcomeBuffer(args.port);
    this.#modules = new TaskModules(args.definitions, () => {
      const received = receiveMessageOnPort(args.port);
      if (received !== undefined) this.#onMessage(received.message as P.ToWorker);
      return received !== undefined;
    });
    args.port.on('message', (message: P.ToWorker) => this.#onMessage(message));
  }

  /** Pool time (ms since the pool's epoch, the same on every thread). */
  #now(): number {
    return performance.now() + this.#clockOffsetMs;
  }

  #onMessage(message: P.ToWorker): void {
    if (message.t === 'define') this.#modules.define(message.kind, message.module, message.name);
    else if (message.t === 'abort' && this.#current?.handle === message.handle) abortRun(this.#current, message.reason);
  }

  #post(message: P.FromWorker): void {
    this.#args.port.postMessage(message);
  }

  /** Imports the known task modules, then says so. */
  async boot(): Promise<void> {
    await this.#modules.preloadAll();
    this.#post({ t: 'booted' });
  }

  /** Waits, as a warm spare (importing task modules as they are defined), until the seat is given a role; false if the pool closes first. */
  waitForRole(): Promise<boolean> {
    void this.#modules.preloadAll();
    return waitForRole(this.#i32, this.#b32);
  }

  /**
   * Takes the seat's role, makes the thread's resource (once, when it first
   * serves a worker: the factory gets that worker's index), and says it is ready.
   */
  async start(): Promise<void> {
    this.#modules.stopPreloading();
    this.index = Atomics.load(this.#i32, this.#b32 + P.W_ROLE) - 1;
    this.#maxClass = this.#i32[this.#b32 + P.W_MAX_CLASS] as number;
    this.#i32[this.#b32 + P.W_STATE] = P.WORKER_STARTING;
    const r = this.#args.resource;
    if (r !== undefined && !this.#resourceMade) {
      this.#resourceMade = true;
      const mod = await import(r.module);
      const factory = mod[r.name];
      if (typeof factory !== 'function') throw new TypeError(`the resource factory ${r.name} of ${r.module} is not a function`);
      this.resource = await factory(this.index);
    }
    this.#post({ t: 'ready' });
  }

  /** Locks, or never returns if this worker is fenced (being terminated: it must not enter the core again). */
  async #lock(): Promise<void> {
    lock(this.#i32, this.#owner);
    if (this.#i32[this.#b32 + P.W_FENCE] === 1) {
      unlock(this.#i32);
      await new Promise(() => {});
    }
  }

  #readyCount(): number {
    if (this.#args.memory.buffer !== this.#memoryBuffer) {
      this.#memoryBuffer = this.#args.memory.buffer;
      this.#memory64 = new Float64Array(this.#memoryBuffer);
    }
    return this.#memory64[(this.#w.countersPtr() >>> 3) + L.COUNTER_READY] as number;
  }

  #batchSize(): number {
    const ready = this.#readyCount();
    if (ready <= 0) return 1;
    const wanted = this.#avgRuntimeMs < 0.02 ? 64 : this.#avgRuntimeMs < 0.2 ? 16 : this.#avgRuntimeMs < 0.5 ? 4 : 1;
    // Leave the other threads their share of what is ready.
    return Math.max(1, Math.min(wanted, Math.ceil(ready / this.#args.threads), L.POOL_TAKE_MAX));
  }

  /** Takes and runs tasks until the pool closes (false) or this thread loses its role to a spare (true). */
  async run(): Promise<boolean> {
    const i32 = this.#i32;
    const f64 = this.#f64;
    const b32 = this.#b32;
    const b64 = this.#b64;
    let unstartedFrom = 0; // index in the batch list of the first task not started (== count: none)
    for (;;) {
      if (Atomics.load(i32, P.I_CLOSING) === 1) {
        this.#outcomes.flush();
        return false;
      }
      // 1. Charge, give back, take.
      await this.#lock();
      const w = this.#w;
      const charges = this.#toCharge;
      for (let i = 0; i < this.#toChargeCount; i += 3) w.chargeWeighted(charges[i] as number, charges[i + 1] as number, charges[i + 2] as number);
      this.#toChargeCount = 0;
      let count = i32[b32 + P.W_BATCH_COUNT] as number;
      const now = this.#now();
      if (unstartedFrom < count) {
        // Given back in reverse so that each keeps its place ahead of the next.
        for (let i = count - 1; i >= unstartedFrom; i--) {
          const h = f64[b64 + P.W_BATCH_HANDLES + i] as number;
          w.requeue(h, now, L.REQUEUE_KEEP_PLACE);
        }
        count = unstartedFrom;
      }
      Atomics.store(i32, b32 + P.W_FLAG, 0);
      if (Atomics.load(i32, b32 + P.W_ROLE) === 0) {
        // Its role went to a spare while its task ran (threads.ts handOver): report, hold nothing, become a spare.
        i32[b32 + P.W_STATE] = P.WORKER_SPARE;
        i32[b32 + P.W_BATCH_COUNT] = count;
        unlock(i32);
        this.#outcomes.flush();
        i32[b32 + P.W_BATCH_COUNT] = 0;
        this.#post({ t: 'spare' });
        return true;
      }
      const taken = w.poolTake(now, this.#maxClass, this.#batchSize());
      const start = count;
      if (taken > 0) {
        const out = (w.outputBufferPtr() >>> 3);
        const mem = this.#memoryView();
        for (let i = 0; i < taken; i++) {
          const h = mem[out + i] as number;
          f64[b64 + P.W_BATCH_HANDLES + count + i] = h;
          const at = this.#entry(h) + P.T_DISPATCH;
          this.#side[at] = (this.#side[at] as number) + 1;
        }
        count += taken;
        i32[b32 + P.W_STATE] = P.WORKER_BUSY;
      } else {
        i32[b32 + P.W_STATE] = P.WORKER_IDLE;
        Atomics.store(i32, b32 + P.W_WAKE, 0);
      }
      i32[b32 + P.W_BATCH_COUNT] = count;
      i32[b32 + P.W_BATCH_INDEX] = start;
      unlock(i32);

      // 2. Report the last batch, then drop it from the list.
      this.#outcomes.flush();
      if (start > 0) {
        // Only this thread writes its list; the main thread reads it once this thread is gone.
        for (let i = 0; i < count - start; i++) f64[b64 + P.W_BATCH_HANDLES + i] = f64[b64 + P.W_BATCH_HANDLES + start + i] as number;
        count -= start;
        i32[b32 + P.W_BATCH_INDEX] = 0;
        i32[b32 + P.W_BATCH_COUNT] = count;
      }

      // 4. Nothing to do: sleep until woken.
      if (taken === 0) {
        unstartedFrom = 0;
        Atomics.wait(i32, b32 + P.W_WAKE, 0, 100);
        continue;
      }

      // 3. Run the batch.
      unstartedFrom = count;
      this.#endedJustNow = false;
      for (let i = 0; i < count; i++) {
        i32[b32 + P.W_BATCH_INDEX] = i;
        const handle = f64[b64 + P.W_BATCH_HANDLES + i] as number;
        const kind = this.#side[this.#entry(handle) + P.T_KIND] as number;
        // The outcomes of the batch so far are posted before a task that may run long: they must not wait for it.
        if (i > 0 && !((this.#kindRuntimeMs[kind] ?? LONG_TASK_MS) < LONG_TASK_MS)) {
          this.#outcomes.flush();
          this.#endedJustNow = false;
        }
        const fn = this.#modules.get(kind);
        if (fn === undefined && kind > 0) {
          this.#endedJustNow = false;
          if (!(await this.#load(handle))) {
            unstartedFrom = i; // urgent work flagged it while its module loaded: given back unstarted
            break;
          }
        }
        const ran = this.#runOne(handle, fn);
        let runtime: number;
        if (typeof ran === 'number') {
          runtime = ran;
        } else {
          runtime = await ran;
          this.#endedJustNow = false;
        }
        this.#avgRuntimeMs += (runtime - this.#avgRuntimeMs) * 0.25;
        const kindMs = this.#kindRuntimeMs[kind];
        this.#kindRuntimeMs[kind] = kindMs === undefined ? runtime : kindMs + (runtime - kindMs) * 0.25;
        if (i + 1 < count && (Atomics.load(i32, b32 + P.W_FLAG) !== 0 || runtime >= LONG_TASK_MS)) {
          unstartedFrom = i + 1;
          break;
        }
      }
      i32[b32 + P.W_BATCH_INDEX] = count;
    }
  }

  /** Runtime to charge to a task under the lock, at the start of the next round. */
  #charge(handle: number, ms: number, weight: number): void {
    let charges = this.#toCharge;
    const at = this.#toChargeCount;
    if (at + 3 > charges.length) {
      charges = new Float64Array(2 * charges.length);
      charges.set(this.#toCharge);
      this.#toCharge = charges;
    }
    charges[at] = handle;
    charges[at + 1] = ms;
    charges[at + 2] = weight;
    this.#toChargeCount = at + 3;
  }

  /** Where the handle's side-table entry starts; the view is made again if the table has grown past it. */
  #entry(handle: number): number {
    const at = P.slotOf(handle) * P.TASK_WORDS;
    if (at + P.TASK_WORDS > this.#side.length) this.#side = P.fixedView(Float64Array, this.#args.side, 8);
    return at;
  }

  /** A value in the payload arena; the view is made again if the arena has grown past it. */
  #read(offset: number, length: number): unknown {
    if (offset + length > this.#payload.length) this.#payload = P.fixedView(Uint8Array, this.#args.payload, 1);
    return readPayload(this.#payload, offset, length);
  }

  #memoryView(): Float64Array {
    if (this.#args.memory.buffer !== this.#memoryBuffer) {
      this.#memoryBuffer = this.#args.memory.buffer;
      this.#memory64 = new Float64Array(this.#memoryBuffer);
    }
    return this.#memory64;
  }

  /**
   * Imports the task's module (this thread has not yet), as the seat's
   * current task but marked loading (W_LOADING): the task has not started, and
   * no quantum, grace or timeout runs. False if the seat was flagged meanwhile
   * (urgent work waits): the task has not started, and is given back.
   */
  async #load(handle: number): Promise<boolean> {
    const kind = this.#side[this.#entry(handle) + P.T_KIND] as number;
    const i32 = this.#i32;
    const b32 = this.#b32;
    Atomics.store(i32, b32 + P.W_LOADING, 1);
    this.#f64[this.#b64 + P.W_CURRENT] = handle;
    try {
      await this.#modules.load(kind);
    } catch {
      // Reported by the run, which fails with the same error.
    }
    // Not current until its run starts (runOne): the watchdog must never see it current, not loading, with an old segment start.
    this.#f64[this.#b64 + P.W_CURRENT] = 0;
    Atomics.store(i32, b32 + P.W_LOADING, 0);
    return Atomics.load(i32, b32 + P.W_FLAG) === 0 || (this.#side[this.#entry(handle) + P.T_KIND] as number) < 0;
  }

  /**
   * Runs one task; answers its runtime in ms, synchronously when the task is
   * (a tiny task pays for no promise and no microtask turn), or a promise of
   * it when the task returned one or its module failed to load.
   */
  #runOne(handle: number, known: TaskFunction | undefined): number | Promise<number> {
    const at = this.#entry(handle);
    const side = this.#side;
    const argsLength = side[at + P.T_ARGS_LEN] as number;
    const args = argsLength === P.ARGS_NUMBER ? side[at + P.T_ARGS] : argsLength === P.ARGS_UNDEFINED ? undefined : this.#read(side[at + P.T_ARGS] as number, argsLength);
    const stateLength = side[at + P.T_STATE_LEN] as number;
    const run: Run = {
      loop: this,
      handle,
      dispatch: side[at + P.T_DISPATCH] as number,
      attempt: side[at + P.T_ATTEMPT] as number,
      weight: side[at + P.T_WEIGHT] as number,
      state: stateLength === P.STATE_NONE ? undefined : this.#read(side[at + P.T_STATE] as number, stateLength),
      controller: undefined,
      abortReason: undefined,
      interrupted: false,
      saved: false,
      uncloneable: undefined,
    };
    const kind = side[at + P.T_KIND] as number;
    if (kind < 0) {
      // Settled already (cancelled while this thread held it): not run; the main thread ignores this outcome.
      this.#endedJustNow = false;
      this.#f64[this.#b64 + P.W_CURRENT] = 0;
      this.#outcomes.push(handle, run.dispatch, P.OUT_THREW, 0, P.errorData(new Error('skipped: the task was settled before it started')));
      return 0;
    }
    // The module is imported before the run starts (#load): its time is no task's quantum, grace or timeout.
    const fn = known ?? this.#modules.get(kind);
    return fn === undefined ? this.#callOnceLoaded(run, kind, args) : this.#call(run, fn, args);
  }

  /** Starts the run and calls the function; see #runOne for what it answers. */
  #call(run: Run, fn: TaskFunction, args: unknown): number | Promise<number> {
    this.#begin(run);
    let value: unknown;
    try {
      value = fn(args, new PoolTaskContext(run));
      if (typeof (value as PromiseLike<unknown> | null)?.then === 'function') return this.#settle(run, value as PromiseLike<unknown>);
    } catch (err) {
      return this.#end(run, P.OUT_THREW, P.errorData(err));
    }
    return this.#end(run, P.OUT_RETURNED, value);
  }

  /** The function is not imported yet (its import failed in #load, or it was never loaded): imported now, or the run fails with the import's error. */
  async #callOnceLoaded(run: Run, kind: number, args: unknown): Promise<number> {
    let fn: TaskFunction;
    try {
      fn = await this.#modules.load(kind);
    } catch (err) {
      this.#begin(run);
      return this.#end(run, P.OUT_THREW, P.errorData(err));
    }
    return this.#call(run, fn, args);
  }

  /** An asynchronous task's run: ends when its promise settles. */
  async #settle(run: Run, promise: PromiseLike<unknown>): Promise<number> {
    try {
      return this.#end(run, P.OUT_RETURNED, await promise);
    } catch (err) {
      return this.#end(run, P.OUT_THREW, P.errorData(err));
    }
  }

  /** The run starts: it is the seat's current task, its segment's clock starts. */
  #begin(run: Run): void {
    // A clock read costs ~85 ns here (performance.now() checks its receiver): the
    // run that ended just before (nothing else done since) lends its end time.
    const startedAt = this.#endedJustNow ? this.#lastEndedAt : performance.now();
    this.#endedJustNow = false;
    // The segment's start first: the watchdog reads the current task, then its start.
    this.#f64[this.#b64 + P.W_SEGMENT_START] = startedAt + this.#clockOffsetMs;
    this.#f64[this.#b64 + P.W_CURRENT] = run.handle;
    this.#current = run;
    this.#startedAt = startedAt;
    this.#chargedUntil = startedAt;
    this.#nextClaimCheck = 0;
  }

  /** The run ended (returned `value`, or threw: code): its outcome is buffered, its runtime to be charged. Answers the runtime, ms. */
  #end(run: Run, returnedCode: number, returnedValue: unknown): number {
    let code = returnedCode;
    let value = returnedValue;
    if (code === P.OUT_RETURNED && run.interrupted && run.saved) {
      code = P.OUT_YIELDED;
      value = undefined;
    }
    if (run.uncloneable !== undefined) {
      code = P.OUT_UNCLONEABLE;
      value = P.errorData(run.uncloneable);
    }
    const endedAt = performance.now();
    this.#lastEndedAt = endedAt;
    this.#endedJustNow = true;
    this.#f64[this.#b64 + P.W_CURRENT] = 0;
    this.#current = undefined;
    const runtime = endedAt - this.#startedAt;
    this.#charge(run.handle, endedAt - this.#chargedUntil, run.weight);
    this.#outcomes.push(run.handle, run.dispatch, code, runtime, value);
    return runtime;
  }

  shouldYield(run: Run): boolean {
    if (run.interrupted) return true;
    if (this.#current !== run) return false;
    const flag = Atomics.load(this.#i32, this.#b32 + P.W_FLAG);
    if (flag !== 0) {
      if (flag === P.PREEMPT_ABORT) abortRun(run, 'cancelled');
      else if (flag === P.PREEMPT_TIMEOUT) abortRun(run, 'timeout');
      run.interrupted = true;
      return true;
    }
    const t = performance.now();
    if (t - this.#startedAt < this.#quantumMs || t < this.#nextClaimCheck) return false;
    this.#nextClaimCheck = t + CLAIM_CHECK_EVERY_MS;
    // A task past its quantum may run long: what the batch finished before it is reported now.
    this.#outcomes.flush();
    // The quantum is spent: charge what ran so far and compare claims, under the lock.
    lock(this.#i32, this.#owner);
    const w = this.#w;
    w.chargeWeighted(run.handle, t - this.#chargedUntil, run.weight);
    this.#chargedUntil = t;
    const now = this.#now();
    // Work of an equal or higher claim waits, and no idle worker will take it (one that will is woken instead).
    const waiting = w.poolTopKey(this.#maxClass) <= w.poolRequeueKey(run.handle, now) && !this.#wakeIdleTaker(w.poolTopClass(this.#maxClass));
    if (waiting && Atomics.load(this.#i32, this.#b32 + P.W_FLAG) === 0) {
      this.#f64[this.#b64 + P.W_FLAG_AT] = now;
      Atomics.store(this.#i32, this.#b32 + P.W_FLAG, P.PREEMPT_QUANTUM);
    }
    unlock(this.#i32);
    if (waiting) run.interrupted = true;
    return waiting;
  }

  /**
   * Under the lock: wakes another worker that is idle and may take a task of
   * class `cls`; false if there is none. A task waiting only until an idle
   * worker wakes (a yielded task being requeued, a give-back) is no reason to
   * stop the running one: the yield would only send its own work the same
   * way.
   */
  #wakeIdleTaker(cls: number): boolean {
    const i32 = this.#i32;
    for (let seat = 0; seat < this.#args.seats; seat++) {
      const b = P.workerI32(seat);
      if (seat === this.#args.seat || i32[b + P.W_STATE] !== P.WORKER_IDLE || Atomics.load(i32, b + P.W_ROLE) === 0 || (i32[b + P.W_MAX_CLASS] as number) < cls) continue;
      Atomics.store(i32, b + P.W_WAKE, 1);
      Atomics.notify(i32, b + P.W_WAKE);
      return true;
    }
    return false;
  }

  saveState(run: Run, state: unknown): void {
    // Serialised here, as the payload arena stores it (node:v8, the structured
    // clone postMessage uses): what cannot be stored fails this task now, once.
    let bytes: Uint8Array;
    try {
      bytes = serialize(state);
    } catch (err) {
      run.uncloneable = uncloneable('ctx.saveState: the state', err);
      throw run.uncloneable;
    }
    run.state = state;
    run.saved = true;
    // Sent at once, so it outlives this thread if it is terminated.
    this.#post({ t: 'state', handle: run.handle, dispatch: run.dispatch, bytes });
  }
}

/** Piscina's entry: one call per worker thread, for the life of the thread. */
export default async function loop(args: P.LoopArgs): Promise<string> {
  const loop = new Loop(args);
  await loop.boot();
  // A spare until given a role; serving a worker until the role goes to another thread; a spare again.
  while (await loop.waitForRole()) {
    await loop.start();
    if (!(await loop.run())) break;
  }
  return 'closed';
}
