// How a row this process claimed runs here: judged (claimed-slots.ts), held,
// admitted when the task has slot constraints (admit-at-claim.ts: working
// hours, daily caps, the admit hook), then entered as a core task of this
// process's engine, whose body is the one-owner scheduler's attempt
// (slot-attempt.ts). A row that is not run is ended at once (slot-ends.ts).
// Its body starts only while the process's lease is live for certain
// (lease-window.ts); a start that comes later renews first.
//
// Separate from cluster-runner.ts, which is the process's membership and
// rhythm (registration, heartbeats, claim rounds, stop): this is what one
// claimed row goes through once a round handed it over, and the capacity it
// frees when its attempt is over.
//
// Places: at most maxConcurrent held rows whose bodies have not ended are
// entered (or being admitted); the others wait in the local queue
// (local-queue.ts), most urgent first, and start as places free. room() is
// what the next claim takes: the free places (started at once) and the
// queue's depth beyond them (stored unstarted; named in a batch's `started`
// when they start).
import * as L from '../../../bindings/layout.generated.js';
import type { AdmitFn } from '../../constraints/slot-constraints.js';
import type { Engine } from '../../engine/engine.js';
import type { ClaimedSlot, ClusterStore } from '../../store/cluster.js';
import type { Store } from '../../store/store.js';
import type { PriorityName } from '../../tasks/priorities.js';
import type { TaskContext } from '../../tasks/task-context.js';
import type { CronSchedule } from '../../time/cron.js';
import type { AdmitHooks } from '../admit-hooks.js';
import type { DefinedFunctions } from '../defined-functions.js';
import type { DurableEventDetails, DurableEventType } from '../durable-events.js';
import type { LiveTask } from '../live-task.js';
import { presetFor } from '../live-tasks.js';
import { type AttemptRun, SlotAttempt } from '../slot-attempt.js';
import type { StoreBackoff } from '../store-backoff.js';
import { admitAtClaim, type ClaimAdmission } from './admit-at-claim.js';
import { AttemptDeadlines } from './attempt-deadlines.js';
import { followUpRequest, type Held, type HeldSlots, type JudgeContext, judgeClaimed } from './claimed-slots.js';
import type { ClaimRoom, ClusterWrites } from './cluster-writes.js';
import type { LeaseWindow } from './lease-window.js';
import { LocalQueue } from './local-queue.js';
import type { SlotEnds } from './slot-ends.js';

export interface ClaimedRunsHost {
  readonly engine: Engine;
  /** Whether this process's lease is live for certain, and the wait for it (renewing) when it is not. */
  readonly lease: Pick<LeaseWindow, 'live' | 'whenLive'>;
  readonly functions: Pick<DefinedFunctions, 'get' | 'has' | 'names'>;
  /** The admit hooks slot constraints name (defineAdmit); without them a task naming one is given back. */
  readonly admitHooks: Pick<AdmitHooks, 'get'> | undefined;
  readonly store: Store & ClusterStore;
  readonly held: HeldSlots;
  readonly ends: SlotEnds;
  readonly writes: Pick<ClusterWrites, 'started'>;
  readonly backoff: StoreBackoff;
  readonly cronCache: Map<string, CronSchedule>;
  readonly deadlinesMs: ReadonlyMap<PriorityName, number>;
  readonly pollMs: number;
  /** At most this many rows run at once here (an integer >= 1, or Infinity). */
  readonly maxConcurrent: number;
  /** The local queue's cap (0: none). */
  readonly localQueue: number;
  readonly maxPayloadBytes: number;
  readonly timeoutMs: number | null;
  stopped(): boolean;
  /** A claim round now: an attempt's end made room. */
  claimNow(): void;
  emit<Type extends DurableEventType>(type: Type, detail: DurableEventDetails[Type]): void;
}

export class ClaimedRuns {
  readonly #host: ClaimedRunsHost;
  readonly #judge: JudgeContext;
  readonly #attempt: SlotAttempt;
  /** Held rows waiting for a place, most urgent first. */
  readonly #queue: LocalQueue;

