// The TaskContext every task receives: its signal, cooperative yielding,
// sleeping, saved state and the controls of the Go micro-scheduler seed.
import { describeValue, InvalidArgumentError } from '../bindings/errors.js';
import type { Duration } from './duration.js';

/** What the engine provides to a context (kept narrow so contexts stay cheap). */
export interface ContextHost {
  /** True when this run should hand the thread back (slice spent, or more urgent work is ready). */
  shouldYield(run: RunState): boolean;
  /** Requeues the task ahead of newer equal tasks; resolves when it is picked again. */
  yield(run: RunState): Promise<void>;
  sleep(run: RunState, ms: Duration): Promise<void>;
}

/**
 * The context of one run: what a task receives, and the run's own state.
 *
 * Why one object: the run loop makes one per run, and the engine keeps a
 * reference to the current one. With the state in a second object (context
 * and state pointing at each other), dispatch measured ~2x slower per no-op
 * task in V8 (bench: dispatch suite), so the state lives here. The fields
 * marked internal are the engine's (left out of the published types); a
 * task uses the methods and getters.
 */
export class TaskContext<State = unknown> {
  readonly #host: ContextHost;
  /** @internal The task's handle. */
  readonly handle: number;
  /** @internal Clock time the current segment started (reset on each resume). */
  segmentStartMs: number;
  /**
   * @internal Why shouldYield() last answered true during this run: 0 never,
   * HOST_TURN (the loop's slice: the task keeps its turn), TURN_OVER (its
   * quantum is spent or more urgent work waits: requeued behind the others).
   */
  interrupted = 0;
  /** @internal saveState() was called during this run. */
  savedState = false;
  /** @internal This run is the last one (noReschedule()). */
  isLastRun = false;
  /** @internal The run has been settled (finished, failed, timed out): late settles are ignored. */
  settled = false;
  /** @internal Made on first use of `signal`. */
  controller: AbortController | undefined = undefined;
  /** @internal The run returned a promise and counts against the concurrency limit. */
  inflight = false;
  /** @internal Parked in ctx.yield() after being in flight: it gets its concurrency slot back on resume. */
  parked = false;
  #attempt: number;
  #state: State | undefined;

  /** @internal Made by the engine, one per run. */
  constructor(host: ContextHost, handle: number, attempt: number, segmentStartMs: number, state: unknown) {
    this.#host = host;
    this.handle = handle;
    this.#attempt = attempt;
    this.segmentStartMs = segmentStartMs;
    this.#state = state as State | undefined;
  }

  /** Aborted when the task is cancelled, times out, or the scheduler stops without draining. */
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /** 1 for the first attempt, 2 for the first retry, ... */
  get attempt(): number {
    return this.#attempt;
  }

  /** The state saved by the previous, interrupted run (undefined on a fresh run); after saveState(), the saved state. */
  get state(): State | undefined {
    return this.#state;
  }

  /**
   * Saves state to resume from. Returning after saveState() while
   * shouldYield() has been true requeues the task instead of completing it;
   * the next run sees the state in ctx.state.
   */
  saveState(state: State): void {
    this.#state = state;
    this.savedState = true;
  }

  /**
   * True when the task should return (after saveState()) or `await
   * ctx.yield()` soon: its quantum is spent (the others' turn), more urgent
   * work waits (priority and deadline policies), or the run loop's slice is
   * spent (the host's turn: the task then keeps its turn and continues first,
   * with the rest of its quantum).
   */
  shouldYield(): boolean {
    return this.#host.shouldYield(this);
  }

  /**
   * Lets other work run, then continues. Of its own accord, the continuation
   * keeps its priority and goes ahead of newer tasks of the same class (as
   * scheduler.yield()). After shouldYield() answered true, it does what a
   * run that saved its state and returned would: its quantum spent, it goes
   * behind the other ready tasks; only the slice spent, it continues first
   * after the host's turn.
   */
  yield(): Promise<void> {
    return this.#host.yield(this);
  }

  /**
   * Resolves after ms; other tasks run meanwhile, in this task's concurrency
   * slot too (it gives the slot back while asleep and takes one again when it
   * wakes, before any new run starts). Rejects if the task is aborted
   * (cancel, timeout, stop without drain), or if ms is not a valid duration.
   */
  sleep(ms: Duration): Promise<void> {
    return this.#host.sleep(this, ms);
  }

  /** This run is the last: a periodic task ends after it; an interrupted task is not requeued. */
  noReschedule(): void {
    this.isLastRun = true;
  }
}

/** RunState.interrupted: the slice is spent, the host's turn; the task keeps its own (engine/turns.ts). */
export const HOST_TURN = 1;
/** RunState.interrupted: the task's turn is over (quantum spent, or more urgent work waits). */
export const TURN_OVER = 2;

/** What the engine works with: the context is the run's state. */
export type RunState = TaskContext;

export function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${name} must be a function, received ${describeValue(value)}`);
}
