// How a task ended, kept for its TaskHandle, so that `done` can be read at
// any time, before or after the end.
//
// What must be cheap: a task whose `done` nobody reads, and its handle. The
// engine does not keep handles: a handle the caller drops dies young, which
// a garbage collector pays almost nothing for, while one kept for every
// pending task survived into the old generation and cost the collector
// ~400 ns a task in a 1e6 burst (bench/suites/dispatch, 2026-12-06: 1.6x
// the CPU of the same run with handles dropped). Instead the handles of up
// to BOOK_TASKS consecutive registrations share one OutcomeBook: the engine
// keeps the book while any of its tasks lives, each handle keeps its book,
// and the book lives as long as either does. No promise is made for a task
// whose `done` nobody reads; a task that ended returning `undefined` leaves
// nothing in its book (whether it has ended is the core's answer: the id's
// generation is stale). Any other end is recorded as an Ended: the value it
// returned, a Failed with its error, CANCELLED (the error is made only if
// `done` is read), or a Settled holding the promise read while it lived.
// The price: a book, and what its tasks returned, stays alive while any one
// of its handles does (at most BOOK_TASKS outcomes for one kept handle,
// and the 8 KB page its cancelled ids share with 15 other books).
import type { Engine } from './engine.js';
import { TaskCancelledError } from '../errors.js';
import { TaskHandle } from '../tasks/task-handle.js';

/** Registrations whose handles share one book. */
export const BOOK_TASKS = 64;

/** Ids below this are small integers (Smis) in V8 with or without pointer compression. */
const SMALL_ID_LIMIT = 2 ** 30;

/**
 * Books made while the core's highest generation is below this are plain
 * OutcomeBooks, whose handles keep their ids as they are. Their 64
 * registrations take generations below 48 + 64 + 1 (each reuse of a slot
 * within the book is one of its registrations): ids below 2^31, small
 * integers in Node; with pointer compression (2^30) a few may be heap
 * numbers, exact all the same. Generations only grow (a renewed core starts
 * above the old one's), so once past this every new book is a LargeIdBook.
 */
export const LARGE_ID_GENERATION = 48;

/** How the tasks of up to BOOK_TASKS registrations ended, for their handles. */
export class OutcomeBook {
  /** The engine the handles act through. */
  readonly engine: Engine;
  /** Task id -> how it ended, for the tasks that did not just return undefined or get cancelled (and for `done` reads). */
  #ended: Map<number, Ended> | undefined;
  /**
   * The ids of its tasks cancelled with no reason, in the order cancelled
   * (the first #cancelledCount entries): the common end of a timer. Room for
   * every task of the book, taken at its first cancel from a page shared
   * with other books (cancelledRegion), written in place. Measured per
   * after() + cancel() at 1e5 with one delay (bench/suites/timers): a Map
   * entry and an Ended per cancel cost 7% of the CPU; a push onto a growing
   * array (three backing stores per book) 1.4x the CPU of a Float64Array per
   * book; and that Float64Array (an ArrayBuffer per 64 cancels) 1.25x the CPU
   * of recording nothing, where a view into a shared page costs the same as
   * recording nothing. A `done` read after the end (rare) looks through at
   * most BOOK_TASKS ids (an id is never 0, so the unused zeros match none).
   */
  #cancelled: Float64Array | undefined;
  #cancelledCount = 0;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /** The handle of a task just registered into this book: its key is the id (the core's generations are young). */
  handle<R>(id: number): TaskHandle<R> {
    return new TaskHandle<R>(this, id);
  }

  /** A handle of live task `id`, whose book this is (scheduler.task()). */
  handleOf(id: number): TaskHandle {
    return new TaskHandle(this, id);
  }

