// The ready queue (lanes and heap) and the timer heap against the reference
// model: many tasks with equal keys, removals and re-keys from the middle, and
// after every operation a white-box look at both (heap order with the sequence
// tie-break, the POS field of each task row, lanes linked and sorted, exactly
// the model's tasks with the keys keys.ts documents).
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { taskFieldAddress } from '../../bindings/columns.js';
import { layout as L, POLICIES, slotOfHandle, StaleHandleError } from '../../bindings/index.js';
import { debugCore, releaseCore } from '../helpers/core.js';
import { assertAgreesWithModel, DIFFERENTIAL_TEST_TIMEOUT_MS, DifferentialRun, OPERATION_BUDGET, type Op, OperationTally, operations } from '../helpers/differential.js';

import { bySize } from '../helpers/test-size.js';

// Under load a property runs long; the property's own time limit reports, not the default test timeout.
vi.setConfig({ testTimeout: DIFFERENTIAL_TEST_TIMEOUT_MS });

/** Crowded heaps: bursts of equal keys, then removals and re-keys at any position. */
const HEAP_WORKLOAD = operations({
  register: 5,
  registerBurst: 3,
  tick: 3,
  advance: 3,
  pop: 4,
  runSlice: 3,
  complete: 2,
  requeue: 2,
  cancel: 4,
  setClass: 4,
  pause: 3,
  resume: 3,
  runNow: 2,
  setPolicy: 1,
  setClassDeadline: 1,
});

const tally = new OperationTally();

afterAll(() => tally.expectAtLeast(OPERATION_BUDGET.heap));

/**
 * Reads the timer heap, or the ready queue's heap part, out of the core's
 * memory and compares it with the model. Plain comparisons collect the first
 * problem (an expect per entry would be slow).
 */
function heapProblem(run: DifferentialRun, heap: 'ready' | 'timer'): string | undefined {
  const { core, model } = run;
  const { u8, u32, f64 } = core.views();
  const keys = core.exports.columnBaseOf(heap === 'ready' ? L.COL_READY_KEY : L.COL_TIMER_KEY) >>> 3;
  const slots = core.exports.columnBaseOf(heap === 'ready' ? L.COL_READY_SLOT : L.COL_TIMER_SLOT) >>> 2;
  // POS and SEQ are fields of each task's row.
  const tasks = core.exports.columnBaseOf(L.COL_TASKS);
  const keyAt = (i: number) => f64[keys + i]!;
  const slotAt = (i: number) => u32[slots + i]!;
  const seqOf = (slot: number) => f64[taskFieldAddress(tasks, slot, L.FIELD_SEQ) >>> 3]!;
  const positionOf = (slot: number) => u32[taskFieldAddress(tasks, slot, L.FIELD_POS) >>> 2]!;
  const queueOf = (slot: number) => u8[taskFieldAddress(tasks, slot, L.FIELD_QUEUE)]!;

  // Tasks in a lane (ready or timer) are checked by laneProblem; the heap holds the rest.
  const ids = model.idsInState(heap === 'ready' ? 'ready' : 'waiting').filter((id) => queueOf(slotOfHandle(run.handles[id]!)) === L.QUEUE_HEAP);
  const idBySlot = new Map(ids.map((id) => [slotOfHandle(run.handles[id]!), id]));
  const size = ids.length;
  if (heap === 'timer' && core.counters().waiting !== model.idsInState('waiting').length) {
    return `waiting ${core.counters().waiting}, model ${model.idsInState('waiting').length}`;
  }
  for (let i = 0; i < size; i++) {
    const slot = slotAt(i);
    if (positionOf(slot) !== i) return `entry ${i}: POS says ${positionOf(slot)}`;
    const id = idBySlot.get(slot);
    if (id === undefined) return `entry ${i}: slot ${slot} is not a task the model has there`;
    idBySlot.delete(slot);
    const key = heap === 'ready' ? model.storedReadyKey(id) : model.fireAtMsOf(id);
    if (keyAt(i) !== key) return `entry ${i} (task ${id}): key ${keyAt(i)}, model ${key}`;
    if (seqOf(slot) !== model.sequenceOf(id)) return `entry ${i} (task ${id}): sequence ${seqOf(slot)}, model ${model.sequenceOf(id)}`;
    const parent = (i - 1) >> 2;
    if (i > 0 && !(keyAt(parent) < keyAt(i) || (keyAt(parent) === keyAt(i) && seqOf(slotAt(parent)) < seqOf(slot)))) {
      return `entry ${i} (key ${keyAt(i)}) is before its parent ${parent} (key ${keyAt(parent)})`;
    }
  }
  return undefined;
}

/**
 * Follows each class's ready lane through the rows (PREV back, POS forward):
 * exactly the model's lane tasks of that class, in strictly increasing (key,
 * sequence) order, linked consistently both ways.
 */
