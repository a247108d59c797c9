// What a Store holds: task records (one per registered task) and execution
// records (one per schedule slot). Plain data only: every field is a string,
// a number, null or a JSON value, so the same record round-trips through
// SQLite rows, IndexedDB structured clones and memory alike.
//
// Times are milliseconds since the Unix epoch on the wall clock (`...Ms`), as
// the scheduler's Clock.wallNow() gives them; the store reads no clock itself.
// "Nominal" times are when a slot was due by its schedule, not when it ran.
import type { ConstraintsRecord } from '../constraints/slot-constraints.js';
import type { CronGapPolicy, CronOverlapPolicy } from '../time/cron.js';
import type { PriorityName } from '../tasks/priorities.js';

/** A value JSON can represent exactly: what params, metadata, results and states may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** How a task repeats. */
export type ScheduleKind = 'once' | 'fixed-rate' | 'fixed-delay' | 'cron';
export const SCHEDULE_KINDS: readonly ScheduleKind[] = Object.freeze(['once', 'fixed-rate', 'fixed-delay', 'cron']);

/** Where a task is in its life. `completed`, `failed` and `cancelled` are final. */
export type TaskStatus = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export const TASK_STATUSES: readonly TaskStatus[] = Object.freeze(['pending', 'running', 'completed', 'failed', 'cancelled']);

/**
 * How one slot's execution ended (or that it has not yet). `running` and
 * `interrupted` are open: the slot may get another attempt. The others are
 * final: the slot never runs again (C2).
 */
export type ExecutionOutcome = 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped' | 'cancelled';
export const EXECUTION_OUTCOMES: readonly ExecutionOutcome[] = Object.freeze([
  'running', 'succeeded', 'failed', 'interrupted', 'skipped', 'cancelled',
]);

/** A cron task's daylight-saving choices as stored (the values of CronDstOptions). */
export const DST_GAP_POLICIES: readonly CronGapPolicy[] = Object.freeze(['skip', 'run-at-first-valid']);
export const DST_OVERLAP_POLICIES: readonly CronOverlapPolicy[] = Object.freeze(['once', 'both']);

/** What to do with slots missed while nothing ran them (crash, sleep, clock jump). */
export type MisfirePolicy = 'skip' | 'run-once' | 'catch-up';
export const MISFIRE_POLICIES: readonly MisfirePolicy[] = Object.freeze(['skip', 'run-once', 'catch-up']);

/** A task's missed-run policy, as stored. The scheduler applies it; the store only keeps it. */
export interface MisfireRecord {
  policy: MisfirePolicy;
  /** A slot later than this is missed; within it, a late run simply runs. */
  graceMs: number;
  /** `catch-up`: only missed slots this recent are run; null = no limit. */
  catchUpWindowMs: number | null;
  /** `catch-up`: at most this many missed slots are run; null = no limit. */
  catchUpMax: number | null;
}

