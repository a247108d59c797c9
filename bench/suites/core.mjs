// The core suite: the wasm core against JS heaps, a native C heap and Node's
// timers, at n = 1e3 .. 1e6. Parts live in ./core/; bench/README.md explains
// what each case measures and how it maps onto every implementation.
import { compileHeap4 } from './core/c-reference.mjs';
import { crossingCase } from './core/crossing.mjs';
import { deriveCoreFigures } from './core/derive.mjs';
import { heapHoldCase, heapPushPopAllCase } from './core/heap-cases.mjs';
import { timersCase } from './core/timers.mjs';
import { markInternals } from '../lib/rows.mjs';

/** Every timeslice row here calls the core's raw exports or its typed Core class: internals, not the Scheduler a user calls. */
const INTERNALS = ['timeslice-core', 'timeslice-task-cycle', 'timeslice-validated', 'timeslice-batch'];

// Seven repetitions, five at 1e6 where one repetition of every
// implementation takes seconds: the full suite stays within a few minutes on
// a 2-core machine.
const FULL = {
  sizes: [1e3, 1e4, 1e5, 1e6],
  repsFor: (n) => (n >= 1e6 ? 5 : 7),
  minOps: 1e5,
  memoryMinSize: 1e5,
  memoryReps: 3,
  crossingCalls: 1e7,
  seed: 0x5eed,
};

const QUICK = { ...FULL, sizes: [1e3, 1e4], repsFor: () => 2, minOps: 1e4, memoryMinSize: 1e4, memoryReps: 2, crossingCalls: 1e6 };

export default {
  name: 'core',
  description: 'wasm core vs JS heaps (flatqueue, tinyqueue, heap-js, a JS 4-ary heap), a C 4-ary heap, and setTimeout',
  async run(ctx) {
    const plan = ctx.quick ? QUICK : FULL;
    ctx.info.sizes = plan.sizes;
    ctx.info.seed = plan.seed;
    const runC = compileHeap4(ctx);
    const rows = [...crossingCase(plan, ctx), ...heapHoldCase(plan, ctx, runC), ...heapPushPopAllCase(plan, ctx, runC), ...timersCase(plan, ctx)];
    return markInternals(rows, INTERNALS);
  },
  derive: deriveCoreFigures,
};
