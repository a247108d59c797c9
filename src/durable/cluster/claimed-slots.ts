// What a process does with the rows its claims return: judges each (run it,
// or end it at once) and keeps the rows it runs, by execution id and by
// task. A row's room is free for the next claim once its body ended (its end
// and that claim share a commit, cluster-writes.ts), before its end is
// written: the `ending` count.
import type { AdmitFn } from '../../constraints/slot-constraints.js';
import type { ConstraintsRecord } from '../../constraints/slot-constraints.js';
import type { CronSchedule } from '../../time/cron.js';
import type { ClaimedSlot, FinishRequest } from '../../store/cluster.js';
import { LEASE_EXPIRED_ERROR } from '../../store/cluster-rules.js';
import { isManualSlot } from '../../store/records.js';
import type { PriorityName } from '../../tasks/priorities.js';
import type { AdmitHooks } from '../admit-hooks.js';
import type { DefinedFunctions } from '../defined-functions.js';
import type { DurableEventDetails } from '../durable-events.js';
import { AdmitNotDefinedError, FunctionNotDefinedError } from '../errors.js';
import { LiveTask } from '../live-task.js';
import { decideAtClaim, type followUpOfEnd, nextSlots, offerOf } from './next-slots.js';

/** A row this process runs. */
export interface Held {
  readonly claimed: ClaimedSlot;
  readonly task: LiveTask;
  handle: number;
  /** Its body was called: on a stop it is interrupted, not given back. */
  started: boolean;
  /** When its body was called (the engine's clock, ms); 0 before. */
  startedAtMs: number;
  /** Its body ended and its end is being written: its room is free for the next claim (which joins the end's batch). */
  ending: boolean;
}

/** The rows this process runs. */
export class HeldSlots {
  readonly #byId = new Map<string, Held>();
  readonly #byTask = new Map<LiveTask, Held>();
  /** Held rows whose body ended (their ends are being written). */
  #ending = 0;

  get size(): number {
    return this.#byId.size;
  }

  /** Held rows whose body has not ended: running, being judged, or queued (their room is taken). */
  get active(): number {
    return this.#byId.size - this.#ending;
  }

  get(executionId: string): Held | undefined {
    return this.#byId.get(executionId);
  }

  ofTask(task: LiveTask): Held | undefined {
    return this.#byTask.get(task);
  }

  values(): IterableIterator<Held> {
    return this.#byId.values();
  }

  add(held: Held): void {
    this.#byId.set(held.claimed.execution.id, held);
    this.#byTask.set(held.task, held);
  }

  /** A row that never started leaves (given back or ended at once). */
  drop(held: Held): void {
    this.#byId.delete(held.claimed.execution.id);
    this.#byTask.delete(held.task);
  }

  /** Its body ended: its room is free. */
  markEnding(held: Held): void {
    if (held.ending) return;
    held.ending = true;
    this.#ending++;
  }

  /** The task's attempt is over here: its row leaves (undefined if none was held). */
  over(task: LiveTask): Held | undefined {
    const held = this.#byTask.get(task);
    if (held === undefined) return undefined;
    this.#byTask.delete(task);
    this.#byId.delete(held.claimed.execution.id);
    if (held.ending) this.#ending--;
    return held;
  }

  clear(): void {
    this.#byId.clear();
    this.#byTask.clear();
    this.#ending = 0;
  }
}

export interface JudgeContext {
  readonly functions: Pick<DefinedFunctions, 'has'>;
  readonly admitHooks: Pick<AdmitHooks, 'get'> | undefined;
  readonly cronCache: Map<string, CronSchedule>;
  readonly deadlinesMs: ReadonlyMap<PriorityName, number>;
  readonly pollMs: number;
  emit(type: 'taskundefined', detail: DurableEventDetails['taskundefined']): void;
}

/** A claimed row: run (its slot constraints, if any, judged first by hook), or ended at once by `finish`. */
export type Judgement =
  | { readonly run: true; readonly task: LiveTask; readonly constraints: ConstraintsRecord | null; readonly hook: AdmitFn | undefined }
  | { readonly run: false; readonly finish: FinishRequest };

/** Used-up attempts, a missed slot the policy skips, an unknown function or admit hook end the row at once; the others run. */
export function judgeClaimed(claimed: ClaimedSlot, nowMs: number, context: JudgeContext): Judgement {
  const { execution } = claimed;
  const task = new LiveTask(claimed.task, context.cronCache);
  const ending = { executionId: execution.id, fencingToken: execution.fencingToken, endedAtMs: nowMs };
  if (claimed.exhausted) {
    const { nextMs } = isManualSlot(execution) ? { nextMs: null } : nextSlots(task, execution.nominalMs, nowMs);
    const once = task.record.scheduleKind === 'once' && !isManualSlot(execution);
    const ended = nextMs === null || once;
    return {
      run: false,
      finish: {
        ...ending, outcome: 'failed', error: LEASE_EXPIRED_ERROR,
        taskUpdate: { executionCount: task.record.executionCount + 1, lastError: LEASE_EXPIRED_ERROR.message, status: ended ? (once ? 'failed' : 'completed') : 'pending', nextExecutionMs: ended ? null : nextMs },
        ...(ended ? {} : { next: offerOf(task, nextMs as number, context.deadlinesMs) }),
      },
    };
  }
  if (!context.functions.has(task.record.functionName)) {
    // The claim asked only for the functions defined here, so this is a store that ignores `functions`: another
    // process may define it, so the row goes back (this attempt counted) for it to find.
    const name = task.record.functionName;
    context.emit('taskundefined', { taskId: task.record.id, functionName: name, error: new FunctionNotDefinedError(name, task.record.id) });
    return { run: false, finish: { ...ending, outcome: 'interrupted', retryAtMs: nowMs + context.pollMs } };
  }
  const decision = decideAtClaim(task, execution, nowMs, context.deadlinesMs);
  if (!decision.run) return { run: false, finish: { ...ending, outcome: 'skipped', skipReason: decision.reason, ...followUpRequest(decision.followUp) } };
  // Slot constraints judge a scheduled slot's first attempt (a retry or a manual run was admitted, or needs no admission).
  const constraints = execution.attempt === 1 && !isManualSlot(execution) ? task.record.constraints : null;
  const hookName = constraints?.admit ?? null;
  const hook = hookName === null ? undefined : context.admitHooks?.get(hookName);
  if (hookName !== null && hook === undefined) {
    // Judging without the hook could run a slot it refuses: the row goes back for a process that defines it (this attempt counted).
    context.emit('taskundefined', { taskId: task.record.id, functionName: hookName, error: new AdmitNotDefinedError(hookName) });
    return { run: false, finish: { ...ending, outcome: 'interrupted', retryAtMs: nowMs + context.pollMs } };
  }
  return { run: true, task, constraints, hook };
}

export function followUpRequest(followUp: ReturnType<typeof followUpOfEnd>): Pick<FinishRequest, 'taskUpdate' | 'skipped' | 'next'> {
  return { taskUpdate: followUp.taskUpdate, skipped: followUp.skipped, ...(followUp.next === undefined ? {} : { next: followUp.next }) };
}
