// The context a pool task receives as its second argument, in its worker
// thread, and the state of one run behind it (worker.ts makes one per run).

/** What a pool task receives as its second argument. */
export class PoolTaskContext<State = unknown> {
  readonly #run: Run;
  /** @internal */
  constructor(run: Run) {
    this.#run = run;
  }
  /** 1 for the first attempt, 2 after a failure or a restart, ... */
  get attempt(): number {
    return this.#run.attempt;
  }
  /** The state saved by an earlier, interrupted run of this task (undefined on a fresh run). */
  get state(): State | undefined {
    return this.#run.state as State | undefined;
  }
  /** What the pool's resource factory made for this worker thread. */
  get resource(): unknown {
    return this.#run.loop.resource;
  }
  /** Which worker (0-based) runs this task. */
  get worker(): number {
    return this.#run.loop.index;
  }
  /** Aborted when the task is cancelled (its signal: reason PoolTaskCancelledError) or runs past its timeoutMs (reason TaskTimeoutError). */
  get signal(): AbortSignal {
    const run = this.#run;
    if (run.controller === undefined) {
      run.controller = new AbortController();
      if (run.abortReason !== undefined) run.controller.abort(run.abortReason);
    }
    return run.controller.signal;
  }
  /**
   * True when the task should save its state and return: a more urgent task
   * arrived, or its quantum is spent and work of an equal or higher claim
   * waits, or it was cancelled, or it ran past its timeoutMs (then
   * ctx.signal aborts too). Cheap: a load, and a clock read.
   */
  shouldYield(): boolean {
    return this.#run.loop.shouldYield(this.#run);
  }
  /**
   * Saves state to resume from, at once (it survives the worker being
   * terminated). Returning after shouldYield() answered true and saveState()
   * requeues the task; its next run, maybe on another worker, sees ctx.state.
   * A state that cannot be structured-cloned throws UncloneableError, and the
   * task fails with it (once: it is not retried).
   */
  saveState(state: State): void {
    this.#run.loop.saveState(this.#run, state);
  }
}

/** What a run needs of the worker loop running it (worker.ts). */
export interface RunHost {
  readonly resource: unknown;
  readonly index: number;
  shouldYield(run: Run): boolean;
  saveState(run: Run, state: unknown): void;
}

/** One run of one task on a worker. */
export interface Run {
  readonly loop: RunHost;
  readonly handle: number;
  readonly dispatch: number;
  readonly attempt: number;
  readonly weight: number;
  state: unknown;
  /** Made when the task first reads ctx.signal. */
  controller: AbortController | undefined;
  /** Why the run was asked to stop for good (cancelled, timed out): ctx.signal aborts with it, even if read later. */
  abortReason: Error | undefined;
  interrupted: boolean;
  saved: boolean;
  /** Set when a state it saved cannot be cloned: the run fails with it, whatever the task does next. */
  uncloneable: Error | undefined;
}
