// How the two heap workloads map onto the core (bench/README.md says why).
//
// hold (timeslice-core) -> the core's ready heap itself, through the bare-heap
//   exports (benchHeapPush / benchHeapPop, assembly/index.ts): the sift code
//   every ready and timer task goes through, indexed (each move writes the
//   task's position, what cancel from anywhere needs) and with the sequence
//   tie-break, without the task bookkeeping around it. One op: read the top's
//   key and slot from the heap's columns in wasm memory (as the JS loops read
//   peekValue()), benchHeapPop(), benchHeapPush(slot, key + inc): two
//   crossings, the same work as c-gcc-O2-indexed (bench/c/heap4.c).
//
// hold (timeslice-task-cycle) -> a task's whole cycle through the ready
//   queue under the fair policy, bookkeeping included. pop() takes the task with the
//   smallest vruntime, charge(handle, inc) adds inc to it (nice 0: weight
//   1024/1024, so vruntime + inc exactly, the same double as key + inc in JS),
//   requeue() pushes it back keyed by the new vruntime. n live tasks, no
//   allocation. The popped key is read from the popped task's row in wasm
//   memory (its vruntime is its key under fair), as the JS loops read
//   peekValue(). Not from the ready heap's top entry: the ready queue is the
//   heap plus one sorted lane per class (assembly/ready.ts), and a requeued
//   key not below its lane's tail waits in the lane, so the least key is the
//   least of the heap's top and the lane heads, which is what pop() takes.
// push-pop-all -> the timer heap. register(0, ..., delayMs = key) pushes a
//   task due at key; the drain takes the earliest due time (nextDue), releases
//   it (advance), pops and completes it: the path of every one-shot timer.
//   advance moves every task due at that time, so keys that tie leave extra
//   tasks ready; they are popped before the next advance (same key, a tie).
//
// All are measured through core.exports (raw, unvalidated) except
// timeslice-validated, which makes the task cycle's calls through the Core
// methods. Each run starts from an emptied core (shared-core.mjs).
import '../../../scripts/current-dist.mjs';
import { layout as L } from '../../../dist/core.js';
import { nowMs } from '../../lib/measure.mjs';
import { Stopwatch } from '../../lib/stopwatch.mjs';
import { resetSharedCore } from './shared-core.mjs';

function expect(ok, what) {
  if (!ok) throw new Error(`timeslice mapping: ${what}`);
}

/**
 * n running-then-requeued tasks whose vruntimes are keys[0..n). Tasks can be
 * charged only while running, so: register n tasks and pop them all under
 * round-robin (where vruntime is not the key), charge each its key, then switch
 * to fair and requeue them: the ready heap now holds exactly the n keys.
 */
function fillReadyHeap(core, keys, n) {
  const ex = core.exports;
  ex.setPolicy(L.POLICY_ROUND_ROBIN);
  for (let i = 0; i < n; i++) expect(ex.register(0, L.CLASS_NORMAL, 0, L.KIND_ONCE, 0, 0) > 0, 'register refused');
  const handles = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    handles[i] = ex.pop(0);
    expect(ex.charge(handles[i], keys[i]) >= 0, 'charge refused');
  }
  ex.setPolicy(L.POLICY_FAIR);
  for (let i = 0; i < n; i++) expect(ex.requeue(handles[i], 0, L.REQUEUE_TAIL) === L.STATUS_OK, 'requeue refused');
}

const SLOT_MASK = 2 ** L.HANDLE_SLOT_BITS - 1;

/**
 * Index (in f64 words) of the vruntime of the task row of slot 0; a slot's
 * is this + slot * TASK_ROW_BYTES / 8. The table only moves when the arena
 * grows, which the hold loop never causes (n tasks stay live).
 */
function vruntimeBaseIndex(core) {
  return (core.exports.columnBaseOf(L.COL_TASKS) + L.FIELD_VRUNTIME) >>> 3;
}
const ROW_WORDS = L.TASK_ROW_BYTES / 8;

