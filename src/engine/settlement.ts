// What happens when a run ends (returned, threw, rejected, timed out): the
// general path's report to the core. An interrupted run that saved its state
// is requeued; a failed run with attempts left is retried after its backoff;
// otherwise the run completes: a one-shot task ends (settling `done`), a
// periodic one is rescheduled by the core, a cron one at its expression's
// next instant. Events are emitted on the way, only for listened types.
import * as L from '../../bindings/layout.generated.js';
import type { CoreInstance } from '../../bindings/core-instance.js';
import type { CoreExports } from '../../bindings/load.js';
import type { Clock } from '../time/clock.js';
import { EVENT_FAIL, EVENT_FINISH, EVENT_INTERRUPT, EVENT_OVERRUN, EVENT_RETRY, EVENT_SKIP, type SchedulerEvents } from '../events.js';
import type { TaskErrorInfo } from '../error-reporting.js';
import { retryDelayMs } from '../tasks/retry.js';
import { HOST_TURN, type RunState } from '../tasks/task-context.js';
import type { Flights } from './flights.js';
import type { TaskEmitter } from './task-events.js';
import { slotOf, type TaskSlots } from './task-slots.js';

export interface SettlementParts {
  w: CoreExports;
  core: CoreInstance;
  slots: TaskSlots;
  flights: Flights;
  emitter: TaskEmitter;
  events: SchedulerEvents;
  clock: Clock;
  random: () => number;
  /** The core's timer heap changed: re-arm the host timer. */
  afterTimerChange: () => void;
  /** A run failed: tell options.onError (the engine's reportError). */
  reportError: (error: unknown, info: TaskErrorInfo, group: string) => void;
  /** The run returned for the host's turn, not its own: hold its turn (turns.ts). */
  hold: (handle: number, usedMs: number) => void;
}

export class Settlement {
  /** Clock time the last run settled (the loop reuses it instead of reading the clock again). */
  settledAtMs = -1;
  readonly #w: CoreExports;
  readonly #core: CoreInstance;
  readonly #slots: TaskSlots;
  readonly #flights: Flights;
  readonly #emitter: TaskEmitter;
  readonly #events: SchedulerEvents;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #afterTimerChange: () => void;
  readonly #reportError: (error: unknown, info: TaskErrorInfo, group: string) => void;
  readonly #hold: (handle: number, usedMs: number) => void;

  constructor(parts: SettlementParts) {
    this.#w = parts.w;
    this.#core = parts.core;
    this.#slots = parts.slots;
    this.#flights = parts.flights;
    this.#emitter = parts.emitter;
    this.#events = parts.events;
    this.#clock = parts.clock;
    this.#random = parts.random;
    this.#afterTimerChange = parts.afterTimerChange;
    this.#reportError = parts.reportError;
    this.#hold = parts.hold;
  }

  #report(run: RunState, error: unknown, willRetry: boolean): void {
    const handle = run.handle;
    const info: TaskErrorInfo = { id: handle, name: this.#slots.nameOf(handle), attempt: run.attempt, willRetry, source: 'task' };
    this.#reportError(error, info, this.#slots.reportGroupOf(handle));
  }

