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
//
// Its parts: worker-views.ts (the views of shared memory), worker-runs.ts (one
// run: its start, its call, its end and the runtime to charge),
// worker-outcomes.ts (the outcomes of a batch, posted in one message) and
// worker-seat.ts (what the thread writes about itself, and a spare's wait).
// The module's performance, not the global: in Node 20 the global is a getter called on every use.
import { performance } from 'node:perf_hooks';
import { serialize } from 'node:v8';
import { receiveMessageOnPort } from 'node:worker_threads';
import { instantiateCore } from '../../bindings/load.js';
import * as L from '../../bindings/layout.generated.js';
import { lock, OWNER_WORKER0, unlock } from './lock.js';
import type { Run, RunHost } from './context.js';
import { TaskModules } from './task-modules.js';
import { abortRun, OutcomeBuffer, uncloneable } from './worker-outcomes.js';
import { SeatRuns } from './worker-runs.js';
import { announceThread, waitForRole } from './worker-seat.js';
import { SharedViews } from './worker-views.js';
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
  readonly #b32: number;
  readonly #b64: number;
  readonly #owner: number;
  readonly #clockOffsetMs: number;
  readonly #quantumMs: number;
  readonly #modules: TaskModules;
  /** The least urgent class this worker takes (from its role). */
  #maxClass = L.POOL_ANY_CLASS;
  #resourceMade = false;
  readonly #views: SharedViews;
  readonly #runs: SeatRuns;
  /** Outcomes not yet posted. */
  readonly #outcomes: OutcomeBuffer;
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
    this.#views = new SharedViews(args);
    this.#owner = OWNER_WORKER0 + args.seat;
    // This thread's performance.now() + offset = pool time (each thread has its own timeOrigin).
    this.#clockOffsetMs = performance.timeOrigin - (this.#f64[P.F_EPOCH] as number);
    this.#quantumMs = args.quantumMs;
    this.#outcomes = new OutcomeBuffer(args.port);
    this.#modules = new TaskModules(args.definitions, () => {
      const received = receiveMessageOnPort(args.port);
      if (received !== undefined) this.#onMessage(received.message as P.ToWorker);
      return received !== undefined;
    });
    this.#runs = new SeatRuns(this, this.#f64, this.#b64, this.#clockOffsetMs, this.#views, this.#modules, this.#outcomes);
    args.port.on('message', (message: P.ToWorker) => this.#onMessage(message));
  }

  /** Pool time (ms since the pool's epoch, the same on every thread). */
  #now(): number {
    return performance.now() + this.#clockOffsetMs;
  }

  #onMessage(message: P.ToWorker): void {
    if (message.t === 'define') this.#modules.define(message.kind, message.module, message.name);
    else if (message.t === 'abort' && this.#runs.current?.handle === message.handle) abortRun(this.#runs.current, message.reason);
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

  #batchSize(): number {
    const ready = this.#views.readyCount(this.#w.countersPtr());
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
      this.#runs.chargeEnded(w);
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
        const views = this.#views;
        const mem = views.memory();
        for (let i = 0; i < taken; i++) {
          const h = mem[out + i] as number;
          f64[b64 + P.W_BATCH_HANDLES + count + i] = h;
          const at = views.entry(h) + P.T_DISPATCH;
          views.side[at] = (views.side[at] as number) + 1;
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
      const runs = this.#runs;
      runs.endedJustNow = false;
      for (let i = 0; i < count; i++) {
        i32[b32 + P.W_BATCH_INDEX] = i;
        const handle = f64[b64 + P.W_BATCH_HANDLES + i] as number;
        const kind = this.#kindOf(handle);
        // The outcomes of the batch so far are posted before a task that may run long: they must not wait for it.
        if (i > 0 && !((this.#kindRuntimeMs[kind] ?? LONG_TASK_MS) < LONG_TASK_MS)) {
          this.#outcomes.flush();
          runs.endedJustNow = false;
        }
        const fn = this.#modules.get(kind);
        if (fn === undefined && kind > 0) {
          runs.endedJustNow = false;
          if (!(await this.#load(handle))) {
            unstartedFrom = i; // urgent work flagged it while its module loaded: given back unstarted
            break;
          }
        }
        const ran = runs.runOne(handle, fn);
        let runtime: number;
        if (typeof ran === 'number') {
          runtime = ran;
        } else {
          runtime = await ran;
          runs.endedJustNow = false;
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

  /** The task's function kind (negative once it was settled). */
  #kindOf(handle: number): number {
    const at = this.#views.entry(handle);
    return this.#views.side[at + P.T_KIND] as number;
  }

  /**
   * Imports the task's module (this thread has not yet), as the seat's
   * current task but marked loading (W_LOADING): the task has not started, and
   * no quantum, grace or timeout runs. False if the seat was flagged meanwhile
   * (urgent work waits): the task has not started, and is given back.
   */
  async #load(handle: number): Promise<boolean> {
    const kind = this.#kindOf(handle);
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
    return Atomics.load(i32, b32 + P.W_FLAG) === 0 || this.#kindOf(handle) < 0;
  }

  shouldYield(run: Run): boolean {
    if (run.interrupted) return true;
    const runs = this.#runs;
    if (runs.current !== run) return false;
    const flag = Atomics.load(this.#i32, this.#b32 + P.W_FLAG);
    if (flag !== 0) {
      if (flag === P.PREEMPT_ABORT) abortRun(run, 'cancelled');
      else if (flag === P.PREEMPT_TIMEOUT) abortRun(run, 'timeout');
      run.interrupted = true;
      return true;
    }
    const t = performance.now();
    if (t - runs.startedAt < this.#quantumMs || t < runs.nextClaimCheck) return false;
    runs.nextClaimCheck = t + CLAIM_CHECK_EVERY_MS;
    // A task past its quantum may run long: what the batch finished before it is reported now.
    this.#outcomes.flush();
    // The quantum is spent: charge what ran so far and compare claims, under the lock.
    lock(this.#i32, this.#owner);
    const w = this.#w;
    w.chargeWeighted(run.handle, t - runs.chargedUntil, run.weight);
    runs.chargedUntil = t;
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
