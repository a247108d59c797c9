// The dispatch suite: timeslice's Scheduler (built package, default options,
// real clock, through the public API) against React's scheduler, fastq,
// p-queue and the floor-scheduler (bench/lib/floor-scheduler.mjs: the least
// JavaScript that is a priority scheduler), on what a scheduler does all
// day: dispatch many small tasks by priority, hold pending tasks, run useful
// work. Every implementation makes a closure and an options object per task
// inside the timed region. How late timers fire is the timers suite's
// (timers/delayed.mjs: quiet, behind busy event-loop turns, loaded). Parts
// live in ./dispatch/; bench/README.md ("The dispatch suite") explains each case and
// how the priorities map onto every implementation.
//
// Cases:
//   throughput      n no-op tasks, random classes, scheduled then run to completion (tasks/s, wall and CPU)
//   listener        the same on timeslice with one taskfail listener attached and without, each sample a fresh process
//   work-20us       n tasks of ~20 us of CPU each (tasks/s)
//   memory          bytes per pending task, a closure per task (heapUsed + external growth)
//   retained        memory kept after a burst of n tasks drained and the process idled
import { markInternals } from '../lib/rows.mjs';
import { deriveDispatchFigures } from './dispatch/derive.mjs';
import { dispatchHeadline } from './dispatch/headline.mjs';
import { listenerCase } from './dispatch/listener.mjs';
import { memoryCase } from './dispatch/memory.mjs';
import { retainedCase } from './dispatch/retained.mjs';
import { throughputCase } from './dispatch/throughput.mjs';
import { workTasksCase } from './dispatch/work-tasks.mjs';

// Repetitions, the order of implementations rotated each time (see
// lib/interleave-async.mjs): twelve at 1e5 (each of six implementations
// first twice), five at 1e6 (where p-queue sits out, see
// throughput-impls.mjs); for the listener's few percent, fifteen pairs of
// fresh processes of three rounds each (dispatch/listener.mjs); eight for the
// work case; three for memory (it barely varies). About ten minutes on a
// loaded 2-core machine.
const FULL = {
  sizes: [1e5, 1e6],
  throughputRepsFor: (n) => (n >= 1e6 ? 5 : 12),
  listenerSizes: [1e5],
  listenerPairs: 15,
  listenerRounds: 3,
  work: { tasks: 2e4, workUs: 20, reps: 8 },
  memorySizes: [1e5, 1e6],
  memoryReps: 3,
  retained: { tasks: 1e6, settleMs: 2000, reps: 3 },
  seed: 0xd15,
};

const CASES = {
  throughput: throughputCase,
  listener: listenerCase,
  work: workTasksCase,
  memory: memoryCase,
  retained: retainedCase,
};

/** DISPATCH_CASES=throughput,listener runs those cases only (a partial run: say so when quoting it). */
function chosenCases() {
  const names = process.env.DISPATCH_CASES?.split(',').filter(Boolean) ?? Object.keys(CASES);
  for (const name of names) if (!(name in CASES)) throw new Error(`DISPATCH_CASES: no case '${name}' (known: ${Object.keys(CASES).join(', ')})`);
  return names;
}

const QUICK = {
  ...FULL,
  sizes: [1e4],
  throughputRepsFor: () => 2,
  listenerSizes: [1e4],
  listenerPairs: 1,
  listenerRounds: 1,
  work: { tasks: 2e3, workUs: 20, reps: 1 },
  memorySizes: [1e4],
  memoryReps: 1,
  retained: { tasks: 1e4, settleMs: 50, reps: 1 },
};

export default {
  name: 'dispatch',
  description:
    'Scheduler dispatch vs React scheduler, fastq, p-queue and a floor scheduler, closures and options made per task: throughput (wall and CPU), a listener, ~20 us tasks, bytes per pending task, memory kept after a burst',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    Object.assign(ctx.info, {
      sizes: plan.sizes,
      listenerSizes: plan.listenerSizes,
      memorySizes: plan.memorySizes,
      retained: plan.retained,
      seed: plan.seed,
    });
    // The cases on the one long-lived Scheduler first (CASES' order); memory and retained make fresh ones.
    const rows = [];
    ctx.info.cases = chosenCases();
    for (const name of ctx.info.cases) rows.push(...(await CASES[name](plan, ctx)));
    // timeslice-core drives the wasm core's raw exports: what the engine and facade cost, not the product's speed.
    return markInternals(rows, ['timeslice-core']);
  },
  derive: deriveDispatchFigures,
  headline: dispatchHeadline,
};