function laneProblem(run: DifferentialRun): string | undefined {
  const { core, model } = run;
  const { u8, u32, f64 } = core.views();
  const queue = 'ready';
  const tasks = core.exports.columnBaseOf(L.COL_TASKS);
  const field32 = (slot: number, field: number) => u32[taskFieldAddress(tasks, slot, field) >>> 2]!;
  const none = 0xffffffff;
  const idBySlot = new Map<number, number>();
  for (const id of model.idsInState('ready')) {
    const slot = slotOfHandle(run.handles[id]!);
    if (u8[taskFieldAddress(tasks, slot, L.FIELD_QUEUE)] === L.QUEUE_LANE) idBySlot.set(slot, id);
  }
  const laneField = L.FIELD_CLASS;
  const keyOf = (id: number) => model.storedReadyKey(id);
  const lanes = new Set([...idBySlot.keys()].map((slot) => u8[taskFieldAddress(tasks, slot, laneField)]!));
  for (const cls of lanes) {
    const lane = [...idBySlot].filter(([slot]) => u8[taskFieldAddress(tasks, slot, laneField)] === cls);
    if (lane.length === 0) continue;
    const heads = lane.filter(([slot]) => field32(slot, L.FIELD_PREV) === none);
    if (heads.length !== 1) return `${queue} lane ${cls}: ${heads.length} lane heads`;
    let slot = heads[0]![0];
    let previous: [number, number] | undefined;
    let visited = 0;
    while (slot !== none) {
      const id = idBySlot.get(slot);
      if (id === undefined) return `${queue} lane ${cls}: slot ${slot} is linked into the lane but is not one of its tasks`;
      if (++visited > lane.length) return `${queue} lane ${cls}: the lane loops`;
      const key = keyOf(id);
      const seq = f64[taskFieldAddress(tasks, slot, L.FIELD_SEQ) >>> 3]!;
      if (seq !== model.sequenceOf(id)) return `task ${id}: sequence ${seq}, model ${model.sequenceOf(id)}`;
      if (previous && !(previous[0] < key || (previous[0] === key && previous[1] < seq))) return `${queue} lane ${cls}: task ${id} is out of order`;
      const next = field32(slot, L.FIELD_POS);
      if (next !== none && field32(next, L.FIELD_PREV) !== slot) return `${queue} lane ${cls}: PREV of slot ${next} does not point back`;
      previous = [key, seq];
      slot = next;
    }
    if (visited !== lane.length) return `${queue} lane ${cls}: ${visited} of ${lane.length} lane tasks linked`;
  }
  return undefined;
}

function expectHeaps(run: DifferentialRun): void {
  expect(heapProblem(run, 'ready'), `${run.step}: ready heap`).toBeUndefined();
  expect(laneProblem(run), `${run.step}: ready lanes`).toBeUndefined();
  expect(heapProblem(run, 'timer'), `${run.step}: timer heap`).toBeUndefined();
  // The timer queue's far buckets are unsorted lists: checkInvariants checks them (assembly/timers.ts).
  expect(run.core.exports.checkInvariants(), `${run.step}: checkInvariants`).toBe(0);
}

function scenario(ops: Op[], policy: (typeof POLICIES)[number] = 'priority'): DifferentialRun {
  const run = new DifferentialRun(debugCore(), policy, expectHeaps);
  run.applyAll(ops);
  run.finish();
  tally.add(run.operations);
  return run;
}

const burst = (count: number, priorityClass: number, delayMs = 0): Op => ({ op: 'registerBurst', count, priorityClass, nice: 0, delayMs });

