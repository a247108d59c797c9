// The pool's threads: which thread serves which worker, the warm spares, and
// the control-block seats they use.
//
// Every thread runs one long-lived loop task on Piscina (worker.ts), started
// in a seat of the control block. A thread serves a worker (0..threads-1) once
// its seat has that role; until then it is a warm spare: booted (core
// attached, task modules imported) and asleep. Roles move between threads:
//   handOver(): urgent work needs a worker whose task is asked to stop: the
//     role goes to a warm spare at once (a store and a futex wake), which
//     takes the urgent task while the old thread's task has its grace. The
//     old thread retires: when its task returns it becomes a spare again; if
//     it must be terminated, a new spare boots instead. So an urgent task
//     waits neither for the grace nor for a thread to boot;
//   replace(): a worker's thread was terminated or died while it had the
//     role: a spare takes it at once and a new spare boots behind it; without
//     a spare, a new thread is started in the role.
// For the moment of a grace, threads + 1 threads may run tasks.
//
// Piscina keeps threads + spareThreads threads (minThreads = maxThreads): it
// terminates the thread of an aborted loop and starts another, on which the
// next loop submitted runs.
//
// Seats. A terminated thread may run on for a moment while it stops, and must
// not write over its successor's words, so a seat is handed out again only
// once the thread that had it has exited (its Worker's 'exit'; the thread
// wrote its threadId in the seat when it started). There are twice as many
// seats as live threads; a start that finds none free waits for an exit.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import * as L from '../../bindings/layout.generated.js';
import type { ControlBlock } from './control.js';
import type { ResolvedPoolOptions } from './options.js';
import type * as P from './protocol.js';

export interface PoolThread {
  /** Increasing per thread started: events and messages of a thread that is gone can be told apart. */
  readonly id: number;
  readonly seat: number;
  /** The worker it serves, -1 while it is a spare. */
  index: number;
  readonly port: MessagePort;
  readonly controller: AbortController;
  /** Fenced by an escalation: its loop's end is expected and already handled. */
  fenced: boolean;
  /** It has booted (posted 'booted'): a spare that can take a role at once. */
  booted: boolean;
  /** It has its role and its resource (posted 'ready'). */
  ready: boolean;
}

export interface ThreadsHost {
  /** What a loop in `seat` is given but its port (the pool's shared buffers, definitions, options). */
  loopArgs(seat: number): Omit<P.LoopArgs, 'port'>;
  /** A thread's message other than 'booted' and 'ready' (which this file keeps track of). */
  onMessage(thread: PoolThread, message: P.FromWorker): void;
  /** Its loop task ended: aborted by the pool (fenced), or the thread died. */
  onLoopEnded(thread: PoolThread, err: unknown): void;
}

export class PoolThreads {
  readonly #piscina: Piscina;
  readonly #control: ControlBlock;
  readonly #o: ResolvedPoolOptions;
  readonly #host: ThreadsHost;
  readonly #workers: Array<PoolThread | undefined>;
  readonly #spares: PoolThread[] = [];
  /** Threads whose role went to a spare while their task still runs: spares again once it returns. */
  readonly #retiring = new Set<PoolThread>();
  readonly #freeSeats: number[] = [];
  /** Starts that found no free seat: a worker index, or -1 for a spare. */
  readonly #waitingForSeat: number[] = [];
  /** Seats of ended threads, by threadId, until the thread exits. */
  readonly #seatOfExiting = new Map<number, number>();
  /** Threads that exited before their loop's end was seen. */
  readonly #exitedEarly = new Set<number>();
  #nextId = 1;
  /** Resolves once every worker's thread is ready and every spare has booted (the pool's `ready`). */
  readonly ready: Promise<void>;
  #markReady: (() => void) | undefined;

