// The time limits of the attempts a cluster process runs, on one clock timer.
//
// An attempt's limit (attempt-timeout.ts) was a clock timer of its own, set
// when the body started and cleared when it ended: a host timeout armed and
// cleared per job, 10-18 us of this process's CPU per no-op job
// (bench/ab/cluster-cpu-profile.mjs, `clearTimer` alone 10.5 us of self
// time). Most attempts take the scheduler's durableTimeoutMs, one length for
// all: their limits pass in the order they were set (the clock only moves
// forward), so they wait in a queue in that order, and one timer is armed for
// the oldest limit not yet settled. A body that ends settles its limit (the
// queue drops it when it reaches the front, or in a compaction once most of
// the queue is settled); the timer is cleared when none is left, so an idle
// process keeps none armed. A task with a timeoutMs of its own keeps a timer
// of its own (withinTimeout).
//
// Past its limit an attempt ends exactly as withinTimeout ends it: its
// outcome is a TaskTimeoutError failure, then its core task is cancelled with
// that error.
import type { Engine } from '../../engine/engine.js';
import { TaskTimeoutError } from '../../errors.js';
import type { TaskContext } from '../../tasks/task-context.js';
import type { TimerId } from '../../time/clock.js';
import { type BodyOutcome, withinTimeout } from '../attempt-timeout.js';

interface Deadline {
  readonly dueMs: number;
  readonly ctx: TaskContext;
  readonly what: string;
  /** Undefined once settled (the body ended, or the limit passed). */
  resolve: ((outcome: BodyOutcome) => void) | undefined;
}

/** Below this many entries the queue is not compacted (its settled entries leave from the front). */
const COMPACT_AT = 1024;

export class AttemptDeadlines {
  readonly #engine: Engine;
  /** The one length kept in the queue (the scheduler's durableTimeoutMs). */
  readonly #timeoutMs: number;
  /** Limits in the order they were set (so in due order); settled ones stay until they reach the front or a compaction. */
  #queue: Deadline[] = [];
  #head = 0;
  /** Entries not settled. */
  #open = 0;
  #timer: TimerId | undefined;
  /** #fire is going through the queue (a limit set meanwhile is seen by it, which arms the timer). */
  #firing = false;

  constructor(engine: Engine, timeoutMs: number) {
    this.#engine = engine;
    this.#timeoutMs = timeoutMs;
  }

  /** withinTimeout(), on the shared timer when timeoutMs is the queue's length. */
  readonly within = (engine: Engine, ctx: TaskContext, body: Promise<BodyOutcome>, timeoutMs: number, what: string): Promise<BodyOutcome> => {
    if (timeoutMs !== this.#timeoutMs || engine !== this.#engine) return withinTimeout(engine, ctx, body, timeoutMs, what);
    return new Promise<BodyOutcome>((resolve) => {
      const deadline: Deadline = { dueMs: engine.clock.now() + timeoutMs, ctx, what, resolve };
      this.#queue.push(deadline);
      this.#open++;
      if (this.#timer === undefined && !this.#firing) this.#timer = engine.clock.setTimer(this.#fire, timeoutMs);
      void body.then((outcome) => {
        if (deadline.resolve === undefined) return;
        deadline.resolve = undefined;
        this.#settled();
        resolve(outcome);
      });
    });
  };

  /** A body ended within its limit. */
  #settled(): void {
    if (--this.#open === 0) {
      this.#reset();
      return;
    }
    const queue = this.#queue;
    while (queue[this.#head]!.resolve === undefined) this.#head++;
    // Settled entries behind an open one (a long run at the front) are dropped once they are most of the queue.
    if (queue.length >= COMPACT_AT && this.#open * 2 < queue.length) {
      this.#queue = queue.filter((d, i) => i >= this.#head && d.resolve !== undefined);
      this.#head = 0;
    }
  }

  /** The timer: every limit that passed ends its attempt; the timer is armed again for the next open one. */
  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#firing = true;
    try {
      if (this.#expire()) this.#reset();
    } finally {
      this.#firing = false;
    }
  };

  /** Ends every attempt whose limit passed; true if none is left, else the timer is armed for the next. */
  #expire(): boolean {
    const engine = this.#engine;
    const nowMs = engine.clock.now();
    const queue = this.#queue;
    for (; this.#head < queue.length; this.#head++) {
      const deadline = queue[this.#head]!;
      const resolve = deadline.resolve;
      if (resolve === undefined) continue;
      if (deadline.dueMs > nowMs) {
        this.#timer = engine.clock.setTimer(this.#fire, deadline.dueMs - nowMs);
        return false;
      }
      deadline.resolve = undefined;
      this.#open--;
      const error = new TaskTimeoutError(`${deadline.what} timed out after ${this.#timeoutMs} ms`);
      resolve({ ok: false, error });
      engine.controls.cancel(deadline.ctx.handle, error); // false, doing nothing, if its core task has ended
    }
    return true;
  }

  #reset(): void {
    if (this.#timer !== undefined) this.#engine.clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
  }
}
