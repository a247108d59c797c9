// The TaskContext every task receives: its signal, cooperative yielding,
// sleeping, saved state and the controls of the Go micro-scheduler seed.
import { mustBe } from '../../bindings/errors.js';
import type { Duration } from '../time/duration.js';

/** What the engine provides to a context (kept narrow so contexts stay cheap). */
export interface ContextHost {
  /** True when this run should hand the thread back (slice spent, or more urgent work is ready). */
  shouldYield(run: RunState): boolean;
  /** Requeues the task ahead of newer equal tasks; resolves when it is picked again. */
  yield(run: RunState): Promise<void>;
  sleep(run: RunState, ms: Duration): Promise<void>;
  /**
   * The state of the run `context` was made for on the fast path, made now:
   * the state of the run in progress if it is that one, else (its run has
   * ended) a settled one.
   */
  stateOf(context: TaskContext): RunState;
}

/**
 * The context of one run: what a task receives.
 *
 * What must be cheap: a run that never looks at its context. The run loop's
 * fast path (engine/run-loop.ts) makes the context alone, one field pointing
 * at the engine, and the run's state (a RunState) only when the task first
 * asks for something: a context made per run is garbage the moment the run
 * returns, and a run phase that allocated 120 bytes a task made the
 * collector copy every task still queued several times over (a scavenge
 * during the run of a 1e6 burst, where the floor-scheduler made none).
 * A function that declares no parameter shares one context from run to run
 * until something asks it for its state (engine/run-loop.ts, #sharedContext).
 * The general path makes both at once.
 */
export class TaskContext<State = unknown> {
  /**
   * @internal The run's state; on the fast path, until something asks for
   * it, the engine, which makes it then.
   */
  run: RunState<State> | ContextHost;

  /** @internal Made by the engine, one per run. */
  constructor(run: RunState<State> | ContextHost) {
    this.run = run;
  }

  /** @internal The task's handle. */
  get handle(): number {
    return stateOf(this).handle;
  }

  /** Aborted when the task is cancelled, times out, or the scheduler stops without draining. */
  get signal(): AbortSignal {
    const run = stateOf(this);
    run.controller ??= new AbortController();
    return run.controller.signal;
  }

  /** 1 for the first attempt, 2 for the first retry, ... */
  get attempt(): number {
    return stateOf(this).attempt;
  }

  /** The state saved by the previous, interrupted run (undefined on a fresh run); after saveState(), the saved state. */
  get state(): State | undefined {
    return stateOf(this).state;
  }

  /**
   * Saves state to resume from. Returning after saveState() while
   * shouldYield() has been true requeues the task instead of completing it;
   * the next run sees the state in ctx.state.
   */
  saveState(state: State): void {
    const run = stateOf(this);
    run.state = state;
    run.savedState = true;
  }

  /**
   * True when the task should return (after saveState()) or `await
   * ctx.yield()` soon: its quantum is spent (the others' turn), more urgent
   * work waits (priority and deadline policies), or the run loop's slice is
   * spent (the host's turn: the task then keeps its turn and continues first,
   * with the rest of its quantum).
   */
  shouldYield(): boolean {
    const run = stateOf(this);
    return run.host.shouldYield(run);
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
    const run = stateOf(this);
    return run.host.yield(run);
  }

  /**
   * Resolves after ms; other tasks run meanwhile, in this task's concurrency
   * slot too (it gives the slot back while asleep and takes one again when it
   * wakes, before any new run starts). Rejects if the task is aborted
   * (cancel, timeout, stop without drain), or if ms is not a valid duration.
   */
  sleep(ms: Duration): Promise<void> {
    const run = stateOf(this);
    return run.host.sleep(run, ms);
  }

  /** This run is the last: a periodic task ends after it; an interrupted task is not requeued. */
  noReschedule(): void {
    stateOf(this).isLastRun = true;
  }
}

/**
 * A context's run state, made on first request for a context of the fast
 * path. A function, not a private method: a class with private methods gives
 * each instance a brand slot (8 bytes more per run).
 */
function stateOf<State>(context: TaskContext<State>): RunState<State> {
  const run = context.run;
  if (run instanceof RunState) return run;
  const made = run.stateOf(context) as RunState<State>;
  context.run = made;
  return made;
}

/** The engine's state of one run (the engine's fields; a task sees its TaskContext). */
export class RunState<State = unknown> {
  readonly host: ContextHost;
  /** What the task receives. */
  readonly context: TaskContext<State>;
  /** The task's handle. */
  readonly handle: number;
  /** Clock time the current segment started (reset on each resume). */
  segmentStartMs: number;
  /**
   * Why shouldYield() last answered true during this run: 0 never,
   * HOST_TURN (the loop's slice: the task keeps its turn), TURN_OVER (its
   * quantum is spent or more urgent work waits: requeued behind the others).
   */
  interrupted = 0;
  /** saveState() was called during this run. */
  savedState = false;
  /** This run is the last one (noReschedule()). */
  isLastRun = false;
  /** The run has been settled (finished, failed, timed out): late settles are ignored. */
  settled = false;
  /** Made on first use of `signal`. */
  controller: AbortController | undefined = undefined;
  /** The run returned a promise and counts against the concurrency limit. */
  inflight = false;
  /** Parked in ctx.yield() after being in flight: it gets its concurrency slot back on resume. */
  parked = false;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** The state saved by the previous run, or by saveState() in this one. */
  state: State | undefined;

  /** A run and its context; or the state of a context the fast path made (`context` given). */
  constructor(host: ContextHost, handle: number, attempt: number, segmentStartMs: number, state: unknown, context?: TaskContext<State>) {
    this.host = host;
    this.handle = handle;
    this.attempt = attempt;
    this.segmentStartMs = segmentStartMs;
    this.state = state as State | undefined;
    this.context = context ?? new TaskContext<State>(this);
  }
}

/** RunState.interrupted: the slice is spent, the host's turn; the task keeps its own (engine/turns.ts). */
export const HOST_TURN = 1;
/** RunState.interrupted: the task's turn is over (quantum spent, or more urgent work waits). */
export const TURN_OVER = 2;

export function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw mustBe(name, 'a function', value);
}
