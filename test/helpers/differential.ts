// Differential testing of the wasm core against test/model/reference-core.ts:
// fast-check generates a list of operation records, a DifferentialRun applies
// each to a Core and to the model, and after every operation they must agree
// on what was refused (stale handle, wrong state), on what pop() returned, on
// the counters, the next due time, the task pop() would take next, and on the
// whole snapshot of the task the operation touched. At the end of a sequence
// every task's state is compared and the ready queue is drained in both: the
// pop order must be identical.
//
// Reproduce a failure with the seed (and path) fast-check prints:
//   FC_SEED=123 FC_PATH="4:2" npx vitest run test/core/differential-timers.test.ts
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  type Core,
  InvalidStateError,
  type Policy,
  POLICIES,
  StaleHandleError,
  type TaskKind,
  type TaskState,
} from '../../bindings/index.js';
import { ModelRefusal, type Refusal, ReferenceCore } from '../model/reference-core.js';
import { bySize } from './test-size.js';

/**
 * Core operations each differential file issues per run, at least; together at
 * least the 100,000 per CI run that the project asks for, under `npm test` as
 * under `npm run test:long` (test-size.ts). Each file asserts its share in an
 * afterAll (the runs issue about 1.4 times their share).
 */
export const OPERATION_BUDGET = bySize(
  { heap: 30_000, policies: 40_000, timers: 30_000 },
  { heap: 60_000, policies: 45_000, timers: 45_000 },
);
export const TOTAL_OPERATION_FLOOR = 100_000;

/** Counts the core operations a file issues, for its afterAll. */
export class OperationTally {
  #issued = 0;
  #propertyFailed = false;

  add(operations: number): void {
    this.#issued += operations;
  }

  /** Runs a property, adding what it issued; a failed property is already reported, so it skips the count check. */
  property(run: () => number): void {
    try {
      this.#issued += run();
    } catch (err) {
      this.#propertyFailed = true;
      throw err;
    }
  }

  expectAtLeast(budget: number): void {
    const { heap, policies, timers } = OPERATION_BUDGET;
    expect(heap + policies + timers).toBeGreaterThanOrEqual(TOTAL_OPERATION_FLOOR);
    if (!this.#propertyFailed) expect(this.#issued, 'core operations issued').toBeGreaterThanOrEqual(budget);
  }
}

/** Which tasks an operation may pick from (falls back to every task ever registered). */
export type Pool = TaskState | 'live' | 'ended' | 'any';

/** A task chosen when the operation runs: the index-th (modulo) task of the pool, in id order. */
export interface Target {
  pool: Pool;
  index: number;
}

export type Op =
  | { op: 'register'; priorityClass: number; nice: number; kind: TaskKind; delayMs: number; periodMs: number }
  /** count one-shot tasks registered at the same now, class and delay: equal keys. */
  | { op: 'registerBurst'; count: number; priorityClass: number; nice: number; delayMs: number }
  /** Time passes; no core call. */
  | { op: 'tick'; ms: number }
  | { op: 'advance' }
  | { op: 'pop' }
  | { op: 'charge'; target: Target; elapsedMs: number }
  | { op: 'requeue'; target: Target; keepPlace: boolean; preempted: boolean }
  /** final: the task ends even if it is periodic. */
  | { op: 'complete'; target: Target; failed: boolean; final: boolean }
  | { op: 'retry'; target: Target; delayMs: number }
  /** Ends the run with its next one due delayMs from now (a cron task's next instant). */
  | { op: 'completeAt'; target: Target; delayMs: number; failed: boolean }
  | { op: 'cancel'; target: Target }
  | { op: 'setClass'; target: Target; priorityClass: number }
  | { op: 'setNice'; target: Target; nice: number }
  | { op: 'pause'; target: Target }
  | { op: 'resume'; target: Target }
  | { op: 'runNow'; target: Target }
  /** One scheduler step: pop, charge, time passes, then requeue (preempted if the quantum is spent) or end. */
  | { op: 'runSlice'; elapsedMs: number; ending: 'complete' | 'requeue' | 'keep-place' }
  | { op: 'setPolicy'; policy: Policy }
  | { op: 'setQuantum'; quantumMs: number }
  | { op: 'setClassDeadline'; priorityClass: number; deadlineMs: number };

export type OpName = Op['op'];

// ---- arbitraries ----

const priorityClass = fc.integer({ min: 0, max: 4 });
const nice = fc.oneof(fc.constantFrom(-20, 0, 19), fc.integer({ min: -20, max: 19 }));
const kind = fc.constantFrom<TaskKind>('once', 'once', 'fixed-rate', 'fixed-delay');
/** Mostly small whole ms (many equal times), some fractions, some long waits. */
const delayMs = fc.oneof(
  { weight: 4, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 2.25, 1000 / 60) },
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 100_000 }) },
);
const periodMs = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 50 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 1000 / 60, 250, 10_000) },
);
const elapsedMs = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 25 }) },
  { weight: 1, arbitrary: fc.constantFrom(0.25, 1.5, 1 / 3) },
);
/** Small steps, and now and then a big jump (many timers due at once, ticks missed). */
const tickMs = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 1_000_000 }) },
);