describe('ready and timer heaps', () => {
  it('agree with the model, entry by entry, under random operations on the debug core', () => {
    tally.property(() =>
      assertAgreesWithModel({
        makeCore: debugCore,
        policies: fc.constantFrom(...POLICIES),
        operations: HEAP_WORKLOAD,
        maxOperations: 300,
        numRuns: bySize(56, 120),
        afterOp: expectHeaps,
      }),
    );
  });

  it('agree with the model under random operations on the release core', () => {
    tally.property(() =>
      assertAgreesWithModel({
        makeCore: releaseCore,
        policies: fc.constantFrom(...POLICIES),
        operations: HEAP_WORKLOAD,
        maxOperations: 300,
        numRuns: bySize(28, 60),
      }),
    );
  });

  it('keep arrival order among a hundred tasks with one key, in both heaps', () => {
    scenario([burst(100, 2), burst(100, 2, 5), { op: 'tick', ms: 5 }, { op: 'advance' }], 'deadline');
  });

  it('sift up the last entry moved into a hole deep in the heap', () => {
    // Class 4 fills the heap, class 0 tasks come last: removing a class 4 task
    // from the middle moves a class 0 task into a subtree of class 4 parents.
    const ops: Op[] = [burst(150, 4), burst(10, 0)];
    for (let i = 0; i < 20; i++) ops.push({ op: 'cancel', target: { pool: 'ready', index: 7 + i * 5 } });
    for (let i = 0; i < 10; i++) ops.push({ op: 'pause', target: { pool: 'ready', index: 3 + i * 11 } });
    for (let i = 0; i < 10; i++) ops.push({ op: 'setClass', target: { pool: 'ready', index: 90 - i * 7 }, priorityClass: i % 5 });
    ops.push({ op: 'resume', target: { pool: 'paused', index: 4 } }, { op: 'pop' }, { op: 'pop' });
    scenario(ops);
  });

  it('remove and re-key waiting tasks from the middle of a timer lane and of the timer heap', () => {
    // Two bursts of one delay each fill two lanes; twenty delays more than there are lanes fill the heap.
    const ops: Op[] = [burst(60, 2, 100), burst(60, 2, 5)];
    for (let i = 0; i < 20; i++) ops.push({ op: 'register', priorityClass: 2, nice: 0, kind: 'once', delayMs: 7 + ((i * 13) % 50), periodMs: 0 });
    for (let i = 0; i < 15; i++) ops.push({ op: 'cancel', target: { pool: 'waiting', index: i * 7 } });
    for (let i = 0; i < 10; i++) ops.push({ op: 'runNow', target: { pool: 'waiting', index: i * 9 } });
    for (let i = 0; i < 10; i++) ops.push({ op: 'pause', target: { pool: 'waiting', index: i * 4 } });
    ops.push({ op: 'tick', ms: 50 }, { op: 'advance' }, { op: 'resume', target: { pool: 'paused', index: 2 } });
    ops.push({ op: 'tick', ms: 50 }, { op: 'advance' });
    scenario(ops, 'round-robin');
  });

  it('keep timers of more delays than lanes in order, rebinding emptied lanes', () => {
    const ops: Op[] = [];
    // Twelve delays, set twice each, in turn: eight take a lane, four go to the heap.
    for (let round = 0; round < 2; round++) for (let d = 1; d <= 12; d++) ops.push(burst(3, d % 5, d * 10));
    // Time moves: the shortest delays fire and their lanes empty, to be bound to new delays.
    ops.push({ op: 'tick', ms: 35 }, { op: 'advance' });
    for (let d = 13; d <= 16; d++) ops.push(burst(2, 2, d * 10));
    for (let i = 0; i < 8; i++) ops.push({ op: 'cancel', target: { pool: 'waiting', index: i * 3 } });
    ops.push({ op: 'tick', ms: 200 }, { op: 'advance' }, { op: 'tick', ms: 2000 }, { op: 'advance' });
    scenario(ops, 'round-robin');
  });

  it('release two periodic timers of one period in order when the later one set is due first', () => {
    // Period 50, fixed delay (A) and fixed rate (B). A ends at 65 and is next due at 115; B ends at 70 and keeps its
    // cadence, next due at 100: set after A, due before it.
    const periodic = (kind: 'fixed-delay' | 'fixed-rate'): Op => ({ op: 'register', priorityClass: 2, nice: 0, kind, delayMs: 50, periodMs: 50 });
    const run = scenario(
      [
        periodic('fixed-delay'),
        periodic('fixed-rate'),
        { op: 'tick', ms: 60 },
        { op: 'advance' },
        { op: 'pop' },
        { op: 'pop' },
        { op: 'tick', ms: 5 },
        { op: 'complete', target: { pool: 'running', index: 0 }, failed: false, final: false },
        { op: 'tick', ms: 5 },
        { op: 'complete', target: { pool: 'running', index: 0 }, failed: false, final: false },
      ],
      'round-robin',
    );
    expect(run.core.nextDueMs()).toBe(100);
    run.applyAll([{ op: 'tick', ms: 100 }, { op: 'advance' }]);
    run.finish();
  });

  it('refuse the handle of a cancelled task with StaleHandleError after its slot is reused', () => {
    const run = new DifferentialRun(debugCore(), 'priority', expectHeaps);
    run.applyAll([burst(20, 2), { op: 'cancel', target: { pool: 'ready', index: 9 } }, burst(3, 1)]);
    const stale = run.handles[9]!;
    expect(run.model.isLive(9)).toBe(false);
    expect(slotOfHandle(run.handles[20]!)).toBe(slotOfHandle(stale));
    expect(() => run.core.setClass(stale, 0)).toThrow(StaleHandleError);
    expect(() => run.core.pause(stale)).toThrow(StaleHandleError);
    expect(() => run.core.cancel(stale)).toThrow(StaleHandleError);
    run.finish();
    tally.add(run.operations);
  });
});
