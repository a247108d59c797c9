// What a run's context does without the engine (the context is the run's
// state: see TaskContext).
import type { Clock } from '../clock.js';
import { type Duration, parseDurationMs } from '../duration.js';
import type { RunState } from '../task-context.js';

/** Aborts a run's signal (creating it if the task has not asked for it yet, so a later read sees it aborted). */
export function abortRun(run: RunState, reason: unknown): void {
  run.controller ??= new AbortController();
  if (!run.controller.signal.aborted) run.controller.abort(reason);
}

/** ctx.sleep(): resolves after ms on the clock; rejects when the run's signal aborts. */
export function sleepInRun(clock: Clock, run: RunState, ms: Duration): Promise<void> {
  const delayMs = parseDurationMs('ms', ms);
  return new Promise<void>((resolve, reject) => {
    run.controller ??= new AbortController();
    const signal = run.controller.signal;
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimer(timer);
      reject(signal.reason);
    };
    const timer = clock.setTimer(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
