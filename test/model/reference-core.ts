// A reference model of the core's observable behaviour, for the differential
// tests (test/core/differential-*.test.ts): the wasm core and this model get
// the same operations and must answer the same, pop for pop.
//
// Written to be obviously right, not fast: every task stays in one array
// (indexed by its model id, registration order), the ready queue is "the ready
// task with the smallest (key, sequence)" found by a linear scan, the timers
// are "the waiting task with the smallest (fire time, sequence)". No heap, no slots,
// no generations: an ended task is simply marked 'ended'.
//
// The semantics follow the documentation of assembly/keys.ts, quantum.ts,
// tasks.ts, runs.ts and task-controls.ts:
//   - sequence: a global counter, a new number on every entry into either queue
//     (ready or timer), except a keep-place requeue; it breaks every tie.
//   - ready order: deadline (ready time + class deadline), priority (class,
//     then arrival), fair (vruntime), round-robin (arrival).
//   - fair: charge adds elapsed * 1024 / weight(nice) to vruntime; new tasks
//     start at minVruntime; waking tasks get max(v, minVruntime - quantum / 2);
//     minVruntime only moves forward, to min(every running task, smallest ready
//     vruntime) on a charge under fair, and to the same minimum when the policy
//     becomes fair.
//   - timers: released in (fire time, sequence) order; a released task is ready
//     since its timer fired. The fire time is the nominal due time, except after
//     retry(delay), which fires at now + delay and keeps the nominal time (so a
//     fixed-rate cadence is unchanged).
//   - fixed rate: a run that starts s >= 1 whole periods after its nominal time
//     stands for the latest tick at or before its start (due += s * period, s
//     missed ticks, counted at pop). On complete, next = due + k * period with
//     k = max(1, ceil((now - due) / period)), k - 1 missed ticks, an overrun if
//     now > due + period. Fixed delay: next = now + period. completeAt: next =
//     the given time, whatever the kind. complete(final): the task ends.
//   - pause/resume: a resumed task goes back to its timer if the time it was
//     waiting for (its fire time; the nominal time for a task paused while
//     ready) is still ahead, else it is ready now.
import type { CoreCounters, Policy, TaskKind, TaskSnapshot, TaskState } from '../../bindings/index.js';

/** Relative deadline (ms) of each class, critical to background. */
export const DEFAULT_CLASS_DEADLINES_MS: readonly number[] = [0, 250, 1000, 10000, 60000];
export const DEFAULT_QUANTUM_MS = 10;
export const NICE_0_WEIGHT = 1024;
/** Linux's sched_prio_to_weight, nice -20 to 19. */
export const NICE_WEIGHTS: readonly number[] = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916,
  9548, 7620, 6100, 4904, 3906, 3121, 2501, 1991, 1586, 1277,
  1024, 820, 655, 526, 423, 335, 272, 215, 172, 137,
  110, 87, 70, 56, 45, 36, 29, 23, 18, 15,
];

export function weightOfNice(nice: number): number {
  return NICE_WEIGHTS[nice + 20]!;
}

/** Why the model refused an operation: the core must refuse it the same way. */
export type Refusal = 'stale' | 'wrong-state';

export class ModelRefusal extends Error {
  readonly reason: Refusal;
  constructor(reason: Refusal, operation: string) {
    super(`${operation}: ${reason}`);
    this.reason = reason;
  }
}

interface ModelTask {
  readonly id: number;
  state: TaskState | 'ended';
  priorityClass: number;
  nice: number;
  readonly kind: TaskKind;
  readonly periodMs: number;
  /** Nominal time of the pending (or current) run: a retry keeps it, so a fixed-rate cadence does not drift. */
  dueMs: number;
  /** When the timer fires (the timer-heap key): dueMs, or a retry's time. */
  fireAtMs: number;
  /** Where resume() sends the task back to, if still ahead: set by pause(). */
  resumeAtMs: number;
  /** Ready since: the deadline key is stampMs + the class deadline. */
  stampMs: number;
  vruntime: number;
  sequence: number;
  sliceUsedMs: number;
  runs: number;
  failures: number;
  overruns: number;
  missedTicks: number;
  preemptions: number;
  runtimeMs: number;
  waitMs: number;
  maxRuntimeMs: number;
  /** Runtime charged since the current run segment started. */
  segmentRuntimeMs: number;
  lastStartMs: number;
  lastEndMs: number;
}

/** Lexicographic order of two keys; shorter is never needed (same policy, same length). */
function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The task with the smallest key, or undefined. */
function smallest(tasks: readonly ModelTask[], keyOf: (task: ModelTask) => number[]): ModelTask | undefined {
  let best: ModelTask | undefined;
  for (const task of tasks) {
    if (best === undefined || compareKeys(keyOf(task), keyOf(best)) < 0) best = task;
  }
  return best;
}

