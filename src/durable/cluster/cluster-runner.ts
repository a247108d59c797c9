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
// process's clock (the engine's) arms its timers (runner-timers.ts): a claim
// round when the earliest pending row is due (at most every pollMs), a
// heartbeat every heartbeatMs. The difference between the two clocks is
// measured at each registration, claim and heartbeat (skew-meter.ts). A
// process paused past its lease learns it at its next heartbeat
// ('lost'): it aborts what it still runs (their ends would be refused: the
// rows were rescued) and registers again under a new epoch. A claimed row's
// body starts only while the lease is live for certain by this process's
// clock (lease-window.ts): a process stopped between a claim and the start
// renews first, so a row rescued and run elsewhere meanwhile is not started
// a second time here.
//
// Waking up: where the store can tell of offers (watchOffers: PostgreSQL's
// LISTEN/NOTIFY), a row made pending anywhere in the cluster starts a claim
// round at once if it is due, or brings the poll timer forward to its due
// time; a lost watch connection is a `storeerror`, and once it is back one
// round claims what was offered meanwhile. The poll stays: notices are hints.
//
// Parts: claimed-runs.ts takes each claimed row through to its run on the
// engine (claimed-slots.ts judges it and keeps the ones run here), slot-ends.ts
// writes their ends; manual-runs.ts offers runNow()'s rows and keeps the calls
// waiting for their claims.
import type { Engine } from '../../engine/engine.js';
import type {
  ClaimedSlot, ClusterProcess, ClusterStore, OfferRequest, OfferResult, OfferWatch, ProcessRef,
} from '../../store/cluster.js';
import { MAX_CLAIM_LIMIT } from '../../store/cluster-rules.js';
import type { Store } from '../../store/store.js';
import type { ExecutionRecord, TaskRecord } from '../../store/records.js';
import type { CronSchedule } from '../../time/cron.js';
import type { DefinedFunctions } from '../defined-functions.js';
import { StaleAttemptError } from '../durable-context.js';
import type { DurableEventDetails, DurableEventType } from '../durable-events.js';
import { StoreBackoff } from '../store-backoff.js';
import type { AdmitHooks } from '../admit-hooks.js';
import { ClaimedRuns } from './claimed-runs.js';
import { LeaseWindow } from './lease-window.js';
import { HeldSlots } from './claimed-slots.js';
import { ManualRuns } from './manual-runs.js';
import { firstOffers, } from './next-slots.js';
import { type ClaimRoom, ClusterWrites } from './cluster-writes.js';
import { RunnerTimers } from './runner-timers.js';
import { SkewMeter } from './skew-meter.js';
import { SlotEnds } from './slot-ends.js';
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
  /** At most this many claimed rows wait here for a place beyond maxConcurrent (local-queue.ts; 0: none). */
  localQueue: number;
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

export class ClusterRunner {
  readonly #host: ClusterRunnerHost;
  readonly #options: ClusterRunnerOptions;
  readonly #engine: Engine;
  readonly #store: Store & ClusterStore;
  readonly #backoff = new StoreBackoff();
  readonly #deadlinesMs;
  readonly #cronCache = new Map<string, CronSchedule>();
  readonly #held = new HeldSlots();
  /** runNow() calls, waiting for their rows' claims. */
  readonly #manualRuns: ManualRuns;
  readonly #writes: ClusterWrites;
  readonly #skew: SkewMeter;
  readonly #timers: RunnerTimers;
  readonly #ends: SlotEnds;
  /** What each claimed row goes through here: judged, admitted, run on the engine (claimed-runs.ts). */
  readonly #runs: ClaimedRuns;
  /** Until when the lease is live for certain, by this process's clock. */
  readonly #lease: LeaseWindow;
  #process: ProcessRef | undefined;
  #watch: OfferWatch | undefined;
  #claiming = false;
  #claimAgain = false;
  /** The claim rounds in flight, if any (stop() waits for them). */
  #rounds: Promise<void> | undefined;
  #stopped = false;

