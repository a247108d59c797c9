// A durable task as the scheduler holds it while it is live: its record (as
// last written), its parsed schedule, and where it is in its slots. At most
// one core task per durable task exists at a time (a wake-up for its next
// slot, or the run of a due one), so a task's slots run one after another.
import { CalendarSchedule } from '../time/calendar.js';
import { parseCalendarPeriodText } from '../time/calendar-period.js';
import { CronSchedule } from '../time/cron.js';
import { type ResolvedRetry, resolveRetry } from '../tasks/retry.js';
import type { ExecutionRecord, TaskRecord } from '../store/records.js';
import type { ClaimRequest, RetryRequest } from '../store/store.js';
import { gateOf, type SlotGate } from './admit-slots.js';
import type { SlotHolder } from './execution-slots.js';
import type { SlotSource } from './slots.js';

/**
 * A decision waiting its turn, in nominal order: a due slot to record as
 * skipped ('skip'), a due slot to claim ('claim'), an interrupted or failed
 * attempt to retry in the store ('retry', not before `readyAtMs`, the wall
 * time its backoff ends, if it has one), or an attempt already started in the
 * store ('started': the cluster's claimed attempts). They are carried
 * out one after another, so nothing that moves the task's high-water mark
 * past a skipped slot (a claim) commits before that slot's skip record.
 * 'manual' is a run asked for by runNow(): claimed as a manual slot (outside
 * the schedule, MANUAL_SCHEDULE_VERSION), which moves no mark, so it may go
 * ahead of the others.
 */
export type PendingRun =
  | { readonly start: 'skip'; readonly nominalMs: number; readonly reason: string }
  | { readonly start: 'claim'; readonly nominalMs: number }
  | { readonly start: 'manual'; readonly nominalMs: number; readonly claimed: ManualClaim }
  | { readonly start: 'retry'; readonly nominalMs: number; readonly execution: ExecutionRecord; readonly readyAtMs?: number }
  | { readonly start: 'started'; readonly nominalMs: number; readonly execution: ExecutionRecord };

/** How long before its time `run` is at wall time `wallNowMs`: a claim before its slot, a retry within its backoff; 0 or less when due. */
export function earlyBy(run: PendingRun, wallNowMs: number): number {
  if (run.start === 'claim') return run.nominalMs - wallNowMs;
  return run.start === 'retry' && run.readyAtMs !== undefined ? run.readyAtMs - wallNowMs : 0;
}

/** How runNow() learns that its manual run was claimed (the execution, running), or why it will not run. */
export interface ManualClaim {
  resolve(execution: ExecutionRecord): void;
  reject(error: Error): void;
}

/**
 * What a live task keeps of its record: the fields that run it. The rest
 * (name, description, metadata, times) stays in the store, so a million
 * recovered tasks do not keep a million full records alive.
 */
export type LiveRecord = Pick<
  TaskRecord,
  | 'id' | 'functionName' | 'params' | 'scheduleKind' | 'atMs' | 'periodMs' | 'nextExecutionMs' | 'cronExpression' | 'timeZone'
  | 'priority' | 'misfire' | 'scheduleVersion' | 'maxExecutions' | 'executionCount' | 'status' | 'lastError' | 'timeoutMs' | 'constraints'
  | 'startAtMs' | 'endAtMs'
>;

function liveRecord(r: TaskRecord): LiveRecord {
  return {
    id: r.id, functionName: r.functionName, params: r.params, scheduleKind: r.scheduleKind, atMs: r.atMs, periodMs: r.periodMs,
    nextExecutionMs: r.nextExecutionMs, cronExpression: r.cronExpression, timeZone: r.timeZone, priority: r.priority,
    misfire: r.misfire, scheduleVersion: r.scheduleVersion, maxExecutions: r.maxExecutions, executionCount: r.executionCount,
    status: r.status, lastError: r.lastError, timeoutMs: r.timeoutMs ?? null, constraints: r.constraints ?? null,
    startAtMs: r.startAtMs ?? null, endAtMs: r.endAtMs ?? null,
  };
}

