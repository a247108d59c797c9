// One process of a cluster (docs/design/cluster.md): it registers in the
// store, heartbeats, rescues the rows of processes whose lease expired, and
// claims due rows in batches up to its free capacity (maxConcurrent minus
// what it runs). Each claimed row runs as a core task of this process's
// engine, so its core orders what it holds; the attempt is the one-owner
// scheduler's (slot-attempt.ts: body, timeout, tracing, saved state, the
// task's count and next slot), and its end goes to finishClaimed() with the
// slots the task's missed-run policy skips and the task's next slot
// (next-slots.ts), in one write.
//
// Times: the store's clock decides what is due and when a lease expires; this
// process's clock (the engine's) arms its timers: a claim round when the
// earliest pending row is due (at most every pollMs), a heartbeat every
// heartbeatMs. The difference between the two clocks is measured at each
// registration, claim and heartbeat: the store's time was read somewhere
// during the call, so this clock at the call's midpoint minus the store's
// time is the skew to within half the round trip (skewMs); past
// skewWarnMs by more than that, a `clockskew` event warns, once, and another
// says when it is back within. A process paused past its lease learns it at its next heartbeat
// ('lost'): it aborts what it still runs (their ends would be refused: the
// rows were rescued) and registers again under a new epoch.
//
// Waking up: where the store can tell of offers (watchOffers: PostgreSQL's
// LISTEN/NOTIFY), a row made pending anywhere in the cluster starts a claim
// round at once if it is due, or brings the poll timer forward to its due
// time; a lost watch connection is a `storeerror`, and once it is back one
// round claims what was offered meanwhile. The poll stays: notices are hints.
import * as L from '../../../bindings/layout.generated.js';
import type { Engine } from '../../engine/engine.js';
import type {
  ClaimedSlot, ClusterProcess, ClusterStore, FinishRequest, FinishResult, OfferRequest, OfferResult, OfferWatch, ProcessRef,
} from '../../store/cluster.js';
import { LEASE_EXPIRED_ERROR, MAX_CLAIM_LIMIT } from '../../store/cluster-rules.js';
import type { EndResult, Store } from '../../store/store.js';
import type { ExecutionRecord, TaskRecord } from '../../store/records.js';
import { executionIdOf, isManualSlot, MANUAL_SCHEDULE_VERSION } from '../../store/records.js';
import { SchedulerStoppedError, TaskEndedError } from '../../errors.js';
import type { TimerId } from '../../time/clock.js';
import type { DefinedFunctions } from '../defined-functions.js';
import { StaleAttemptError } from '../durable-context.js';
import type { DurableEventDetails, DurableEventType } from '../durable-events.js';
import { AdmitNotDefinedError, FunctionNotDefinedError, TaskNotFoundError } from '../errors.js';
import { LiveTask } from '../live-task.js';
import { presetFor } from '../live-tasks.js';
import { type AttemptEnd, SlotAttempt } from '../slot-attempt.js';
import { firstSlotAfter } from '../slots.js';
import { StoreBackoff } from '../store-backoff.js';
import type { AdmitFn } from '../../constraints/slot-constraints.js';
import type { AdmitHooks } from '../admit-hooks.js';
import { admitAtClaim, type ClaimAdmission } from './admit-at-claim.js';
import { decideAtClaim, followUpOfEnd, nextSlots, offerOf } from './next-slots.js';
import { ClusterWrites } from './cluster-writes.js';
import { classDeadlinesMs } from './slot-rank.js';

export interface ClusterRunnerOptions {
  /** Who this process is (a random UUID per start), its host, pid and timeslice version. */
  ownerId: string;
  host: string;
  pid: number;
  version: string;
  /** How long the lease lasts without a heartbeat. */
  leaseMs: number;
  /** How often it heartbeats (and rescues), well under leaseMs. */
  heartbeatMs: number;
  /** The longest wait between claim rounds (a row inserted by another process is found by then). */
  pollMs: number;
  /** A `clockskew` event warns when this clock is further than this from the store's (ms > 0). */
  skewWarnMs: number;
  /** At most this many rows run at once here (an integer >= 1, or Infinity). */
  maxConcurrent: number;
  timeoutMs: number | null;
  maxPayloadBytes: number;
}