  constructor(host: ClusterRunnerHost, options: ClusterRunnerOptions) {
    this.#host = host;
    this.#options = options;
    this.#engine = host.engine;
    this.#store = host.store;
    this.#deadlinesMs = classDeadlinesMs(host.engine.options.deadlinesMs);
    const store = host.store;
    this.#writes = new ClusterWrites(store, host.engine.clock, () => this.#runs.waiting);
    this.#skew = new SkewMeter(host.engine.clock, options.skewWarnMs, (detail) => host.emit('clockskew', detail));
    this.#manualRuns = new ManualRuns({
      store,
      clock: host.engine.clock,
      skew: this.#skew,
      cronCache: this.#cronCache,
      deadlinesMs: this.#deadlinesMs,
      stopped: () => this.#stopped,
      claimNow: () => this.claimNow(),
    });
    this.#timers = new RunnerTimers({
      clock: host.engine.clock,
      skew: this.#skew,
      heartbeatMs: options.heartbeatMs,
      stopped: () => this.#stopped,
      poll: () => this.claimNow(),
      beat: () => this.#heartbeat(),
      beatFailed: (error) => host.emit('storeerror', { operation: 'heartbeat', error, retryInMs: options.heartbeatMs }),
    });
    this.#ends = new SlotEnds({
      held: this.#held,
      writes: this.#writes,
      backoff: this.#backoff,
      clock: host.engine.clock,
      deadlinesMs: this.#deadlinesMs,
      stopped: () => this.#stopped,
      claimNow: () => this.claimNow(),
      bodyEnded: (held) => this.#runs.bodyEnded(held),
      emit: (type, detail) => host.emit(type, detail),
    });
    this.#lease = new LeaseWindow({
      clock: host.engine.clock,
      renew: () => this.#heartbeat(),
      failed: (error, retryInMs) => host.emit('storeerror', { operation: 'heartbeat', error, retryInMs }),
      retryInMs: options.heartbeatMs,
    });
    this.#runs = new ClaimedRuns({
      engine: host.engine,
      lease: this.#lease,
      functions: host.functions,
      admitHooks: host.admitHooks,
      store,
      held: this.#held,
      ends: this.#ends,
      writes: this.#writes,
      backoff: this.#backoff,
      cronCache: this.#cronCache,
      deadlinesMs: this.#deadlinesMs,
      pollMs: options.pollMs,
      maxConcurrent: options.maxConcurrent,
      localQueue: options.localQueue,
      maxPayloadBytes: options.maxPayloadBytes,
      timeoutMs: options.timeoutMs,
      stopped: () => this.#stopped,
      claimNow: () => this.claimNow(),
      emit: (type, detail) => host.emit(type, detail),
    });
  }

  /** This process's clock minus the store's, at the last claim, heartbeat or registration (ms; positive: this clock is ahead). */
  get skewMs(): number {
    return this.#skew.skewMs;
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
    this.#timers.armHeartbeat();
    this.claimNow();
  }

  /**
   * Materialises the first slot of each task (after their records were
   * stored): what registration does in cluster mode. One offerSlots() call
   * (one transaction) for all of them: one per task cost a commit each, 8.8 s
   * for 1,000 registrations on PostgreSQL. A task with no slot left is left out.
   */
  offerFirst(records: readonly TaskRecord[]): Promise<OfferResult[]> {
    const offers = this.firstOffers(records);
    if (offers.length === 0) return Promise.resolve([]);
    return this.#store.offerSlots(offers).then((results) => {
      this.claimNow();
      return results;
    });
  }

  /** The first slot of each task as an offer (a task with no slot left has none): what registration materialises. */
  firstOffers(records: readonly TaskRecord[]): OfferRequest[] {
    return firstOffers(records, this.#cronCache, this.#deadlinesMs);
  }

  /** runNow(): a manual row any process may claim, once (manual-runs.ts); resolves to its execution once claimed. */
  runNow(record: TaskRecord): Promise<ExecutionRecord> {
    return this.#manualRuns.run(record);
  }

  /** The cluster's processes and their leases (scheduler.cluster()); this process's own entry with its skew. */
  async cluster(): Promise<ClusterProcess[]> {
    const processes = await this.#store.processes();
    const self = this.#process;
    return processes.map((p) => (self !== undefined && p.ownerId === self.ownerId && p.epoch === self.epoch ? { ...p, skewMs: this.#skew.skewMs } : p));
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
    this.#timers.clear();
    this.#manualRuns.rejectAll();
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
    this.#runs.clearQueue();
    if (process === undefined) return;
    const ids = unstarted.map(({ claimed: { execution } }) => ({ executionId: execution.id, fencingToken: execution.fencingToken }));
    await this.#store.deregister({ ...process, unstarted: ids });
  }

  async #register(): Promise<void> {
    const { ownerId, host, pid, version, leaseMs } = this.#options;
    const sentMs = this.#engine.clock.now();
    const { process, nowMs } = await this.#skew.measured(() => this.#store.registerProcess({ ownerId, host, pid, version, leaseMs }));
    this.#process = { ownerId: process.ownerId, epoch: process.epoch };
    this.#lease.registered(sentMs, process.expiresAtMs, nowMs);
  }

  async #watchOffers(): Promise<void> {
    const store = this.#store;
    if (store.watchOffers === undefined) return;
    this.#watch = await store.watchOffers({
      offered: (dueMs) => this.#timers.offered(dueMs),
      interrupted: (error, retryInMs) => this.#host.emit('storeerror', { operation: 'watchOffers', error, retryInMs }),
      // What was offered while the watch was down was not told.
      resumed: () => this.claimNow(),
    });
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
      this.#timers.armPoll(retryInMs);
    } finally {
      this.#claiming = false;
    }
  }

  async #claimRound(): Promise<void> {
    const process = this.#process;
    if (this.#stopped || process === undefined) return;
    // A draining engine takes no new work: due rows stay pending for the other processes.
    const state = this.#engine.state;
    if (state === 'stopping' || state === 'stopped') return;
    if (this.#room().limit <= 0) {
      // Full: the end of a run asks for the next round. A runNow() here may have been claimed elsewhere.
      if (this.#manualRuns.size > 0) await this.#manualRuns.settle();
      this.#timers.armPoll(this.#options.pollMs);
      return;
    }
    // Only rows of functions defined here: the others are left to the processes that define them (a rolling deploy).
    // The room is read again when the claim's batch is written: the runs ending meanwhile join it.
    const functions = this.#host.functions.names();
    const result = await this.#skew.measured(() => this.#writes.claim(process, () => this.#room(), functions));
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
    this.#runs.drain();
    if (this.#manualRuns.size > 0) await this.#manualRuns.settle();
    const untilDueMs = result.nextDueMs === null ? this.#options.pollMs : Math.max(0, result.nextDueMs - result.nowMs);
    // A row due now was left (by the limit, locked by another claimer, or waiting for its task's run to end): the next round
    // comes with the next free slot, the end of a run, or the poll.
    this.#timers.armPoll(untilDueMs === 0 ? this.#options.pollMs : Math.min(untilDueMs, this.#options.pollMs));
  }

  /** What a claim takes now (claimed-runs.ts: the free places of maxConcurrent and the local queue's depth), at most MAX_CLAIM_LIMIT. */
  #room(): ClaimRoom {
    const { limit, startNow } = this.#runs.room();
    return { limit: Math.min(limit, MAX_CLAIM_LIMIT), startNow: Math.min(startNow, MAX_CLAIM_LIMIT) };
  }

  /** A claimed row: a runNow() call waiting for it learns of its claim; claimed-runs.ts runs it or ends it at once. */
  #take(claimed: ClaimedSlot, nowMs: number): void {
    this.#manualRuns.claimed(claimed.execution);
    this.#runs.take(claimed, nowMs);
  }

  async #heartbeat(): Promise<void> {
    const process = this.#process;
    if (process === undefined || this.#stopped) return;
    const sentMs = this.#engine.clock.now();
    const beat = await this.#skew.measured(() => this.#store.heartbeat(process, this.#options.leaseMs));
    if (beat.status === 'lost') return this.#lost(process);
    if (this.#process === process) this.#lease.renewed(sentMs, beat.process.expiresAtMs, beat.nowMs);
    const rescue = await this.#store.rescueExpired();
    if (rescue.interrupted + rescue.returned > 0) this.claimNow();
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
    this.#runs.clearQueue();
    if (this.#stopped) return;
    await this.#register();
    this.claimNow();
  }
}