export class ReferenceCore {
  readonly #tasks: ModelTask[] = [];
  #policy: Policy = 'deadline';
  #quantumMs = DEFAULT_QUANTUM_MS;
  readonly #deadlinesMs: number[] = [...DEFAULT_CLASS_DEADLINES_MS];
  #minVruntime = 0;
  #sequence = 1;
  readonly #totals = {
    registered: 0,
    cancelled: 0,
    starts: 0,
    completed: 0,
    failures: 0,
    retries: 0,
    overruns: 0,
    missedTicks: 0,
    preemptions: 0,
    runtimeMs: 0,
    waitMs: 0,
  };

  get policy(): Policy {
    return this.#policy;
  }

  // ---- configuration ----

  setPolicy(policy: Policy): void {
    this.#policy = policy;
    const queued = [...this.#inState('ready'), ...this.#inState('running')];
    if (policy === 'fair' && queued.length > 0) {
      this.#minVruntime = Math.max(this.#minVruntime, Math.min(...queued.map((t) => t.vruntime)));
    }
  }

  setQuantum(quantumMs: number): void {
    this.#quantumMs = quantumMs;
  }

  setClassDeadline(priorityClass: number, deadlineMs: number): void {
    this.#deadlinesMs[priorityClass] = deadlineMs;
  }

  // ---- the run queue ----

  /** The sort key of a ready task: smaller runs first. */
  #readyKey(task: ModelTask): number[] {
    switch (this.#policy) {
      case 'deadline':
        return [task.stampMs + this.#deadlinesMs[task.priorityClass]!, task.sequence];
      case 'priority':
        return [task.priorityClass, task.sequence];
      case 'fair':
        return [task.vruntime, task.sequence];
      case 'round-robin':
        return [task.sequence];
    }
  }

  /** The number assembly/keys.ts stores as a ready task's heap key (for white-box checks). */
  storedReadyKey(id: number): number {
    const task = this.#task(id);
    switch (this.#policy) {
      case 'deadline':
        return task.stampMs + this.#deadlinesMs[task.priorityClass]!;
      case 'priority':
        return task.priorityClass * 2 ** 44 + task.sequence;
      case 'fair':
        return task.vruntime;
      case 'round-robin':
        return task.sequence;
    }
  }

  /** When a waiting task's timer fires (its timer-heap key). */
  fireAtMsOf(id: number): number {
    return this.#task(id).fireAtMs;
  }

  /** The sequence number of a task (for white-box checks of the heaps' tie-break). */
  sequenceOf(id: number): number {
    return this.#task(id).sequence;
  }

  register(nowMs: number, priorityClass: number, nice: number, kind: TaskKind, delayMs: number, periodMs: number): number {
    const task: ModelTask = {
      id: this.#tasks.length,
      state: 'ready',
      priorityClass,
      nice,
      kind,
      periodMs,
      dueMs: nowMs,
      fireAtMs: nowMs,
      resumeAtMs: nowMs,
      stampMs: nowMs,
      vruntime: this.#minVruntime,
      sequence: 0,
      sliceUsedMs: 0,
      runs: 0,
      failures: 0,
      overruns: 0,
      missedTicks: 0,
      preemptions: 0,
      runtimeMs: 0,
      waitMs: 0,
      maxRuntimeMs: 0,
      segmentRuntimeMs: 0,
      lastStartMs: 0,
      lastEndMs: 0,
    };
    this.#tasks.push(task);
    this.#totals.registered++;
    if (delayMs === 0) this.#enqueueReady(task, false);
    else this.#enqueueTimer(task, nowMs + delayMs);
    return task.id;
  }

  /** Releases every waiting task due at or before nowMs; how many. */
  advance(nowMs: number): number {
    let moved = 0;
    for (;;) {
      const task = smallest(this.#inState('waiting'), (t) => [t.fireAtMs, t.sequence]);
      if (task === undefined || task.fireAtMs > nowMs) return moved;
      task.stampMs = task.fireAtMs;
      task.vruntime = this.#placeWaking(task.vruntime);
      this.#enqueueReady(task, false);
      moved++;
    }
  }

  /** The id of the task pop() would return. */
  peek(): number | undefined {
    return smallest(this.#inState('ready'), (t) => this.#readyKey(t))?.id;
  }

  pop(nowMs: number): number | undefined {
    const task = smallest(this.#inState('ready'), (t) => this.#readyKey(t));
    if (task === undefined) return undefined;
    task.state = 'running';
    const readySinceMs = Math.max(task.stampMs, task.lastEndMs);
    const waitMs = Math.max(0, nowMs - readySinceMs);
    task.waitMs += waitMs;
    this.#totals.waitMs += waitMs;
    task.runs++;
    this.#totals.starts++;
    task.lastStartMs = nowMs;
    task.segmentRuntimeMs = 0;
    task.sliceUsedMs = 0;
    if (task.kind === 'fixed-rate') {
      // Started a whole period or more late: this run stands for the latest
      // tick at or before now, the ticks in between are missed.
      const skipped = Math.floor((nowMs - task.dueMs) / task.periodMs);
      if (skipped >= 1) {
        task.dueMs += skipped * task.periodMs;
        task.missedTicks += skipped;
        this.#totals.missedTicks += skipped;
      }
    }
    return task.id;
  }

  nextDueMs(): number {
    return smallest(this.#inState('waiting'), (t) => [t.fireAtMs, t.sequence])?.fireAtMs ?? Number.POSITIVE_INFINITY;
  }

  /** How many ready tasks run before this one. */
  readyRank(id: number): number {
    const task = this.#live(id, 'readyRank');
    if (task.state !== 'ready') throw new ModelRefusal('wrong-state', 'readyRank');
    const key = this.#readyKey(task);
    return this.#inState('ready').filter((t) => compareKeys(this.#readyKey(t), key) < 0).length;
  }

  // ---- a running task ----

  /** True once the task has used its whole quantum. */
  charge(id: number, elapsedMs: number): boolean {
    const task = this.#running(id, 'charge');
    task.runtimeMs += elapsedMs;
    task.segmentRuntimeMs += elapsedMs;
    this.#totals.runtimeMs += elapsedMs;
    task.vruntime += (elapsedMs * NICE_0_WEIGHT) / weightOfNice(task.nice);
    if (this.#policy === 'fair') {
      // Every running task bounds the floor, not only the one charged.
      const floor = Math.min(...this.#inState('running').map((t) => t.vruntime), ...this.#inState('ready').map((t) => t.vruntime));
      this.#minVruntime = Math.max(this.#minVruntime, floor);
    }
    task.sliceUsedMs += elapsedMs;
    return task.sliceUsedMs >= this.#quantumMs;
  }

  requeue(id: number, nowMs: number, options: { keepPlace: boolean; preempted: boolean }): void {
    const task = this.#running(id, 'requeue');
    this.#endSegment(task, nowMs);
    if (options.preempted) {
      task.preemptions++;
      this.#totals.preemptions++;
    }
    if (!options.keepPlace) task.stampMs = nowMs;
    this.#enqueueReady(task, options.keepPlace);
  }

  /** A run ended; a one-shot task, or any task whose run is final, ends; a periodic one is rescheduled. */
  complete(id: number, nowMs: number, failed: boolean, final = false): void {
    const task = this.#running(id, 'complete');
    this.#endSegment(task, nowMs);
    if (failed) {
      task.failures++;
      this.#totals.failures++;
    } else {
      this.#totals.completed++;
    }
    if (final) {
      task.state = 'ended';
      return;
    }
    switch (task.kind) {
      case 'once':
        task.state = 'ended';
        return;
      case 'fixed-rate': {
        const ticks = Math.max(1, Math.ceil((nowMs - task.dueMs) / task.periodMs));
        task.missedTicks += ticks - 1;
        this.#totals.missedTicks += ticks - 1;
        if (nowMs > task.dueMs + task.periodMs) {
          task.overruns++;
          this.#totals.overruns++;
        }
        this.#enqueueTimer(task, task.dueMs + ticks * task.periodMs);
        return;
      }
      case 'fixed-delay':
        this.#enqueueTimer(task, nowMs + task.periodMs);
        return;
    }
  }

  /** A failed run is due again delayMs from now; its nominal time (dueMs) is kept. */
  retry(id: number, nowMs: number, delayMs: number): void {
    const task = this.#running(id, 'retry');
    this.#endSegment(task, nowMs);
    task.failures++;
    this.#totals.failures++;
    this.#totals.retries++;
    this.#arm(task, nowMs + delayMs);
  }

  /** A run ended and its next one is due at nextDueMs (a cron task), whatever the kind. */
  completeAt(id: number, nowMs: number, nextDueMs: number, failed: boolean): void {
    const task = this.#running(id, 'completeAt');
    this.#endSegment(task, nowMs);
    if (failed) {
      task.failures++;
      this.#totals.failures++;
    } else {
      this.#totals.completed++;
    }
    this.#enqueueTimer(task, nextDueMs);
  }

  // ---- any live task ----

  cancel(id: number): void {
    const task = this.#live(id, 'cancel');
    task.state = 'ended';
    this.#totals.cancelled++;
  }

  setClass(id: number, priorityClass: number): void {
    this.#live(id, 'setClass').priorityClass = priorityClass;
  }

  setNice(id: number, nice: number): void {
    this.#live(id, 'setNice').nice = nice;
  }

  pause(id: number): void {
    const task = this.#live(id, 'pause');
    if (task.state !== 'waiting' && task.state !== 'ready') throw new ModelRefusal('wrong-state', 'pause');
    // A waiting task was going to fire at fireAtMs (a retry's time, say); a ready
    // task has been ready since stampMs, so resume() makes it ready again.
    task.resumeAtMs = task.state === 'waiting' ? task.fireAtMs : task.stampMs;
    task.state = 'paused';
  }

  /** Back to the timers if the time it was waiting for is still ahead, else ready now. */
  resume(id: number, nowMs: number): void {
    const task = this.#live(id, 'resume');
    if (task.state !== 'paused') throw new ModelRefusal('wrong-state', 'resume');
    if (task.resumeAtMs > nowMs) {
      this.#arm(task, task.resumeAtMs);
      return;
    }
    task.stampMs = nowMs;
    task.vruntime = this.#placeWaking(task.vruntime);
    this.#enqueueReady(task, false);
  }

  /** A waiting task becomes ready now; a fixed-rate task keeps its nominal due time. */
  runNow(id: number, nowMs: number): void {
    const task = this.#live(id, 'runNow');
    if (task.state === 'ready') return;
    if (task.state !== 'waiting') throw new ModelRefusal('wrong-state', 'runNow');
    if (task.kind !== 'fixed-rate') task.dueMs = nowMs;
    task.stampMs = nowMs;
    task.vruntime = this.#placeWaking(task.vruntime);
    this.#enqueueReady(task, false);
  }

  // ---- observation ----

  state(id: number): TaskState {
    return this.#live(id, 'state').state as TaskState;
  }

  isLive(id: number): boolean {
    return this.#task(id).state !== 'ended';
  }

  /** Ids of the tasks in a state, in id order. */
  idsInState(state: TaskState | 'ended'): number[] {
    return this.#tasks.filter((t) => t.state === state).map((t) => t.id);
  }

  get taskCount(): number {
    return this.#tasks.length;
  }

  snapshot(id: number): TaskSnapshot {
    const t = this.#live(id, 'snapshot');
    return {
      state: t.state as TaskState,
      priorityClass: t.priorityClass,
      nice: t.nice,
      kind: t.kind,
      dueMs: t.dueMs,
      periodMs: t.periodMs,
      vruntime: t.vruntime,
      sliceUsedMs: t.sliceUsedMs,
      runs: t.runs,
      failures: t.failures,
      overruns: t.overruns,
      missedTicks: t.missedTicks,
      preemptions: t.preemptions,
      runtimeMs: t.runtimeMs,
      waitMs: t.waitMs,
      maxRuntimeMs: t.maxRuntimeMs,
      lastStartMs: t.lastStartMs,
      lastEndMs: t.lastEndMs,
    };
  }

  counters(): CoreCounters {
    const count = (state: TaskState) => this.#inState(state).length;
    return {
      ...this.#totals,
      live: this.#tasks.filter((t) => t.state !== 'ended').length,
      ready: count('ready'),
      waiting: count('waiting'),
      running: count('running'),
      paused: count('paused'),
    };
  }

  // ---- internals ----

  #task(id: number): ModelTask {
    const task = this.#tasks[id];
    if (task === undefined) throw new RangeError(`no model task ${id}`);
    return task;
  }

  #live(id: number, operation: string): ModelTask {
    const task = this.#task(id);
    if (task.state === 'ended') throw new ModelRefusal('stale', operation);
    return task;
  }

  #running(id: number, operation: string): ModelTask {
    const task = this.#live(id, operation);
    if (task.state !== 'running') throw new ModelRefusal('wrong-state', operation);
    return task;
  }

  #inState(state: TaskState): ModelTask[] {
    return this.#tasks.filter((t) => t.state === state);
  }

  #enqueueReady(task: ModelTask, keepPlace: boolean): void {
    if (!keepPlace) task.sequence = this.#sequence++;
    task.state = 'ready';
  }

  /** Into the timers for a new run, nominally due at dueMs. */
  #enqueueTimer(task: ModelTask, dueMs: number): void {
    task.dueMs = dueMs;
    this.#arm(task, dueMs);
  }

  /** Into the timers, firing at fireAtMs; the nominal time stays. */
  #arm(task: ModelTask, fireAtMs: number): void {
    task.fireAtMs = fireAtMs;
    task.sequence = this.#sequence++;
    task.state = 'waiting';
  }

  #endSegment(task: ModelTask, nowMs: number): void {
    task.maxRuntimeMs = Math.max(task.maxRuntimeMs, task.segmentRuntimeMs);
    task.lastEndMs = nowMs;
    task.sliceUsedMs = 0;
  }

  #placeWaking(vruntime: number): number {
    return Math.max(vruntime, this.#minVruntime - this.#quantumMs / 2);
  }
}
