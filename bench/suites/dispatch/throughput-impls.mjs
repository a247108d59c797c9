// The implementations of the dispatch case. Each schedule() registers the n
// tasks with their classes and returns start(): nothing may run before
// start() is called (the case checks), and after it every task runs to
// completion without further help. Every loop is its own function so each
// call site only ever sees one scheduler.
//
// Priority mappings, most urgent first (workload class 0..4):
//   timeslice   'critical', 'high', 'normal', 'low', 'background' (scheduler.run(fn, {priority}))
//   scheduler   React's ImmediatePriority, UserBlocking, Normal, Low, Idle (unstable_scheduleCallback)
//   p-queue     priority 4, 3, 2, 1, 0 (larger runs first)
//   fastq, microtask: no priorities (tasks run in arrival order)
//
// timeslice is one long-lived Scheduler, made once for the whole run (as
// React's scheduler is one module-wide queue, and as an application keeps
// one): each repetition schedules while it is paused, and start() resumes it.
// timeslice-fresh makes a new Scheduler per repetition, so it also pays for
// instantiating the wasm core and for the first touch of every page of its
// memory (on this VM a first touch costs ~10 us per 4 KiB page, ~160 ns per
// 64-byte task row; V8 recycles its own heap pages, so JS peers pay this
// only when their heap grows).
//
// timeslice-core is not a scheduler anyone would use: the Scheduler's wasm
// core driven by the least JS that can dispatch through it (register, pop,
// run, complete, one clock read per 64 tasks, no yielding, no per-run
// objects). Its distance to the timeslice row is what the engine and the
// facade cost.
//
// priority-floor is not a scheduler either: the closures put in one array per
// class, then called class by class. No timing, no yielding, no handles: the
// least work any scheduler that runs this workload in priority order does.
// Calling the closures in class order instead of arrival order touches them
// out of order, which at 1e6 costs ~80 ns a call here (cache and TLB misses):
// a floor no priority scheduler can go under, and the arrival-order peers
// (fastq, queueMicrotask) do not pay.
import { createRequire } from 'node:module';
import fastq from 'fastq';
import PQueue from 'p-queue';
import { Core, layout as L } from '../../../dist/core.js';
import { Scheduler } from '../../../dist/index.js';
import { keepAlive } from '../../lib/keep-alive.mjs';

// The production build, as in an app bundled for production (the package's
// index picks the development build unless NODE_ENV is 'production').
const React = createRequire(import.meta.url)('scheduler/cjs/scheduler.production.js');

const TIMESLICE_OPTIONS = ['critical', 'high', 'normal', 'low', 'background'].map((priority) => Object.freeze({ priority }));
const REACT_LEVELS = [
  React.unstable_ImmediatePriority,
  React.unstable_UserBlockingPriority,
  React.unstable_NormalPriority,
  React.unstable_LowPriority,
  React.unstable_IdlePriority,
];
const PQUEUE_OPTIONS = [4, 3, 2, 1, 0].map((priority) => Object.freeze({ priority }));

// One live instance of each class-based peer for the whole process (see keep-alive.mjs).
keepAlive(new Scheduler());
keepAlive(new PQueue({ autoStart: false }));

// Default options: the real clock, 5 ms slices, then a setImmediate yield.
const longLived = new Scheduler().start();

function timeslice(tasks, classes, n) {
  longLived.pause();
  for (let i = 0; i < n; i++) longLived.run(tasks[i], TIMESLICE_OPTIONS[classes[i]]);
  return { start: () => longLived.resume(), finish() {} };
}

function timesliceFresh(tasks, classes, n) {
  const scheduler = new Scheduler();
  for (let i = 0; i < n; i++) scheduler.run(tasks[i], TIMESLICE_OPTIONS[classes[i]]);
  return {
    start: () => scheduler.start(),
    finish: () => scheduler.stop(),
  };
}

const SLOT_MASK = 2 ** L.HANDLE_SLOT_BITS - 1;
const CLOCK_READ_EVERY = 64;
const bareCore = new Core();
bareCore.setPolicy('deadline');

