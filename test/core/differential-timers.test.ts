// Timers against the reference model: delayed, fixed-rate and fixed-delay tasks,
// time moving in small steps and in big jumps, runs that end late (missed ticks,
// overruns), retries, runNow, pause and resume of waiting tasks, and handles of
// ended tasks, which the core must refuse with StaleHandleError.
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { POLICIES, type Policy, StaleHandleError, type TaskKind } from '../../bindings/index.js';
import { debugCore } from '../helpers/core.js';
import { assertAgreesWithModel, DIFFERENTIAL_TEST_TIMEOUT_MS, DifferentialRun, OPERATION_BUDGET, type Op, OperationTally, operations, type Target } from '../helpers/differential.js';

import { bySize } from '../helpers/test-size.js';

// Under load a property runs long; the property's own time limit reports, not the default test timeout.
vi.setConfig({ testTimeout: DIFFERENTIAL_TEST_TIMEOUT_MS });

/** Mostly periodic and delayed work: the timer heap is never empty for long. */
const TIMER_WORKLOAD = operations({
  register: 8,
  registerBurst: 1,
  tick: 8,
  advance: 6,
  pop: 5,
  runSlice: 4,
  complete: 5,
  retry: 2,
  completeAt: 1,
  requeue: 1,
  cancel: 2,
  setClass: 1,
  pause: 2,
  resume: 2,
  runNow: 2,
  setQuantum: 1,
});

const tally = new OperationTally();

afterAll(() => tally.expectAtLeast(OPERATION_BUDGET.timers));

function scenario(ops: Op[], policy: Policy = 'deadline'): DifferentialRun {
  const run = new DifferentialRun(debugCore(), policy);
  run.applyAll(ops);
  run.finish();
  tally.add(run.operations);
  return run;
}

const timed = (kind: TaskKind, delayMs: number, periodMs: number, priorityClass = 2): Op => ({
  op: 'register',
  priorityClass,
  nice: 0,
  kind,
  delayMs,
  periodMs,
});
const tick = (ms: number): Op => ({ op: 'tick', ms });
/** The first running task. */
const running: Target = { pool: 'running', index: 0 };