  constructor(host: ClaimedRunsHost) {
    this.#host = host;
    this.#queue = new LocalQueue(host.localQueue);
    const store = host.store;
    this.#judge = {
      functions: host.functions,
      admitHooks: host.admitHooks,
      cronCache: host.cronCache,
      deadlinesMs: host.deadlinesMs,
      pollMs: host.pollMs,
      emit: (type, detail) => host.emit(type, detail),
    };
    this.#attempt = new SlotAttempt({
      engine: host.engine,
      functions: host.functions,
      store: () => Promise.resolve(store),
      // Never called: this runner hands SlotAttempt only attempts the claim started ('started' runs).
      claim: (request) => store.claim([request]).then((results) => results[0]!),
      end: (request) => host.ends.end(request),
      emit: (type, detail) => host.emit(type, detail),
      continueTask: (task) => this.#attemptOver(task),
      enter: (task, delayMs) => this.#enterQueued(task, delayMs),
      removeTask: (task) => void (task.removed = true),
      reloadTask: (task) => void (task.removed = true),
      backoff: host.backoff,
      maxPayloadBytes: host.maxPayloadBytes,
      timeoutMs: host.timeoutMs,
      ...(host.timeoutMs === null ? {} : { within: new AttemptDeadlines(host.engine, host.timeoutMs).within }),
      retriesInStore: true,
    });
  }

  /** How many claimed rows wait in the local queue for a place. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** A claimed row: run it as a core task, or end it at once (claimed-slots.ts judges which). */
  take(claimed: ClaimedSlot, nowMs: number): void {
    const judgement = judgeClaimed(claimed, nowMs, this.#judge);
    if (!judgement.run) {
      void this.#host.ends.aside(judgement.finish);
      return;
    }
    const { task, constraints, hook } = judgement;
    const held: Held = { claimed, task, handle: 0, started: false, startedAtMs: 0, ending: false };
    this.#host.held.add(held);
    // Claimed while stop() waited for this round: not entered, given back as unstarted.
    if (this.#host.stopped()) return;
    if (constraints !== null) void this.#admit(held, hook, nowMs);
    else this.#queue.insert(held);
  }

  /**
   * What a claim takes now: the places of maxConcurrent free (a row whose body ended no longer takes one: its end and
   * the claim share a commit) start at once; the local queue's depth is claimed beyond them.
   */
  room(): ClaimRoom {
    const max = this.#host.maxConcurrent;
    const active = this.#host.held.active;
    return { limit: max + this.#queue.depth(max) - active, startNow: Math.max(0, max - active) };
  }

  /** Queued rows start, most urgent first, while places are free (a row being admitted holds its place). */
  drain(): void {
    if (this.#host.stopped()) return;
    const held = this.#host.held;
    while (this.#queue.length > 0 && held.active - this.#queue.length < this.#host.maxConcurrent) {
      const next = this.#queue.shift()!;
      // Left meanwhile (aborted, given back): not entered.
      if (held.get(next.claimed.execution.id) === next) this.#enter(next);
    }
  }

  /** A held row's body ended: its run time is measured, and its place goes to a queued row. */
  bodyEnded(held: Held): void {
    if (held.started) this.#queue.noteRun(this.#host.engine.clock.now() - held.startedAtMs);
    this.drain();
  }

  /** The rows held here were given back or aborted (stop, lease lost): none waits any more. */
  clearQueue(): void {
    this.#queue.clear();
  }

  /** A constrained slot: judged (maybe reading today's runs), then run, or ended as skipped (or deferred) with the task's next row. */
  async #admit(held: Held, hook: AdmitFn | undefined, nowMs: number): Promise<void> {
    const { claimed: { execution }, task } = held;
    const ending = { executionId: execution.id, fencingToken: execution.fencingToken, endedAtMs: nowMs };
    let admission: ClaimAdmission;
    try {
      admission = await admitAtClaim(task, execution.nominalMs, nowMs, this.#host.store, hook, this.#host.deadlinesMs);
    } catch (error) {
      // The history could not be read: the row goes back, to be judged again (this attempt counted).
      this.#host.emit('storeerror', { operation: 'history', error, retryInMs: this.#host.pollMs });
      if (this.#host.held.get(execution.id) !== held || this.#host.stopped()) return;
      this.#host.held.drop(held);
      this.drain();
      void this.#host.ends.aside({ ...ending, outcome: 'interrupted', retryAtMs: nowMs + this.#host.pollMs });
      return;
    }
    // Stopped (given back as unstarted) or declared dead (aborted) meanwhile.
    if (this.#host.held.get(execution.id) !== held || this.#host.stopped()) return;
    if (admission.run) {
      this.#queue.insert(held);
      this.drain();
      return;
    }
    this.#host.held.drop(held);
    this.drain();
    void this.#host.ends.aside({ ...ending, outcome: 'skipped', skipReason: admission.reason, ...followUpRequest(admission.followUp) });
  }

  /** A held row as a core task of this process's engine. */
  #enter(held: Held): void {
    const { claimed: { execution }, task } = held;
    const run = { start: 'started', nominalMs: execution.nominalMs, execution } as const;
    held.handle = this.#host.engine.register(
      (ctx) => (this.#host.lease.live() ? this.#start(held, run, ctx) : this.#startWhenLeaseLive(held, run, ctx)),
      presetFor(task.record.priority), L.KIND_ONCE, 0, 0,
    );
  }

  /** The body's start. */
  #start(held: Held, run: AttemptRun, ctx: TaskContext): Promise<void> {
    const { execution } = held.claimed;
    held.started = true;
    held.startedAtMs = this.#host.engine.clock.now();
    // Claimed for the local queue (stored unstarted): a rescue must no longer allow it an attempt more.
    if (!held.claimed.started) this.#host.writes.started({ executionId: execution.id, fencingToken: execution.fencingToken });
    return this.#attempt.run(held.task, run, ctx);
  }

  /**
   * A start that comes when the lease may have run out (the process was stopped, or starved, since its last renewal):
   * renewed first. Declared dead meanwhile, the runner dropped the row (its rescue gave it to another process, which may
   * run it already); stopping, stop() gives it back unstarted.
   */
  async #startWhenLeaseLive(held: Held, run: AttemptRun, ctx: TaskContext): Promise<void> {
    const host = this.#host;
    if (!(await host.lease.whenLive(() => host.held.get(held.claimed.execution.id) === held && !host.stopped()))) return;
    return this.#start(held, run, ctx);
  }

  /** An attempt is over here (ended, fenced, or not run): its capacity is free for the next round. */
  #attemptOver(task: LiveTask): void {
    if (this.#host.held.over(task) === undefined) return;
    this.drain();
    this.#host.claimNow();
  }

  /** SlotAttempt put a run back (a store failure before it started): enter it again after delayMs. */
  #enterQueued(task: LiveTask, delayMs: number): void {
    const held = this.#host.held.ofTask(task);
    const run = task.queue.shift();
    if (held === undefined || run === undefined || run.start === 'skip' || this.#host.stopped()) {
      this.#attemptOver(task);
      return;
    }
    held.handle = this.#host.engine.register((ctx) => this.#attempt.run(task, run, ctx), presetFor(task.record.priority), L.KIND_ONCE, Math.max(0, delayMs), 0);
  }
}