function timesliceCore(tasks, classes, n) {
  const ex = bareCore.exports;
  const fns = [];
  let nowMs = performance.now();
  for (let i = 0; i < n; i++) {
    if (i % CLOCK_READ_EVERY === 0) nowMs = performance.now();
    const handle = ex.register(nowMs, classes[i], 0, L.KIND_ONCE, 0, 0);
    fns[handle & SLOT_MASK] = tasks[i];
  }
  const run = () => {
    let startMs = performance.now();
    let runs = 0;
    for (;;) {
      const handle = ex.pop(startMs);
      if (handle < 0) break;
      const slot = handle & SLOT_MASK;
      const fn = fns[slot];
      fns[slot] = undefined;
      fn();
      if (ex.complete(handle, startMs, 0) !== L.STATUS_ENDED) throw new Error('dispatch: timeslice-core: complete did not end the task');
      if (++runs % CLOCK_READ_EVERY === 0) {
        const endMs = performance.now();
        ex.chargeGroup(endMs - startMs);
        startMs = endMs;
      }
    }
  };
  return { start: () => setImmediate(run), finish() {} };
}

function priorityFloor(tasks, classes, n) {
  const buckets = [[], [], [], [], []];
  for (let i = 0; i < n; i++) buckets[classes[i]].push(tasks[i]);
  const run = () => {
    for (const bucket of buckets) for (let i = 0; i < bucket.length; i++) bucket[i]();
  };
  return { start: () => setImmediate(run), finish() {} };
}

function reactScheduler(tasks, classes, n) {
  // A module-wide queue. Its work loop is armed (setImmediate in Node) by the
  // first call and runs once this turn of the event loop ends; start() is a no-op.
  const schedule = React.unstable_scheduleCallback;
  for (let i = 0; i < n; i++) schedule(REACT_LEVELS[classes[i]], tasks[i]);
  return { start() {}, finish() {} };
}

// fastq calls the worker inline; a worker that called back synchronously
// would recurse once per queued task (the stack overflows after ~3e3), so it
// calls back from a promise reaction: of queueMicrotask (~1.8 M tasks/s here),
// process.nextTick (~1.6 M) and a resolved promise's then (~2.4 M), the
// fastest asynchronous completion, so fastq is measured at its best.
const resolved = Promise.resolve();

function fastqWorker(task, done) {
  task();
  resolved.then(done);
}

function fastqueue(tasks, _classes, n) {
  const queue = fastq(fastqWorker, 1);
  queue.pause();
  for (let i = 0; i < n; i++) queue.push(tasks[i]);
  return { start: () => queue.resume(), finish() {} };
}

function pQueue(concurrency) {
  return (tasks, classes, n) => {
    const queue = new PQueue({ concurrency, autoStart: false });
    // add() returns a promise per task; dropping it is what fire-and-forget callers do.
    for (let i = 0; i < n; i++) queue.add(tasks[i], PQUEUE_OPTIONS[classes[i]]);
    return { start: () => queue.start(), finish() {} };
  };
}

function microtask(tasks, _classes, n) {
  for (let i = 0; i < n; i++) queueMicrotask(tasks[i]);
  return { start() {}, finish() {} };
}

export const THROUGHPUT_IMPLS = [
  { name: 'timeslice', schedule: timeslice },
  { name: 'timeslice-fresh', schedule: timesliceFresh },
  { name: 'timeslice-core', schedule: timesliceCore },
  { name: 'priority-floor', schedule: priorityFloor },
  { name: 'react-scheduler', schedule: reactScheduler },
  { name: 'fastq', schedule: fastqueue },
  { name: 'p-queue', schedule: pQueue(Number.POSITIVE_INFINITY), maxN: 1e5 },
  { name: 'p-queue-serial', schedule: pQueue(1), maxN: 1e5 },
  { name: 'queueMicrotask', schedule: microtask },
];
