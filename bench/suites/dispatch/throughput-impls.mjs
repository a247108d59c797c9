// How each implementation schedules the throughput workload. Every loop makes
// the task's closure (`() => mark(i)`) and an options object inside the timed
// region, one of each per task, and hands both over the way that library
// takes them; nothing is prepared outside the clock. schedule() returns
// start(), which lets the queued tasks run (a no-op where they run by
// themselves once the scheduling turn ends), and finish().
//
// Classes are 0 (most urgent) .. 4 in the workload; each implementation gets
// its own names for them. bench/README.md ("The dispatch suite") has the table.
import '../../../scripts/current-dist.mjs';
import { AsyncResource, executionAsyncId } from 'node:async_hooks';
import { createRequire } from 'node:module';
import fastq from 'fastq';
import PQueue from 'p-queue';
import { Core, layout as L } from '../../../dist/core.js';
import { Scheduler } from '../../../dist/index.js';
import { FloorScheduler } from '../../lib/floor-scheduler.mjs';
import { keepAlive } from '../../lib/keep-alive.mjs';
import { TIMESLICE_PRIORITIES } from './workload.mjs';

export { TIMESLICE_PRIORITIES };

// The production build, as in an app bundled for production (the package's
// index picks the development build unless NODE_ENV is 'production').
const React = createRequire(import.meta.url)('scheduler/cjs/scheduler.production.js');

export const REACT_LEVELS = [
  React.unstable_ImmediatePriority,
  React.unstable_UserBlockingPriority,
  React.unstable_NormalPriority,
  React.unstable_LowPriority,
  React.unstable_IdlePriority,
];

// One application-wide Scheduler with default options (real clock, 5 ms
// slices then a setImmediate yield), started once, as an app keeps one (and
// as React's scheduler is one module-wide queue). The other cases that run
// on a long-lived Scheduler use this one too: a process with one scheduler
// calls into one wasm instance (see bench/README.md on call sites).
export const longLived = keepAlive(new Scheduler().start());

function timeslice(classes, n, mark) {
  const scheduler = longLived;
  for (let i = 0; i < n; i++) scheduler.run(() => mark(i), { priority: TIMESLICE_PRIORITIES[classes[i]] });
  return { start() {}, finish() {} };
}

const floor = keepAlive(new FloorScheduler());

// What the loops below embed besides their own long-lived objects, kept alive
// as a long-lived program keeps some (keep-alive.mjs; --trace-deopt showed each
// one's code thrown away at the repetitions' full collections, 'weak objects',
// then 'code dependencies' when the maps were made again):
// - Node's Immediate, in its final map: setImmediate() is inlined into the
//   floor's run() and React's scheduleCallback (and arms timeslice's and the
//   core row's turns); no Immediate outlives a repetition otherwise.
keepAlive(setImmediate(() => {}));

function floorScheduler(classes, n, mark) {
  for (let i = 0; i < n; i++) floor.run(() => mark(i), { priority: classes[i] });
  return { start() {}, finish() {} };
}

// - One of React's tasks, run: its map is a transition of the literal's (sortIndex).
keepAlive(React.unstable_scheduleCallback(React.unstable_NormalPriority, () => {}));

function reactScheduler(classes, n, mark) {
  // A module-wide queue. Its work loop is armed (setImmediate in Node) by the
  // first call and runs once this turn of the event loop ends. Its options
  // object takes a delay: 0 is what run() means.
  const schedule = React.unstable_scheduleCallback;
  for (let i = 0; i < n; i++) schedule(REACT_LEVELS[classes[i]], () => mark(i), { delay: 0 });
  return { start() {}, finish() {} };
}

// fastq calls the worker inline; a worker that called back synchronously
// would recurse once per queued task (the stack overflows after ~3e3), so it
// calls back from a promise reaction: of queueMicrotask, process.nextTick and
// a resolved promise's then, the fastest asynchronous completion here. fastq
// takes no options: what a fastq user queues per task is its data, here the
// closure and the class together.
const resolved = Promise.resolve();

function fastqWorker(task, done) {
  task.run();
  resolved.then(done);
}

// - A queue that ran a task: its Task (fastq's class) and the queue's own map.
const keptFastq = keepAlive(fastq(fastqWorker, 1));
keptFastq.push({ run() {}, priority: 0 });

function fastqueue(classes, n, mark) {
  const queue = fastq(fastqWorker, 1);
  // Paused while scheduling: with concurrency 1 the first push would run at once.
  queue.pause();
  for (let i = 0; i < n; i++) queue.push({ run: () => mark(i), priority: classes[i] });
  return { start: () => queue.resume(), finish() {} };
}

// - A p-queue holding a pending task (never started), and one of the
//   AsyncResources Node's queueMicrotask() makes per call (p-queue calls it per
//   task), in the same shape: AsyncResource('Microtask') plus its callback.
keepAlive(new PQueue({ autoStart: false })).add(() => {});
const microtaskResource = keepAlive(new AsyncResource('Microtask', { triggerAsyncId: executionAsyncId(), requireManualDestroy: true }));
microtaskResource.callback = () => {};

function pQueue(classes, n, mark) {
  // concurrency Infinity with autoStart false matches timeslice's defaults
  // and is p-queue's fastest configuration (bench/README.md). Larger priority first.
  const queue = new PQueue({ concurrency: Number.POSITIVE_INFINITY, autoStart: false });
  // add() returns a promise per task; dropping it is what fire-and-forget callers do.
  for (let i = 0; i < n; i++) queue.add(() => mark(i), { priority: 4 - classes[i] });
  return { start: () => queue.start(), finish() {} };
}

// timeslice-core, internals: the same wasm core (its own instance) with the
// least JS that can dispatch through it: exports.register, then pop / call /
// complete in one loop, one clock read per 64 tasks, no yielding, no handles,
// no validation. Not a usable scheduler: its distance to `timeslice` is what
// the engine and the facade cost.
const SLOT_MASK = 2 ** L.HANDLE_SLOT_BITS - 1;
const CLOCK_READ_EVERY = 64;
const bareCore = keepAlive(new Core());
bareCore.setPolicy('deadline');
const coreFns = keepAlive([]);

function timesliceCore(classes, n, mark) {
  const ex = bareCore.exports;
  const fns = coreFns;
  let nowMs = performance.now();
  for (let i = 0; i < n; i++) {
    if (i % CLOCK_READ_EVERY === 0) nowMs = performance.now();
    const options = { priority: classes[i] };
    const handle = ex.register(nowMs, options.priority, 0, L.KIND_ONCE, 0, 0);
    fns[handle & SLOT_MASK] = () => mark(i);
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

export const THROUGHPUT_IMPLS = [
  { name: 'timeslice', schedule: timeslice },
  { name: 'floor-scheduler', schedule: floorScheduler },
  { name: 'react-scheduler', schedule: reactScheduler },
  { name: 'fastq', schedule: fastqueue },
  // p-queue inserts into a sorted array (O(n) per insert): at 1e6 one repetition takes minutes.
  { name: 'p-queue', schedule: pQueue, maxN: 1e5 },
  { name: 'timeslice-core', schedule: timesliceCore },
];

/** The implementations the ~20 us and listener cases compare (no internals, no O(n) inserts). */
export const PEERS = THROUGHPUT_IMPLS.filter((impl) => ['timeslice', 'floor-scheduler', 'react-scheduler', 'fastq'].includes(impl.name));
