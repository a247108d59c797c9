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

/** Per-run state shared by the engine and the context. */
export interface RunState {
  readonly handle: number;
  readonly attempt: number;
  /** Clock time the current segment started (reset on each resume). */
  segmentStartMs: number;
  /** shouldYield() has answered true during this run. */
  interrupted: boolean;
  /** saveState() was called during this run. */
  savedState: boolean;
  state: unknown;
  noReschedule: boolean;
  /** The run has been settled (finished, failed, timed out): late settles are ignored. */
  settled: boolean;
  controller: AbortController | undefined;
  /** The run returned a promise and counts against the concurrency limit. */
  inflight: boolean;
  /** Parked in ctx.yield() after being in flight: it gets its concurrency slot back on resume. */
  parked: boolean;
  /** The context handed to the task (for code that needs "the current task"). */
  context: TaskContext | undefined;
}

export class TaskContext<State = unknown> {
  readonly #host: ContextHost;
  readonly #run: RunState;

  constructor(host: ContextHost, run: RunState) {
    this.#host = host;
    this.#run = run;
  }

  /** Aborted when the task is cancelled, times out, or the scheduler stops without draining. */
  get signal(): AbortSignal {
    this.#run.controller ??= new AbortController();
    return this.#run.controller.signal;
  }

  /** 1 for the first attempt, 2 for the first retry, ... */
  get attempt(): number {
    return this.#run.attempt;
  }

  /** The state saved by the previous, interrupted run (undefined on a fresh run). */
  get state(): State | undefined {
    return this.#run.state as State | undefined;
  }

  /**
   * Saves state to resume from. Returning after saveState() while
   * shouldYield() has been true requeues the task instead of completing it;
   * the next run sees the state in ctx.state.
   */
  saveState(state: State): void {
    this.#run.state = state;
    this.#run.savedState = true;
  }

  /** True when the task should return (or `await ctx.yield()`) soon: its slice is spent or more urgent work waits. */
  shouldYield(): boolean {
    return this.#host.shouldYield(this.#run);
  }

  /**
   * Lets other work run, then continues: the continuation keeps its priority
   * and goes ahead of newer tasks of the same class (as scheduler.yield()).
   */
  yield(): Promise<void> {
    return this.#host.yield(this.#run);
  }

  /** Resolves after ms (other tasks run meanwhile); rejects if the task is aborted. */
  sleep(ms: Duration): Promise<void> {
    return this.#host.sleep(this.#run, ms);
  }

  /** This run is the last: a periodic task ends after it; an interrupted task is not requeued. */
  noReschedule(): void {
    this.#run.noReschedule = true;
  }
}

export function requireFunction(name: string, value: unknown): void {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${name} must be a function, received ${describeValue(value)}`);
}
