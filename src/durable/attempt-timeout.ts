// A durable attempt's time limit (its task's timeoutMs, else the scheduler's
// durableTimeoutMs). Past it the attempt ends as an in-memory run past its
// timeoutMs does (run-loop.ts): its signal aborts with TaskTimeoutError and
// the run leaves flight, freeing its concurrency slot. Both are done by
// cancelling the attempt's core task with that error (task-controls.ts), not
// through the core task's own timeoutMs, whose failure the engine would
// report to onError a second time (the attempt's end reports it, with the
// durable task's id and whether it is retried). The attempt then fails with
// the error, recorded in the history and retried by the task's policy; a body
// that ignores its signal and ends later changes nothing (its saveState()
// calls are refused once the next attempt holds the slot).
import type { Engine } from '../engine/engine.js';
import { TaskTimeoutError } from '../errors.js';
import type { TaskContext } from '../tasks/task-context.js';

export type BodyOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The body's outcome, or a TaskTimeoutError failure if it has not ended within timeoutMs (on the scheduler's clock). */
export function withinTimeout(engine: Engine, ctx: TaskContext, body: Promise<BodyOutcome>, timeoutMs: number, what: string): Promise<BodyOutcome> {
  return new Promise<BodyOutcome>((resolve) => {
    const timer = engine.clock.setTimer(() => {
      const error = new TaskTimeoutError(`${what} timed out after ${timeoutMs} ms`);
      resolve({ ok: false, error });
      engine.controls.cancel(ctx.handle, error); // false, doing nothing, if its core task has ended
    }, timeoutMs);
    void body.then((outcome) => {
      engine.clock.clearTimer(timer);
      resolve(outcome);
    });
  });
}
