// The live durable tasks of a scheduler, and how each meets the core: at most
// one core task per durable task at a time, a one-shot whose function is the
// shared `durableSlot`. For a slot in the future it is a wake-up due at the
// slot (wall time turned into a delay on the monotonic clock); when it runs,
// the task is planned again from the wall clock: due slots are queued (or
// skipped by policy), and the first queued decision runs as the next core
// task. So a wall clock that moved meanwhile never makes a slot start early
// (it is planned again, C4), and a late one goes through the missed-run
// policy. The core still orders everything that is ready, durable or not.
//
// Clock changes (ClockWatch): a jump or a wake re-plans every waiting task at
// once: a forward jump or a sleep makes slots due (the policy decides), a jump
// back re-arms wake-ups further away; slots at or below the high-water mark
// are never claimed again (the store refuses them).
//
// Whether a task's slot constraints can judge its slots yet is gate-ready.ts;
// where a manual run (runNow) goes in a task's queue is manual-runs.ts.
import * as L from '../../bindings/layout.generated.js';
import type { ClockWatchEvent } from '../time/clock-watch.js';
import type { CronSchedule } from '../time/cron.js';
import type { Engine } from '../engine/engine.js';
import { type ResolvedTaskOptions, resolveTaskOptions } from '../tasks/options.js';
import { PRIORITY_NAMES, type PriorityName } from '../tasks/priorities.js';
import type { ExecutionRecord, TaskPatch, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { SchedulerStoppedError, TaskEndedError } from '../errors.js';
import type { TaskContext } from '../tasks/task-context.js';
import type { AdmitHooks } from './admit-hooks.js';
import { gateOf } from './admit-slots.js';
import type { DefinedFunctions } from './defined-functions.js';
import type { DurableEventDetails, DurableEventType } from './durable-events.js';
import { FunctionNotDefinedError } from './errors.js';
import { isFenced } from './fenced-store.js';
import { type GateHost, gateReady } from './gate-ready.js';
import { earlyBy, LiveTask, retryOf } from './live-task.js';
import { dropManualRuns, queueManualRun } from './manual-runs.js';
import { type PlanHost, planTask } from './plan-task.js';
import { recordQueuedSkips, type SkipHost } from './skip-slots.js';
import { firstSlotAfter } from './slots.js';
import { SlotAttempt } from './slot-attempt.js';
import { StoreBackoff } from './store-backoff.js';
import { endSuperseded } from './superseded.js';
import { ExecutionSlots } from './execution-slots.js';
import type { StoreSession } from './store-session.js';

/** The shared task options of each priority (durable tasks set nothing else in the core). */
const PRESETS = new Map(PRIORITY_NAMES.map((priority) => [priority, resolveTaskOptions({ priority })]));
export function presetFor(priority: PriorityName): ResolvedTaskOptions {
  return PRESETS.get(priority) ?? resolveTaskOptions({ priority });
}

export interface LiveTasksHost {
  engine: Engine;
  functions: DefinedFunctions;
  admitHooks: AdmitHooks;
  session: StoreSession;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
  /** The largest saved state, as JSON text in UTF-8 bytes. */
  maxPayloadBytes: number;
  /** An attempt's limit for tasks that set none, or null. */
  timeoutMs: number | null;
  /** At most this many durable executions at once (an integer >= 1, or Infinity). */
  maxConcurrent: number;
}

export class LiveTasks {
  readonly #engine: Engine;
  readonly #functions: DefinedFunctions;
  readonly #admitHooks: AdmitHooks;
  readonly #session: StoreSession;
  readonly #emit: LiveTasksHost['emit'];
  /** Live tasks by id. */
  readonly #tasks = new Map<string, LiveTask>();
  /** Live tasks by the handle of their current core task (a wake-up, or a run not yet started). */
  readonly #byHandle = new Map<number, LiveTask>();
  /** The core task of each attempt in progress, so that losing the store can abort them. */
  readonly #attempts = new Map<LiveTask, number>();
  readonly #cronCache = new Map<string, CronSchedule>();
  readonly #attempt: SlotAttempt;
  /** The store's backoff, shared by every write of this scheduler (recovery's too). */
  readonly backoff = new StoreBackoff();
  readonly #slots: ExecutionSlots<LiveTask>;
  readonly #planHost: PlanHost;
  readonly #skipHost: SkipHost;
  readonly #gateHost: GateHost;
  /** The core task of every durable task (see the header). */
  readonly #durableSlot: (ctx: TaskContext) => Promise<void> | undefined;

  constructor(host: LiveTasksHost) {
    this.#engine = host.engine;
    this.#functions = host.functions;
    this.#admitHooks = host.admitHooks;
    this.#session = host.session;
    this.#emit = host.emit;
    // A waiter given a slot runs now, holding it (see execution-slots.ts).
    this.#slots = new ExecutionSlots<LiveTask>(host.maxConcurrent, (task) => this.#enter(task, 0));
    // Named so: describe() and task events show durable tasks' core tasks as `durableSlot`.
    const durableSlot = (ctx: TaskContext) => this.#onDue(ctx);
    this.#durableSlot = durableSlot;
    this.#planHost = { emit: this.#emit, admitHook: (name) => this.#admitHooks.get(name) };
    this.#skipHost = {
      recordSkip: (request) => this.#session.writes!.skips.add(request),
      emit: this.#emit,
      patch: (task, patch) => this.patch(task, patch),
      enter: (task, delayMs) => this.#enter(task, delayMs),
      continueTask: (task) => this.continueTask(task),
      backoff: this.backoff,
      wallNowMs: () => this.#engine.clock.wallNow(),
    };
    this.#gateHost = {
      admitHooks: this.#admitHooks,
      backoff: this.backoff,
      owned: () => this.#session.owned(),
      wallNowMs: () => this.#engine.clock.wallNow(),
      emit: this.#emit,
      continueTask: (task) => this.continueTask(task),
      enter: (task, delayMs) => this.#enter(task, delayMs),
    };
    this.#attempt = new SlotAttempt({
      engine: this.#engine,
      functions: this.#functions,
      store: () => this.#session.writer(),
      claim: (request) => this.#session.writes!.slots.claim(request),
      end: (request) => this.#session.writes!.slots.end(request),
      emit: this.#emit,
      continueTask: (task) => this.continueTask(task),
      enter: (task, delayMs) => this.#enter(task, delayMs),
      removeTask: (task) => this.remove(task),
      reloadTask: (task) => this.reload(task),
      backoff: this.backoff,
      maxPayloadBytes: host.maxPayloadBytes,
      timeoutMs: host.timeoutMs,
    });
  }

  get size(): number {
    return this.#tasks.size;
  }

  /** The concurrency slots: the limit, how many are held, and the tasks waiting for one (describe()). */
  get slots(): ExecutionSlots<LiveTask> {
    return this.#slots;
  }

  get(id: string): LiveTask | undefined {
    return this.#tasks.get(id);
  }

  /** A live task for a stored record (not yet added). */
  make(record: TaskRecord): LiveTask {
    return new LiveTask(record, this.#cronCache);
  }

  /** Makes `task` live and continues it. */
  add(task: LiveTask): void {
    this.#tasks.set(task.record.id, task);
    this.continueTask(task);
  }

  /**
   * The task has no core task: plan it from the wall clock and enter its next
   * core task (a due run now, or a wake-up at its next slot), or end it.
   */
  continueTask(task: LiveTask): void {
    if (task.removed || task.handle !== 0 || task.running || task.waitsForSlot) return;
    if (!this.#functions.has(task.record.functionName)) {
      this.#waitForDefinition(task);
      return;
    }
    if (task.gate !== undefined && !gateReady(task, this.#gateHost)) return;
    const wallNowMs = this.#engine.clock.wallNow();
    this.#repairFixedDelayNext(task, wallNowMs);
    if (task.queue.length === 0) {
      // The common case (a fresh registration, a recovered task that missed nothing): its next slot is ahead.
      const nextMs = this.#nextSlot(task);
      if (nextMs !== null && nextMs > wallNowMs) {
        this.#enter(task, nextMs - wallNowMs);
        return;
      }
      planTask(task, wallNowMs, this.#planHost);
    }
    if (task.queue.length > 0) {
      this.#enter(task, 0);
      return;
    }
    const nextMs = this.#nextSlot(task);
    if (nextMs === null) {
      this.#end(task);
      return;
    }
    this.#enter(task, nextMs - wallNowMs);
  }

  /**
   * A fixed-delay task's next slot comes from when its last run ended, so only
   * the store holds it. One at or below the decided slots was never written
   * after its slot was skipped (a crash between the skip record and the task
   * update): the next one is a delay from now, as the skip would have set it.
   */
  #repairFixedDelayNext(task: LiveTask, wallNowMs: number): void {
    const { record } = task;
    if (record.scheduleKind !== 'fixed-delay' || record.nextExecutionMs === null || record.nextExecutionMs > task.lastSlotMs) return;
    record.nextExecutionMs = Math.round(wallNowMs + (record.periodMs as number));
    this.patch(task, { nextExecutionMs: record.nextExecutionMs });
  }

  /** The first slot after the decided ones (a fixed-delay task's next slot is its stored one). */
  #nextSlot(task: LiveTask): number | null {
    return firstSlotAfter(task, task.lastSlotMs);
  }

  /** Enters the task's next core task, due in delayMs (monotonic). */
  #enter(task: LiveTask, delayMs: number): void {
    if (task.removed) return;
    const options = presetFor(task.record.priority);
    const handle = this.#engine.register(this.#durableSlot, options, L.KIND_ONCE, Math.max(0, delayMs), 0);
    task.handle = handle;
    this.#byHandle.set(handle, task);
  }

  /** A durable task's core task woke up: plan it, or carry out its first queued decision. */
  #onDue(ctx: TaskContext): Promise<void> | undefined {
    const task = this.#byHandle.get(ctx.handle);
    if (task === undefined) return undefined;
    this.#byHandle.delete(ctx.handle);
    task.handle = 0;
    if (task.removed) return undefined;
    const run = task.queue[0];
    // A wake-up: plan again from the wall clock.
    if (run === undefined) {
      this.#slots.release(task);
      this.continueTask(task);
      return undefined;
    }
    if (run.start === 'skip') {
      this.#slots.release(task);
      return recordQueuedSkips(task, this.#skipHost);
    }
    // A queued slot whose time has not come on the wall clock (it went back: C4), or a retry within its backoff: wait for it.
    const earlyByMs = earlyBy(run, this.#engine.clock.wallNow());
    if (earlyByMs > 0) {
      this.#slots.release(task);
      this.#enter(task, earlyByMs);
      return undefined;
    }
    // Every slot taken: the run waits, unclaimed, for one (the slots enter it again when one is free).
    if (!this.#slots.acquire(task)) return undefined;
    task.queue.shift();
    this.#attempts.set(task, ctx.handle);
    return this.#attempt.run(task, run, ctx).finally(() => {
      this.#attempts.delete(task);
      this.#slots.release(task);
    });
  }

  /** Why a durable task's core task (a wake-up) waits, when a slot constraint deferred it (describe()). */
  waitNote(handle: number): string | undefined {
    const task = this.#byHandle.get(handle);
    const deferred = task?.gate?.deferred;
    const next = task?.queue[0];
    if (task === undefined || deferred === undefined || next?.start !== 'claim' || next.nominalMs !== deferred.untilMs) return undefined;
    return `task '${task.record.id}' deferred to ${new Date(deferred.untilMs).toISOString()}: ${deferred.reason}`;
  }

  #waitForDefinition(task: LiveTask): void {
    if (this.#functions.wait(task, task.record.functionName) && this.#engine.events.wants('taskundefined')) {
      const name = task.record.functionName;
      this.#emit('taskundefined', { taskId: task.record.id, functionName: name, error: new FunctionNotDefinedError(name, task.record.id) });
    }
  }

  /** Every slot is done: the task is completed (unless already ended). */
  #end(task: LiveTask): void {
    this.remove(task);
    if (task.record.status === 'pending' || task.record.status === 'running') {
      this.patch(task, { status: 'completed', nextExecutionMs: null });
    }
  }

  /**
   * Runs the task once now, outside its schedule (runNow): a manual run goes
   * ahead of its queued slots (behind an attempt in progress or a retry
   * waiting for its backoff), and the task's wake-up for its next slot is
   * entered again after it. Resolves to the execution once it is claimed.
   */
  runNow(task: LiveTask): Promise<ExecutionRecord> {
    return new Promise<ExecutionRecord>((resolve, reject) => {
      if (!queueManualRun(task, this.#engine.clock.wallNow(), resolve, reject)) return;
      // Waiting for a wake-up or a queued run: run the manual one now instead (continueTask enters the rest after it).
      this.dropCoreTask(task);
      this.#enter(task, 0);
    });
  }

  remove(task: LiveTask, why?: Error): void {
    dropManualRuns(task, () => why ?? new TaskEndedError(`runNow: task '${task.record.id}' ended, was cancelled or rescheduled before its manual run started`));
    task.removed = true;
    if (this.#tasks.get(task.record.id) === task) this.#tasks.delete(task.record.id);
    this.dropCoreTask(task);
    this.#slots.leave(task, this.#attempts.has(task));
  }

  /** Cancels the task's waiting core task (a wake-up, or a queued run not started), if it has one. */
  dropCoreTask(task: LiveTask): void {
    if (task.handle === 0) return;
    this.#byHandle.delete(task.handle);
    this.#engine.controls.cancel(task.handle); // false, doing nothing, if it has ended
    task.handle = 0;
  }

  /**
   * Removes every live task: nothing more is planned or claimed. Attempts in
   * progress are aborted with `reason` (their signal), and whatever they
   * still write is refused by the store if the lease moved on.
   */
  removeAll(reason: Error | undefined): void {
    const why = reason ?? new SchedulerStoppedError('runNow: the scheduler stopped before the manual run started');
    for (const task of [...this.#tasks.values()]) this.remove(task, why);
    for (const handle of this.#attempts.values()) {
      if (reason !== undefined) this.#engine.controls.cancel(handle, reason);
    }
    this.#tasks.clear();
    this.#byHandle.clear();
  }

  /**
   * The task was registered again with a changed definition under the same
   * schedule: it takes the new one (function, params, priority, policies,
   * limit), keeping its queued slots and retries, which run with it.
   */
  redefine(task: LiveTask, stored: TaskRecord): void {
    const { record } = task;
    const priorityChanged = record.priority !== stored.priority;
    Object.assign(record, {
      functionName: stored.functionName, params: stored.params, priority: stored.priority, misfire: stored.misfire,
      maxExecutions: stored.maxExecutions, status: stored.status, timeoutMs: stored.timeoutMs ?? null, constraints: stored.constraints ?? null,
    });
    task.retry = retryOf(stored);
    // New constraints judge the slots not yet decided (a maxPerDay reads today's runs again).
    task.gate = gateOf(stored.constraints);
    // A task waiting on its core task waits again at its new priority.
    if (priorityChanged && task.handle !== 0) {
      this.dropCoreTask(task);
      this.continueTask(task);
    }
  }

  /**
   * The task was given a new schedule: this live task stops. Its queued slots
   * of the old schedule are dropped, and its attempts waiting for a retry are
   * ended as cancelled with `why` (endSuperseded). An attempt running now
   * ends on its own; it is not retried (its task is removed), and the store
   * does not let its completion touch the new schedule's count or next slot.
   */
  async supersede(task: LiveTask, store: Store, why: string): Promise<void> {
    this.remove(task);
    const nowMs = this.#engine.clock.wallNow();
    for (const run of task.queue.splice(0)) {
      if (run.start === 'retry' || run.start === 'started') await endSuperseded({ store, backoff: this.backoff, engine: this.#engine, emit: this.#emit }, run.execution, why, nowMs);
    }
  }

  /** Reads the task back from the store (its schedule changed there) and continues it. */
  reload(task: LiveTask): void {
    dropManualRuns(task, () => new TaskEndedError(`runNow: task '${task.record.id}' was rescheduled before its manual run started`));
    task.removed = true;
    void this.#session
      .owned()
      .then((store) => store.getTask(task.record.id))
      .then(
        (record) => {
          if (this.#tasks.get(task.record.id) === task) this.#tasks.delete(task.record.id);
          if (record === undefined || record.status !== 'pending' || this.#tasks.has(record.id)) return;
          this.add(this.make(record));
        },
        (error: unknown) => this.#emit('storeerror', { operation: 'getTask', error, retryInMs: 0 }),
      );
  }

  /** A best-effort task update (the next recovery re-derives what a lost one said). */
  patch(task: LiveTask, patch: TaskPatch): void {
    void this.#session
      .writer()
      .then((store: Store) => store.updateTask(task.record.id, { ...patch, updatedAtMs: this.#engine.clock.wallNow() }))
      .catch((error: unknown) => {
        if (!isFenced(error)) this.#emit('storeerror', { operation: 'updateTask', error, retryInMs: 0 });
      });
  }

  /** The wall clock jumped or the process woke: every task waiting on a wake-up is planned again from the new wall time. */
  onClockEvent(event: ClockWatchEvent): void {
    this.#emit('clockjump', event);
    for (const task of [...this.#tasks.values()]) {
      if (task.running || task.handle === 0 || task.queue.length > 0) continue;
      this.dropCoreTask(task);
      this.continueTask(task);
    }
  }
}
