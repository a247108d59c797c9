// Bytes per pending task: n tasks registered and none run, measured as the
// growth of process.memoryUsage() heapUsed + external between two snapshots
// taken after full GCs (measure.mjs memorySnapshot), divided by n.
//
// Why those two fields: a timeslice Scheduler keeps each task in two places,
// two JS array entries (the function, the shared options preset) and a row of
// its wasm core, whose linear memory V8 reports in `external` (not in
// `arrayBuffers`, and not in heapUsed). `arrayBuffers` is part of `external`
// already, so adding it would count typed arrays twice. Every implementation
// is charged the same two fields; JS-only peers show ~0 external growth.
//
// What is not counted: the task function (one shared function for every
// task, alive before the baseline) and the handles or promises registration
// returns (dropped at once, so the scheduler's own references are all that
// keep anything alive). Each scheduler is made before the baseline and used
// after the second snapshot, so it is alive for both.
//
// Every sample starts from a fresh instance, so array and arena growth is
// counted alike. React's scheduler is one module-wide queue whose array keeps
// its capacity once grown (~10 bytes per task less from the second sample
// on), so each sample loads a fresh copy of the module. That queue starts its
// work loop from a setImmediate armed by the first scheduleCallback: the n
// registrations and both snapshots (gc() is synchronous) happen in one
// synchronous block, so none of its tasks can run before the second
// snapshot. The tasks then run out, and a last Idle-priority callback (after
// every other) ends the sample.
// queueMicrotask is not a row: V8 keeps its queue in a native ring buffer
// that neither field reports.
import { createRequire } from 'node:module';
import fastq from 'fastq';
import PQueue from 'p-queue';
import { Scheduler } from '../../../dist/index.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { memorySnapshot } from '../../lib/measure.mjs';
import { toRows } from '../../lib/rows.mjs';
import { prioritySequence } from './workload.mjs';

const require = createRequire(import.meta.url);
const REACT_PATH = require.resolve('scheduler/cjs/scheduler.production.js');

/** A new copy of React's scheduler module, with its own empty queues. */
function freshReactScheduler() {
  delete require.cache[REACT_PATH];
  return require(REACT_PATH);
}

const React = freshReactScheduler();

const TIMESLICE_OPTIONS = ['critical', 'high', 'normal', 'low', 'background'].map((priority) => Object.freeze({ priority }));
const REACT_LEVELS = [
  React.unstable_ImmediatePriority,
  React.unstable_UserBlockingPriority,
  React.unstable_NormalPriority,
  React.unstable_LowPriority,
  React.unstable_IdlePriority,
];
const PQUEUE_OPTIONS = [4, 3, 2, 1, 0].map((priority) => Object.freeze({ priority }));

let ran = 0;
const countRun = () => {
  ran++;
};
const fastqWorker = (task, done) => {
  task();
  done(null);
};

function perTask(before, after, n) {
  const heap = after.heapUsed - before.heapUsed;
  const external = after.external - before.external;
  return { bytesPerTask: (heap + external) / n, heapBytesPerTask: heap / n, externalBytesPerTask: external / n };
}

function expectPending(impl, pending, n) {
  if (pending !== n) throw new Error(`dispatch memory: ${impl} holds ${pending} pending tasks, expected ${n}`);
}

function timeslice(classes, n) {
  const scheduler = new Scheduler();
  const before = memorySnapshot();
  for (let i = 0; i < n; i++) scheduler.run(countRun, TIMESLICE_OPTIONS[classes[i]]);
  const sample = perTask(before, memorySnapshot(), n);
  // Never started: the tasks go with the scheduler.
  expectPending('timeslice', scheduler.stats().ready, n);
  return sample;
}

async function reactScheduler(classes, n) {
  const react = freshReactScheduler();
  const schedule = react.unstable_scheduleCallback;
  ran = 0;
  const before = memorySnapshot();
  for (let i = 0; i < n; i++) schedule(REACT_LEVELS[classes[i]], countRun);
  const sample = perTask(before, memorySnapshot(), n);
  if (ran !== 0) throw new Error('dispatch memory: react-scheduler ran tasks during the measurement');
  await new Promise((resolve) => schedule(react.unstable_IdlePriority, resolve));
  expectPending('react-scheduler', ran, n);
  return sample;
}

function fastqueue(_classes, n) {
  const queue = fastq(fastqWorker, 1);
  queue.pause();
  const before = memorySnapshot();
  for (let i = 0; i < n; i++) queue.push(countRun);
  const sample = perTask(before, memorySnapshot(), n);
  expectPending('fastq', queue.length(), n);
  queue.kill();
  return sample;
}

function pQueue(classes, n) {
  const queue = new PQueue({ concurrency: Number.POSITIVE_INFINITY, autoStart: false });
  const before = memorySnapshot();
  for (let i = 0; i < n; i++) queue.add(countRun, PQUEUE_OPTIONS[classes[i]]);
  const sample = perTask(before, memorySnapshot(), n);
  expectPending('p-queue', queue.size, n);
  queue.clear();
  return sample;
}

export const MEMORY_IMPLS = [
  { name: 'timeslice', run: timeslice },
  { name: 'react-scheduler', run: reactScheduler },
  { name: 'fastq', run: fastqueue },
  // Registering 1e6 takes minutes (sorted-array insertion), as in the throughput case.
  { name: 'p-queue', run: pQueue, maxN: 1e5 },
];

const UNITS = { bytesPerTask: 'bytes/task', heapBytesPerTask: 'bytes/task', externalBytesPerTask: 'bytes/task' };

export async function memoryCase(plan, ctx) {
  const rows = [];
  for (const n of plan.memorySizes) {
    const impls = MEMORY_IMPLS.filter((impl) => impl.maxN === undefined || n <= impl.maxN);
    ctx.log(`memory n=${n}: ${impls.length} implementations x ${plan.memoryReps} reps`);
    const classes = prioritySequence(plan.seed + n, n);
    const samples = await interleaveAsync(impls, plan.memoryReps, (impl) => impl.run(classes, n));
    rows.push(...toRows('memory', n, samples, UNITS));
  }
  return rows;
}
