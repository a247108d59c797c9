// What a run's context does without the engine (the context is the run's
// state: see TaskContext).
import type { RunState } from '../tasks/task-context.js';

/** Aborts a run's signal (creating it if the task has not asked for it yet, so a later read sees it aborted). */
export function abortRun(run: RunState, reason: unknown): void {
  run.controller ??= new AbortController();
  if (!run.controller.signal.aborted) run.controller.abort(reason);
}
