// The dispatch suite: timeslice's Scheduler (built package, default options,
// real clock) against React's scheduler, fastq, p-queue and a bare
// queueMicrotask floor, on what a scheduler does all day: dispatch many small
// tasks by priority, hold pending tasks, and fire timers on time. Parts live
// in ./dispatch/; bench/README.md ("The dispatch suite") explains each case
// and how the priorities map onto every implementation.
//
// Cases:
//   throughput      n no-op tasks, random classes, scheduled then run to completion (tasks/s)
//   memory          bytes per pending task (heapUsed + external growth)
//   lateness-idle   1e4 timers over 2 s: start time - intended time, p50/p99/max (ms)
//   lateness-busy   the same while a setImmediate chain burns 5 ms per event-loop turn
import { markInternals } from '../lib/rows.mjs';
import { deriveDispatchFigures } from './dispatch/derive.mjs';
import { dispatchHeadline } from './dispatch/headline.mjs';
import { latenessCase } from './dispatch/lateness.mjs';
import { memoryCase } from './dispatch/memory.mjs';
import { throughputCase } from './dispatch/throughput.mjs';

// Seven repetitions, five at 1e6 (where p-queue sits out, see throughput.mjs),
// three for memory (it barely varies), five for lateness: the full suite
// takes about two minutes on a 2-core machine.
const FULL = {
  sizes: [1e5, 1e6],
  throughputRepsFor: (n) => (n >= 1e6 ? 5 : 7),
  memorySizes: [1e5, 1e6],
  memoryReps: 3,
  lateness: { tasks: 1e4, windowMs: 2000, leadMs: 250, busyMs: 5, reps: 5, requireLead: true },
  seed: 0xd15,
};

const QUICK = {
  ...FULL,
  sizes: [1e4],
  throughputRepsFor: () => 2,
  memorySizes: [1e4],
  memoryReps: 1,
  lateness: { tasks: 1e3, windowMs: 300, leadMs: 50, busyMs: 5, reps: 1, requireLead: false },
};

export default {
  name: 'dispatch',
  description: 'Scheduler dispatch vs React scheduler, fastq, p-queue and queueMicrotask: throughput, bytes per pending task, timer lateness',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    ctx.info.sizes = plan.sizes;
    ctx.info.memorySizes = plan.memorySizes;
    ctx.info.lateness = plan.lateness;
    ctx.info.seed = plan.seed;
    const rows = [...(await throughputCase(plan, ctx)), ...(await memoryCase(plan, ctx)), ...(await latenessCase(plan, ctx))];
    // timeslice-core drives the wasm core's raw exports: what the engine and facade cost, not the product's speed.
    return markInternals(rows, ['timeslice-core']);
  },
  derive: deriveDispatchFigures,
  headline: dispatchHeadline,
};
