// ClusterStore on PostgreSQL (cluster.ts; MemoryClusterStore is the reference
// this follows line by line): the methods' transactions, over the tables of
// migration 2 (schema.ts) and the statements of cluster-statements.ts.
//
// Each call is one transaction (the store's runner: one connection, run again
// on a deadlock or a connection lost before COMMIT) whose first statement
// reads the database's clock (`now()`, the transaction's timestamp: every
// statement of the call sees the same time); a test may inject a clock
// instead (PostgresStoreOptions.clock). Concurrency is the database's: a
// claim takes rows FOR UPDATE SKIP LOCKED and holds its process row FOR SHARE
// (a rescue's DELETE of that process waits for the claim to commit, then
// finds its rows held and puts them back); offers lock the task row, so two
// offers of one task's next slot queue and the second sees the first's row
// (the unique index one_open_slot_per_task is the last line of defence);
// a rescue deletes the expired process rows first, so a concurrent rescue
// finds them gone and its row locks wait, then see the rows pending again:
// it updates nothing.
//
// Wake-up: a call that makes rows pending (an offer, a retry, a rescue, a
// give-back) asks its session for one NOTIFY on the schema's channel
// (offer-listener.ts), sent with its COMMIT in the same round trip and
// carrying the earliest due time: at most one per transaction, none from a
// claim, a heartbeat or an end that offers nothing.
//
// Offers are in cluster-offer.ts, finishes in cluster-finish.ts, and the row
// types and helpers in cluster-rows.ts (moved out of this file to keep it
// under ~400 lines).
import { decodeExecution, decodeTask, type StoredExecution, type StoredTask } from '../codec.js';
import type {
  AttemptRef, ClaimDueRequest, ClaimDueResult, ClaimedSlot, ClusterProcess, DeregisterRequest, FinishAndClaimResult, FinishRequest, FinishResult, GiveBackResult, HeartbeatResult,
  OfferRequest, OfferResult, PendingSlot, ProcessRef, ProcessRequest, RegisterResult, RegisterTasksResult, RescueResult,
} from '../cluster.js';
import {
  checkAttemptRefs, checkClaimDue, checkDeregister, checkLeaseMs, checkOffers, checkProcessRef, checkProcessRequest, encodedFinish, LEASE_EXPIRED_ERROR_TEXT,
} from '../cluster-rules.js';
import { executionIdOf, slotOfExecutionId, type TaskRecord } from '../records.js';
import { advanceHighWaterMark, claimedExecution, retriedExecution, runningStatus } from '../slot-rules.js';
import { checkArray, checkId } from '../validate.js';
import { finishAll } from './cluster-finish.js';
import { offerAll, offerCreated } from './cluster-offer.js';
import { batchTask, type ClaimedRow, columnsOf, type Key, keyArrays, pending, type PendingClaim, pendingOf, settleClaim, type SlotRow, urgency } from './cluster-rows.js';
import type { ClusterStatements } from './cluster-statements.js';
import { asStored, KnownRows } from './known-rows.js';
import { putTaskRecords } from './put-tasks.js';
import { readExecutions } from './record-slots.js';
import type { Session } from './session.js';
import { executionValues, EXECUTION_STORED_FIELDS, type Statement, type Statements } from './statements.js';

/** Runs `fn` as one write transaction of the store. */
/** Runs `fn` as one write transaction of the store; `first` (no parameters) in BEGIN's round trip, its first row handed to `fn`. */
export type ClusterTransaction = <T>(fn: (session: Session, firstRow: Promise<unknown>) => Promise<T>, first?: Statement) => Promise<T>;
type ClusterRun = <T>(fn: (session: Session, nowMs: number) => Promise<T>) => Promise<T>;
/**
 * As ClusterRun, the store's now as a promise: what `fn` sends before awaiting it shares BEGIN's round trip; and as a
 * statement parameter (`nowParam`: the injected clock's value, or NULL for the database's now(), see NOW_OR).
 */
type ClusterRunEarly = <T>(fn: (session: Session, nowMs: Promise<number>, nowParam: number | null) => Promise<T>) => Promise<T>;

/** The claimed rows' tasks, locked, and their held rows, read in the claim's round trip (#claimDue). */
interface EarlyLocks {
  locked: Promise<StoredTask[]>;
  held: Promise<Array<Key & { fencingToken: number }>>;
}

