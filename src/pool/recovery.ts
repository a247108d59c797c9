// Recovering the tasks of a worker thread that is gone: terminated by an
// escalation (fenced first), or dead on its own (a crash). Called on the main
// thread under the lock; its events are deferred (events.flush() once the lock
// is released: supervisor.ts afterRecovery).
//
// Every task the thread held (its batch list and its current task: the
// control block keeps both) is put back. The current one:
//   terminated to make room for more urgent work: resumes from its saved
//     state, or restarts as a new attempt; never fails (the termination was
//     not its failure) and counts towards maxTerminations, past which it is
//     no longer terminated for urgency (supervisor.ts);
//   terminated past its timeoutMs: the attempt fails with TaskTimeoutError,
//     retried per its policy;
//   cancelled (already settled): ends;
//   crashed: the attempt fails with WorkerCrashedError, retried per its policy.
// Every other one, taken and not started, or run but not yet reported, is
// requeued in its place. Each recovered run gets a new dispatch number, so an
// outcome of it still in flight is ignored when it arrives: every task ends
// exactly once.
import * as L from '../../bindings/layout.generated.js';
import type { PoolParts } from './pool-parts.js';
import { WorkerCrashedError } from './errors.js';
import { timeoutError } from './outcomes.js';
import type { TaskRecord } from './task-record.js';

export interface RecoveryHost extends PoolParts {
  /** Under the lock: retries a failed attempt if its policy allows (true), else ends the task in the core (false). */
  retry(r: TaskRecord, nowMs: number, error: unknown): boolean;
}

export interface Recovered {
  /** Tasks that failed for good, with their error: rejected once the lock is released. */
  readonly settled: Array<[TaskRecord, unknown]>;
  /** Tasks requeued (idle workers should be woken). */
  requeued: number;
  /** A retry was scheduled (the due timer must be armed). */
  retried: boolean;
}

export function recoverSeat(host: RecoveryHost, seat: number, worker: number, cause: 'terminated' | 'crashed', nowMs: number): Recovered {
  const { w, control, book, counters, events } = host;
  const current = control.current(seat);
  const segmentStartMs = control.segmentStartMs(seat);
  const out: Recovered = { settled: [], requeued: 0, retried: false };
  for (const handle of control.held(seat)) {
    const r = book.of(handle);
    if (r === undefined || w.taskState(handle) !== L.STATE_RUNNING) continue; // ended meanwhile
    book.newDispatch(r);
    if (r.cancelled) {
      w.complete(handle, nowMs, L.COMPLETE_FINAL);
      book.release(r);
    } else if (handle !== current) {
      w.requeue(handle, nowMs, L.REQUEUE_KEEP_PLACE);
      out.requeued++;
    } else if (cause === 'terminated' && r.timedOut) {
      const error = timeoutError(r);
      if (host.retry(r, nowMs, error)) out.retried = true;
      else out.settled.push([r, error]);
    } else if (cause === 'terminated') {
      r.terminations++;
      if (r.stateLength >= 0) {
        // The same attempt goes on: its run so far counts towards its timeout.
        r.ranMs += Math.max(0, nowMs - segmentStartMs);
        counters.resumes++;
        events.defer('resume', { task: handle, worker, attempt: r.attempt, atMs: nowMs });
      } else {
        book.nextAttempt(r);
        counters.restarts++;
        events.defer('restart', { task: handle, worker, attempt: r.attempt, atMs: nowMs });
      }
      w.requeue(handle, nowMs, L.REQUEUE_PREEMPTED);
      out.requeued++;
    } else {
      const error = new WorkerCrashedError(`the worker running the task died (attempt ${r.attempt})`);
      if (host.retry(r, nowMs, error)) out.retried = true;
      else out.settled.push([r, error]);
    }
  }
  control.clearHeld(seat);
  return out;
}
