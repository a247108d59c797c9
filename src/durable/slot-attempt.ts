// One attempt of one slot: start it in the store (claim a first attempt,
// retry an interrupted or failed one), run the defined function, and commit
// how it ended together with the task's new next slot, count and status.
//
// The run's core task ends with the body: its end is then committed while
// the run loop starts the next run, whose claim joins the same commit (the
// session's `slots` writes), so concurrency bounds the bodies running at
// once. The task itself stays `running` until its end is committed: its
// next slot is planned only then.
//
// The order is what the contract rests on. The claim commits before the body
// starts, so a slot that already has a record (completed, skipped, or held by
// another attempt) never starts again (C2); the completion is fenced by the
// attempt's token, so a stale attempt's end is refused (C3). A crash between
// claim and completion leaves the execution `running`: the next start records
// it as interrupted and retries it (recovery.ts). A failed attempt with
// attempts left is committed as `interrupted` (open, with its error; the
// `slotcomplete` event says failed), and its retry is started in the store
// when its backoff ends, just before the body runs: a crash at any moment in
// between leaves that open row, which recovery retries when the backoff
// measured from the failure ends, so the retry is neither lost nor run
// early, and no attempt is used up by a body that never ran. (Cluster mode
// ends it `failed` with its retryAtMs instead: pending again, in one write.)
//
// Store failures (disk full, a locked file): a claim that fails puts the run
// back and tries again after a backoff (1 s doubling to 30 s, a `storeerror`
// event each time), so the scheduler resumes by itself once space returns; a
// completion that fails is retried the same way (the body is not run again).
// A failed completion may have been stored though (its answer lost): its
// retry then meets its own end, refused as `already-ended`, and takes that
// for its success (#complete), so the attempt is counted and reported once.
// A claim or a retry that failed is put back and tried again after a
// backoff, and remembered on its task (lostStarts) until the next start's
// answer, which takes the running record one of them made (isStoredClaim,
// isStoredRetry): its answer was lost, not its write.
import type { Engine } from '../engine/engine.js';
import { retryDelayMs } from '../tasks/retry.js';
import { checkJsonSize } from '../store/json.js';
import { isStoredClaim, isStoredRetry } from '../store/slot-rules.js';
import { type ExecutionRecord, isManualSlot, type Json, MANUAL_SCHEDULE_VERSION, } from '../store/records.js';
import type { ClaimRequest, ClaimResult, CompleteRequest, EndResult, ExecutionTrace, RetryRequest, Store } from '../store/store.js';
import { TaskEndedError } from '../errors.js';
import type { TaskContext } from '../tasks/task-context.js';
import type { DefinedFunctions } from './defined-functions.js';
import { DurableContext, type DurableFn, StaleAttemptError } from './durable-context.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { TaskNotFoundError } from './errors.js';
import type { LiveRecord, LiveTask, PendingRun } from './live-task.js';
import { isFenced } from './fenced-store.js';
import { errorJson, errorMessage, resultJson } from './attempt-json.js';
import { taskUpdateAfter } from './attempt-task-update.js';
import { tracedBody } from './attempt-span.js';
import { type BodyOutcome, withinTimeout } from './attempt-timeout.js';
import { type StoreBackoff, untilStored } from './store-backoff.js';
import { endAnswer } from './stored-writes.js';

export interface AttemptHost {
  engine: Engine;
  functions: Pick<DefinedFunctions, 'get'>;
  store(): Promise<Store>;
  /** A batched claim (one transaction with the other claims and ends of a turn). */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** A batched end of an attempt (complete(), in the claims' transaction). */
  end(request: AttemptEnd): Promise<EndResult>;
  /**
   * A failed attempt with attempts left ends in the store as pending again at
   * `retryAtMs` (its backoff), for any process to claim (cluster mode),
   * instead of being started here in the store and run after its backoff.
   * @default false
   */
  retriesInStore?: boolean;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  continueTask(task: LiveTask): void;
  enter(task: LiveTask, delayMs: number): void;
  removeTask(task: LiveTask): void;
  reloadTask(task: LiveTask): void;
  /** The store's backoff, shared with the other writes of the scheduler. */
  backoff: StoreBackoff;
  /** The largest saved state, as JSON text in UTF-8 bytes. */
  maxPayloadBytes: number;
  /** An attempt's limit for tasks that set no timeoutMs, or null for none. */
  timeoutMs: number | null;
  /** How an attempt is held to its limit (cluster/attempt-deadlines.ts). @default withinTimeout */
  within?: typeof withinTimeout;
}

/** An attempt's end as SlotAttempt writes it: with retryAtMs only when the host retries in the store. */
export interface AttemptEnd extends CompleteRequest {
  retryAtMs?: number;
}

/** A pending run that starts an attempt (skips are recorded by skip-slots.ts). */
export type AttemptRun = Exclude<PendingRun, { start: 'skip' }>;

export class SlotAttempt {
  readonly #host: AttemptHost;

