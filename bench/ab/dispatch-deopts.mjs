// The dispatch suite's throughput case in small, for `node --trace-deopt`:
// the same implementations (throughput-impls.mjs), warm-up, settle() before
// every repetition and rotation as the suite, at one size. Prints, per
// repetition, which implementation runs (a line to stdout, inside the timed
// region: microseconds), so a trace's deopts can be placed between the
// lines; run it under `stdbuf -o0`, or V8's trace is buffered apart from
// them. With QUIET=1 it prints only a JSON line of each implementation's
// median CPU and wall ms, for A/B runs in fresh processes.
//
//   stdbuf -o0 node --expose-gc --trace-deopt bench/ab/dispatch-deopts.mjs [n=1e5] [reps=6] [impl,...|all]
//
// What it showed (2026-12-07, 1e5, six implementations): the floor-scheduler's
// loop was thrown away in most repetitions ('weak objects', then 'code
// dependencies' as the maps were made again): its run() inlines setImmediate(),
// whose Immediate maps died at each settle() when no Immediate was alive.
// React's scheduleCallback, fastq's Task and Node's queueMicrotask (p-queue)
// did the same with theirs. throughput-impls.mjs keeps one of each alive.
// Left: React's and p-queue's allocation sites, tenured during their own
// runs and reset after p-queue's (a full collection in which under 10% of the
// old generation survived: --trace-pretenuring), so at 1e5 both recompile
// after each p-queue repetition; fastq's queue loop, 'weak objects' in 2 of 4
// later repetitions.
import { interleaveAsync } from '../lib/interleave-async.mjs';
import { runOnce, warmUp } from '../suites/dispatch/throughput.mjs';
import { THROUGHPUT_IMPLS } from '../suites/dispatch/throughput-impls.mjs';
import { marksFor, prioritySequence } from '../suites/dispatch/workload.mjs';

const [nArg = '1e5', repsArg = '6', namesArg] = process.argv.slice(2);
const n = Number(nArg);
const reps = Number(repsArg);
const names = namesArg === undefined || namesArg === 'all' ? undefined : namesArg.split(',');
const quiet = process.env.QUIET === '1';
const impls = THROUGHPUT_IMPLS.filter((impl) => (names ? names.includes(impl.name) : impl.maxN === undefined || n <= impl.maxN));
const seed = 0xd15;
await warmUp(impls, seed);
const classes = prioritySequence(seed + n, n);
const marks = marksFor(n);
const samples = await interleaveAsync(
  impls,
  reps,
  (impl, rep, stopwatch) => {
    if (!quiet) console.log(`=== rep ${rep} ${impl.name}`);
    return runOnce(impl, marks, classes, n, stopwatch);
  },
  { rotate: true },
);
const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
if (quiet) {
  const medians = Object.fromEntries([...samples].map(([name, m]) => [name, { cpuMs: median(m.cpuMs), wallMs: median(m.wallMs) }]));
  console.log(JSON.stringify(medians));
} else for (const [name, metrics] of samples) {
  console.log(`${name}: median ${median(metrics.cpuMs).toFixed(1)} ms CPU, ${median(metrics.wallMs).toFixed(1)} ms wall (${metrics.cpuMs.map((v) => v.toFixed(1)).join(' ')})`);
}
