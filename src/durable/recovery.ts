// Recovery on start: every persisted task that has not ended is made live
// again, and every execution a dead process left `running` is ended as
// interrupted and retried (with its saved state) while its task's attempts
// last; with none left it is ended as failed, with the reason (C1: a terminal
// state with a reason). Completed slots never run again: their records stay,
// and the store refuses to claim them (C2). A failed attempt whose retry had
// not started yet (slot-attempt.ts ends it open, `interrupted` with the
// body's error) is retried when its backoff, measured from the failure, ends,
// as the dead process would have: the retry is not lost, nor run early.
// Recovery's writes are tried again while the store fails, as the live
// path's are (stored-writes.ts: a `storeerror` event per failed try, and a
// try whose answer was lost taken for stored once its write is found).
//
// What it costs: one pass over the tasks (loadTasks, in batches), one query
// for the open executions, and writes only for what recovery changes (the
// interrupted executions; skipped slots are recorded by planning, batched).
// For a process that stopped cleanly and missed nothing, recovery writes
// nothing at all.
import type { Engine } from '../engine/engine.js';
import { type ExecutionRecord, isManualSlot, type Json, type TaskRecord } from '../store/records.js';
import { retryDelayMs } from '../tasks/retry.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { InvalidTaskRecordError } from '../store/errors.js';
import { FunctionNotDefinedError } from './errors.js';
import { endSuperseded } from './superseded.js';
import type { StoreBackoff } from './store-backoff.js';
import { completeStored, type RetriedStore, retryStored } from './stored-writes.js';
import type { LiveTask } from './live-task.js';

export interface RecoveryReport {
  /** Persisted tasks made live (their function defined or not). */
  readonly tasks: number;
  /** Executions found running, recorded as interrupted. */
  readonly interrupted: number;
  /** Of those, and of failed attempts whose retry had not started, how many get another attempt. */
  readonly retried: number;
  /** Of those, how many had no attempt left and were recorded as failed. */
  readonly failed: number;
  /** Unfinished attempts of a task that ended or was rescheduled since: recorded as cancelled, not retried. */
  readonly superseded: number;
  /** Tasks naming a function not defined: they wait, records intact, for define(). */
  readonly undefinedFunctions: readonly FunctionNotDefinedError[];
  /**
   * Stored records that cannot be read into a task (malformed JSON, values
   * edited by hand that no task can have), each naming its task: left as they
   * are and not run; the other tasks are recovered. Schedule such a task again
   * to replace its record.
   */
  readonly invalidTasks: readonly InvalidTaskRecordError[];
  /** Wall-clock ms recovery took (open, load, re-entry). */
  readonly durationMs: number;
}

export interface RecoveryHost extends RetriedStore {
  /** The scheduler's engine: its clock for the store's backoff, its random for a retry's. */
  readonly engine: Pick<Engine, 'clock' | 'state' | 'options'>;
  /** The store's backoff, shared with the live path's writes. */
  readonly backoff: StoreBackoff;
  wallNowMs(): number;
  makeTask(record: TaskRecord): LiveTask;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  /** Makes a task live and plans it; `defined` says whether its function exists. */
  adopt(task: LiveTask): void;
  isDefined(functionName: string): boolean;
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);
/**
 * Tasks per loadTasks() batch: small, so that a batch's decoded records
 * (~1 KB each, of which a live task keeps a part) are garbage before the
 * young generation fills. Recovering 1e5 tasks here: ~800 ms with 1,000,
 * ~930 ms with 10,000 (a loaded 2-core machine: within its noise).
 */
const RECOVERY_BATCH = 1000;
const INTERRUPTED_ERROR: Json = { name: 'InterruptedError', message: 'the process running this attempt stopped before it ended' };

export async function recoverTasks(host: RecoveryHost): Promise<RecoveryReport> {
  const startedMs = host.wallNowMs();
  const { store } = host;
  const open = new Map<string, ExecutionRecord[]>();
  for (const execution of await store.unfinishedExecutions()) {
    const list = open.get(execution.taskId) ?? [];
    list.push(execution);
    open.set(execution.taskId, list);
  }
  let tasks = 0;
  let interrupted = 0;
  let retried = 0;
  let failed = 0;
  const undefinedFunctions: FunctionNotDefinedError[] = [];
  let superseded = 0;
  const invalidTasks: InvalidTaskRecordError[] = [];
  const invalid = (error: InvalidTaskRecordError) => {
    invalidTasks.push(error);
    host.emit('taskinvalid', { taskId: error.taskId, error });
  };
  for await (const batch of store.loadTasks({ batchSize: RECOVERY_BATCH, onInvalid: invalid })) {
    for (const record of batch) {
      const executions = open.get(record.id);
      // Attempts no schedule wants any more: the task ended, or its schedule was replaced.
      // (A manual run belongs to no schedule: only the task's end makes it stale.)
      const stale = executions?.filter((e) => ENDED.has(record.status) || (e.scheduleVersion !== record.scheduleVersion && !isManualSlot(e))) ?? [];
      for (const execution of stale) {
        const why = ENDED.has(record.status) ? `the task is ${record.status}` : `the task was rescheduled (schedule version ${record.scheduleVersion})`;
        if (await endSuperseded(host, execution, why, host.wallNowMs())) superseded++;
      }
      // (A task scheduled meanwhile in this process is newer than its record here: adopt() keeps it.)
      if (ENDED.has(record.status)) continue;
      let task: LiveTask;
      try {
        task = host.makeTask(record);
      } catch (error) {
        // A field the store cannot judge (a cron expression edited by hand).
        invalid(new InvalidTaskRecordError(record.id, error instanceof Error ? error.message : String(error), { cause: error }));
        continue;
      }
      const current = executions?.filter((e) => !stale.includes(e));
      if (current !== undefined) {
        current.sort((a, b) => a.nominalMs - b.nominalMs);
        for (const execution of current) {
          const retrying = await interrupt(host, task, execution);
          interrupted += execution.outcome === 'running' ? 1 : 0;
          if (retrying) retried++;
          else failed++;
        }
      }
      if (!host.isDefined(record.functionName)) undefinedFunctions.push(new FunctionNotDefinedError(record.functionName, record.id));
      tasks++;
      host.adopt(task);
    }
  }
  return { tasks, interrupted, retried, failed, superseded, undefinedFunctions, invalidTasks, durationMs: host.wallNowMs() - startedMs };
}