  /** Task `id` ended: `outcome` is its value, a Failed, CANCELLED or a Settled. */
  record(id: number, outcome: unknown): void {
    if (outcome === CANCELLED) (this.#cancelled ??= idRegion())[this.#cancelledCount++] = id;
    else (this.#ended ??= new Map()).set(id, new Ended(outcome));
  }

  /** How task `id`, which has ended, ended: recorded, else it returned undefined (kept from the first read on, so `done` stays one promise). */
  endedOf(id: number): Ended {
    let ended = this.#ended?.get(id);
    if (ended === undefined) {
      ended = new Ended(this.#cancelled?.includes(id) === true ? CANCELLED : undefined);
      (this.#ended ??= new Map()).set(id, ended);
    }
    return ended;
  }
}

/**
 * A book made once some slot's generation is old (LARGE_ID_GENERATION): a
 * handle whose id is 2^30 or more keeps its index among the book's large
 * ids instead (task-handle.ts says why). Its own class, so that a book of
 * young ids (every book of a fresh Scheduler) makes its handles with no
 * test of the id at all.
 */
export class LargeIdBook extends OutcomeBook {
  /**
   * Its registrations' ids of 2^30 or more, in the order registered (at most
   * BOOK_TASKS: engine.ts track()): a region of a page shared with other
   * books (as cancelled ids), taken at the first such id. A handle's key is
   * ~index here.
   */
  #ids: Float64Array | undefined;
  #count = 0;

  override handle<R>(id: number): TaskHandle<R> {
    return new TaskHandle<R>(this, id < SMALL_ID_LIMIT ? id : ~this.keep(id));
  }

  /** Keeps a registration's large id; answers its index. Small, as idAt(): V8 inlines both where after() and cancel() run, so the id is never boxed. */
  keep(id: number): number {
    (this.#ids ??= idRegion())[this.#count] = id;
    return this.#count++;
  }

  /**
   * scheduler.task(id): a live task's book is the one it was registered into,
   * so a large id is among the kept ones (a small one never is; the region's
   * unused zeros match no id, as an id is never 0). Not found (not
   * expected), the handle keeps the id itself: exact, a heap number.
   */
  override handleOf(id: number): TaskHandle {
    // undefined (no large id kept yet) compares as no index, as -1 does.
    const index = this.#ids?.indexOf(id) as number;
    return new TaskHandle(this, index >= 0 ? ~index : id);
  }

  /** The id of a handle whose key is ~index: only a LargeIdBook makes such keys (task-handle.ts). */
  idAt(index: number): number {
    return (this.#ids as Float64Array)[index] as number;
  }
}

/**
 * Books whose cancelled ids (and large ids) share one page (one ArrayBuffer):
 * a page is made once per PAGE_BOOKS * BOOK_TASKS ids kept, and a book's
 * region of it is a view. The price: a page (8 KB) lives while any of its
 * books does.
 */
const PAGE_BOOKS = 16;
let page: Float64Array | undefined;
let pageBooksTaken = PAGE_BOOKS;

/** Room for BOOK_TASKS ids: the next region of the current page, a new page when it is full. */
function idRegion(): Float64Array {
  if (page === undefined || pageBooksTaken === PAGE_BOOKS) {
    page = new Float64Array(PAGE_BOOKS * BOOK_TASKS);
    pageBooksTaken = 0;
  }
  const start = pageBooksTaken++ * BOOK_TASKS;
  return page.subarray(start, start + BOOK_TASKS);
}

/** The task failed for good (its last attempt threw or rejected) or was cancelled with a reason. */
export class Failed {
  readonly error: unknown;
  constructor(error: unknown) {
    this.error = error;
  }
}

/** `done` was read: the promise, settled or to be settled. */
export class Settled {
  readonly promise: Promise<unknown>;
  constructor(promise: Promise<unknown>) {
    this.promise = promise;
  }
}

/** How a task ended, as its handle keeps it; `done`'s promise is made from it on first read. */
export class Ended {
  readonly #outcome: unknown;
  #promise: Promise<unknown> | undefined;

  constructor(outcome: unknown) {
    this.#outcome = outcome;
    this.#promise = outcome instanceof Settled ? outcome.promise : undefined;
  }

  /** The `done` promise of task `id` (the same one on every read). */
  promiseFor(id: number): Promise<unknown> {
    this.#promise ??= endedPromise(this.#outcome, id);
    return this.#promise;
  }
}

/** Cancelled with no reason, before anyone read `done`: the error is made when it is read. */
export const CANCELLED: unique symbol = Symbol('cancelled');

/** A rejected promise that does not crash the process if nobody handles it (`done` is optional). */
export function rejected(error: unknown): Promise<never> {
  const promise = Promise.reject(error);
  promise.catch(() => {});
  return promise;
}

/** The `done` promise of a task that has ended, from what its handle recorded. */
export function endedPromise(outcome: unknown, id: number): Promise<unknown> {
  if (outcome === CANCELLED) return rejected(cancelledError(id));
  if (outcome instanceof Failed) return rejected(outcome.error);
  return Promise.resolve(outcome);
}

let stackTraceLimitWritable: boolean | undefined;

/**
 * The error `done` rejects with when a task is cancelled without a reason.
 * It is made without a stack trace: capturing one cost ~5-15 µs per cancel
 * here, and kept 1e6 cancelled tasks' errors alive for the collector to walk
 * (cancel() then slowed as more tasks lived). The cancel() call site is not
 * what a cancelled task's owner needs; the message names the task.
 */
export function cancelledError(id: number): TaskCancelledError {
  const message = `task ${id} was cancelled`;
  stackTraceLimitWritable ??= isStackTraceLimitWritable();
  if (!stackTraceLimitWritable) return new TaskCancelledError(message);
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new TaskCancelledError(message);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** False where the intrinsics are frozen (SES lockdown) or the host has no such property (not V8). */
function isStackTraceLimitWritable(): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
  if (descriptor === undefined) return false;
  return descriptor.writable === true || descriptor.set !== undefined;
}