export interface ClusterRunnerHost {
  engine: Engine;
  functions: Pick<DefinedFunctions, 'get' | 'has' | 'names'>;
  /** The admit hooks slot constraints name (defineAdmit); without them a task naming one is given back. */
  admitHooks?: Pick<AdmitHooks, 'get'>;
  store: Store & ClusterStore;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
}

/** A runNow() waiting for its manual row's claim, by this process or another. */
interface ManualWaiter {
  readonly taskId: string;
  resolve(execution: ExecutionRecord): void;
  reject(error: Error): void;
}

/** A row this process runs. */
interface Held {
  readonly claimed: ClaimedSlot;
  readonly task: LiveTask;
  handle: number;
  /** Its body was called: on a stop it is interrupted, not given back. */
  started: boolean;
  /** Its body ended and its end is being written: its room is free for the next claim (which joins the end's batch). */
  ending: boolean;
}

export class ClusterRunner {
  readonly #host: ClusterRunnerHost;
  readonly #options: ClusterRunnerOptions;
  readonly #engine: Engine;
  readonly #store: Store & ClusterStore;
  readonly #attempt: SlotAttempt;
  readonly #backoff = new StoreBackoff();
  readonly #deadlinesMs;
  readonly #cronCache = new Map();
  readonly #held = new Map<string, Held>();
  readonly #byTask = new Map<LiveTask, Held>();
  /** runNow() calls waiting for their rows' claims, by execution id. */
  readonly #manualWaiters = new Map<string, ManualWaiter>();
  readonly #writes: ClusterWrites;
  /** Held rows whose body ended (their ends are being written). */
  #ending = 0;
  #process: ProcessRef | undefined;
  #pollTimer: TimerId | undefined;
  /** When the poll timer fires (engine clock), while it is armed. */
  #pollAtMs = 0;
  /** The earliest due time (store clock) a notice told of a row not yet due, until the store's now passes it. */
  #notifiedDueMs: number | undefined;
  #watch: OfferWatch | undefined;
  #heartbeatTimer: TimerId | undefined;
  #claiming = false;
  #claimAgain = false;
  /** The claim rounds in flight, if any (stop() waits for them). */
  #rounds: Promise<void> | undefined;
  #stopped = false;
  #skewMs = 0;
  /** The last skew was past skewWarnMs (a `clockskew` with over: true was sent, and none since). */
  #skewOver = false;