export class LiveTask implements SlotSource, SlotHolder {
  readonly record: LiveRecord;
  cron: CronSchedule | undefined;
  /** A calendar interval's grid (fixed-rate with a calendarPeriod). */
  calendar: CalendarSchedule | undefined;
  retry: ResolvedRetry;
  /** Its slot constraints, compiled, or undefined without any (see admit-slots.ts). */
  gate: SlotGate | undefined;
  /** Due runs in order; the first runs next. */
  readonly queue: PendingRun[] = [];
  /** The latest slot already decided (queued, run or skipped): planning continues after it. */
  lastSlotMs: number;
  /** The core task of this task's wake-up or run, or 0. */
  handle = 0;
  /** An attempt is in progress (between claim and completion). */
  running = false;
  /** Cancelled, ended or replaced: no further core task is entered. */
  removed = false;
  /** Holds one of the scheduler's maxConcurrent slots (execution-slots.ts). */
  holdsSlot = false;
  /** A due run waits for one of those slots; the task has no core task meanwhile. */
  waitsForSlot = false;
  /**
   * Claims and retries of this task whose call failed but may have been
   * stored (the answer lost), until the next start's answer: it takes the
   * record one of them made (slot-attempt.ts). Undefined but after a failure.
   */
  lostStarts: Array<ClaimRequest | RetryRequest> | undefined = undefined;

  constructor(record: TaskRecord, cronCache: Map<string, CronSchedule>) {
    this.record = liveRecord(record);
    this.cron = cronOf(record, cronCache);
    this.calendar = calendarOf(record);
    this.retry = retryOf(record);
    this.gate = gateOf(record.constraints);
    const next = record.nextExecutionMs;
    const fromNext = next === null ? Number.NEGATIVE_INFINITY : next - 1;
    this.lastSlotMs = Math.max(record.highWaterMarkMs ?? Number.NEGATIVE_INFINITY, fromNext);
  }
}

/** Cron expressions are parsed once per (zone, DST policy, expression): a million tasks often share a few. */
function cronOf(record: TaskRecord, cache: Map<string, CronSchedule>): CronSchedule | undefined {
  if (record.scheduleKind !== 'cron' || record.cronExpression === null) return undefined;
  // null (the default policy) keys as the default it means, so a stored default and an omitted one share a schedule.
  const gap = record.dstGap ?? 'run-at-first-valid';
  const overlap = record.dstOverlap ?? 'once';
  const key = `${record.timeZone ?? 'UTC'}\u0000${gap}\u0000${overlap}\u0000${record.cronExpression}`;
  let schedule = cache.get(key);
  if (schedule === undefined) {
    schedule = new CronSchedule(record.cronExpression, { timezone: record.timeZone ?? undefined, dst: { gap, overlap } });
    cache.set(key, schedule);
  }
  return schedule;
}

/** A calendar interval's grid, from its stored period, anchor (atMs), zone and DST policy. */
function calendarOf(record: TaskRecord): CalendarSchedule | undefined {
  const period = record.calendarPeriod == null ? undefined : parseCalendarPeriodText(record.calendarPeriod);
  if (period === undefined || record.scheduleKind !== 'fixed-rate' || record.atMs === null) return undefined;
  return new CalendarSchedule(period, record.atMs, {
    timezone: record.timeZone ?? undefined, dst: { gap: record.dstGap ?? 'run-at-first-valid', overlap: record.dstOverlap ?? 'once' },
  });
}

type StoredRetry = { attempts?: unknown; backoff?: unknown; delayMs?: unknown; maxDelayMs?: unknown; jitter?: unknown };

/** The last policy resolved: a million tasks usually share a handful of policies (and so one object each). */
let lastStored: StoredRetry | undefined;
let lastResolved: ResolvedRetry | undefined;

function sameRetry(a: StoredRetry, b: StoredRetry): boolean {
  return a.attempts === b.attempts && a.backoff === b.backoff && a.delayMs === b.delayMs && a.maxDelayMs === b.maxDelayMs && a.jitter === b.jitter;
}

/** The stored retry policy; a record written by hand with a bad one gets a single attempt rather than failing recovery. */
export function retryOf(record: Pick<TaskRecord, 'retry'>): ResolvedRetry {
  const stored = record.retry;
  const isObject = typeof stored === 'object' && stored !== null && !Array.isArray(stored);
  if (isObject && lastStored !== undefined && sameRetry(stored as StoredRetry, lastStored)) return lastResolved as ResolvedRetry;
  let resolved: ResolvedRetry;
  try {
    resolved = resolveRetry(stored ?? 1);
  } catch {
    resolved = resolveRetry(1);
  }
  if (isObject) {
    lastStored = stored as StoredRetry;
    lastResolved = resolved;
  }
  return resolved;
}