/** One registered task, as persisted. */
export interface TaskRecord {
  /** Stable identity, chosen by the caller; 1 to 1024 characters. */
  id: string;
  name: string;
  description: string | null;
  /** The module (or component) that owns the task. */
  ownerModule: string | null;
  /** The name the function was registered under with `define(name, fn)`: functions are never stored. */
  functionName: string;
  params: Json;
  scheduleKind: ScheduleKind;
  /** Delay of the first run after registration (any kind). */
  delayMs: number | null;
  /** `fixed-rate`: the period between nominal starts; `fixed-delay`: the wait after each run ends. Required for both. */
  periodMs: number | null;
  /**
   * `once`: the wall time it is due. A calendar interval (`calendarPeriod`):
   * the anchor its grid is computed from (its startAt, or when it was
   * registered), kept when it is registered again.
   */
  atMs: number | null;
  /** `cron`: the expression (required for that kind). */
  cronExpression: string | null;
  /** IANA time zone of `cron` or of a calendar interval; null = UTC. */
  timeZone: string | null;
  /** `cron`: local times a clock change skips (CronDstOptions.gap); null = the default, 'run-at-first-valid'. */
  dstGap: CronGapPolicy | null;
  /** `cron`: local times a clock change repeats (CronDstOptions.overlap); null = the default, 'once'. */
  dstOverlap: CronOverlapPolicy | null;
  priority: PriorityName;
  misfire: MisfireRecord;
  /** RetryOptions as given (JSON), or null for no retry. */
  retry: Json;
  createdAtMs: number;
  updatedAtMs: number;
  /** Nominal time of the last slot that ran. */
  lastExecutionMs: number | null;
  /** Nominal time of the next slot, or null when none is due. */
  nextExecutionMs: number | null;
  executionCount: number;
  /** The task ends after this many executions; null = no limit. */
  maxExecutions: number | null;
  status: TaskStatus;
  /** The most recent error's message. */
  lastError: string | null;
  metadata: Json;
  /**
   * `fixed-rate` only: a calendar interval, as an ISO 8601 duration of one
   * part ('P1D', 'P2W', 'P1M'), read on the calendar of `timeZone` (see
   * CalendarPeriod), instead of `periodMs`; its grid is anchored on `atMs`.
   * null: `periodMs` is the period. Absent from records written before it
   * was stored: read as null.
   */
  calendarPeriod: string | null;
  /**
   * The first slot (`fixed-rate`: the grid's anchor; `cron`: no slot before
   * it), whole ms; null = none given. Absent from older records: null.
   */
  startAtMs: number | null;
  /**
   * No slot after it (whole ms): the task completes after its last slot at
   * or before it. null = no end. Absent from older records: null.
   */
  endAtMs: number | null;
  /**
   * How long one attempt may run (ms) before its signal aborts with
   * TaskTimeoutError and it fails (then retried by its policy); null: the
   * scheduler's `durableTimeoutMs` (300 s by default). Absent from records
   * written before it was stored: read as null.
   */
  timeoutMs: number | null;
  /**
   * Which slots may run (working hours, blackouts, a daily cap, a named admit
   * hook) and what a refused one does; null: every slot. Absent from records
   * written before it was stored: read as null.
   */
  constraints: ConstraintsRecord | null;
  /**
   * Bumped by the store whenever a schedule field (kind, delay, period, at,
   * cron, time zone, DST policy) changes, so slots computed from an old schedule are told
   * apart from the new ones (a slot key includes it).
   */
  scheduleVersion: number;
  /**
   * The latest nominal time ever claimed or skipped for this task, or null.
   * Only the store moves it, and only forward: after the wall clock goes
   * back, no slot at or below it is claimed again (C4).
   */
  highWaterMarkMs: number | null;
}

/** The schedule fields: changing any of them bumps scheduleVersion. */
export const SCHEDULE_FIELDS = Object.freeze([
  'scheduleKind', 'delayMs', 'periodMs', 'atMs', 'cronExpression', 'timeZone', 'dstGap', 'dstOverlap', 'calendarPeriod', 'startAtMs', 'endAtMs',
] as const);

/** Fields of a task that updateTask() may change. */
export type TaskPatch = Partial<Omit<TaskRecord, 'id' | 'createdAtMs' | 'scheduleVersion' | 'highWaterMarkMs'>>;

/** One schedule slot: (task, schedule version, nominal time). At most one execution record per slot (C2). */
export interface SlotKey {
  taskId: string;
  /** The task's schedule version the slot belongs to; MANUAL_SCHEDULE_VERSION (0) for a manual run. */
  scheduleVersion: number;
  /** When the slot was due by its schedule: an integer, in ms since the epoch. */
  nominalMs: number;
}

