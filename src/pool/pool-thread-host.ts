// The main thread's side of a pool's worker threads: the Piscina they run on,
// what each loop is given when it starts, the messages they post, and what
// happens when one ends (a fence or a death: its role goes to a warm spare or
// a new thread, its tasks are recovered by the supervisor, which this object
// makes and wires to it). Apart from WorkerPool (pool.ts) because none of it
// is on a task's path: it runs per thread started or lost and per message
// (a batch of outcomes), while submission and wake-ups stay in the pool.
import { fileURLToPath } from 'node:url';
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { sharedAttachModule } from '../../bindings/shared.js';
import { requirePeer } from '../require-peer.js';
import { UncloneableError } from './errors.js';
import type { Outcomes } from './outcomes.js';
import type { PayloadArena } from './payload.js';
import type { PoolParts } from './pool-parts.js';
import type * as P from './protocol.js';
import type { RecoveryHost } from './recovery.js';
import { Supervisor } from './supervisor.js';
import { type PoolThread, PoolThreads, type ThreadsHost } from './threads.js';

/** What the pool gives its thread host: the shared parts, and the pool's own state it reads. */
export interface ThreadHostParts extends PoolParts {
  readonly memory: WebAssembly.Memory;
  readonly payload: PayloadArena;
  /** Every task kind defined so far (the pool appends to it). */
  readonly definitions: ReadonlyArray<{ kind: number; module: string; name: string }>;
  readonly outcomes: Outcomes;
  readonly recovery: RecoveryHost;
  now(): number;
  wake(cls: number, count: number): void;
  /** close() was called. */
  closing(): boolean;
  /** The pool's shutdown has started. */
  closed(): boolean;
}

export class PoolThreadHost implements ThreadsHost {
  readonly piscina: Piscina;
  readonly threads: PoolThreads;
  readonly supervisor: Supervisor;
  readonly #p: ThreadHostParts;
  readonly #oldPorts: MessagePort[] = [];

  constructor(parts: ThreadHostParts) {
    this.#p = parts;
    const o = parts.options;
    const { Piscina: PiscinaPool } = requirePeer<typeof import('piscina')>('piscina', 'timeslice/pool (WorkerPool)');
    this.piscina = new PiscinaPool({
      // The CommonJS build of the worker entry, from the ESM build too. Piscina's
      // worker require()s its filename first, so an ESM entry went through Node
      // 20.19+'s require(esm), which once aborted the whole process during the
      // crash tests (V8 fatal error "IsGraphAsync must be used on an instantiated
      // module": not an exception anyone can catch). require() of CommonJS is the
      // path Piscina was built on; the user's task modules are still import()ed.
      filename: fileURLToPath(new URL('./pool-worker.cjs', import.meta.url)),
      minThreads: o.threads + o.spareThreads,
      maxThreads: o.threads + o.spareThreads,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      ...(o.resourceLimits === undefined ? {} : { resourceLimits: o.resourceLimits }),
    });
    this.threads = new PoolThreads(this.piscina, parts.control, o, this);
    const outcomes = parts.outcomes;
    this.supervisor = new Supervisor({
      w: parts.w,
      control: parts.control,
      book: parts.book,
      counters: parts.counters,
      events: parts.events,
      options: o,
      threads: this.threads,
      recovery: parts.recovery,
      now: parts.now,
      wake: parts.wake,
      fail: (r, error) => outcomes.fail(r, error),
      armDueTimer: () => outcomes.armDueTimer(),
      drain: (thread) => this.drain(thread),
      replace: (thread, atMs, reason) => this.#replace(thread, atMs, reason),
      handedOver: (spare, atMs) => this.#handedOver(spare, atMs),
    });
  }

  loopArgs(seat: number): Omit<P.LoopArgs, 'port'> {
    const p = this.#p;
    return {
      seat,
      seats: p.control.seats,
      threads: p.options.threads,
      module: sharedAttachModule(),
      memory: p.memory,
      control: p.control.buffer,
      side: p.book.side,
      payload: p.payload.buffer,
      definitions: p.definitions,
      resource: p.options.resource,
      quantumMs: p.options.quantumMs,
    };
  }

  onMessage(_thread: PoolThread, message: P.FromWorker): void {
    if (message.t === 'results') {
      this.#p.outcomes.onResults(message.n, message.v);
    } else if (message.t === 'state') {
      const book = this.#p.book;
      const r = book.current(message.handle, message.dispatch);
      if (r !== undefined && !r.cancelled) {
        try {
          book.saveState(r, message.bytes);
        } catch (err) {
          this.supervisor.endEarly(r, new UncloneableError(`ctx.saveState: the state cannot be kept: ${(err as Error).message}`));
        }
      }
    }
  }

  /**
   * Handles, now, every message the thread has posted: before its tasks are
   * recovered, so that outcomes and saved states it sent first are used (a
   * task that finished is not run again; a resumed task gets its last state).
   */
  drain(thread: PoolThread): void {
    const port = thread.port;
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) this.onMessage(thread, m.message as P.FromWorker);
  }

  /** The worker's thread was fenced or died: its role goes to a warm spare, or to a new thread. */
  #replace(old: PoolThread, atMs: number, reason: 'terminated' | 'crashed'): void {
    const p = this.#p;
    if (this.threads.isRetiring(old)) {
      // Its role went to a spare already: a new spare takes the place of the one used.
      this.threads.retiringLost(old);
      return;
    }
    if (p.closing() && p.book.live === 0) return;
    const { thread, warm } = this.threads.replace(old.index);
    p.counters.replacements++;
    if (warm) p.counters.warmReplacements++;
    const threadId = thread === undefined ? 0 : p.control.threadId(thread.seat);
    p.events.emit('replace', { worker: old.index, warm, threadId, reason, atMs });
  }

  #handedOver(spare: PoolThread, atMs: number): void {
    const p = this.#p;
    p.counters.replacements++;
    p.counters.warmReplacements++;
    p.events.emit('replace', { worker: spare.index, warm: true, threadId: p.control.threadId(spare.seat), reason: 'urgent', atMs });
  }

  onLoopEnded(thread: PoolThread, err: unknown): void {
    if (this.#p.closed()) return;
    // The port stays open: outcomes the thread posted before it died may not
    // have been delivered yet, and closing it would drop them (the tasks they
    // report are no longer in its batch list). Old ports close with the pool.
    this.#oldPorts.push(thread.port);
    this.threads.ended(thread);
    this.supervisor.forget(thread);
    if (thread.index < 0) this.threads.spareLost(thread);
    else if (!thread.fenced && (this.threads.workers[thread.index] === thread || this.threads.isRetiring(thread))) this.supervisor.crashed(thread, err);
  }

  /** Stops the threads (their loops have been told to end) and closes every port, old ones too. */
  async destroy(): Promise<void> {
    await this.piscina.destroy();
    for (const thread of this.threads.live()) thread.port.close();
    for (const port of this.#oldPorts) port.close();
  }
}
