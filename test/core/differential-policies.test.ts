// The ready queue under each policy, against the reference model: the same
// random operations, the same pops in the same order (see test/helpers/differential.ts).
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { POLICIES, type Policy } from '../../bindings/index.js';
import { debugCore } from '../helpers/core.js';
import {
  assertAgreesWithModel,
  DIFFERENTIAL_TEST_TIMEOUT_MS,
  DifferentialRun,
  OPERATION_BUDGET,
  type Op,
  operations,
  OperationTally,
} from '../helpers/differential.js';

import { bySize } from '../helpers/test-size.js';

// Under load a property runs long; the property's own time limit reports, not the default test timeout.
vi.setConfig({ testTimeout: DIFFERENTIAL_TEST_TIMEOUT_MS });

/** A scheduler's day: registrations, time slices, yields, and tasks changed while queued. */
const WORKLOAD = operations({
  register: 6,
  registerBurst: 1,
  tick: 5,
  advance: 3,
  pop: 5,
  runSlice: 8,
  charge: 3,
  requeue: 3,
  complete: 3,
  retry: 1,
  cancel: 2,
  setClass: 2,
  setNice: 2,
  pause: 2,
  resume: 2,
  runNow: 1,
  setQuantum: 1,
  setClassDeadline: 1,
});

const RUNS_PER_POLICY = bySize(43, 50);
const MAX_OPERATIONS = 300;

const tally = new OperationTally();

afterAll(() => tally.expectAtLeast(OPERATION_BUDGET.policies));

function agreesUnderRandomOperations(policy: Policy): void {
  tally.property(() =>
    assertAgreesWithModel({
      makeCore: debugCore,
      policies: fc.constant(policy),
      operations: WORKLOAD,
      maxOperations: MAX_OPERATIONS,
      numRuns: RUNS_PER_POLICY,
    }),
  );
}

/** Runs a hand-written sequence against core and model, then drains both. */
function scenario(policy: Policy, ops: Op[]): DifferentialRun {
  const run = new DifferentialRun(debugCore(), policy);
  run.applyAll(ops);
  run.finish();
  tally.add(run.operations);
  return run;
}

const slice = (elapsedMs: number, ending: 'complete' | 'requeue' | 'keep-place'): Op => ({ op: 'runSlice', elapsedMs, ending });
const once = (priorityClass: number, delayMs = 0): Op => ({ op: 'register', priorityClass, nice: 0, kind: 'once', delayMs, periodMs: 0 });
const burst = (count: number, priorityClass: number, nice = 0): Op => ({ op: 'registerBurst', count, priorityClass, nice, delayMs: 0 });

describe('the deadline policy', () => {
  it('pops the same tasks in the same order as the reference model under random operations', () => {
    agreesUnderRandomOperations('deadline');
  });

  it('keeps arrival order among forty tasks of one class registered at the same time', () => {
    const run = scenario('deadline', [burst(40, 2)]);
    expect(run.core.counters().completed).toBe(40);
  });

  it('breaks equal keys across classes by arrival, and lets an aged background task beat a fresh critical one', () => {
    scenario('deadline', [
      { op: 'setClassDeadline', priorityClass: 1, deadlineMs: 1000 },
      once(4),
      once(2),
      once(1),
      { op: 'tick', ms: 60_000 },
      once(0),
      { op: 'setClass', target: { pool: 'ready', index: 1 }, priorityClass: 4 },
      slice(1, 'requeue'),
      slice(1, 'keep-place'),
    ]);
  });
});

describe('the priority policy', () => {
  it('pops the same tasks in the same order as the reference model under random operations', () => {
    agreesUnderRandomOperations('priority');
  });

  it('moves tasks between classes from the middle of a queue of equal keys', () => {
    scenario('priority', [
      burst(30, 3),
      { op: 'setClass', target: { pool: 'ready', index: 17 }, priorityClass: 0 },
      { op: 'setClass', target: { pool: 'ready', index: 5 }, priorityClass: 4 },
      { op: 'cancel', target: { pool: 'ready', index: 11 } },
      { op: 'pause', target: { pool: 'ready', index: 3 } },
      slice(1, 'requeue'),
      { op: 'resume', target: { pool: 'paused', index: 0 } },
      slice(1, 'keep-place'),
    ]);
  });
});

describe('the fair policy', () => {
  it('pops the same tasks in the same order as the reference model under random operations', () => {
    agreesUnderRandomOperations('fair');
  });

  it('starts newcomers at the minimum vruntime and gives a waking task at most half a quantum of credit', () => {
    scenario('fair', [
      burst(5, 2, -5),
      slice(7, 'requeue'),
      slice(3, 'requeue'),
      slice(12, 'requeue'),
      once(2, 30),
      burst(5, 2, 10),
      slice(2.5, 'requeue'),
      { op: 'tick', ms: 40 },
      { op: 'advance' },
      slice(1 / 3, 'keep-place'),
      { op: 'setNice', target: { pool: 'ready', index: 2 }, nice: 19 },
      slice(4, 'requeue'),
    ]);
  });
});

describe('the round-robin policy', () => {
  it('pops the same tasks in the same order as the reference model under random operations', () => {
    agreesUnderRandomOperations('round-robin');
  });

  it('sends a requeued task to the back and a yielding one back to its place', () => {
    scenario('round-robin', [burst(6, 2), slice(1, 'requeue'), slice(1, 'keep-place'), slice(20, 'keep-place'), slice(1, 'requeue')]);
  });
});

describe('switching policies', () => {
  it('re-keys the ready tasks exactly as the model does when the policy changes with tasks ready', () => {
    tally.property(() =>
      assertAgreesWithModel({
        makeCore: debugCore,
        policies: fc.constantFrom(...POLICIES),
        operations: fc.oneof({ weight: 12, arbitrary: WORKLOAD }, { weight: 1, arbitrary: operations({ setPolicy: 1 }) }),
        maxOperations: MAX_OPERATIONS,
        numRuns: RUNS_PER_POLICY,
      }),
    );
  });

  it('keeps the pop order when switching to fair with tasks ready, then back', () => {
    scenario('deadline', [
      burst(10, 1),
      slice(5, 'requeue'),
      slice(15, 'requeue'),
      { op: 'setPolicy', policy: 'fair' },
      slice(5, 'requeue'),
      once(0),
      { op: 'setPolicy', policy: 'priority' },
      slice(1, 'requeue'),
      { op: 'setPolicy', policy: 'round-robin' },
      slice(1, 'keep-place'),
      { op: 'setPolicy', policy: 'fair' },
      once(3),
      { op: 'setPolicy', policy: 'deadline' },
    ]);
  });
});