describe('timers against the reference model', () => {
  it('releases, reschedules and refuses exactly as the model under random operations', () => {
    tally.property(() =>
      assertAgreesWithModel({
        makeCore: debugCore,
        policies: fc.constantFrom(...POLICIES),
        operations: TIMER_WORKLOAD,
        maxOperations: 300,
        numRuns: bySize(170, 330),
      }),
    );
  });

  it('keeps timers of a few shared delays as the model orders them: set over time, cancelled in the order set or anywhere, retried, released', () => {
    // Request timeouts: a handful of delays reused over and over (the case the
    // per-delay lanes were built for before the far buckets replaced them), a
    // few one-off delays, and cancels of the oldest waiting timer (index 0:
    // the one set first) or any.
    const sharedDelay = fc.constantFrom(30, 30, 30, 250, 250, 1000, 5000, 7, 11, 13, 17, 19, 23);
    const oneOff = fc.integer({ min: 1, max: 2000 });
    const shared = fc.oneof(
      { weight: 8, arbitrary: fc.record({ op: fc.constant('register' as const), priorityClass: fc.integer({ min: 0, max: 4 }), nice: fc.constant(0), kind: fc.constant('once' as const), delayMs: sharedDelay, periodMs: fc.constant(0) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('register' as const), priorityClass: fc.constant(2), nice: fc.constant(0), kind: fc.constantFrom('fixed-delay' as const, 'fixed-rate' as const), delayMs: sharedDelay, periodMs: sharedDelay }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('register' as const), priorityClass: fc.constant(2), nice: fc.constant(0), kind: fc.constant('once' as const), delayMs: oneOff, periodMs: fc.constant(0) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('registerBurst' as const), count: fc.integer({ min: 2, max: 20 }), priorityClass: fc.constant(2), nice: fc.constant(0), delayMs: sharedDelay }) },
      { weight: 4, arbitrary: fc.record({ op: fc.constant('cancel' as const), target: fc.record({ pool: fc.constant('waiting' as const), index: fc.oneof(fc.constant(0), fc.nat({ max: 1 << 16 })) }) }) },
      { weight: 5, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(1000)) }) },
      { weight: 4, arbitrary: fc.constant({ op: 'advance' as const }) },
      { weight: 3, arbitrary: fc.constant({ op: 'pop' as const }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('complete' as const), target: fc.constant(running), failed: fc.boolean(), final: fc.constant(false) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('retry' as const), target: fc.constant(running), delayMs: sharedDelay }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('pause' as const), target: fc.record({ pool: fc.constant('waiting' as const), index: fc.nat({ max: 1 << 16 }) }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('resume' as const), target: fc.record({ pool: fc.constant('paused' as const), index: fc.nat({ max: 1 << 16 }) }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('runNow' as const), target: fc.record({ pool: fc.constant('waiting' as const), index: fc.nat({ max: 1 << 16 }) }) }) },
    );
    tally.property(() =>
      assertAgreesWithModel({
        makeCore: debugCore,
        policies: fc.constantFrom(...POLICIES),
        operations: shared as fc.Arbitrary<Op>,
        maxOperations: 300,
        numRuns: bySize(60, 120),
        afterOp: (run) => expect(run.core.exports.checkInvariants(), `${run.step}: checkInvariants`).toBe(0),
      }),
    );
  });

  it('keeps timers of many delays in far buckets as the model orders them: split, flushed, tied, cancelled in the order set or anywhere', () => {
    // Many distinct delays: most timers go to the far buckets
    // (timers.ts), sorted only when the next due time is read (here after an
    // advance, which is rare: buckets grow past 64 timers and split; smaller
    // ones go to the heap whole). Delays
    // from a set of 40 give equal keys (ties broken by sequence) in one
    // bucket; fractional ones, keys that differ only in low bits; big ones,
    // keys that stay far while the near ones are released.
    const manyDelays = fc.oneof(
      fc.integer({ min: 0, max: 39 }).map((i) => 50 + i * 25),
      fc.double({ min: 0, max: 3000, noNaN: true }),
      fc.integer({ min: 100_000, max: 2_000_000_000 }),
    );
    const far = fc.oneof(
      { weight: 40, arbitrary: fc.record({ op: fc.constant('register' as const), priorityClass: fc.integer({ min: 0, max: 4 }), nice: fc.constant(0), kind: fc.constant('once' as const), delayMs: manyDelays, periodMs: fc.constant(0) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('register' as const), priorityClass: fc.constant(2), nice: fc.constant(0), kind: fc.constantFrom('fixed-delay' as const, 'fixed-rate' as const), delayMs: manyDelays, periodMs: fc.integer({ min: 1, max: 500 }) }) },
      { weight: 4, arbitrary: fc.record({ op: fc.constant('cancel' as const), target: fc.record({ pool: fc.constant('waiting' as const), index: fc.oneof(fc.constant(0), fc.nat({ max: 1 << 16 })) }) }) },
      { weight: 2, arbitrary: fc.record({ op: fc.constant('tick' as const), ms: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.constant(1000), fc.constant(500_000_000)) }) },
      { weight: 1, arbitrary: fc.constant({ op: 'advance' as const }) },
      { weight: 2, arbitrary: fc.constant({ op: 'pop' as const }) },
      { weight: 3, arbitrary: fc.record({ op: fc.constant('complete' as const), target: fc.constant(running), failed: fc.boolean(), final: fc.constant(false) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('retry' as const), target: fc.constant(running), delayMs: manyDelays }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('pause' as const), target: fc.record({ pool: fc.constant('waiting' as const), index: fc.nat({ max: 1 << 16 }) }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('resume' as const), target: fc.record({ pool: fc.constant('paused' as const), index: fc.nat({ max: 1 << 16 }) }) }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant('runNow' as const), target: fc.record({ pool: fc.constant('waiting' as const), index: fc.nat({ max: 1 << 16 }) }) }) },
    );
    tally.property(() =>
      assertAgreesWithModel({
        makeCore: debugCore,
        policies: fc.constantFrom(...POLICIES),
        operations: far as fc.Arbitrary<Op>,
        maxOperations: 600,
        numRuns: bySize(40, 80),
        dueReadEveryOp: false,
        afterOp: (run) => expect(run.core.exports.checkInvariants(), `${run.step}: checkInvariants`).toBe(0),
      }),
    );
  });

  it('releases 2,000 timers of distinct delays from the far buckets in (fire time, sequence) order', () => {
    // Large buckets: the first due time read splits a bucket of ~2,000.
    const ops: Op[] = [];
    for (let i = 0; i < 2000; i++) ops.push(timed('once', 1 + ((i * 7919) % 5003) + (i % 3) / 3, 0));
    for (let i = 0; i < 200; i++) ops.push({ op: 'cancel', target: { pool: 'waiting', index: (i * 37) % 1500 } });
    for (let t = 0; t < 60; t++) ops.push(tick(97), { op: 'advance' });
    const run = new DifferentialRun(debugCore(), 'round-robin', (r) => expect(r.core.exports.checkInvariants(), `${r.step}: checkInvariants`).toBe(0));
    run.dueReadEveryOp = false;
    run.applyAll(ops);
    run.finish();
    tally.add(run.operations);
  });

  it('releases tasks with one due time in registration order, and after a big jump all in (fire time, sequence) order', () => {
    const ops: Op[] = [{ op: 'registerBurst', count: 25, priorityClass: 2, nice: 0, delayMs: 100 }];
    for (let i = 0; i < 20; i++) ops.push(timed(i % 3 === 0 ? 'once' : 'fixed-rate', 1 + ((i * 37) % 50), 7 + i));
    ops.push(tick(1_000_000), { op: 'advance' });
    scenario(ops, 'round-robin');
  });

  it('counts missed ticks and an overrun when a fixed-rate run ends late', () => {
    const run = scenario([
      timed('fixed-rate', 10, 10),
      tick(10),
      { op: 'advance' },
      { op: 'pop' },
      tick(95),
      { op: 'complete', target: running, failed: false, final: false },
      tick(1_000_000),
      { op: 'advance' },
      { op: 'pop' },
      tick(1 / 3),
      { op: 'complete', target: running, failed: true, final: false },
    ]);
    expect(run.core.counters().missedTicks).toBeGreaterThan(9);
    expect(run.core.counters().overruns).toBeGreaterThanOrEqual(1);
  });

  it('keeps a fixed-rate cadence through runNow, and schedules fixed-delay from the end of the run', () => {
    scenario([
      timed('fixed-rate', 50, 16.6),
      timed('fixed-delay', 50, 16.6),
      tick(20),
      { op: 'runNow', target: { pool: 'waiting', index: 0 } },
      { op: 'runNow', target: { pool: 'waiting', index: 0 } },
      { op: 'pop' },
      { op: 'pop' },
      tick(3),
      { op: 'complete', target: running, failed: false, final: false },
      { op: 'complete', target: running, failed: false, final: false },
      tick(100),
      { op: 'advance' },
    ]);
  });

  it('sends a resumed task back to its timer when its due time is ahead, and makes it ready when it has passed', () => {
    scenario([
      timed('once', 30, 0),
      timed('fixed-rate', 30, 5),
      { op: 'pause', target: { pool: 'waiting', index: 0 } },
      { op: 'pause', target: { pool: 'waiting', index: 0 } },
      tick(10),
      { op: 'resume', target: { pool: 'paused', index: 0 } },
      tick(40),
      { op: 'resume', target: { pool: 'paused', index: 0 } },
      { op: 'advance' },
      { op: 'pop' },
      { op: 'retry', target: running, delayMs: 0 },
      { op: 'advance' },
    ]);
  });

  it('ends a periodic task whose run is final, and refuses its handle afterwards', () => {
    const run = scenario([
      timed('fixed-delay', 0, 5),
      timed('fixed-rate', 0, 5),
      { op: 'pop' },
      { op: 'complete', target: running, failed: true, final: true },
      { op: 'pop' },
      { op: 'complete', target: running, failed: false, final: true },
    ]);
    expect(() => run.core.state(run.handles[0]!)).toThrow(StaleHandleError);
    expect(() => run.core.state(run.handles[1]!)).toThrow(StaleHandleError);
  });

  it('brings a retried task back at its retry time when it is paused and resumed before it', () => {
    // retry() keeps the run's nominal time and fires at now + delay: resume()
    // must not make the task ready early because the nominal time has passed.
    const core = debugCore();
    const h = core.register(0);
    expect(core.pop(0)).toBe(h);
    core.retry(h, 0, 100);
    expect(core.nextDueMs()).toBe(100);
    core.pause(h);
    core.resume(h, 10);
    expect(core.state(h)).toBe('waiting');
    expect(core.nextDueMs()).toBe(100);
  });

  it('brings a retried fixed-rate task back at its retry time, not at its later nominal tick', () => {
    const core = debugCore();
    const h = core.register(0, 2, 0, 'fixed-rate', 100, 100);
    core.runNow(h, 50);
    expect(core.pop(50)).toBe(h);
    core.retry(h, 55, 5);
    expect(core.nextDueMs()).toBe(60);
    core.pause(h);
    core.resume(h, 57);
    expect(core.nextDueMs()).toBe(60);
    expect(core.snapshot(h).dueMs).toBe(100);
  });

  it('refuses every operation on an ended task with StaleHandleError', () => {
    const run = new DifferentialRun(debugCore(), 'deadline');
    run.applyAll([timed('once', 0, 0), { op: 'pop' }, { op: 'complete', target: running, failed: false, final: false }, timed('fixed-rate', 5, 5)]);
    const ended = run.handles[0]!;
    const refused: Array<(h: number) => unknown> = [
      (h) => run.core.state(h),
      (h) => run.core.snapshot(h),
      (h) => run.core.cancel(h),
      (h) => run.core.pause(h),
      (h) => run.core.resume(h, 0),
      (h) => run.core.runNow(h, 0),
      (h) => run.core.setClass(h, 1),
      (h) => run.core.setNice(h, 1),
      (h) => run.core.charge(h, 1),
      (h) => run.core.requeue(h, 0),
      (h) => run.core.complete(h, 0),
      (h) => run.core.retry(h, 0, 1),
      (h) => run.core.completeAt(h, 0, 10),
      (h) => run.core.readyRank(h),
    ];
    for (const call of refused) expect(() => call(ended)).toThrow(StaleHandleError);
    // The refusals changed nothing: the model, which saw none of them, still agrees.
    run.applyAll([{ op: 'cancel', target: { pool: 'ended', index: 0 } }, tick(5), { op: 'advance' }]);
    run.finish();
    tally.add(run.operations + refused.length);
  });
});
