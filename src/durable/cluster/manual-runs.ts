// runNow() in cluster mode: a manual row (schedule version 0, nominal = this
// clock's now) due at once by the store's clock, which any process may
// claim, once (its slot key is UNIQUE), and run as its own execution beside
// the task's schedule (its open slot and cadence stay). The call waits for
// the row's claim: a row this process claims resolves it at the claim; a row
// another process claimed is found by settle() (its execution record exists,
// written by the claim), as is a row dropped because its task ended (neither
// pending nor claimed).
import { SchedulerStoppedError, TaskEndedError } from '../../errors.js';
import type { ClusterStore } from '../../store/cluster.js';
import type { ExecutionRecord, TaskRecord } from '../../store/records.js';
import { executionIdOf, MANUAL_SCHEDULE_VERSION } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { PriorityName } from '../../tasks/priorities.js';
import type { Clock } from '../../time/clock.js';
import type { CronSchedule } from '../../time/cron.js';
import { TaskNotFoundError } from '../errors.js';
import { LiveTask } from '../live-task.js';
import { offerOf } from './next-slots.js';
import type { SkewMeter } from './skew-meter.js';

export interface ManualRunsHost {
  readonly store: Pick<Store & ClusterStore, 'offerSlots' | 'pendingSlots' | 'getExecution'>;
  readonly clock: Clock;
  readonly skew: SkewMeter;
  readonly cronCache: Map<string, CronSchedule>;
  readonly deadlinesMs: ReadonlyMap<PriorityName, number>;
  stopped(): boolean;
  /** A claim round now: the row offered is due. */
  claimNow(): void;
}

interface ManualWaiter {
  readonly taskId: string;
  resolve(execution: ExecutionRecord): void;
  reject(error: Error): void;
}

export class ManualRuns {
  readonly #host: ManualRunsHost;
  /** The calls waiting for their rows' claims, by execution id. */
  readonly #waiters = new Map<string, ManualWaiter>();

  constructor(host: ManualRunsHost) {
    this.#host = host;
  }

  /** How many runNow() calls wait for a claim. */
  get size(): number {
    return this.#waiters.size;
  }

  /**
   * Offers the task's manual row; resolves to its execution once a process
   * claimed it. Two runNow() in one ms get two rows (the second's nominal
   * moves on by 1 ms).
   */
  async run(record: TaskRecord): Promise<ExecutionRecord> {
    const host = this.#host;
    const task = new LiveTask(record, host.cronCache);
    // Due now by the store's clock: a clock ahead of it would otherwise hold the row back by the skew.
    const dueMs = Math.floor(host.clock.wallNow() - Math.max(0, host.skew.skewMs));
    for (let nominalMs = Math.round(host.clock.wallNow()); ; nominalMs++) {
      const offer = { ...offerOf(task, nominalMs, host.deadlinesMs), scheduleVersion: MANUAL_SCHEDULE_VERSION, dueMs: Math.min(dueMs, nominalMs) };
      const [result] = await host.store.offerSlots([offer]);
      // Another runNow of the task took this ms: the next one.
      if (result?.status === 'open-slot' || result?.status === 'duplicate') continue;
      if (result?.status === 'unknown-task') throw new TaskNotFoundError(record.id, 'runNow');
      if (result?.status !== 'offered') throw new TaskEndedError(`runNow: task '${record.id}' runs no more (${result?.status})`);
      if (host.stopped()) throw stoppedBeforeClaim();
      const claimed = new Promise<ExecutionRecord>((resolve, reject) => this.#waiters.set(executionIdOf(offer), { taskId: record.id, resolve, reject }));
      host.claimNow();
      return claimed;
    }
  }

  /** This process claimed the row: its waiter, if any, resolves. */
  claimed(execution: ExecutionRecord): void {
    const waiter = this.#waiters.get(execution.id);
    if (waiter === undefined) return;
    this.#waiters.delete(execution.id);
    waiter.resolve(execution);
  }

  /** A stop: every waiter rejects (its row stays offered). */
  rejectAll(): void {
    for (const waiter of this.#waiters.values()) waiter.reject(stoppedBeforeClaim());
    this.#waiters.clear();
  }

  /** Waiters whose rows another process claimed (their record exists), or that were dropped (their task ended). */
  async settle(): Promise<void> {
    const store = this.#host.store;
    const pending = async (id: string, taskId: string) => (await store.pendingSlots(taskId)).some((row) => row.id === id);
    for (const [id, waiter] of [...this.#waiters]) {
      // Pending first: a row not pending is claimed (its record exists, written by the claim) or dropped.
      if (await pending(id, waiter.taskId)) continue;
      const execution = await store.getExecution(id);
      if (execution !== undefined) {
        this.#waiters.delete(id);
        waiter.resolve(execution);
      } else if (!(await pending(id, waiter.taskId))) {
        // Neither pending nor claimed, and not given back (an unstarted claim returned between the two reads) meanwhile.
        this.#waiters.delete(id);
        waiter.reject(new TaskEndedError(`runNow: task '${waiter.taskId}' ended, was cancelled or deleted before its manual run started`));
      }
    }
  }
}

function stoppedBeforeClaim(): SchedulerStoppedError {
  return new SchedulerStoppedError('runNow: the scheduler stopped before the manual run was claimed; its row stays offered, for any process of the cluster to run');
}