  constructor(host: ClusterRunnerHost, options: ClusterRunnerOptions) {
    this.#host = host;
    this.#options = options;
    this.#engine = host.engine;
    this.#store = host.store;
    this.#deadlinesMs = classDeadlinesMs(host.engine.options.deadlinesMs);
    const store = host.store;
    this.#writes = new ClusterWrites(store, host.engine.clock);
    this.#attempt = new SlotAttempt({
      engine: host.engine,
      functions: host.functions,
      store: () => Promise.resolve(store),
      // Never called: this runner hands SlotAttempt only attempts the claim started ('started' runs).
      claim: (request) => store.claim([request]).then((results) => results[0]!),
      end: (request) => this.#end(request),
      emit: (type, detail) => host.emit(type, detail),
      continueTask: (task) => this.#attemptOver(task),
      enter: (task, delayMs) => this.#enterQueued(task, delayMs),
      removeTask: (task) => void (task.removed = true),
      reloadTask: (task) => void (task.removed = true),
      backoff: this.#backoff,
      maxPayloadBytes: options.maxPayloadBytes,
      timeoutMs: options.timeoutMs,
      retriesInStore: true,
    });
  }

  /** This process's clock minus the store's, at the last claim, heartbeat or registration (ms; positive: this clock is ahead). */
  get skewMs(): number {
    return this.#skewMs;
  }

  /** The rows this process runs now. */
  get running(): number {
    return this.#held.size;
  }

  get process(): ProcessRef | undefined {
    return this.#process;
  }

  /** Registers the process, then heartbeats and claims until stop(). */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.#register();
    // Watching before the first round: a row offered after that round's claim is told.
    await this.#watchOffers();
    this.#armHeartbeat();
    this.claimNow();
  }

  /**
   * Materialises the first slot of each task (after their records were
   * stored): what registration does in cluster mode. One offerSlots() call
   * (one transaction) for all of them: one per task cost a commit each, 8.8 s
   * for 1,000 registrations on PostgreSQL. A task with no slot left is left out.
   */
  offerFirst(records: readonly TaskRecord[]): Promise<OfferResult[]> {
    const offers: OfferRequest[] = [];
    for (const record of records) {
      const task = new LiveTask(record, this.#cronCache);
      const nextMs = record.scheduleKind === 'fixed-delay' ? record.nextExecutionMs : firstSlotAfter(task, task.lastSlotMs);
      if (nextMs !== null) offers.push(offerOf(task, nextMs, this.#deadlinesMs));
    }
    if (offers.length === 0) return Promise.resolve([]);
    return this.#store.offerSlots(offers).then((results) => {
      this.claimNow();
      return results;
    });
  }

  /**
   * runNow(): offers a manual row (schedule version 0, nominal = this
   * clock's now) due at once by the store's clock, which any process may
   * claim, once (its slot key is UNIQUE), and run as its own execution
   * beside the task's schedule (its open slot and cadence stay). Resolves to
   * the execution once a process claimed it: this one at its claim, another
   * when a claim round here finds the record. Two runNow() in one ms get
   * two rows (the second's nominal moves on by 1 ms).
   */
  async runNow(record: TaskRecord): Promise<ExecutionRecord> {
    const task = new LiveTask(record, this.#cronCache);
    // Due now by the store's clock: a clock ahead of it would otherwise hold the row back by the skew.
    const dueMs = Math.floor(this.#engine.clock.wallNow() - Math.max(0, this.#skewMs));
    for (let nominalMs = Math.round(this.#engine.clock.wallNow()); ; nominalMs++) {
      const offer = { ...offerOf(task, nominalMs, this.#deadlinesMs), scheduleVersion: MANUAL_SCHEDULE_VERSION, dueMs: Math.min(dueMs, nominalMs) };
      const [result] = await this.#store.offerSlots([offer]);
      // Another runNow of the task took this ms: the next one.
      if (result?.status === 'open-slot' || result?.status === 'duplicate') continue;
      if (result?.status === 'unknown-task') throw new TaskNotFoundError(record.id, 'runNow');
      if (result?.status !== 'offered') throw new TaskEndedError(`runNow: task '${record.id}' runs no more (${result?.status})`);
      if (this.#stopped) throw stoppedBeforeClaim();
      const claimed = new Promise<ExecutionRecord>((resolve, reject) => this.#manualWaiters.set(executionIdOf(offer), { taskId: record.id, resolve, reject }));
      this.claimNow();
      return claimed;
    }
  }

  /** The cluster's processes and their leases (scheduler.cluster()); this process's own entry with its skew. */
  async cluster(): Promise<ClusterProcess[]> {
    const processes = await this.#store.processes();
    const self = this.#process;
    return processes.map((p) => (self !== undefined && p.ownerId === self.ownerId && p.epoch === self.epoch ? { ...p, skewMs: this.#skewMs } : p));
  }

  /** A claim round now (a registration here, or a notification of one elsewhere); one at a time, repeated if asked meanwhile. */
  claimNow(): void {
    if (this.#claiming) {
      this.#claimAgain = true;
      return;
    }
    this.#rounds = this.#claimRounds();
  }

  /**
   * A clean stop: no more claims or heartbeats; rows whose body never started
   * go back as they were, the others (still running: the caller drained the
   * engine first, or gave up) as interrupted; the process leaves the registry.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#clearTimers();
    for (const waiter of this.#manualWaiters.values()) waiter.reject(stoppedBeforeClaim());
    this.#manualWaiters.clear();
    const watch = this.#watch;
    this.#watch = undefined;
    await watch?.close();
    // A round in flight finishes first (its batch written now): what it claimed is then given back as unstarted.
    // The ends being written are committed before the rest is interrupted.
    await this.#writes.flush();
    await this.#rounds;
    await this.#writes.flush();
    const process = this.#process;
    this.#process = undefined;
    const unstarted = [...this.#held.values()].filter((h) => !h.started);
    for (const held of unstarted) if (held.handle !== 0) this.#engine.controls.cancel(held.handle);
    this.#held.clear();
    this.#byTask.clear();
    this.#ending = 0;
    if (process === undefined) return;
    const ids = unstarted.map(({ claimed: { execution } }) => ({ executionId: execution.id, fencingToken: execution.fencingToken }));
    await this.#store.deregister({ ...process, unstarted: ids });
  }

  async #register(): Promise<void> {
    const { ownerId, host, pid, version, leaseMs } = this.#options;
    const { process } = await this.#measured(() => this.#store.registerProcess({ ownerId, host, pid, version, leaseMs }));
    this.#process = { ownerId: process.ownerId, epoch: process.epoch };
  }

  async #watchOffers(): Promise<void> {
    const store = this.#store;
    if (store.watchOffers === undefined) return;
    this.#watch = await store.watchOffers({
      offered: (dueMs) => this.#offered(dueMs),
      interrupted: (error, retryInMs) => this.#host.emit('storeerror', { operation: 'watchOffers', error, retryInMs }),
      // What was offered while the watch was down was not told.
      resumed: () => this.claimNow(),
    });
  }

  /** A notice: rows became pending, the earliest due at dueMs (store clock). */
  #offered(dueMs: number): void {
    if (this.#stopped) return;
    const untilMs = dueMs - (this.#engine.clock.wallNow() - this.#skewMs);
    if (untilMs <= 0) {
      this.claimNow();
      return;
    }
    if (this.#notifiedDueMs === undefined || dueMs < this.#notifiedDueMs) this.#notifiedDueMs = dueMs;
    // Armed later than that: bring it forward. Not armed: a round is under way, and arms it when it ends.
    if (this.#pollTimer !== undefined && this.#pollAtMs > this.#engine.clock.now() + untilMs) this.#armPoll(untilMs);
  }

  async #claimRounds(): Promise<void> {
    this.#claiming = true;
    try {
      do {
        this.#claimAgain = false;
        await this.#claimRound();
      } while (this.#claimAgain && !this.#stopped);
    } catch (error) {
      const retryInMs = this.#backoff.next();
      this.#host.emit('storeerror', { operation: 'claimDue', error, retryInMs });
      this.#armPoll(retryInMs);
    } finally {
      this.#claiming = false;
    }
  }

  async #claimRound(): Promise<void> {
    const process = this.#process;
    let free = this.#free();
    if (this.#stopped || process === undefined) return;
    // A draining engine takes no new work: due rows stay pending for the other processes.
    const state = this.#engine.state;
    if (state === 'stopping' || state === 'stopped') return;
    if (free <= 0) {
      // Full: the end of a run asks for the next round. A runNow() here may have been claimed elsewhere.
      if (this.#manualWaiters.size > 0) await this.#settleManualWaiters();
      this.#armPoll(this.#options.pollMs);
      return;
    }
    // Only rows of functions defined here: the others are left to the processes that define them (a rolling deploy).
    // The room is read again when the claim's batch is written: the runs ending meanwhile join it.
    const functions = this.#host.functions.names();
    const result = await this.#measured(() => this.#writes.claim(process, () => (free = this.#free()), functions));
    this.#backoff.reset();
    if (result.status === 'not-registered') return this.#lost(process);
    // Registered again while this round was in flight (a heartbeat learnt the old registration was rescued): what it
    // claimed is held under the replaced epoch, an orphan the next rescue gives back; running it would run it twice.
    if (this.#process !== process) return;
    if (result.status === 'lease-expired') {
      // Paused past its lease, and nobody rescued it: renew (or learn it was rescued), then claim again.
      await this.#heartbeat();
      this.#claimAgain = true;
      return;
    }
    for (const claimed of result.claimed) this.#take(claimed, result.nowMs);
    if (this.#manualWaiters.size > 0) await this.#settleManualWaiters();
    const untilDueMs = result.nextDueMs === null ? this.#options.pollMs : Math.max(0, result.nextDueMs - result.nowMs);
    // A row due now was left (by the limit, locked by another claimer, or waiting for its task's run to end): the next round
    // comes with the next free slot, the end of a run, or the poll.
    this.#armPoll(untilDueMs === 0 ? this.#options.pollMs : Math.min(untilDueMs, this.#options.pollMs));
  }

  /** runNow() calls whose rows another process claimed (their record exists), or that were dropped (their task ended). */
  async #settleManualWaiters(): Promise<void> {
    const pending = async (id: string, taskId: string) => (await this.#store.pendingSlots(taskId)).some((row) => row.id === id);
    for (const [id, waiter] of [...this.#manualWaiters]) {
      // Pending first: a row not pending is claimed (its record exists, written by the claim) or dropped.
      if (await pending(id, waiter.taskId)) continue;
      const execution = await this.#store.getExecution(id);
      if (execution !== undefined) {
        this.#manualWaiters.delete(id);
        waiter.resolve(execution);
      } else if (!(await pending(id, waiter.taskId))) {
        // Neither pending nor claimed, and not given back (an unstarted claim returned between the two reads) meanwhile.
        this.#manualWaiters.delete(id);
        waiter.reject(new TaskEndedError(`runNow: task '${waiter.taskId}' ended, was cancelled or deleted before its manual run started`));
      }
    }
  }

  /** How many rows this process can take now: a row whose body ended is no longer run here (its end and the claim share a commit). */
  #free(): number {
    return Math.min(this.#options.maxConcurrent - (this.#held.size - this.#ending), MAX_CLAIM_LIMIT);
  }

  /** A claimed row: run it as a core task, or end it at once (used-up attempts, a missed slot the policy skips, an unknown function). */
  #take(claimed: ClaimedSlot, nowMs: number): void {
    const { execution } = claimed;
    const waiter = this.#manualWaiters.get(execution.id);
    if (waiter !== undefined) {
      this.#manualWaiters.delete(execution.id);
      waiter.resolve(execution);
    }
    const task = new LiveTask(claimed.task, this.#cronCache);
    const ending = { executionId: execution.id, fencingToken: execution.fencingToken, endedAtMs: nowMs };
    if (claimed.exhausted) {
      const { nextMs } = isManualSlot(execution) ? { nextMs: null } : nextSlots(task, execution.nominalMs, nowMs);
      const once = task.record.scheduleKind === 'once' && !isManualSlot(execution);
      const ended = nextMs === null || once;
      void this.#finishAside({
        ...ending, outcome: 'failed', error: LEASE_EXPIRED_ERROR,
        taskUpdate: { executionCount: task.record.executionCount + 1, lastError: LEASE_EXPIRED_ERROR.message, status: ended ? (once ? 'failed' : 'completed') : 'pending', nextExecutionMs: ended ? null : nextMs },
        ...(ended ? {} : { next: offerOf(task, nextMs as number, this.#deadlinesMs) }),
      });
      return;
    }
    if (!this.#host.functions.has(task.record.functionName)) {
      // The claim asked only for the functions defined here, so this is a store that ignores `functions`: another
      // process may define it, so the row goes back (this attempt counted) for it to find.
      const name = task.record.functionName;
      this.#host.emit('taskundefined', { taskId: task.record.id, functionName: name, error: new FunctionNotDefinedError(name, task.record.id) });
      void this.#finishAside({ ...ending, outcome: 'interrupted', retryAtMs: nowMs + this.#options.pollMs });
      return;
    }
    const decision = decideAtClaim(task, execution, nowMs, this.#deadlinesMs);
    if (!decision.run) {
      void this.#finishAside({ ...ending, outcome: 'skipped', skipReason: decision.reason, ...followUpRequest(decision.followUp) });
      return;
    }
    // Slot constraints judge a scheduled slot's first attempt (a retry or a manual run was admitted, or needs no admission).
    const constraints = execution.attempt === 1 && !isManualSlot(execution) ? task.record.constraints : null;
    const hookName = constraints?.admit ?? null;
    const hook = hookName === null ? undefined : this.#host.admitHooks?.get(hookName);
    if (hookName !== null && hook === undefined) {
      // Judging without the hook could run a slot it refuses: the row goes back for a process that defines it (this attempt counted).
      this.#host.emit('taskundefined', { taskId: task.record.id, functionName: hookName, error: new AdmitNotDefinedError(hookName) });
      void this.#finishAside({ ...ending, outcome: 'interrupted', retryAtMs: nowMs + this.#options.pollMs });
      return;
    }
    const held: Held = { claimed, task, handle: 0, started: false, ending: false };
    this.#held.set(execution.id, held);
    this.#byTask.set(task, held);
    // Claimed while stop() waited for this round: not entered, given back as unstarted.
    if (this.#stopped) return;
    if (constraints !== null) void this.#admit(held, hook, nowMs);
    else this.#enter(held);
  }

  /** A constrained slot: judged (maybe reading today's runs), then run, or ended as skipped (or deferred) with the task's next row. */
  async #admit(held: Held, hook: AdmitFn | undefined, nowMs: number): Promise<void> {
    const { claimed: { execution }, task } = held;
    const ending = { executionId: execution.id, fencingToken: execution.fencingToken, endedAtMs: nowMs };
    let admission: ClaimAdmission;
    try {
      admission = await admitAtClaim(task, execution.nominalMs, nowMs, this.#store, hook, this.#deadlinesMs);
    } catch (error) {
      // The history could not be read: the row goes back, to be judged again (this attempt counted).
      this.#host.emit('storeerror', { operation: 'history', error, retryInMs: this.#options.pollMs });
      if (this.#held.get(execution.id) !== held || this.#stopped) return;
      this.#drop(held);
      void this.#finishAside({ ...ending, outcome: 'interrupted', retryAtMs: nowMs + this.#options.pollMs });
      return;
    }
    // Stopped (given back as unstarted) or declared dead (aborted) meanwhile.
    if (this.#held.get(execution.id) !== held || this.#stopped) return;
    if (admission.run) {
      this.#enter(held);
      return;
    }
    this.#drop(held);
    void this.#finishAside({ ...ending, outcome: 'skipped', skipReason: admission.reason, ...followUpRequest(admission.followUp) });
  }

  #drop(held: Held): void {
    this.#held.delete(held.claimed.execution.id);
    this.#byTask.delete(held.task);
  }

  /** A held row as a core task of this process's engine. */
  #enter(held: Held): void {
    const { claimed: { execution }, task } = held;
    const run = { start: 'started', nominalMs: execution.nominalMs, execution } as const;
    held.handle = this.#engine.register(
      (ctx) => {
        held.started = true;
        return this.#attempt.run(task, run, ctx);
      },
      presetFor(task.record.priority), L.KIND_ONCE, 0, 0,
    );
  }

  /** SlotAttempt's end of an attempt: finishClaimed with the task's skipped slots and next slot. */
  async #end(request: AttemptEnd): Promise<EndResult> {
    const held = this.#held.get(request.executionId);
    let finish: FinishRequest = request;
    if (held !== undefined && request.retryAtMs === undefined && request.taskUpdate !== undefined && !isManualSlot(held.claimed.execution)) {
      const followUp = followUpOfEnd(held.task, held.claimed.execution.nominalMs, request.taskUpdate, request.endedAtMs, this.#deadlinesMs);
      finish = { ...request, ...followUpRequest(followUp) };
    }
    if (held !== undefined && !held.ending) {
      held.ending = true;
      this.#ending++;
    }
    const finished = this.#writes.finish(finish);
    // The room this run made is claimed in the end's batch.
    this.claimNow();
    const result = await finished;
    this.#report(finish, result);
    return result.status === 'completed' ? { status: 'completed', execution: result.execution } : result;
  }

  /** A finish of a row that never ran here, retried while the store fails (the row stays ours meanwhile). */
  async #finishAside(request: FinishRequest): Promise<void> {
    while (!this.#stopped) {
      try {
        this.#report(request, await this.#writes.finish(request));
        this.#backoff.reset();
        this.claimNow();
        return;
      } catch (error) {
        const retryInMs = this.#backoff.next();
        this.#host.emit('storeerror', { operation: 'finishClaimed', error, retryInMs });
        await new Promise<void>((resolve) => this.#engine.clock.setTimer(resolve, retryInMs));
      }
    }
  }

  #report(request: FinishRequest, result: FinishResult): void {
    if (result.status !== 'completed') {
      // Fenced (C3): the row was rescued, and maybe claimed again, while this process held it.
      const error = new StaleAttemptError(`finishClaimed: ${request.executionId} is no longer this process's (${result.status}); its end was not stored`);
      this.#host.emit('writefenced', { operation: 'finishClaimed', error });
      return;
    }
    for (const skip of result.skipped) {
      if (skip.status === 'recorded') this.#host.emit('slotskip', { taskId: skip.execution.taskId, nominalMs: skip.execution.nominalMs, reason: skip.execution.skipReason ?? '', count: 1 });
    }
    const { execution } = result;
    if (execution.outcome === 'skipped') this.#host.emit('slotskip', { taskId: execution.taskId, nominalMs: execution.nominalMs, reason: execution.skipReason ?? '', count: 1 });
  }

  /** An attempt is over here (ended, fenced, or not run): its capacity is free for the next round. */
  #attemptOver(task: LiveTask): void {
    const held = this.#byTask.get(task);
    if (held === undefined) return;
    this.#byTask.delete(task);
    this.#held.delete(held.claimed.execution.id);
    if (held.ending) this.#ending--;
    this.claimNow();
  }

  /** SlotAttempt put a run back (a store failure before it started): enter it again after delayMs. */
  #enterQueued(task: LiveTask, delayMs: number): void {
    const held = this.#byTask.get(task);
    const run = task.queue.shift();
    if (held === undefined || run === undefined || run.start === 'skip' || this.#stopped) {
      this.#attemptOver(task);
      return;
    }
    held.handle = this.#engine.register((ctx) => this.#attempt.run(task, run, ctx), presetFor(task.record.priority), L.KIND_ONCE, Math.max(0, delayMs), 0);
  }

  async #heartbeat(): Promise<void> {
    const process = this.#process;
    if (process === undefined || this.#stopped) return;
    const beat = await this.#measured(() => this.#store.heartbeat(process, this.#options.leaseMs));
    if (beat.status === 'lost') return this.#lost(process);
    const rescue = await this.#store.rescueExpired();
    if (rescue.interrupted > 0) this.claimNow();
  }

  /** A store call whose answer carries the store's time: the skew is measured over its round trip (see the header). */
  async #measured<T extends { nowMs: number }>(call: () => Promise<T>): Promise<T> {
    const clock = this.#engine.clock;
    const sentMs = clock.wallNow();
    const result = await call();
    const receivedMs = clock.wallNow();
    // A wall clock stepped back during the call makes the round trip negative: no bound then, take the answer's time.
    const uncertaintyMs = Math.max(0, receivedMs - sentMs) / 2;
    const skewMs = (receivedMs >= sentMs ? sentMs + uncertaintyMs : receivedMs) - result.nowMs;
    this.#skewMs = skewMs;
    const thresholdMs = this.#options.skewWarnMs;
    const beyondMs = Math.abs(skewMs) - thresholdMs;
    // Past the threshold for certain, or back within it for certain: in between (a slow call near the threshold), no change.
    const over = this.#skewOver ? beyondMs > -uncertaintyMs : beyondMs > uncertaintyMs;
    if (over !== this.#skewOver) {
      this.#skewOver = over;
      this.#host.emit('clockskew', { skewMs, uncertaintyMs, thresholdMs, over });
    }
    return result;
  }

  /**
   * Declared dead (rescued): what still runs here is aborted (its end would be refused), and the process registers again.
   * Once per registration: a heartbeat and a claim round in flight together both learn it, and the later one, answering
   * for an epoch already replaced, must not register again (that would orphan, and so abort, what the new one claimed).
   */
  async #lost(process: ProcessRef): Promise<void> {
    if (this.#process !== process) return;
    this.#process = undefined;
    this.#host.emit('leaselost', { holder: undefined });
    const lost = new StaleAttemptError('this process was declared dead by the cluster (its lease expired and its rows were rescued)');
    for (const held of this.#held.values()) this.#engine.controls.cancel(held.handle, lost);
    this.#held.clear();
    this.#byTask.clear();
    this.#ending = 0;
    if (this.#stopped) return;
    await this.#register();
    this.claimNow();
  }

  #armHeartbeat(): void {
    this.#heartbeatTimer = this.#engine.clock.setTimer(() => {
      this.#heartbeatTimer = undefined;
      if (this.#stopped) return;
      this.#heartbeat()
        .catch((error: unknown) => this.#host.emit('storeerror', { operation: 'heartbeat', error, retryInMs: this.#options.heartbeatMs }))
        .finally(() => {
          if (!this.#stopped) this.#armHeartbeat();
        });
    }, this.#options.heartbeatMs);
  }

  #armPoll(delayMs: number): void {
    if (this.#stopped) return;
    if (this.#pollTimer !== undefined) this.#engine.clock.clearTimer(this.#pollTimer);
    const clock = this.#engine.clock;
    if (this.#notifiedDueMs !== undefined) {
      // A notice of a row due before this wait ends (a round may have read the rows before its offer committed).
      // Once due, one more round at once: the round that armed this may have missed the row (its claim read the
      // rows before the offer committed, while the notice, judged not yet due by the skew measured, arrived).
      const untilNotifiedMs = this.#notifiedDueMs - (clock.wallNow() - this.#skewMs);
      if (untilNotifiedMs <= 0) this.#notifiedDueMs = undefined;
      delayMs = Math.max(0, Math.min(delayMs, untilNotifiedMs));
    }
    this.#pollAtMs = clock.now() + delayMs;
    this.#pollTimer = clock.setTimer(() => {
      this.#pollTimer = undefined;
      this.claimNow();
    }, delayMs);
  }

  #clearTimers(): void {
    if (this.#pollTimer !== undefined) this.#engine.clock.clearTimer(this.#pollTimer);
    if (this.#heartbeatTimer !== undefined) this.#engine.clock.clearTimer(this.#heartbeatTimer);
    this.#pollTimer = undefined;
    this.#heartbeatTimer = undefined;
  }
}

function stoppedBeforeClaim(): SchedulerStoppedError {
  return new SchedulerStoppedError('runNow: the scheduler stopped before the manual run was claimed; its row stays offered, for any process of the cluster to run');
}

function followUpRequest(followUp: ReturnType<typeof followUpOfEnd>): Pick<FinishRequest, 'taskUpdate' | 'skipped' | 'next'> {
  return { taskUpdate: followUp.taskUpdate, skipped: followUp.skipped, ...(followUp.next === undefined ? {} : { next: followUp.next }) };
}
