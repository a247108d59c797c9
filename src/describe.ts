// describe(): an account of every queued task, and for each one that is not
// running, why not. The ordering facts (rank, vruntime gap) are the core's;
// this module only puts them into words.
import type { TaskState } from '../bindings/core.js';
import { describeValue, InvalidArgumentError } from '../bindings/errors.js';
import type { Engine } from './engine/engine.js';
import { type PriorityName, priorityName } from './tasks/priorities.js';

export type WaitReason =
  | { kind: 'running'; inflight: boolean; sinceMs: number }
  | { kind: 'sleeping'; untilMs: number; inMs: number }
  | { kind: 'woken'; inflight: number; limit: number }
  | { kind: 'not-due'; dueMs: number; inMs: number; cron?: string; schedule?: string }
  /** A slot its constraints refused, moved to a later instant (`inadmissible: 'defer'`); `because` says to when and why. */
  | { kind: 'deferred'; dueMs: number; inMs: number; because: string }
  | { kind: 'paused' }
  | { kind: 'scheduler'; state: string }
  | { kind: 'concurrency'; inflight: number; limit: number }
  | { kind: 'behind'; ahead: number; policy: string }
  | { kind: 'fair-share'; ahead: number; vruntimeAhead: number };

export interface TaskDescription {
  id: number;
  name: string;
  state: TaskState;
  priority: PriorityName;
  nice: number;
  runs: number;
  waitMs: number;
  reason: WaitReason;
  /** The reason in words. */
  why: string;
}

/** A durable task whose due run waits for one of the scheduler's `maxConcurrent` slots (it holds no core task meanwhile). */
export interface DurableWaiter {
  taskId: string;
  priority: PriorityName;
  /** The reason in words. */
  why: string;
}

/** The durable executions of a scheduler with a store: its `maxConcurrent` slots, and the runs waiting for one, in the order they will start. */
export interface DurableSlotsDescription {
  running: number;
  maxConcurrent: number;
  waiting: DurableWaiter[];
}

/** What describe() is told of the durable side (durable-scheduler.ts slotsInfo()). */
export interface DurableSlotsInfo {
  held: number;
  limit: number;
  waiting: Array<{ taskId: string; priority: PriorityName }>;
}

export interface SchedulerDescription {
  atMs: number;
  state: string;
  policy: string;
  totals: { live: number; ready: number; waiting: number; running: number; paused: number; inflight: number };
  tasks: TaskDescription[];
  /** Tasks left out beyond `limit`. */
  omitted: number;
  /** With a store: the durable executions' concurrency slots and the runs waiting for one (at most `limit` listed). */
  durable?: DurableSlotsDescription;
  toString(): string;
  toJSON(): Omit<SchedulerDescription, 'toString' | 'toJSON'>;
}

function fmt(ms: number): string {
  return `${Math.round(ms * 100) / 100} ms`;
}

/** A wait reason in words. */
export function explain(reason: WaitReason): string {
  switch (reason.kind) {
    case 'running':
      return reason.inflight ? `running since ${fmt(reason.sinceMs)} (async, in flight)` : `running since ${fmt(reason.sinceMs)}`;
    case 'sleeping':
      return `sleeping in ctx.sleep() until ${fmt(reason.untilMs)} (in ${fmt(reason.inMs)}), holding no concurrency slot`;
    case 'woken':
      return `woke from ctx.sleep(), waiting for a concurrency slot (${reason.inflight} of ${reason.limit} async runs in flight; it goes before new runs)`;
    case 'not-due':
      return `not due until ${fmt(reason.dueMs)} (in ${fmt(reason.inMs)})${reason.cron ? ` — cron '${reason.cron}'` : ''}${reason.schedule ? ` — ${reason.schedule}` : ''}`;
    case 'deferred':
      return `${reason.because} (due in ${fmt(reason.inMs)})`;
    case 'paused':
      return 'paused (resume() to run it again)';
    case 'scheduler':
      return `ready, but the scheduler is ${reason.state}${reason.state === 'idle' ? ' (call start())' : ''}`;
    case 'concurrency':
      return `ready, but the concurrency limit is reached (${reason.inflight} of ${reason.limit} async runs in flight)`;
    case 'behind':
      return reason.ahead === 0 ? 'ready: next to run' : `ready, behind ${reason.ahead} more urgent task${reason.ahead === 1 ? '' : 's'} (${reason.policy} policy)`;
    case 'fair-share':
      if (reason.ahead === 0) return 'ready: next to run (smallest vruntime)';
      if (reason.vruntimeAhead === 0) return `ready, behind ${reason.ahead} task${reason.ahead === 1 ? '' : 's'} with the same vruntime (arrival order)`;
      return `ready, fair share spent: vruntime ahead of the queue minimum by ${fmt(reason.vruntimeAhead)} (${reason.ahead} task${reason.ahead === 1 ? '' : 's'} ahead)`;
  }
}

export interface DescribeOptions {
  /** At most this many tasks are listed; the rest are counted in `omitted`. @default 1000 */
  limit?: number;
}