function target(...preferred: Pool[]): fc.Arbitrary<Target> {
  return fc.record({
    pool: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...preferred) },
      { weight: 1, arbitrary: fc.constantFrom<Pool>('live', 'ended', 'any') },
    ),
    index: fc.nat({ max: 1 << 16 }),
  });
}

const OPERATION_ARBITRARIES: { [K in OpName]: fc.Arbitrary<Extract<Op, { op: K }>> } = {
  register: fc.record({ op: fc.constant('register'), priorityClass, nice, kind, delayMs, periodMs }),
  registerBurst: fc.record({
    op: fc.constant('registerBurst'),
    count: fc.integer({ min: 2, max: 30 }),
    priorityClass,
    nice,
    delayMs: fc.constantFrom(0, 0, 5, 100),
  }),
  tick: fc.record({ op: fc.constant('tick'), ms: tickMs }),
  advance: fc.record({ op: fc.constant('advance') }),
  pop: fc.record({ op: fc.constant('pop') }),
  charge: fc.record({ op: fc.constant('charge'), target: target('running'), elapsedMs }),
  requeue: fc.record({ op: fc.constant('requeue'), target: target('running'), keepPlace: fc.boolean(), preempted: fc.boolean() }),
  complete: fc.record({
    op: fc.constant('complete'),
    target: target('running'),
    failed: fc.boolean(),
    final: fc.oneof({ weight: 4, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  }),
  retry: fc.record({ op: fc.constant('retry'), target: target('running'), delayMs }),
  completeAt: fc.record({ op: fc.constant('completeAt'), target: target('running'), delayMs, failed: fc.boolean() }),
  cancel: fc.record({ op: fc.constant('cancel'), target: target('ready', 'waiting', 'running', 'paused') }),
  setClass: fc.record({ op: fc.constant('setClass'), target: target('ready', 'ready', 'waiting', 'running'), priorityClass }),
  setNice: fc.record({ op: fc.constant('setNice'), target: target('ready', 'running', 'waiting'), nice }),
  pause: fc.record({ op: fc.constant('pause'), target: target('ready', 'waiting') }),
  resume: fc.record({ op: fc.constant('resume'), target: target('paused') }),
  runNow: fc.record({ op: fc.constant('runNow'), target: target('waiting') }),
  runSlice: fc.record({ op: fc.constant('runSlice'), elapsedMs, ending: fc.constantFrom('complete', 'requeue', 'keep-place') }),
  setPolicy: fc.record({ op: fc.constant('setPolicy'), policy: fc.constantFrom(...POLICIES) }),
  setQuantum: fc.record({ op: fc.constant('setQuantum'), quantumMs: fc.oneof(fc.integer({ min: 1, max: 50 }), fc.constant(0.5)) }),
  setClassDeadline: fc.record({
    op: fc.constant('setClassDeadline'),
    priorityClass,
    // Equal deadlines across classes make equal keys across classes.
    deadlineMs: fc.oneof(fc.constantFrom(0, 250, 1000), fc.integer({ min: 0, max: 100_000 })),
  }),
};

/** Operations drawn with the given relative weights (names left out are never drawn). */
export function operations(weights: Partial<Record<OpName, number>>): fc.Arbitrary<Op> {
  const entries = Object.entries(weights) as Array<[OpName, number]>;
  return fc.oneof(...entries.map(([name, weight]) => ({ weight, arbitrary: OPERATION_ARBITRARIES[name] as fc.Arbitrary<Op> })));
}

/**
 * fast-check parameters: FC_SEED (and FC_PATH) replay a failure, otherwise a
 * fresh seed every run. Shrinking a long failing sequence can take a while: it
 * stops after PROPERTY_TIME_LIMIT_MS with the smallest counterexample found so
 * far, inside DIFFERENTIAL_TEST_TIMEOUT_MS. A passing property takes a few
 * seconds; the limit is far above that because an interrupted passing property
 * issues fewer operations than its file's budget (the afterAll count failed
 * once at the former 30 s, with several test folders running on a loaded machine).
 */
/** How long a property may run, shrinking included, before it stops with what it found. */
export const PROPERTY_TIME_LIMIT_MS = 240_000;
/** The differential files' test timeout: above the property limit, so the property's own stop is what reports. */
export const DIFFERENTIAL_TEST_TIMEOUT_MS = 300_000;

export function fcParameters(numRuns: number): fc.Parameters<unknown> {
  const seed = process.env.FC_SEED;
  const path = process.env.FC_PATH;
  return {
    numRuns,
    interruptAfterTimeLimit: PROPERTY_TIME_LIMIT_MS,
    ...(seed !== undefined && seed !== '' ? { seed: Number(seed) } : {}),
    ...(path !== undefined && path !== '' ? { path } : {}),
  };
}

// ---- the run ----

function refusalOf(err: unknown): Refusal {
  if (StaleHandleError.is(err)) return 'stale';
  if (InvalidStateError.is(err)) return 'wrong-state';
  throw err;
}

type Outcome<C, M> = { refused: true } | { refused: false; core: C; model: M };

/** One core and one model driven by the same operations. */
export class DifferentialRun {
  readonly core: Core;
  readonly model = new ReferenceCore();
  /** The core's handle of each model id. */
  readonly handles: number[] = [];
  readonly #seen = new Set<number>();
  readonly #afterOp: ((run: DifferentialRun) => void) | undefined;
  nowMs = 0;
  /** Core operations issued: registrations, mutations, advances, pops (not the comparisons). */
  operations = 0;
  /** What is being applied, for failure messages. */
  step = 'setup';
  /**
   * Compare the next due time after every operation (true), or only after an
   * advance, as the engine reads it (false: the core's far timer buckets are
   * split only when the next due time is read, so reading it after every
   * operation would keep them small; see assembly/timers.ts).
   */
  dueReadEveryOp = true;

  constructor(core: Core, policy: Policy, afterOp?: (run: DifferentialRun) => void) {
    this.core = core;
    this.#afterOp = afterOp;
    this.apply({ op: 'setPolicy', policy }, -1);
  }

  handleOf(id: number | undefined): number {
    return id === undefined ? 0 : this.handles[id]!;
  }

  applyAll(ops: readonly Op[]): void {
    for (const [i, op] of ops.entries()) this.apply(op, i);
  }

  apply(op: Op, index: number): void {
    this.step = `op #${index} ${JSON.stringify(op)} at ${this.nowMs} ms`;
    const touched = this.#execute(op);
    this.#compare(touched, this.dueReadEveryOp || op.op === 'advance');
    this.#afterOp?.(this);
  }

  /** Compares every task, then drains the ready queue in both: identical pop order. */
  finish(): void {
    this.step = `finish at ${this.nowMs} ms`;
    const readyCount = this.model.idsInState('ready').length;
    for (let id = 0; id < this.model.taskCount; id++) {
      const handle = this.handles[id]!;
      if (!this.model.isLive(id)) {
        expect(() => this.core.state(handle), `${this.step}: task ${id} ended`).toThrow(StaleHandleError);
        continue;
      }
      expect(this.core.snapshot(handle), `${this.step}: task ${id}`).toEqual(this.model.snapshot(id));
      if (this.model.state(id) === 'ready' && readyCount <= 300) {
        expect(this.core.readyRank(handle), `${this.step}: rank of task ${id}`).toBe(this.model.readyRank(id));
      }
    }
    for (let n = 0; ; n++) {
      this.step = `drain pop ${n} at ${this.nowMs} ms`;
      const popped = this.#pop();
      if (popped === undefined) break;
      this.#both(
        () => this.core.complete(this.handles[popped]!, this.nowMs),
        () => this.model.complete(popped, this.nowMs, false),
      );
    }
    this.#compare(undefined, true);
  }

  /** Pops in both; the same task or none. Returns the model id. */
  #pop(): number | undefined {
    this.operations++;
    const handle = this.core.pop(this.nowMs);
    const id = this.model.pop(this.nowMs);
    expect(handle, `${this.step}: popped`).toBe(this.handleOf(id));
    return id;
  }

  /** Runs an operation on both sides; they must accept or refuse it alike. */
  #both<C, M>(onCore: () => C, onModel: () => M): Outcome<C, M> {
    this.operations++;
    let coreRefusal: Refusal | undefined;
    let modelRefusal: Refusal | undefined;
    let core: C | undefined;
    let model: M | undefined;
    try {
      core = onCore();
    } catch (err) {
      coreRefusal = refusalOf(err);
    }
    try {
      model = onModel();
    } catch (err) {
      if (!(err instanceof ModelRefusal)) throw err;
      modelRefusal = err.reason;
    }
    expect(coreRefusal, `${this.step}: refusal`).toBe(modelRefusal);
    return coreRefusal === undefined ? { refused: false, core: core as C, model: model as M } : { refused: true };
  }

  #resolve(target: Target): number | undefined {
    const all = () => Array.from({ length: this.model.taskCount }, (_, id) => id);
    let ids: number[];
    switch (target.pool) {
      case 'any':
        ids = all();
        break;
      case 'live':
        ids = all().filter((id) => this.model.isLive(id));
        break;
      default:
        ids = this.model.idsInState(target.pool);
    }
    if (ids.length === 0) ids = all();
    return ids.length === 0 ? undefined : ids[target.index % ids.length];
  }

  #register(priorityClass: number, nice: number, kind: TaskKind, delayMs: number, periodMs: number): number {
    const outcome = this.#both(
      () => this.core.register(this.nowMs, priorityClass, nice, kind, delayMs, periodMs),
      () => this.model.register(this.nowMs, priorityClass, nice, kind, delayMs, periodMs),
    );
    if (outcome.refused) throw new Error(`${this.step}: register refused`);
    expect(outcome.model).toBe(this.handles.length);
    expect(this.#seen.has(outcome.core), `${this.step}: a fresh handle`).toBe(false);
    this.#seen.add(outcome.core);
    this.handles.push(outcome.core);
    return outcome.model;
  }

  /** Applies one operation; returns the model id of the task it touched, if any. */
  #execute(op: Op): number | undefined {
    const now = this.nowMs;
    switch (op.op) {
      case 'register':
        return this.#register(op.priorityClass, op.nice, op.kind, op.delayMs, op.kind === 'once' ? 0 : op.periodMs);
      case 'registerBurst': {
        let last: number | undefined;
        for (let i = 0; i < op.count; i++) last = this.#register(op.priorityClass, op.nice, 'once', op.delayMs, 0);
        return last;
      }
      case 'tick':
        this.nowMs += op.ms;
        return undefined;
      case 'advance': {
        const outcome = this.#both(
          () => this.core.advance(now),
          () => this.model.advance(now),
        );
        if (!outcome.refused) expect(outcome.core, `${this.step}: released`).toBe(outcome.model);
        return undefined;
      }
      case 'pop':
        return this.#pop();
      case 'runSlice': {
        const id = this.#pop();
        if (id === undefined) return undefined;
        const h = this.handles[id]!;
        const charged = this.#both(
          () => this.core.charge(h, op.elapsedMs),
          () => this.model.charge(id, op.elapsedMs),
        );
        if (!charged.refused) expect(charged.core, `${this.step}: slice spent`).toBe(charged.model);
        this.nowMs += op.elapsedMs;
        const later = this.nowMs;
        const spent = !charged.refused && charged.model;
        if (spent || op.ending !== 'complete') {
          const options = { keepPlace: !spent && op.ending === 'keep-place', preempted: spent };
          this.#both(
            () => this.core.requeue(h, later, options),
            () => this.model.requeue(id, later, options),
          );
        } else {
          this.#both(
            () => this.core.complete(h, later),
            () => this.model.complete(id, later, false),
          );
        }
        return id;
      }
      case 'setPolicy':
        this.#both(
          () => this.core.setPolicy(op.policy),
          () => this.model.setPolicy(op.policy),
        );
        return undefined;
      case 'setQuantum':
        this.#both(
          () => this.core.setQuantum(op.quantumMs),
          () => this.model.setQuantum(op.quantumMs),
        );
        return undefined;
      case 'setClassDeadline':
        this.#both(
          () => this.core.setClassDeadline(op.priorityClass, op.deadlineMs),
          () => this.model.setClassDeadline(op.priorityClass, op.deadlineMs),
        );
        return undefined;
      default:
        return this.#executeOnTask(op, now);
    }
  }

  #executeOnTask(op: Extract<Op, { target: Target }>, now: number): number | undefined {
    const id = this.#resolve(op.target);
    if (id === undefined) return undefined;
    const h = this.handles[id]!;
    const m = this.model;
    const c = this.core;
    switch (op.op) {
      case 'charge': {
        const outcome = this.#both(
          () => c.charge(h, op.elapsedMs),
          () => m.charge(id, op.elapsedMs),
        );
        if (!outcome.refused) expect(outcome.core, `${this.step}: slice spent`).toBe(outcome.model);
        break;
      }
      case 'requeue': {
        const options = { keepPlace: op.keepPlace, preempted: op.preempted };
        this.#both(
          () => c.requeue(h, now, options),
          () => m.requeue(id, now, options),
        );
        break;
      }
      case 'complete':
        this.#both(
          () => c.complete(h, now, op.failed, op.final),
          () => m.complete(id, now, op.failed, op.final),
        );
        break;
      case 'retry':
        this.#both(
          () => c.retry(h, now, op.delayMs),
          () => m.retry(id, now, op.delayMs),
        );
        break;
      case 'completeAt':
        this.#both(
          () => c.completeAt(h, now, now + op.delayMs, op.failed),
          () => m.completeAt(id, now, now + op.delayMs, op.failed),
        );
        break;
      case 'cancel':
        this.#both(
          () => c.cancel(h),
          () => m.cancel(id),
        );
        break;
      case 'setClass':
        this.#both(
          () => c.setClass(h, op.priorityClass),
          () => m.setClass(id, op.priorityClass),
        );
        break;
      case 'setNice':
        this.#both(
          () => c.setNice(h, op.nice),
          () => m.setNice(id, op.nice),
        );
        break;
      case 'pause':
        this.#both(
          () => c.pause(h),
          () => m.pause(id),
        );
        break;
      case 'resume':
        this.#both(
          () => c.resume(h, now),
          () => m.resume(id, now),
        );
        break;
      case 'runNow':
        this.#both(
          () => c.runNow(h, now),
          () => m.runNow(id, now),
        );
        break;
    }
    return id;
  }

  /** The cheap comparisons, after every operation. */
  #compare(touched: number | undefined, readDue: boolean): void {
    const step = this.step;
    expect(this.core.counters(), `${step}: counters`).toEqual(this.model.counters());
    if (readDue) expect(this.core.nextDueMs(), `${step}: next due`).toBe(this.model.nextDueMs());
    expect(this.core.peek(), `${step}: next to pop`).toBe(this.handleOf(this.model.peek()));
    expect(this.core.policy, `${step}: policy`).toBe(this.model.policy);
    if (touched === undefined) return;
    const handle = this.handles[touched]!;
    if (this.model.isLive(touched)) {
      const snapshot = this.model.snapshot(touched);
      expect(this.core.snapshot(handle), `${step}: task ${touched}`).toEqual(snapshot);
      expect(this.core.priorityClassOf(handle), `${step}: class of task ${touched}`).toBe(snapshot.priorityClass);
    } else {
      expect(() => this.core.state(handle), `${step}: task ${touched} ended`).toThrow(StaleHandleError);
    }
  }
}

export interface PropertyOptions {
  makeCore: () => Core;
  policies: fc.Arbitrary<Policy>;
  operations: fc.Arbitrary<Op>;
  /** Longest operation list of one sequence (lengths are drawn from 1 to this). */
  maxOperations: number;
  numRuns: number;
  afterOp?: (run: DifferentialRun) => void;
  /** See DifferentialRun.dueReadEveryOp (default true). */
  dueReadEveryOp?: boolean;
}

/** Runs the property; returns how many core operations it issued. */
export function assertAgreesWithModel(options: PropertyOptions): number {
  let issued = 0;
  const property = fc.property(
    options.policies,
    fc.array(options.operations, { minLength: 1, maxLength: options.maxOperations, size: 'max' }),
    (policy, ops) => {
      const run = new DifferentialRun(options.makeCore(), policy, options.afterOp);
      run.dueReadEveryOp = options.dueReadEveryOp ?? true;
      run.applyAll(ops);
      run.finish();
      issued += run.operations;
    },
  );
  fc.assert(property, fcParameters(options.numRuns));
  return issued;
}
