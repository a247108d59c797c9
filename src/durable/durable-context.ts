// What a defined function receives besides its params: the slot it runs for,
// its attempt, the state saved by an earlier attempt, and saveState(), which
// writes the state to the store before it resolves, fenced by the attempt's
// token (a stale attempt's save is refused, C3). The cooperative controls
// (signal, shouldYield, yield, sleep) are the run's TaskContext's.
import { defineError } from '../../bindings/errors.js';
import type { Duration } from '../time/duration.js';
import type { Json } from '../store/records.js';
import type { TaskContext } from '../tasks/task-context.js';

/** saveState() was refused: a newer attempt holds the slot, or this attempt has already ended. */
export class StaleAttemptError extends /* @__PURE__ */ defineError('ERR_STALE_ATTEMPT', 'StaleAttemptError') {}

/** How a context writes its state: resolves, or rejects with StaleAttemptError or a store error. */
export type SaveStateFn = (state: Json) => Promise<void>;

export interface DurableRunInfo {
  readonly taskId: string;
  readonly nominalMs: number;
  readonly executionId: string;
  readonly attempt: number;
  readonly state: Json;
  readonly manual: boolean;
}

export class DurableContext<State extends Json = Json> {
  /** The task's id. */
  readonly taskId: string;
  /** When this run was due by the schedule (ms since the epoch): the slot it runs for. */
  readonly nominalMs: number;
  /**
   * `<taskId>/<scheduleVersion>/<nominalMs>`: the same for every attempt of
   * this slot, so a body can make its side effects idempotent with it.
   */
  readonly idempotencyKey: string;
  /** 1 for the first attempt; each retry (a crash counts) adds one. */
  readonly attempt: number;
  /** True for a run asked for by `scheduler.runNow(id)` (a manual slot; nominalMs is when it was asked for), false for a scheduled slot. */
  readonly manual: boolean;
  readonly #run: TaskContext;
  readonly #save: SaveStateFn;
  #state: State | null;

  /** @internal Made by the scheduler, one per attempt. */
  constructor(run: TaskContext, info: DurableRunInfo, save: SaveStateFn) {
    this.#run = run;
    this.#save = save;
    this.taskId = info.taskId;
    this.nominalMs = info.nominalMs;
    this.idempotencyKey = info.executionId;
    this.attempt = info.attempt;
    this.manual = info.manual;
    this.#state = info.state as State | null;
  }

  /** The state the last attempt saved (null on a first attempt with nothing saved). */
  get state(): State | null {
    return this.#state;
  }

  /**
   * Saves state to resume from: durable once this resolves, and handed to the
   * next attempt if this one is cut short (a crash, a failure that is retried).
   * Rejects with StaleAttemptError if a newer attempt holds the slot.
   */
  async saveState(state: State): Promise<void> {
    await this.#save(state);
    this.#state = state;
  }

  /** Aborted when the scheduler stops without draining, the task is cancelled, or the attempt runs past its timeoutMs (reason TaskTimeoutError). */
  get signal(): AbortSignal {
    return this.#run.signal;
  }

  shouldYield(): boolean {
    return this.#run.shouldYield();
  }

  yield(): Promise<void> {
    return this.#run.yield();
  }

  sleep(ms: Duration): Promise<void> {
    return this.#run.sleep(ms);
  }
}

/**
 * What `scheduler.define(name, fn)` returns: the function's name, typed with
 * its params, to pass as `schedule({ fn })` so that `params` are checked
 * against the function's parameter type. A name (a string) works as well, unchecked.
 */
export class DurableFunction<Params extends Json = Json> {
  /** Type only, never set: ties the params type to the reference (a method's type, so references of different params still fit a list). */
  declare readonly paramsType?: { check(params: Params): void }['check'];
  constructor(readonly name: string) {
    Object.freeze(this);
  }
}

/** A function that `scheduler.define(name, fn)` registers: called with the task's params and its context. */
export type DurableFn<Params extends Json = Json, Result = unknown> = (params: Params, ctx: DurableContext) => Result | Promise<Result>;
