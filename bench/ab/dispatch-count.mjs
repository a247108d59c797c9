// The dispatch workload for an instruction count: `reps` bursts of n tasks of
// five random classes through one implementation, a closure and an options
// object made per task, each burst run to completion, in a process of its
// own. Meant to run under callgrind, where the count does not depend on the
// machine's load (two helpers' benchmarks share it): run it at two
// repetition counts and take the difference, which leaves out start-up and
// compilation, e.g.
//
//   for r in 2 6; do valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$r \
//     node --single-threaded --expose-gc bench/ab/dispatch-count.mjs dist/index.js $r; done
//   (Ir(6) - Ir(2)) / 4 = one burst's instructions; `floor` for the floor-scheduler.
//
// What it showed (2026-12-07, 1e5): with V8's default 16 MB semi-space a
// burst of the floor-scheduler (136 bytes a task: the caller's closure and
// options) fits and takes no scavenge once new space has grown (~7 ms of
// CPU); timeslice's (168: its TaskContext per run adds 32) does not, and
// takes one. A trial not kept: one TaskContext shared by the runs of
// functions that declare no parameter (fn.length === 0) until one uses it
// took the scavenge away, but fn.length is a call to an API getter in
// optimized code (~90 instructions a task: 6 repetitions 3609M -> 3652M Ir
// at 64 MB semi-spaces) and a context's identity would no longer be per run
// for code that reaches it through `arguments` or a rest parameter.
//
// SLICE_MS=1000 (the default here) lets each burst run in one turn, in both:
// under callgrind the code runs ~50x slower, so a 5 ms slice would yield to
// the host ~50x as often as it does at full speed.
// LISTENER=taskfail adds one listener of that event to timeslice's
// Scheduler (no task fails): what its presence costs, in instructions.
// --single-threaded keeps the collector's work on the main thread, where
// callgrind counts it. Prints each burst's CPU ms (meaningless under
// callgrind, a sanity check outside it), its schedule + run wall ms, and the
// scavenges it saw.
import path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FloorScheduler } from '../lib/floor-scheduler.mjs';
import { prioritySequence } from '../suites/dispatch/workload.mjs';

const [implArg = 'dist/index.js', repsArg = '3', nArg = '1e5'] = process.argv.slice(2);
const reps = Number(repsArg);
const n = Number(nArg);
const PRIORITIES = ['critical', 'high', 'normal', 'low', 'background'];
const classes = prioritySequence(0xc0, n);
const sliceMs = Number(process.env.SLICE_MS ?? 1000);
let count = 0;
let finish = () => {};
const mark = (i) => {
  count += i >= 0 ? 1 : 0;
  if (count === n) finish();
};
let burst;
if (implArg === 'floor') {
  const floor = new FloorScheduler({ sliceMs });
  burst = () => {
    for (let i = 0; i < n; i++) floor.run(() => mark(i), { priority: classes[i] });
  };
} else {
  const mod = await import(pathToFileURL(path.resolve(implArg)).href);
  // A bundle (bench/ab/bundle.mjs) loads its core asynchronously: load() first.
  await mod.load?.();
  const { Scheduler } = mod;
  const scheduler = new Scheduler({ sliceMs }).start();
  // LISTENER=taskfail: one listener of that event, as bench/ab/listener-cost.mjs (no task fails).
  if (process.env.LISTENER) scheduler.events.addEventListener(process.env.LISTENER, () => {});
  burst = () => {
    for (let i = 0; i < n; i++) scheduler.run(() => mark(i), { priority: PRIORITIES[classes[i]] });
  };
}
let scavenges = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges++;
}).observe({ entryTypes: ['gc'] });
const out = [];
for (let r = 0; r < reps; r++) {
  globalThis.gc?.();
  await new Promise((resolve) => setTimeout(resolve, 20));
  count = 0;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  scavenges = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  burst();
  const t1 = performance.now();
  await done;
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  // The observer reports on a later turn.
  await new Promise((resolve) => setTimeout(resolve, 5));
  out.push(`${((cpu.user + cpu.system) / 1000).toFixed(1)}ms(${(t1 - t0).toFixed(1)}+${(t2 - t1).toFixed(1)})/s${scavenges}`);
}
console.log(`${implArg} n=${n}: ${out.join(' ')}`);
process.exit(0);