  constructor(host: AttemptHost) {
    this.#host = host;
  }

  /**
   * Runs one pending run (not a skip) of `task` as the core's run `ctx`.
   * Resolves when the body has ended (or the slot turned out not to run):
   * the core's run ends there. Its end is committed after that, and the task
   * continued once it is.
   */
  run(task: LiveTask, run: AttemptRun, ctx: TaskContext): Promise<void> {
    if (run.start === 'started' && this.#host.engine.options.tracer === undefined) return this.#runStarted(task, run.execution, ctx);
    return new Promise<void>((bodyEnded, failed) => {
      let ended = false;
      const onBodyEnd = () => {
        ended = true;
        bodyEnded();
      };
      this.#attempt(task, run, ctx, onBodyEnd).then(onBodyEnd, (error: unknown) => {
        if (!ended) failed(error);
        // After the body, the core's run is over: the failure (a store call that threw) is reported as the store's.
        else this.#host.emit('storeerror', { operation: 'complete', error, retryInMs: 0 });
      });
    });
  }

  /**
   * run() of an attempt a claim started (cluster mode), untraced: nothing to
   * write before the body, so the body's outcome is chained to its end
   * directly, without #attempt's frames. Same order as #attempt: the end is
   * queued before the core's run ends, the task continued once it is stored.
   */
  #runStarted(task: LiveTask, execution: ExecutionRecord, ctx: TaskContext): Promise<void> {
    task.running = true;
    const over = (entered: boolean) => {
      task.running = false;
      if (!entered) this.#host.continueTask(task);
    };
    // #body does not throw: the function's own throw is its outcome.
    return this.#body(task, execution, ctx).then(
      (outcome) => {
        this.#finish(task, execution, outcome, undefined).then(over, (error: unknown) => {
          over(false);
          // After the body, the core's run is over: the failure (a store call that threw) is reported as the store's.
          this.#host.emit('storeerror', { operation: 'complete', error, retryInMs: 0 });
        });
      },
      (error: unknown) => {
        over(false);
        throw error;
      },
    );
  }

  async #attempt(task: LiveTask, run: AttemptRun, ctx: TaskContext, onBodyEnd: () => void): Promise<void> {
    task.running = true;
    let entered = false;
    const engine = this.#host.engine;
    const tracer = engine.options.tracer;
    // How long this run was ready before it started, read while it is the running one (tracing only).
    const waitMs = tracer === undefined ? 0 : engine.core.snapshot(ctx.handle).waitMs;
    try {
      const execution = await this.#start(task, run);
      if (execution === 'requeued') {
        entered = true;
        return;
      }
      if (execution === undefined) return;
      let outcome: BodyOutcome;
      let trace: ExecutionTrace | undefined;
      if (tracer === undefined) outcome = await this.#body(task, execution, ctx);
      else ({ outcome, trace } = await tracedBody(tracer, task, execution, engine.clock.wallNow(), waitMs, () => this.#body(task, execution, ctx)));
      // #finish() adds the end to the slot writes before it first awaits: it is queued when the core's run ends.
      const finished = this.#finish(task, execution, outcome, trace);
      onBodyEnd();
      entered = await finished;
    } finally {
      task.running = false;
      if (!entered) this.#host.continueTask(task);
    }
  }

  /** The started attempt, undefined if the slot is not to run, or 'requeued' after a store failure. */
  async #start(task: LiveTask, run: AttemptRun): Promise<ExecutionRecord | undefined | 'requeued'> {
    const { record } = task;
    const startedAtMs = this.#host.engine.clock.wallNow();
    let sent: ClaimRequest | RetryRequest | undefined;
    try {
      if (run.start === 'started') return run.execution;
      if (run.start === 'manual') return await this.#claimManual(task, run, startedAtMs);
      if (run.start === 'retry') {
        const previous = run.execution;
        const store = await this.#host.store();
        const request: RetryRequest = { executionId: previous.id, fencingToken: previous.fencingToken, startedAtMs };
        sent = request;
        const result = await store.retry(request);
        this.#host.backoff.reset();
        if (result.status === 'retried') return result.execution;
        // An earlier try that failed may have started the attempt all the same.
        const lost = takeLostStarts(task);
        return result.status === 'stale-token' && lost?.some((r) => 'executionId' in r && isStoredRetry(result.current, r, previous.attempt)) ? result.current : undefined;
      }
      const request: ClaimRequest = { taskId: record.id, scheduleVersion: record.scheduleVersion, nominalMs: run.nominalMs, startedAtMs };
      sent = request;
      const result = await this.#host.claim(request);
      this.#host.backoff.reset();
      const lost = takeLostStarts(task);
      switch (result.status) {
        case 'claimed':
          return result.execution;
        case 'schedule-changed':
          this.#host.reloadTask(task);
          return undefined;
        case 'task-ended':
        case 'unknown-task':
          this.#host.removeTask(task);
          return undefined;
        default:
          // 'duplicate' or 'below-high-water-mark': the slot already has its record (C2, C4), unless an earlier
          // try that failed made it (its answer lost): then it is this run's.
          if (result.status === 'duplicate' && lost?.some((r) => 'taskId' in r && isStoredClaim(result.existing, r))) return result.existing;
          return undefined;
      }
    } catch (error) {
      // The lease moved on: the store is another scheduler's now, and this task was removed with the others.
      if (isFenced(error)) {
        if (run.start === 'manual') run.claimed.reject(error as Error);
        return undefined;
      }
      if (sent !== undefined) (task.lostStarts ??= []).push(sent);
      const retryInMs = this.#host.backoff.next();
      this.#host.emit('storeerror', { operation: run.start === 'retry' ? 'retry' : 'claim', error, retryInMs });
      task.queue.unshift(run);
      this.#host.enter(task, retryInMs);
      return 'requeued';
    }
  }

  /**
   * Claims a manual run (runNow) and tells runNow how it went. Its slot is
   * the ms it was asked for, or the first free one after it: two runs asked
   * for in the same ms are two slots.
   */
  async #claimManual(task: LiveTask, run: Extract<AttemptRun, { start: 'manual' }>, startedAtMs: number): Promise<ExecutionRecord | undefined> {
    const { id } = task.record;
    let lost: Array<ClaimRequest | RetryRequest> | undefined;
    for (let nominalMs = run.nominalMs; ; nominalMs++) {
      const request: ClaimRequest = { taskId: id, scheduleVersion: MANUAL_SCHEDULE_VERSION, nominalMs, startedAtMs };
      let result: ClaimResult;
      try {
        result = await this.#host.claim(request);
      } catch (error) {
        // Tried again as a whole (#start); this claim may have been stored all the same.
        if (!isFenced(error)) (task.lostStarts ??= []).push(...(lost ?? []), request);
        throw error;
      }
      this.#host.backoff.reset();
      lost ??= takeLostStarts(task);
      if (result.status === 'claimed') {
        run.claimed.resolve(result.execution);
        return result.execution;
      }
      if (result.status === 'duplicate') {
        // A slot an earlier try that failed claimed (its answer lost) is this run's; any other is taken.
        const { existing } = result;
        if (!lost?.some((r) => 'taskId' in r && isStoredClaim(existing, r))) continue;
        run.claimed.resolve(existing);
        return existing;
      }
      // A manual slot is refused only for its task: gone, or ended (see refuseByTask).
      run.claimed.reject(
        result.status === 'task-ended'
          ? new TaskEndedError(`runNow: task '${id}' is ${result.taskStatus}; it runs no more`)
          : new TaskNotFoundError(id, 'runNow'),
      );
      this.#host.removeTask(task);
      return undefined;
    }
  }

  #body(task: LiveTask, execution: ExecutionRecord, ctx: TaskContext): Promise<BodyOutcome> {
    const fn = this.#host.functions.get(task.record.functionName) as DurableFn;
    const save = async (state: Json) => {
      checkJsonSize(state, 'saveState: state', this.#host.maxPayloadBytes);
      const store = await this.#host.store();
      const result = await store.saveState(execution.id, execution.fencingToken, state);
      if (result.status !== 'saved') {
        throw new StaleAttemptError(`saveState: attempt ${execution.attempt} of ${execution.id} no longer holds its slot (${result.status})`);
      }
    };
    const info = { taskId: execution.taskId, nominalMs: execution.nominalMs, executionId: execution.id, attempt: execution.attempt, state: execution.state, manual: isManualSlot(execution) };
    let body: Promise<BodyOutcome>;
    try {
      const value: unknown = fn(task.record.params, new DurableContext(ctx, info, save));
      // A value that is not a thenable is the outcome at once (as `await` would take it); a thenable is followed.
      body = isThenable(value) ? Promise.resolve(value).then(succeeded, failed) : Promise.resolve({ ok: true, value });
    } catch (error) {
      body = Promise.resolve({ ok: false, error });
    }
    const timeoutMs = task.record.timeoutMs ?? this.#host.timeoutMs;
    if (timeoutMs === null) return body;
    return (this.#host.within ?? withinTimeout)(this.#host.engine, ctx, body, timeoutMs, `durable task '${execution.taskId}' attempt ${execution.attempt}`);
  }

  /**
   * Commits the attempt's end (with its span's ids when the record is to keep
   * them); true if a retry was entered (the caller must not continue the task).
   */
  async #finish(task: LiveTask, execution: ExecutionRecord, outcome: BodyOutcome, trace: ExecutionTrace | undefined): Promise<boolean> {
    const { record } = task;
    const clock = this.#host.engine.clock;
    const endedAtMs = clock.wallNow();
    // A removed task (cancelled, rescheduled, its store lost) gets no more attempts.
    const willRetry = !outcome.ok && execution.attempt < task.retry.attempts && !task.removed;
    // Failures go to the scheduler's onError, as in-memory tasks' do.
    if (!outcome.ok) this.#host.engine.reportError(outcome.error, { id: record.id, name: record.functionName, attempt: execution.attempt, willRetry, source: 'durable' });
    if (willRetry) {
      // The retry is attempt + 1, after its backoff.
      const delayMs = retryDelayMs(task.retry, execution.attempt + 1, this.#host.engine.options.random);
      const inStore = this.#host.retriesInStore === true;
      const failedEnd: AttemptEnd = {
        // One owner: ended open ('interrupted', with its error) until its retry starts it again, so a crash meanwhile loses no retry.
        executionId: execution.id, fencingToken: execution.fencingToken, outcome: inStore ? 'failed' : 'interrupted', endedAtMs, error: errorJson(outcome.error),
        // Pending while its retry waits for the backoff (the retry marks it running again).
        taskUpdate: { lastError: errorMessage(outcome.error), status: 'pending', updatedAtMs: endedAtMs },
        ...(trace === undefined ? {} : { trace }),
        // Cluster mode: the backoff goes in the store's row, for any process to claim.
        ...(inStore ? { retryAtMs: endedAtMs + delayMs } : {}),
      };
      const failed = await this.#complete(failedEnd);
      if (failed?.status !== 'completed') return false;
      record.lastError = errorMessage(outcome.error);
      // The attempt failed, whichever open outcome keeps its slot for the retry.
      this.#emitComplete({ ...failed.execution, outcome: 'failed' }, true, outcome.error);
      if (inStore) return false;
      // Its backoff is measured from the failure, as recovery measures it, however long the end took to commit.
      const readyAtMs = endedAtMs + delayMs;
      task.queue.unshift({ nominalMs: execution.nominalMs, start: 'retry', execution: failed.execution, readyAtMs });
      this.#host.enter(task, readyAtMs - clock.wallNow());
      return true;
    }
    const update = taskUpdateAfter(task, execution, outcome, endedAtMs);
    const end: AttemptEnd = {
      executionId: execution.id, fencingToken: execution.fencingToken, outcome: outcome.ok ? 'succeeded' : 'failed', endedAtMs,
      result: outcome.ok ? resultJson(outcome.value) : null, error: outcome.ok ? null : errorJson(outcome.error), taskUpdate: update,
    };
    if (trace !== undefined) end.trace = trace;
    const ended = await this.#complete(end);
    if (ended?.status !== 'completed') return false;
    if (update.nextExecutionMs !== undefined) record.nextExecutionMs = update.nextExecutionMs;
    record.executionCount = update.executionCount as number;
    record.status = update.status as LiveRecord['status'];
    record.lastError = update.lastError ?? null;
    this.#emitComplete(ended.execution, false, outcome.ok ? undefined : outcome.error);
    if (update.status !== 'pending') this.#host.removeTask(task);
    return false;
  }

  /**
   * The attempt's end (batched), retried after a backoff while the store
   * fails (untilStored), its answer read as recovery's ends are (endAnswer:
   * a retry refused by this very end is its success); undefined if fenced
   * (another scheduler owns the store: nothing to retry) or the scheduler
   * stopped first.
   */
  #complete(request: AttemptEnd): Promise<EndResult | undefined> {
    return untilStored(this.#host, 'complete', () => this.#host.end(request), endAnswer(request)).catch((error: unknown) => {
      if (isFenced(error)) return undefined;
      throw error;
    });
  }

  #emitComplete(execution: ExecutionRecord, retrying: boolean, error: unknown): void {
    const detail: DurableEventDetails['slotcomplete'] = {
      taskId: execution.taskId, nominalMs: execution.nominalMs, executionId: execution.id, attempt: execution.attempt,
      outcome: execution.outcome, retrying, ...(error === undefined ? {} : { error }),
    };
    this.#host.emit('slotcomplete', detail);
  }
}

/** The task's lost starts (LiveTask.lostStarts), which the answer now read settles: none are kept after it. */
function takeLostStarts(task: LiveTask): Array<ClaimRequest | RetryRequest> | undefined {
  const lost = task.lostStarts;
  if (lost !== undefined) task.lostStarts = undefined;
  return lost;
}

const succeeded = (value: unknown): BodyOutcome => ({ ok: true, value });
const failed = (error: unknown): BodyOutcome => ({ ok: false, error });

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}