  constructor(piscina: Piscina, control: ControlBlock, options: ResolvedPoolOptions, host: ThreadsHost) {
    this.#piscina = piscina;
    this.#control = control;
    this.#o = options;
    this.#host = host;
    this.#workers = new Array(options.threads).fill(undefined);
    for (let seat = control.seats - 1; seat >= 0; seat--) this.#freeSeats.push(seat);
    this.ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    piscina.on('workerCreate', (info: { id: number }) => {
      // Read now: a Worker's threadId reads -1 once it has exited.
      const threadId = info.id;
      piscina.threads.find((t) => t.threadId === threadId)?.once('exit', () => this.#exited(threadId));
    });
  }

  /** Seats the control block needs for these options. */
  static seatsFor(options: ResolvedPoolOptions): number {
    return 2 * (options.threads + options.spareThreads);
  }

  /** Starts every worker's thread and the spares. */
  startAll(): void {
    for (let i = 0; i < this.#o.threads; i++) this.#workers[i] = this.#start(i);
    for (let i = 0; i < this.#o.spareThreads; i++) this.#start(-1);
  }

  /** The threads serving workers, by index (undefined: its replacement waits for a seat). */
  get workers(): ReadonlyArray<PoolThread | undefined> {
    return this.#workers;
  }

  /** Every thread that may still run a task or take a role: the workers', the retiring ones and the spares. */
  *live(): Iterable<PoolThread> {
    yield* this.busy();
    yield* this.#spares;
  }

  /** The threads that may hold tasks: the workers' and the retiring ones (the watchdog watches these). */
  *busy(): Iterable<PoolThread> {
    for (const t of this.#workers) if (t !== undefined) yield t;
    yield* this.#retiring;
  }

  /** The thread has lost its role to a spare and still runs its last task. */
  isRetiring(thread: PoolThread): boolean {
    return this.#retiring.has(thread);
  }

  /** Spares that have booted. */
  get warmSpares(): number {
    let n = 0;
    for (const t of this.#spares) if (t.booted) n++;
    return n;
  }

  /** The least urgent class worker `index` takes. */
  maxClassOf(index: number): number {
    return index < this.#o.reservedWorkers ? this.#o.reservedMaxClass : L.POOL_ANY_CLASS;
  }

  /**
   * Worker `index`'s thread is gone (fenced or dead): gives the role to a
   * spare (a booted one first) or to a new thread, and starts a spare to take
   * the place of the one used. Answers the thread now serving the worker and
   * whether it had booted already.
   */
  replace(index: number): { thread: PoolThread | undefined; warm: boolean } {
    let at = this.#spares.findIndex((t) => t.booted);
    if (at < 0 && this.#spares.length > 0) at = 0;
    let thread: PoolThread | undefined;
    let warm = false;
    if (at >= 0) {
      thread = this.#spares.splice(at, 1)[0] as PoolThread;
      warm = thread.booted;
      thread.index = index;
      this.#control.setRole(thread.seat, index, this.maxClassOf(index));
      this.#control.wake(thread.seat);
      this.#start(-1);
    } else {
      thread = this.#start(index);
    }
    this.#workers[index] = thread;
    return { thread, warm };
  }

  /**
   * Urgent work needs worker `index`, whose task was just asked to stop: a
   * booted spare takes the role now, and the old thread retires (spare again
   * once its task returns: retired()). Undefined when no spare has booted.
   * Under the lock; the caller wakes the spare (control.wake) once the lock is
   * released, so that it does not wake only to wait for the lock.
   */
  handOver(index: number): PoolThread | undefined {
    const old = this.#workers[index];
    const at = this.#spares.findIndex((t) => t.booted);
    if (old === undefined || at < 0) return undefined;
    const thread = this.#spares.splice(at, 1)[0] as PoolThread;
    this.#control.clearRole(old.seat);
    this.#retiring.add(old);
    thread.index = index;
    this.#control.setRole(thread.seat, index, this.maxClassOf(index));
    this.#workers[index] = thread;
    return thread;
  }

  /** A retiring thread's task returned and it gave up its seat's work: it is a spare again. */
  retired(thread: PoolThread): void {
    if (!this.#retiring.delete(thread) || thread.fenced) return;
    thread.index = -1;
    this.#spares.push(thread);
  }

  /** A retiring thread was terminated or died: a new spare takes its place. */
  retiringLost(thread: PoolThread): void {
    if (this.#retiring.delete(thread)) this.#start(-1);
  }

  /** A spare's loop ended without a role (it died while waiting): start another. */
  spareLost(thread: PoolThread): void {
    const at = this.#spares.indexOf(thread);
    if (at < 0) return;
    this.#spares.splice(at, 1);
    this.#start(-1);
  }

  /** The thread's loop ended: its seat is free once the thread has exited. */
  ended(thread: PoolThread): void {
    const threadId = this.#control.threadId(thread.seat);
    if (threadId === 0) {
      // It never ran the loop's first line: nothing of it will write the seat.
      this.#free(thread.seat);
    } else if (this.#exitedEarly.delete(threadId)) {
      this.#free(thread.seat);
    } else {
      this.#seatOfExiting.set(threadId, thread.seat);
    }
  }

  #exited(threadId: number): void {
    const seat = this.#seatOfExiting.get(threadId);
    if (seat === undefined) {
      this.#exitedEarly.add(threadId);
      return;
    }
    this.#seatOfExiting.delete(threadId);
    this.#free(seat);
  }

  #free(seat: number): void {
    this.#freeSeats.push(seat);
    const waiting = this.#waitingForSeat.shift();
    if (waiting === undefined) return;
    const thread = this.#start(waiting);
    if (waiting >= 0 && this.#workers[waiting] === undefined) this.#workers[waiting] = thread;
  }

  #onMessage(thread: PoolThread, message: P.FromWorker): void {
    if (message.t === 'booted' || message.t === 'ready') {
      if (message.t === 'booted') thread.booted = true;
      else thread.ready = true;
      this.#checkReady();
    } else if (message.t === 'spare') {
      this.retired(thread);
    } else {
      this.#host.onMessage(thread, message);
    }
  }

  #checkReady(): void {
    if (this.#markReady === undefined) return;
    for (const thread of this.live()) if (thread.index >= 0 ? !thread.ready : !thread.booted) return;
    this.#markReady();
    this.#markReady = undefined;
  }

  /** Starts a loop in a free seat, serving worker `index` (or a spare: -1); undefined if it must wait for a seat. */
  #start(index: number): PoolThread | undefined {
    const seat = this.#freeSeats.pop();
    if (seat === undefined) {
      this.#waitingForSeat.push(index);
      return undefined;
    }
    const control = this.#control;
    control.reset(seat);
    if (index >= 0) control.setRole(seat, index, this.maxClassOf(index));
    const { port1, port2 } = new MessageChannel();
    const thread: PoolThread = { id: this.#nextId++, seat, index, port: port1, controller: new AbortController(), fenced: false, booted: false, ready: false };
    port1.on('message', (message: P.FromWorker) => this.#onMessage(thread, message));
    port1.unref();
    if (index < 0) this.#spares.push(thread);
    const args = { ...this.#host.loopArgs(seat), port: port2 };
    this.#piscina.run(args, { transferList: [port2] as never, signal: thread.controller.signal }).then(
      () => {},
      (err: unknown) => this.#host.onLoopEnded(thread, err),
    );
    return thread;
  }
}