export class PostgresCluster {
  readonly #c: ClusterStatements;
  readonly #s: Statements;
  readonly #run: ClusterRun;
  readonly #runEarly: ClusterRunEarly;
  /** The schema's NOTIFY channel (notifyChannel()). */
  readonly #channel: string;
  /** What this process's claims wrote, until each slot's finish (known-rows.ts). */
  readonly #known = new KnownRows();

  /** `clock`: PostgresStoreOptions.clock, for tests only; undefined reads the database's now(). */
  constructor(c: ClusterStatements, s: Statements, transaction: ClusterTransaction, clock: { wallNow(): number } | undefined, channel: string) {
    this.#c = c;
    this.#s = s;
    this.#channel = channel;
    // Each call's first statement reads the store's now: every statement of the call sees that time. The database's
    // is read with BEGIN, in its round trip; a test's injected clock is passed to a statement of its own.
    this.#runEarly = clock === undefined
      ? (fn) => transaction((session, first) => fn(session, pending(first.then((row) => (row as { nowMs: number }).nowMs)), null), c.dbNow)
      : (fn) =>
        transaction((session) => {
          const nowMs = Math.floor(clock.wallNow());
          return fn(session, pending(session.row<{ nowMs: number }>(c.now, [nowMs]).then((row) => row!.nowMs)), nowMs);
        });
    this.#run = (fn) => this.#runEarly(async (session, nowMs) => fn(session, await nowMs));
  }

  async registerProcess(request: ProcessRequest): Promise<RegisterResult> {
    checkProcessRequest(request);
    return this.#run(async (session, nowMs) => {
      const values = [request.ownerId, request.host, request.pid, request.version, nowMs, request.leaseMs];
      const stored = (await session.row<Omit<ClusterProcess, 'running'>>(this.#c.register, values))!;
      return { process: { ...stored, running: 0 }, nowMs };
    });
  }

