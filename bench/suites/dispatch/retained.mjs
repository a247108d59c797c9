// Memory a scheduler keeps after a burst: n tasks scheduled at once, run to
// completion, then the process left alone for settleMs. Reported: the growth
// of heapUsed + external from a snapshot taken with the fresh scheduler made
// (before the burst) to one taken settleMs after the last task ran
// (`retainedMB`), and to one taken right after it ran (`drainedMB`). Full GCs
// before each snapshot (measure.mjs), so only what is still reachable counts:
// the tasks' closures are garbage by then.
//
// Why it matters: a wasm memory never shrinks, so a core that held a million
// tasks once would keep their rows for the life of the process. timeslice
// gives the memory back by replacing the core of a scheduler that has been
// empty and idle for a while (src/engine/core-renewal.ts).
// React's scheduler, for reference, is one module-wide queue: a fresh copy of
// the module per sample, as in the memory case.
import '../../../scripts/current-dist.mjs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRequire } from 'node:module';
import { Scheduler } from '../../../dist/index.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { memorySnapshot } from '../../lib/measure.mjs';
import { toRows } from '../../lib/rows.mjs';
import { REACT_LEVELS, TIMESLICE_PRIORITIES } from './throughput-impls.mjs';
import { marksFor, prioritySequence } from './workload.mjs';

const require = createRequire(import.meta.url);
const REACT_PATH = require.resolve('scheduler/cjs/scheduler.production.js');

const IMPLS = [
  {
    name: 'timeslice',
    make: () => new Scheduler().start(),
    burst(scheduler, classes, n, mark) {
      for (let i = 0; i < n; i++) scheduler.run(() => mark(i), { priority: TIMESLICE_PRIORITIES[classes[i]] });
    },
    finish: (scheduler) => scheduler.stop(),
  },
  {
    name: 'react-scheduler',
    make() {
      delete require.cache[REACT_PATH];
      return require(REACT_PATH);
    },
    burst(react, classes, n, mark) {
      const schedule = react.unstable_scheduleCallback;
      for (let i = 0; i < n; i++) schedule(REACT_LEVELS[classes[i]], () => mark(i), { delay: 0 });
    },
    finish() {},
  },
];

const MB = 2 ** 20;
const grownMB = (before, after) => (after.heapUsed + after.external - before.heapUsed - before.external) / MB;

async function retainedRun(impl, marks, classes, n, settleMs) {
  const instance = impl.make();
  const before = memorySnapshot();
  const done = marks.arm();
  impl.burst(instance, classes, n, marks.mark);
  await done;
  marks.verify(impl.name);
  const drained = memorySnapshot();
  await sleep(settleMs);
  const settled = memorySnapshot();
  await impl.finish(instance);
  return { retainedMB: grownMB(before, settled), drainedMB: grownMB(before, drained) };
}

const UNITS = { retainedMB: 'MB', drainedMB: 'MB' };

export async function retainedCase(plan, ctx) {
  const { tasks: n, settleMs, reps } = plan.retained;
  ctx.log(`retained n=${n}: ${IMPLS.length} implementations x ${reps} reps, ${settleMs} ms idle after each burst`);
  const classes = prioritySequence(plan.seed + 11, n);
  const marks = marksFor(n);
  const samples = await interleaveAsync(IMPLS, reps, (impl) => retainedRun(impl, marks, classes, n, settleMs));
  return toRows('retained', n, samples, UNITS);
}
