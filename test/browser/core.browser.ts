// The WebAssembly core in a real browser, imported from the built package the
// way an application bundles it (`timeslice/core`, embedded wasm, no loader).
// Times are explicit numbers: nothing here waits on the real clock.
import { Core, InvalidArgumentError, layout, loadCore, StaleHandleError, slotOfHandle } from 'timeslice/core';
import { assert, assertEqual, assertThrows, test } from './harness.js';

/** Registers named tasks (name -> class) at nowMs; returns handle -> name. */
function registerAll(core: Core, nowMs: number, tasks: Array<[string, number]>): Map<number, string> {
  return new Map(tasks.map(([name, cls]) => [core.register(nowMs, cls), name]));
}

/** Pops every ready task at nowMs (completing each) and names them in order. */
function drainNames(core: Core, nowMs: number, byHandle: Map<number, string>): Array<string | undefined> {
  const order: Array<string | undefined> = [];
  for (let h = core.pop(nowMs); h !== 0; h = core.pop(nowMs)) {
    order.push(byHandle.get(h));
    core.complete(h, nowMs);
  }
  return order;
}

// First: a browser build compiles the core asynchronously. Here from the raw
// timeslice.wasm the package ships (served beside the page by the runner);
// every later test of this page uses the core it loaded.
test('new Core() waits for loadCore(), which compiles the shipped timeslice.wasm from its URL', async () => {
  assertThrows(() => new Core(), 'ERR_NOT_LOADED', 'before loadCore()');
  await loadCore(new URL('/timeslice.wasm', location.href));
  assertEqual(new Core().pop(0), 0, 'an empty core pops nothing');
});

const MIXED: Array<[string, number]> = [['bg1', 4], ['n1', 2], ['c1', 0], ['n2', 2], ['h1', 1], ['c2', 0], ['bg2', 4]];

test('the priority policy pops strict classes, first come first served inside a class', () => {
  const core = new Core();
  core.setPolicy('priority');
  const byHandle = registerAll(core, 0, MIXED);
  assertEqual(drainNames(core, 0, byHandle), ['c1', 'c2', 'h1', 'n1', 'n2', 'bg1', 'bg2'], 'pop order');
});

test('the deadline policy (the default) pops urgent classes first when they arrive together', () => {
  const core = new Core();
  assertEqual(core.policy, 'deadline', 'default policy');
  const byHandle = registerAll(core, 0, MIXED);
  assertEqual(drainNames(core, 0, byHandle), ['c1', 'c2', 'h1', 'n1', 'n2', 'bg1', 'bg2'], 'pop order');
});

test('under the deadline policy a background task past its deadline beats fresh critical work', () => {
  const core = new Core();
  core.setClassDeadline(4, 1000);
  const bg = core.register(0, 4);
  let nowMs = 0;
  let bgStartedAtMs = -1;
  while (bgStartedAtMs < 0 && nowMs < 5000) {
    core.register(nowMs, 0);
    const h = core.pop(nowMs);
    if (h === bg) bgStartedAtMs = nowMs;
    nowMs += 10;
    core.complete(h, nowMs);
  }
  assert(bgStartedAtMs >= 1000 && bgStartedAtMs <= 1010, `background started at ${bgStartedAtMs} ms, expected 1000 to 1010`);
});

test('timers are released by advance(now) in due order, never early', () => {
  const core = new Core();
  core.setPolicy('round-robin');
  const late = core.register(0, 2, 0, 'once', 30);
  const early = core.register(0, 2, 0, 'once', 10);
  const mid = core.register(0, 2, 0, 'once', 20);
  assertEqual(core.nextDueMs(), 10, 'earliest due time');
  assertEqual(core.advance(9.999), 0, 'released before the first due time');
  assertEqual(core.pop(9.999), 0, 'nothing ready before the first due time');
  assertEqual(core.advance(25), 2, 'released at 25');
  assertEqual([core.pop(25), core.pop(25)], [early, mid], 'pop order at 25');
  assertEqual(core.advance(30), 1, 'released at 30');
  assertEqual(core.pop(30), late, 'pop at 30');
  assertEqual(core.nextDueMs(), Number.POSITIVE_INFINITY, 'no timer left');
});

test('a fixed-rate timer keeps its cadence through advance', () => {
  const core = new Core();
  const h = core.register(0, 2, 0, 'fixed-rate', 100, 100);
  const starts: number[] = [];
  for (let t = 0; t <= 500; t += 5) {
    core.advance(t);
    if (core.pop(t) === h) {
      starts.push(t);
      core.complete(h, t + 3);
    }
  }
  assertEqual(starts, [100, 200, 300, 400, 500], 'start times');
});