  async heartbeat(process: ProcessRef, leaseMs: number): Promise<HeartbeatResult> {
    checkProcessRef(process, 'process');
    checkLeaseMs(leaseMs, 'leaseMs');
    return this.#run(async (session, nowMs): Promise<HeartbeatResult> => {
      const renewed = await session.row<Omit<ClusterProcess, 'running'>>(this.#c.heartbeat, [process.ownerId, process.epoch, nowMs, leaseMs]);
      if (renewed === undefined) return { status: 'lost', nowMs };
      const running = (await this.processesIn(session)).find((p) => p.ownerId === renewed.ownerId)?.running ?? 0;
      return { status: 'renewed', process: { ...renewed, running }, nowMs };
    });
  }

  async deregister(request: DeregisterRequest): Promise<GiveBackResult> {
    checkDeregister(request);
    this.#known.clear();
    return this.#run(async (session, nowMs) => {
      const held = await session.rows<Key & { fencingToken: number }>(this.#c.heldBy, [request.ownerId, request.epoch]);
      if ((await session.rows(this.#c.deleteProcess, [request.ownerId, request.epoch])).length === 0) return { returned: 0, interrupted: 0, nowMs };
      const unstarted = new Map((request.unstarted ?? []).map((u) => [u.executionId, u.fencingToken]));
      const giveBack = held.filter((h) => unstarted.get(executionIdOf(h)) === h.fencingToken);
      const rest = held.filter((h) => !giveBack.includes(h));
      const returned = giveBack.length === 0 ? 0 : (await session.row<{ n: number }>(this.#c.giveBack, keyArrays(giveBack)))!.n;
      if (returned > 0) this.#wake(session, nowMs);
      const interrupted = rest.length === 0 ? 0 : await this.#interrupt(session, rest, nowMs);
      return { returned, interrupted, nowMs };
    });
  }

  async processes(): Promise<ClusterProcess[]> {
    return this.#run((session) => this.processesIn(session));
  }

  async processesIn(session: Session): Promise<ClusterProcess[]> {
    return session.rows<ClusterProcess>(this.#c.processes);
  }

  async offerSlots(offers: readonly OfferRequest[]): Promise<OfferResult[]> {
    checkOffers(offers);
    return this.#run((session) => offerAll(session, this.#c, this.#s, this.#channel, offers));
  }

  /** ClusterStore.registerTasks (checked by the caller): see there. */
  async registerTasks(tasks: readonly TaskRecord[], offersOf: (stored: ReadonlyArray<TaskRecord | undefined>) => OfferRequest[]): Promise<RegisterTasksResult> {
    // Not waiting for BEGIN's answer: the records go in its round trip.
    const put = await this.#runEarly(async (session) => {
      const statuses = await putTaskRecords(session, this.#s, tasks);
      if (!statuses.every((status) => status === 'created')) {
        const stored = await Promise.all(tasks.map((task, i) => (statuses[i] === 'created' ? task : session.row<StoredTask>(this.#s.getTask, [task.id]).then((row) => row && decodeTask(row)))));
        return { statuses, stored, offers: undefined };
      }
      const offers = offersOf(tasks);
      checkOffers(offers);
      if (offers.length === 0) return { statuses, stored: [...tasks], offers: Promise.resolve([]) };
      // Every task new: their rows are inserted without reads, and COMMIT follows in the insert's round trip (the
      // results, a promise, are awaited after it: cluster-offer.ts offerCreated).
      const created = offerCreated(session, this.#c, this.#channel, tasks, offers);
      return { statuses, stored: [...tasks], offers: created ?? Promise.resolve(await offerAll(session, this.#c, this.#s, this.#channel, offers)) };
    });
    if (put.offers !== undefined) return { ...put, offers: await put.offers };
    const offers = offersOf(put.stored);
    return { ...put, offers: offers.length === 0 ? [] : await this.offerSlots(offers) };
  }

  async claimDue(request: ClaimDueRequest): Promise<ClaimDueResult> {
    checkClaimDue(request);
    return settleClaim(await this.#runEarly((session, nowMs, nowParam) => this.#claimDue(session, request, nowMs, nowParam)));
  }

  async finishClaimed(request: FinishRequest): Promise<FinishResult> {
    return (await this.finishAndClaim([request])).finished[0]!;
  }

  async finishAndClaim(finishes: readonly FinishRequest[], claim?: ClaimDueRequest, started?: readonly AttemptRef[]): Promise<FinishAndClaimResult> {
    checkArray(finishes, 'finishes');
    const encoded = finishes.map((request) => encodedFinish(request));
    if (claim !== undefined) checkClaimDue(claim);
    if (started !== undefined) checkAttemptRefs(started, 'started');
    const starts = startedKeys(started ?? []);
    // Round trips, for k ends and a claim: BEGIN and the ends' reads; the ends' writes and the claim; the claimed
    // rows' tasks; their records with the next due time and COMMIT (the session pipelines what needs no answer yet).
    const result = await this.#runEarly(async (session, nowMs, nowParam) => {
      // First, in the round trip of what follows: its rows are this process's, held (no other claim waits for them).
      if (starts[0]!.length > 0) session.later(this.#c.markStarted, starts);
      const finished = finishes.length === 0 ? [] : await finishAll(session, this.#c, this.#s, this.#channel, this.#known, finishes, encoded);
      return { finished, claimed: claim === undefined ? undefined : await this.#claimDue(session, claim, nowMs, nowParam) };
    });
    return { finished: result.finished, claimed: result.claimed === undefined ? undefined : await settleClaim(result.claimed) };
  }

  /** `nowMs`, `nowParam`: see ClusterRunEarly (a claim-only transaction sends its claim with BEGIN). */
  async #claimDue(session: Session, request: ClaimDueRequest, nowMsSent: Promise<number>, nowParam: number | null): Promise<PendingClaim> {
    const functions = request.functions ?? null;
    const startNow = request.startNow ?? request.limit;
    // A round after stale rows were dropped starts what is left of startNow (rows.length kept so far).
    const claimRound = (limit: number) =>
      session.rows<ClaimedRow & { stale: boolean }>(this.#c.claim, [nowParam, limit, request.ownerId, request.epoch, functions, Math.max(0, startNow - rows.length)]);
    // The process row and the first claim round in one round trip: the claim takes nothing unless this registration is live.
    const shared = pending(session.row<{ epoch: number; expiresAtMs: number }>(this.#c.shareProcess, [request.ownerId]));
    const rows: ClaimedRow[] = [];
    // The claimed rows' tasks locked and their held rows read in the claim's round trip, before its answer: the claim
    // names them to these statements (cluster-statements.ts CLAIMED_TASKS), so #record needs no round trip for them.
    const claimWithLocks = () => ({
      round: pending(claimRound(request.limit)),
      early: {
        locked: pending(session.rows<StoredTask>(this.#c.lockClaimedTasks)),
        held: pending(session.rows<Key & { fencingToken: number }>(this.#c.heldOfClaimedTasks)),
      } satisfies EarlyLocks,
    });
    // After an unknown outcome (known), the claim goes after the give-back: sent before it, its own rows were held by
    // this registration and not known, so the give-back took them back (deleting the rows, records not yet written).
    let first = request.known === undefined ? claimWithLocks() : undefined;
    const nowMs = await nowMsSent;
    const process = await shared;
    if (process === undefined || process.epoch !== request.epoch) return { status: 'not-registered', nowMs };
    if (process.expiresAtMs <= nowMs) return { status: 'lease-expired', nowMs };
    if (request.known !== undefined) {
      await this.#giveBackUnknown(session, request, request.known, nowMs);
      first = claimWithLocks();
    }
    let round = first!.round;
    // A round that met stale rows dropped them: claim again for the places they took.
    let rounds = 0;
    for (;;) {
      const taken = await round;
      rounds++;
      const stale = taken.filter((r) => r.stale);
      rows.push(...taken.filter((r) => !r.stale));
      if (stale.length === 0) break;
      session.later(this.#c.dropSlots, keyArrays(stale));
      if (rows.length >= request.limit) break;
      round = claimRound(request.limit - rows.length);
    }
    rows.sort(urgency);
    // After a second round (stale rows), the early locks cover only the first: its rows' tasks are locked as before.
    const claimed = rows.length === 0 ? [] : await this.#record(session, rows, nowMs, rounds === 1 ? first!.early : undefined);
    const nextDue = pending(session.row<{ dueMs: number | null }>(this.#c.nextDue, [functions]));
    return { status: 'claimed', claimed, nextDue, nowMs };
  }

  /**
   * ClaimDueRequest.known: this registration's held rows not named there (a claim whose COMMIT went through but whose
   * answer was lost) back to pending as before that claim. Only after an unknown outcome: one round trip more, then.
   */
  async #giveBackUnknown(session: Session, process: ProcessRef, known: readonly AttemptRef[], nowMs: number): Promise<void> {
    const tokens = new Map(known.map((k) => [k.executionId, k.fencingToken]));
    const held = await session.rows<Key & { fencingToken: number }>(this.#c.heldBy, [process.ownerId, process.epoch]);
    const unknown = held.filter((h) => tokens.get(executionIdOf(h)) !== h.fencingToken);
    if (unknown.length === 0) return;
    if ((await session.row<{ n: number }>(this.#c.giveBack, keyArrays(unknown)))!.n > 0) this.#wake(session, nowMs);
  }

  /** The claimed rows' execution records (the shared rules) and their tasks' marks and status, in the claim's transaction. */
  async #record(session: Session, claimedRows: readonly ClaimedRow[], nowMs: number, early: EarlyLocks | undefined): Promise<ClaimedSlot[]> {
    let rows = claimedRows;
    const tasks = new Map<string, StoredTask>();
    for (const t of early === undefined ? [] : await early.locked) tasks.set(t.id, t);
    let held = early === undefined ? [] : await early.held;
    const taskIds = [...new Set(rows.map((r) => r.taskId))];
    if (!taskIds.every((id) => tasks.has(id))) {
      // The held rows are read once the tasks are locked (the next statement, in the same round trip: see #oneRunPerTask).
      const locked = pending(session.rows<StoredTask>(this.#c.lockTasks, [taskIds]));
      const read = pending(session.rows<Key & { fencingToken: number }>(this.#c.heldOfTasks, [taskIds]));
      for (const t of await locked) tasks.set(t.id, t);
      held = await read;
    }
    rows = this.#oneRunPerTask(session, rows, held);
    if (rows.length === 0) return [];
    const withRecord = rows.filter((r) => r.hadRecord);
    const befores = withRecord.length === 0 ? new Map<string, StoredExecution>() : await readExecutions(session, this.#s, withRecord);
    const executions: StoredExecution[] = [];
    const claimed: ClaimedSlot[] = [];
    for (const row of rows) {
      const task = batchTask(tasks.get(row.taskId)!, false);
      const before = befores.get(executionIdOf(row));
      const exhausted = row.attempts >= row.maxAttempts;
      const execution: StoredExecution = before === undefined
        ? claimedExecution({ taskId: row.taskId, scheduleVersion: row.scheduleVersion, nominalMs: row.nominalMs, startedAtMs: nowMs }, row.fencingToken)
        : exhausted
          ? { ...before, fencingToken: row.fencingToken, outcome: 'running', endedAtMs: null }
          : retriedExecution(before, nowMs, row.fencingToken);
      advanceHighWaterMark(task, row);
      task.task.status = runningStatus(task.task.status);
      tasks.set(task.task.id, task.task);
      executions.push(execution);
      claimed.push({
        execution: decodeExecution(execution), task: decodeTask(task.task), dueMs: row.dueMs, rankMs: row.rankMs, maxAttempts: row.maxAttempts, exhausted,
        started: row.started,
      });
    }
    const touched = [...tasks.values()];
    const written = session.row<{ xid: number }>(this.#c.putExecutionsAndMarks, [
      ...columnsOf(executions.map(executionValues), EXECUTION_STORED_FIELDS.length),
      touched.map((t) => t.id), touched.map((t) => t.highWaterMarkMs), touched.map((t) => t.status),
    ]);
    // Its answer comes before COMMIT's, so before the claim's: the slots' finishes find what this transaction wrote.
    pending(written.then((row) => {
      for (const execution of executions) this.#known.set(execution.id, { xid: row!.xid, execution: asStored(execution), task: tasks.get(execution.taskId)! });
    }));
    return claimed;
  }

  /**
   * A task's runs never overlap: the claim picks no row of a task with a row
   * held, but two rows of one task (manual runs) can be picked together, and
   * a concurrent claim of another row of the task was not visible to the
   * pick. With the tasks locked, those claims have committed: `held` (the
   * tasks' held rows, read after the lock: a statement of its own, so a
   * snapshot taken after the wait) shows them. The rows of a task held
   * elsewhere, and all but the most urgent of a task in this batch, are put
   * back untouched.
   */
  #oneRunPerTask(session: Session, rows: readonly ClaimedRow[], held: ReadonlyArray<Key & { fencingToken: number }>): readonly ClaimedRow[] {
    const mine = new Set(rows.map((r) => r.fencingToken));
    const busy = new Set<string>();
    for (const h of held) if (!mine.has(h.fencingToken)) busy.add(h.taskId);
    const kept: ClaimedRow[] = [];
    const back: ClaimedRow[] = [];
    for (const row of rows) {
      if (busy.has(row.taskId)) back.push(row);
      else {
        busy.add(row.taskId);
        kept.push(row);
      }
    }
    if (back.length > 0) session.later(this.#c.unhold, keyArrays(back));
    return kept;
  }

  async rescueExpired(): Promise<RescueResult> {
    return this.#run(async (session, nowMs) => {
      const expired = await session.rows<ProcessRef>(this.#c.expire, [nowMs]);
      const orphans = await session.rows<Key>(this.#c.orphans);
      // A row that waited in a local queue, never started, is interrupted too (its next start needs a higher attempt
      // number, C3), with one attempt more allowed (interrupt).
      const interrupted = orphans.length === 0 ? 0 : await this.#interrupt(session, orphans, nowMs);
      return { expired: expired.map(({ ownerId, epoch }) => ({ ownerId, epoch })), returned: 0, interrupted, nowMs };
    });
  }

  async pendingSlots(taskId?: string): Promise<PendingSlot[]> {
    if (taskId !== undefined) checkId(taskId, 'taskId');
    return this.#run(async (session) => (await session.rows<SlotRow>(this.#c.pending, [taskId ?? null])).map(pendingOf));
  }

  async #interrupt(session: Session, keys: readonly Key[], nowMs: number): Promise<number> {
    const n = (await session.row<{ n: number }>(this.#c.interrupt, [...keyArrays(keys), nowMs, LEASE_EXPIRED_ERROR_TEXT]))!.n;
    if (n > 0) this.#wake(session, nowMs);
    return n;
  }

  /** Rows due from `dueMs` became pending in this call: one NOTIFY with its COMMIT (the earliest due time asked for). */
  #wake(session: Session, dueMs: number): void {
    session.notifyAtCommit(this.#channel, dueMs);
  }
}

/** finishAndClaim's `started` as markStarted's arrays (task ids, nominal times, versions, tokens), in key order; unknown ids left out. */
function startedKeys(started: readonly AttemptRef[]): unknown[][] {
  const keys: Array<Key & { fencingToken: number }> = [];
  for (const ref of started) {
    const slot = slotOfExecutionId(ref.executionId);
    if (slot !== undefined) keys.push({ taskId: slot[0], nominalMs: slot[1], scheduleVersion: slot[2], fencingToken: ref.fencingToken });
  }
  keys.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.nominalMs - b.nominalMs || a.scheduleVersion - b.scheduleVersion));
  return [...keyArrays(keys), keys.map((k) => k.fencingToken)];
}