  /** A run ended (returned, threw, rejected or timed out): report it to the core. */
  settle(run: RunState, ok: boolean, valueOrError: unknown): void {
    if (run.settled) return;
    run.settled = true;
    // Cancelled while it ran synchronously: cancel() ended the task, and its
    // slot (and extras) may already belong to a task the run registered.
    if (this.#w.taskState(run.handle) < 0) return;
    const w = this.#w;
    const handle = run.handle;
    const slot = slotOf(handle);
    if (run.parked) {
      // Timed out while parked in a yield (ready in the core, not running):
      // there is no run to report, so the task ends with the error.
      if (!ok) this.#report(run, valueOrError, false);
      this.#flights.leave(slot);
      w.cancel(handle);
      this.#slots.end(handle, false, valueOrError);
      return;
    }
    // In flight, or asleep in ctx.sleep(): it leaves either way.
    if (run.inflight || this.#slots.extrasOf(slot)?.run === run) this.#flights.leave(slot);
    const nowMs = this.#clock.now();
    this.settledAtMs = nowMs;
    const runtimeMs = nowMs - run.segmentStartMs;
    const options = this.#slots.optionsOf(slot);
    if (ok && run.interrupted && run.savedState && !run.isLastRun) {
      const ex = this.#slots.extrasFor(slot);
      ex.state = run.state;
      ex.attempt = run.attempt;
      if (run.interrupted === HOST_TURN) {
        // The slice ran out, not its quantum: it stays RUNNING and goes on after the host's turn, charged then.
        this.#hold(handle, runtimeMs);
        return;
      }
      // A task cancelled while it ran is already gone from the core: nothing to report.
      if (w.charge(handle, runtimeMs) < 0) return;
      w.requeue(handle, nowMs, L.REQUEUE_PREEMPTED);
      if (this.#events.wanted & EVENT_INTERRUPT) this.#emitter.emit('taskinterrupt', handle, run.attempt, nowMs, { runtimeMs });
      this.#afterRun(slot, handle);
      return;
    }
    if (!ok && run.attempt < options.retry.attempts && !run.isLastRun) {
      if (w.charge(handle, runtimeMs) < 0) return;
      this.#report(run, valueOrError, true);
      const delayMs = retryDelayMs(options.retry, run.attempt + 1, this.#random);
      const ex = this.#slots.extrasFor(slot);
      ex.attempt = run.attempt + 1;
      if (run.savedState) ex.state = run.state;
      w.retry(handle, nowMs, delayMs);
      if (this.#events.wanted & EVENT_RETRY) this.#emitter.emit('taskretry', handle, run.attempt, nowMs, { runtimeMs, error: valueOrError, delayMs });
      this.#afterTimerChange();
      this.#afterRun(slot, handle);
      return;
    }
    if (!ok) this.#report(run, valueOrError, false);
    if (this.#events.wanted & (ok ? EVENT_FINISH : EVENT_FAIL)) {
      this.#emitter.emit(ok ? 'taskfinish' : 'taskfail', handle, run.attempt, nowMs, ok ? { runtimeMs } : { runtimeMs, error: valueOrError });
    }
    this.#completeRun(slot, handle, run, ok, valueOrError, nowMs, runtimeMs);
  }

  #completeRun(slot: number, handle: number, run: RunState, ok: boolean, valueOrError: unknown, nowMs: number, runtimeMs: number): void {
    const w = this.#w;
    const ex = this.#slots.extrasOf(slot);
    const options = this.#slots.optionsOf(slot);
    let flags = ok ? 0 : L.COMPLETE_FAILED;
    if (ex !== undefined) {
      ex.attempt = 1;
      ex.state = undefined;
    }
    // A run ends here, succeeded or failed after its last attempt: maxRuns
    // counts it either way (retries and resumed interruptions were the same run).
    if (run.isLastRun || (options.maxRuns > 0 && ++(ex ?? this.#slots.extrasFor(slot)).runsEnded >= options.maxRuns)) {
      flags |= L.COMPLETE_FINAL;
    } else if (ex?.cron !== undefined) {
      const wallNowMs = this.#clock.wallNow();
      const nextWallMs = ex.cron.nextRunAfter(wallNowMs);
      if (nextWallMs === null) {
        flags |= L.COMPLETE_FINAL;
      } else {
        if (w.charge(handle, runtimeMs) < 0) return;
        w.completeAt(handle, nowMs, nowMs + Math.max(0, nextWallMs - wallNowMs), flags);
        this.#afterTimerChange();
        this.#afterRun(slot, handle);
        return;
      }
    }
    const wantsSkips = (this.#events.wanted & (EVENT_SKIP | EVENT_OVERRUN)) !== 0 && w.taskState(handle) === L.STATE_RUNNING;
    const before = wantsSkips ? this.#core.snapshot(handle) : undefined;
    const status = w.finish(handle, nowMs, runtimeMs, flags);
    if (status === L.STATUS_ENDED) {
      this.#slots.end(handle, ok, valueOrError);
      return;
    }
    // Negative: the task was cancelled while it ran (cancel() already ended it).
    if (status < 0) return;
    if (before) this.#emitter.emitSkips(handle, before, nowMs);
    this.#afterTimerChange();
    this.#afterRun(slot, handle);
  }

  /** A task that asked to be paused while it ran is paused now. */
  #afterRun(slot: number, handle: number): void {
    const ex = this.#slots.extrasOf(slot);
    if (ex?.pauseAfterRun) {
      ex.pauseAfterRun = false;
      this.#w.pause(handle);
    }
  }
}