test('the batch writer registers many tasks and pops the first ones in one call', () => {
  const core = new Core();
  const batch = core.batch();
  for (let i = 0; i < 10; i++) batch.register(4 - (i % 5));
  assertEqual(batch.run(0, 4), 4, 'popped');
  const handles = Array.from({ length: 10 }, (_, i) => batch.result(i));
  assertEqual(Array.from({ length: 4 }, (_, i) => batch.output(i)), [handles[4], handles[9], handles[3], handles[8]], 'outputs');
  const counters = core.counters();
  assertEqual([counters.registered, counters.running, counters.ready], [10, 4, 6], 'registered, running, ready');
  batch.complete(handles[4]!);
  batch.cancel(handles[4]!);
  batch.run(1);
  assertEqual(batch.result(0), layout.STATUS_ENDED, 'completing a one-shot task ends it');
  assertThrows(() => batch.result(1), 'ERR_STALE_HANDLE', 'cancel after complete');
});

test('the task table grows to 100,000 live tasks and pops them all in key order', () => {
  const core = new Core();
  const n = 100_000;
  const memoryBefore = core.memoryBytes;
  const viewsBefore = core.views();
  for (let i = 0; i < n; i++) core.register(0, i % 5, 0, 'once', 1 + ((i * 7919) % 10_000));
  assert(core.memoryBytes > memoryBefore, `memory grew from ${memoryBefore} bytes (now ${core.memoryBytes})`);
  assertEqual(viewsBefore.f64.length, 0, 'views taken before growth are detached');
  assertEqual(core.views().f64.length * 8, core.memoryBytes, 'fresh views cover the whole memory');
  assertEqual([core.counters().live, core.counters().waiting], [n, n], 'live and waiting');
  assertEqual(core.advance(20_000), n, 'released');
  const deadlineMs = [0, 250, 1000, 10_000, 60_000];
  let previousKey = Number.NEGATIVE_INFINITY;
  let count = 0;
  for (let h = core.pop(20_000); h !== 0; h = core.pop(20_000)) {
    if (count % 5000 === 0) {
      const snap = core.snapshot(h);
      const key = snap.dueMs + deadlineMs[snap.priorityClass]!;
      assert(key >= previousKey, `task ${count} has key ${key}, below the previous sample ${previousKey}`);
      previousKey = key;
    }
    core.complete(h, 20_000);
    count++;
  }
  assertEqual(count, n, 'popped');
  assertEqual(core.counters().live, 0, 'live after draining');
  assert(slotOfHandle(core.register(0)) < n, 'a freed slot is reused');
});

test('a stale handle is refused with ERR_STALE_HANDLE, even after its slot is reused', () => {
  const core = new Core();
  const first = core.register(0);
  core.cancel(first);
  const second = core.register(0);
  assertEqual(slotOfHandle(second), slotOfHandle(first), 'slot reused');
  const error = assertThrows(() => core.setClass(first, 0), 'ERR_STALE_HANDLE', 'setClass on a stale handle');
  assert(error instanceof StaleHandleError && StaleHandleError.is(error), 'a StaleHandleError');
  assertThrows(() => core.cancel(first), 'ERR_STALE_HANDLE', 'cancel on a stale handle');
  assertEqual(core.snapshot(second).priorityClass, 2, 'the new task was not touched');
  assertEqual(core.state(second), 'ready', 'the new task is still ready');
});

test('NaN is refused with ERR_INVALID_ARGUMENT before it reaches the wasm', () => {
  const core = new Core();
  const error = assertThrows(() => core.register(Number.NaN), 'ERR_INVALID_ARGUMENT', 'register(NaN)');
  assert(error instanceof InvalidArgumentError, 'an InvalidArgumentError');
  assert(error.message.includes('nowMs') && error.message.includes('NaN'), `the message names the argument: ${error.message}`);
  assertThrows(() => core.advance(Number.NaN), 'ERR_INVALID_ARGUMENT', 'advance(NaN)');
  assertThrows(() => core.register(0, 2, 0, 'once', Number.NaN), 'ERR_INVALID_ARGUMENT', 'register with delayMs NaN');
  assertThrows(() => core.batch().register(2, 0, 'once', Number.NaN), 'ERR_INVALID_ARGUMENT', 'batch register with delayMs NaN');
  assertEqual(core.counters().registered, 0, 'nothing was registered');
});