/** The execution of one slot, across its attempts. */
export interface ExecutionRecord extends SlotKey {
  /**
   * `<taskId>/<scheduleVersion>/<nominalMs>`: derived from the slot, so it is
   * also the idempotency key every attempt of the slot carries (C3).
   */
  id: string;
  /** 1 for the first start; each retry of the slot adds one. 0 for a skipped slot. */
  attempt: number;
  /**
   * Unique per attempt, from a counter the store keeps: only a caller holding
   * the current attempt's token may complete it or save its state (C3). 0 for a skipped slot.
   */
  fencingToken: number;
  startedAtMs: number | null;
  endedAtMs: number | null;
  outcome: ExecutionOutcome;
  result: Json;
  error: Json;
  skipReason: string | null;
  /** The state the body saved (ctx.saveState()), carried over to the next attempt. */
  state: Json;
  /**
   * With tracing (the scheduler's `tracer` option): the OpenTelemetry trace of
   * the slot's first recorded attempt (32 hex digits), written with that
   * attempt's end and kept by later attempts, whose spans link to it. null
   * without tracing, for an unsampled span, and in records written before
   * the field existed.
   */
  traceId: string | null;
  /** The span of that attempt (16 hex digits), beside traceId: what a retry's span links to. */
  spanId: string | null;
}

// In a module of their own: `timeslice` exports them without the durable layer's records.
export { isManualSlot, MANUAL_SCHEDULE_VERSION } from './manual-slot.js';

/** The execution id of a slot (see ExecutionRecord.id). */
export function executionIdOf(slot: SlotKey): string {
  return `${slot.taskId}/${slot.scheduleVersion}/${slot.nominalMs}`;
}

/**
 * The slot an execution id names (`<taskId>/<scheduleVersion>/<nominalMs>`,
 * records.ts executionIdOf; a task id may itself hold '/'), as the
 * statements' [taskId, nominalMs, scheduleVersion]; undefined for an id no
 * execution can have.
 */
export function slotOfExecutionId(id: string): [taskId: string, nominalMs: number, scheduleVersion: number] | undefined {
  const last = id.lastIndexOf('/');
  const middle = last > 0 ? id.lastIndexOf('/', last - 1) : -1;
  if (middle <= 0) return undefined;
  const version = Number(id.slice(middle + 1, last));
  const nominalMs = Number(id.slice(last + 1));
  // Only the exact text executionIdOf() writes: no '01', '1e3' or ' 1' reading as the same number.
  if (`${version}` !== id.slice(middle + 1, last) || `${nominalMs}` !== id.slice(last + 1)) return undefined;
  if (!Number.isSafeInteger(version) || !Number.isSafeInteger(nominalMs)) return undefined;
  return [id.slice(0, middle), nominalMs, version];
}

/** What a new task record needs; everything else gets the default a fresh registration has. */
export type TaskInit = Pick<TaskRecord, 'id' | 'functionName' | 'scheduleKind' | 'createdAtMs'> & Partial<TaskRecord>;

/**
 * A complete TaskRecord from the fields a registration knows: pending, never
 * run, schedule version 1, no high-water mark, misfire `run-once` with a 30 s
 * grace (missed slots coalesce into one run, so nothing accepted is lost, C1).
 * @example taskRecord({ id: 'report', functionName: 'sendReport', scheduleKind: 'cron', cronExpression: '0 9 * * *', createdAtMs: Date.now() })
 */
export function taskRecord(init: TaskInit): TaskRecord {
  return {
    name: init.id,
    description: null,
    ownerModule: null,
    params: null,
    delayMs: null,
    periodMs: null,
    atMs: null,
    cronExpression: null,
    timeZone: null,
    dstGap: null,
    dstOverlap: null,
    priority: 'normal',
    misfire: { policy: 'run-once', graceMs: 30_000, catchUpWindowMs: null, catchUpMax: null },
    retry: null,
    updatedAtMs: init.createdAtMs,
    lastExecutionMs: null,
    nextExecutionMs: null,
    executionCount: 0,
    maxExecutions: null,
    status: 'pending',
    lastError: null,
    metadata: null,
    calendarPeriod: null,
    startAtMs: null,
    endAtMs: null,
    timeoutMs: null,
    constraints: null,
    scheduleVersion: 1,
    highWaterMarkMs: null,
    ...init,
  };
}