function describeDurable(info: DurableSlotsInfo, limit: number): DurableSlotsDescription {
  const why = `waiting for a concurrency slot (${info.held} of ${info.limit} durable executions running, maxConcurrent)`;
  return { running: info.held, maxConcurrent: info.limit, waiting: info.waiting.slice(0, limit).map((w) => ({ ...w, why })) };
}

/**
 * `noteOf(id)`: why a waiting task was deferred by its slot constraints, if it
 * was (the durable layer and constrained in-memory tasks know; the core does not).
 * `durableSlots`: with a store, the durable executions' maxConcurrent slots and their waiters.
 */
export function describeScheduler(
  engine: Engine, { limit = 1000 }: DescribeOptions = {}, noteOf?: (id: number) => string | undefined, durableSlots?: DurableSlotsInfo,
): SchedulerDescription {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new InvalidArgumentError(`limit must be an integer >= 0, received ${describeValue(limit)}`);
  }
  engine.releaseDue();
  const core = engine.core;
  const nowMs = engine.clock.now();
  const counters = core.counters();
  const top = core.peek();
  const minVruntime = top > 0 ? core.snapshot(top).vruntime : 0;
  const tasks: TaskDescription[] = [];
  let omitted = 0;
  for (const id of engine.liveHandles()) {
    if (tasks.length >= limit) {
      omitted++;
      continue;
    }
    const snap = core.snapshot(id);
    let reason: WaitReason;
    const sleepingUntilMs = snap.state === 'running' ? engine.sleepingUntil(id) : undefined;
    // Only a task waiting for a wake-up (durable) or asleep (in memory) can have been deferred.
    const note = snap.state === 'waiting' || sleepingUntilMs !== undefined ? noteOf?.(id) : undefined;
    if (note !== undefined) {
      const dueMs = sleepingUntilMs ?? snap.dueMs;
      reason = { kind: 'deferred', dueMs, inMs: Math.max(0, dueMs - nowMs), because: note };
    } else if (sleepingUntilMs !== undefined && engine.waitsForSlotAfterSleep(id)) {
      reason = { kind: 'woken', inflight: engine.inflight, limit: engine.options.concurrency };
    } else if (sleepingUntilMs !== undefined) {
      reason = { kind: 'sleeping', untilMs: sleepingUntilMs, inMs: Math.max(0, sleepingUntilMs - nowMs) };
    } else if (snap.state === 'running') {
      reason = { kind: 'running', inflight: engine.isInflight(id), sinceMs: snap.lastStartMs };
    } else if (snap.state === 'waiting') {
      const schedule = engine.cronOf(id);
      const named = schedule === undefined ? {} : schedule.kind === 'cron' ? { cron: schedule.expression } : { schedule: schedule.expression };
      reason = { kind: 'not-due', dueMs: snap.dueMs, inMs: Math.max(0, snap.dueMs - nowMs), ...named };
    } else if (snap.state === 'paused') {
      reason = { kind: 'paused' };
    } else if (engine.state !== 'running') {
      reason = { kind: 'scheduler', state: engine.state };
    } else if (engine.inflight >= engine.options.concurrency) {
      reason = { kind: 'concurrency', inflight: engine.inflight, limit: engine.options.concurrency };
    } else if (engine.policyName === 'fair') {
      reason = { kind: 'fair-share', ahead: core.readyRank(id), vruntimeAhead: snap.vruntime - minVruntime };
    } else {
      reason = { kind: 'behind', ahead: core.readyRank(id), policy: engine.policyName };
    }
    tasks.push({
      id,
      name: engine.nameOf(id),
      state: snap.state,
      priority: priorityName(snap.priorityClass),
      nice: snap.nice,
      runs: snap.runs,
      waitMs: snap.waitMs,
      reason,
      why: explain(reason),
    });
  }
  const data = {
    atMs: nowMs,
    state: engine.state,
    policy: engine.policyName,
    totals: {
      live: counters.live, ready: counters.ready, waiting: counters.waiting, running: counters.running,
      paused: counters.paused, inflight: engine.inflight,
    },
    tasks,
    omitted,
    ...(durableSlots === undefined ? {} : { durable: describeDurable(durableSlots, limit) }),
  };
  return {
    ...data,
    toJSON: () => data,
    toString: () => {
      const lines = [
        `timeslice scheduler at ${fmt(nowMs)}: ${data.state}, policy ${data.policy}; ` +
          `${data.totals.live} ${data.totals.live === 1 ? 'task' : 'tasks'} (${data.totals.running} running, ${data.totals.ready} ready, ${data.totals.waiting} waiting, ${data.totals.paused} paused)`,
      ];
      for (const t of tasks) lines.push(`  ${t.name} [${t.priority}] ${t.why}  (#${t.id})`);
      for (const w of data.durable?.waiting ?? []) lines.push(`  durable '${w.taskId}' [${w.priority}] ${w.why}`);
      if (omitted > 0) lines.push(`  … and ${omitted} more`);
      return lines.join('\n');
    },
  };
}