/**
 * Ends a dead process's attempt as interrupted, and queues a retry if
 * attempts are left (a failed attempt's not before its backoff); true if it
 * will be retried.
 */
async function interrupt(host: RecoveryHost, task: LiveTask, execution: ExecutionRecord): Promise<boolean> {
  const nowMs = host.wallNowMs();
  const attemptsLeft = execution.attempt < task.retry.attempts;
  // Open and not running: interrupted by an earlier recovery, or a failed attempt waiting for its retry.
  const failedAttempt = execution.outcome === 'interrupted' && !isCrashError(execution.error);
  let current = execution;
  if (current.outcome === 'running') {
    const ended = await completeStored(host, {
      executionId: current.id, fencingToken: current.fencingToken, outcome: attemptsLeft ? 'interrupted' : 'failed', endedAtMs: nowMs,
      error: attemptsLeft ? INTERRUPTED_ERROR : { ...(INTERRUPTED_ERROR as object), message: `${(INTERRUPTED_ERROR as { message: string }).message}; no attempt left` },
      // Not running any more: pending until its retry starts (or failed, with no attempt left).
      taskUpdate: attemptsLeft ? { status: 'pending', updatedAtMs: nowMs } : failedTaskUpdate(task, current, nowMs, CRASH_LAST_ERROR),
    });
    if (ended.status !== 'completed') return false;
    current = ended.execution;
  } else if (!attemptsLeft) {
    // Open with no attempt left (its task's policy changed since): end it as failed (a retry opens it, the failure closes it).
    const reopened = await retryStored(host, { executionId: current.id, fencingToken: current.fencingToken, startedAtMs: nowMs }, current.attempt);
    if (reopened.status !== 'retried') return false;
    await completeStored(host, {
      executionId: current.id, fencingToken: reopened.execution.fencingToken, outcome: 'failed', endedAtMs: nowMs,
      error: failedAttempt ? current.error : INTERRUPTED_ERROR,
      taskUpdate: failedTaskUpdate(task, current, nowMs, failedAttempt ? errorText(current.error) : CRASH_LAST_ERROR),
    });
  }
  if (!failedAttempt) {
    host.emit('executioninterrupted', {
      taskId: current.taskId, nominalMs: current.nominalMs, executionId: current.id, attempt: current.attempt, retrying: attemptsLeft,
    });
  }
  if (!attemptsLeft) {
    if (failsTask(task, current)) task.record.status = 'failed';
    return false;
  }
  if (!failedAttempt) {
    task.queue.push({ nominalMs: current.nominalMs, start: 'retry', execution: current });
    return true;
  }
  // The backoff the live path waits before this attempt's retry, from when it failed.
  const readyAtMs = (current.endedAtMs ?? nowMs) + retryDelayMs(task.retry, current.attempt + 1, host.engine.options.random);
  task.queue.push({ nominalMs: current.nominalMs, start: 'retry', execution: current, readyAtMs });
  return true;
}

/** Whether an open attempt's error is the one recovery writes for a crash (INTERRUPTED_ERROR), not a body's. */
function isCrashError(error: Json): boolean {
  const { name, message } = INTERRUPTED_ERROR as { name: string; message: string };
  return typeof error === 'object' && error !== null && !Array.isArray(error) && error.name === name && error.message === message;
}

/** A stored error's message, for the task's lastError. */
function errorText(error: Json): string {
  const message = typeof error === 'object' && error !== null && !Array.isArray(error) ? error.message : undefined;
  return typeof message === 'string' ? message : JSON.stringify(error);
}

/** A one-off's failed slot fails the task; a manual run's failure does not (its schedule goes on). */
function failsTask(task: LiveTask, execution: ExecutionRecord): boolean {
  return task.record.scheduleKind === 'once' && !isManualSlot(execution);
}

const CRASH_LAST_ERROR = 'interrupted: the process stopped during the last attempt';

function failedTaskUpdate(task: LiveTask, execution: ExecutionRecord, nowMs: number, lastError: string) {
  const once = failsTask(task, execution);
  return {
    lastError,
    updatedAtMs: nowMs,
    ...(once ? { status: 'failed' as const, nextExecutionMs: null } : { status: 'pending' as const }),
  };
}
