// Bytes per pending task: n tasks registered and none run, measured as the
// growth of process.memoryUsage() heapUsed + external between two snapshots
// taken after full GCs (measure.mjs memorySnapshot), divided by n. Each task
// is its own closure (`() => mark(i)`) with an options object, made between
// the snapshots as in the throughput case: the closure a scheduler keeps is
// part of what a pending task costs, the same for every implementation
// (about 90 bytes of it here: a function and its context).
//
// Why those two fields: a timeslice Scheduler keeps each task in JS arrays
// and in a row of its wasm core, whose linear memory V8 reports in
// `external` (not in `arrayBuffers`, and not in heapUsed). `arrayBuffers` is
// part of `external` already, so adding it would count typed arrays twice.
// Every implementation is charged the same two fields; JS-only peers show ~0
// external growth. What registration returns (handles, promises) is dropped
// at once, so only what the scheduler keeps is counted.
//
// Every sample starts from a fresh instance, so array and arena growth is
// counted alike. React's scheduler is one module-wide queue whose array keeps
// its capacity once grown, so each sample loads a fresh copy of the module;
// its loop is armed by the first call (a setImmediate), and the n
// registrations and both snapshots happen in one synchronous block (gc() is
// synchronous), so none of its tasks runs before the second snapshot. The
// floor-scheduler is armed the same way. Afterwards every implementation runs
// its tasks out and the marks are checked.
import '../../../scripts/current-dist.mjs';
import { createRequire } from 'node:module';
import fastq from 'fastq';
import PQueue from 'p-queue';
import { Scheduler } from '../../../dist/index.js';
import { FloorScheduler } from '../../lib/floor-scheduler.mjs';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { memorySnapshot } from '../../lib/measure.mjs';
import { toRows } from '../../lib/rows.mjs';
import { REACT_LEVELS, TIMESLICE_PRIORITIES } from './throughput-impls.mjs';
import { marksFor, prioritySequence } from './workload.mjs';

const require = createRequire(import.meta.url);
const REACT_PATH = require.resolve('scheduler/cjs/scheduler.production.js');

/** A new copy of React's scheduler module, with its own empty queues. */
function freshReactScheduler() {
  delete require.cache[REACT_PATH];
  return require(REACT_PATH);
}

const resolved = Promise.resolve();
const fastqWorker = (task, done) => {
  task.run();
  resolved.then(done);
};

function perTask(before, after, n) {
  const heap = after.heapUsed - before.heapUsed;
  const external = after.external - before.external;
  return { bytesPerTask: (heap + external) / n, heapBytesPerTask: heap / n, externalBytesPerTask: external / n };
}

// Each implementation: make(), then register(instance, classes, n, mark)
// between the snapshots, then drain(instance) runs the tasks out.
export const MEMORY_IMPLS = [
  {
    name: 'timeslice',
    make: () => new Scheduler(),
    register(scheduler, classes, n, mark) {
      for (let i = 0; i < n; i++) scheduler.run(() => mark(i), { priority: TIMESLICE_PRIORITIES[classes[i]] });
    },
    async drain(scheduler) {
      scheduler.start();
      await scheduler.onIdle();
      await scheduler.stop();
    },
  },
  {
    name: 'floor-scheduler',
    make: () => new FloorScheduler(),
    register(floor, classes, n, mark) {
      for (let i = 0; i < n; i++) floor.run(() => mark(i), { priority: classes[i] });
    },
    drain() {},
  },
  {
    name: 'react-scheduler',
    make: freshReactScheduler,
    register(react, classes, n, mark) {
      const schedule = react.unstable_scheduleCallback;
      for (let i = 0; i < n; i++) schedule(REACT_LEVELS[classes[i]], () => mark(i), { delay: 0 });
    },
    drain() {},
  },
  {
    name: 'fastq',
    make() {
      const queue = fastq(fastqWorker, 1);
      queue.pause();
      return queue;
    },
    register(queue, classes, n, mark) {
      for (let i = 0; i < n; i++) queue.push({ run: () => mark(i), priority: classes[i] });
    },
    drain(queue) {
      queue.resume();
    },
  },
  {
    name: 'p-queue',
    make: () => new PQueue({ concurrency: Number.POSITIVE_INFINITY, autoStart: false }),
    register(queue, classes, n, mark) {
      for (let i = 0; i < n; i++) queue.add(() => mark(i), { priority: 4 - classes[i] });
    },
    drain(queue) {
      queue.start();
    },
    // Registering 1e6 takes minutes (sorted-array insertion), as in the throughput case.
    maxN: 1e5,
  },
];

async function memoryRun(impl, marks, classes, n) {
  const done = marks.arm();
  const instance = impl.make();
  const before = memorySnapshot();
  impl.register(instance, classes, n, marks.mark);
  const sample = perTask(before, memorySnapshot(), n);
  if (marks.count !== 0) throw new Error(`dispatch memory: ${impl.name} ran tasks during the measurement`);
  await impl.drain(instance);
  await done;
  marks.verify(impl.name);
  return sample;
}

const UNITS = { bytesPerTask: 'bytes/task', heapBytesPerTask: 'bytes/task', externalBytesPerTask: 'bytes/task' };

export async function memoryCase(plan, ctx) {
  const rows = [];
  for (const n of plan.memorySizes) {
    const impls = MEMORY_IMPLS.filter((impl) => impl.maxN === undefined || n <= impl.maxN);
    ctx.log(`memory n=${n}: ${impls.length} implementations x ${plan.memoryReps} reps`);
    const classes = prioritySequence(plan.seed + n, n);
    const marks = marksFor(n);
    const samples = await interleaveAsync(impls, plan.memoryReps, (impl) => memoryRun(impl, marks, classes, n));
    rows.push(...toRows('memory', n, samples, UNITS));
  }
  return rows;
}