function hold({ keys, increments }, n, m) {
  const core = resetSharedCore();
  const ex = core.exports;
  for (let i = 0; i < n; i++) expect(ex.benchHeapPush(i, keys[i]) === L.STATUS_OK, 'benchHeapPush refused');
  const f64 = new Float64Array(ex.memory.buffer);
  const u32 = new Uint32Array(ex.memory.buffer);
  const topKey = ex.columnBaseOf(L.COL_READY_KEY) >>> 3;
  const topSlot = ex.columnBaseOf(L.COL_READY_SLOT) >>> 2;
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const watch = new Stopwatch();
  watch.start();
  for (let i = 0; i < m; i++) {
    const key = f64[topKey];
    const slot = u32[topSlot];
    ex.benchHeapPop();
    ex.benchHeapPush(slot, key + increments[i]);
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  watch.stop();
  expect(f64.buffer === ex.memory.buffer, 'wasm memory grew during the hold loop');
  expect(ex.checkInvariants() === 0, 'the ready heap is out of order or its positions are wrong');
  ex.benchHeapClear();
  return { elapsedMs: watch.wallMs, cpuMs: watch.cpuMs, checksum, disorder };
}

function taskCycleHold({ keys, increments }, n, m) {
  const core = resetSharedCore();
  const ex = core.exports;
  fillReadyHeap(core, keys, n);
  const f64 = new Float64Array(ex.memory.buffer);
  const base = vruntimeBaseIndex(core);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const watch = new Stopwatch();
  watch.start();
  for (let i = 0; i < m; i++) {
    const handle = ex.pop(0);
    const key = f64[base + (handle & SLOT_MASK) * ROW_WORDS];
    ex.charge(handle, increments[i]);
    ex.requeue(handle, 0, L.REQUEUE_TAIL);
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  watch.stop();
  expect(f64.buffer === ex.memory.buffer, 'wasm memory grew during the hold loop');
  expect(core.counters().ready === n, 'ready heap lost tasks');
  return { elapsedMs: watch.wallMs, cpuMs: watch.cpuMs, checksum, disorder };
}

function taskCycleHoldValidated({ keys, increments }, n, m) {
  const core = resetSharedCore();
  fillReadyHeap(core, keys, n);
  const base = vruntimeBaseIndex(core);
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const watch = new Stopwatch();
  watch.start();
  for (let i = 0; i < m; i++) {
    const handle = core.pop(0);
    const key = core.views().f64[base + (handle & SLOT_MASK) * ROW_WORDS];
    core.charge(handle, increments[i]);
    core.requeue(handle, 0);
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  watch.stop();
  expect(core.counters().ready === n, 'ready heap lost tasks');
  return { elapsedMs: watch.wallMs, cpuMs: watch.cpuMs, checksum, disorder };
}

function pushPopAll({ keys }, n) {
  const core = resetSharedCore();
  const ex = core.exports;
  let checksum = 0;
  let disorder = 0;
  let last = Number.NEGATIVE_INFINITY;
  const startMs = nowMs();
  for (let i = 0; i < n; i++) ex.register(0, L.CLASS_NORMAL, 0, L.KIND_ONCE, keys[i], 0);
  const pushedMs = nowMs();
  let pending = 0;
  let key = 0;
  for (let i = 0; i < n; i++) {
    if (pending === 0) {
      key = ex.nextDue();
      pending = ex.advance(key);
    }
    ex.complete(ex.pop(key), key, 0);
    pending--;
    checksum += key;
    if (key < last) disorder++;
    last = key;
  }
  const popMs = nowMs() - pushedMs;
  expect(ex.nextDue() === Number.POSITIVE_INFINITY && core.counters().live === 0, 'tasks left after the drain');
  return { pushMs: pushedMs - startMs, popMs, checksum, disorder };
}

export const TIMESLICE_HOLD = [
  { name: 'timeslice-core', hold },
  { name: 'timeslice-task-cycle', hold: taskCycleHold },
  { name: 'timeslice-validated', hold: taskCycleHoldValidated },
];
export const TIMESLICE_PUSH_POP_ALL = [{ name: 'timeslice-core', pushPopAll }];
