// The dispatch suite's throughput case at one size, for the implementations
// named (default: timeslice, floor-scheduler, react-scheduler, fastq), in one
// process, interleaved and rotated as the suite does (the same impls,
// closures and options made per task in the timed region, the same
// verification), plus `array-bound`: the closures and options made as every
// row makes them, the closures kept in one array and called in order in one
// macrotask, no priorities, no yielding: what allocating, holding and
// collecting n pending closures costs, a bound no scheduler can beat. Prints each one's wall and CPU tasks/s, median (min-max),
// and every ratio against the peers, rep by rep paired as well as of the
// medians: the question it answers is what ratio the floor itself reaches
// against fastq and React at 1e6, in the same run as timeslice.
//
// What it found at 1e6 (2026-12-07, 7 reps, load 13-17): array-bound ran
// 2.49x fastq's CPU rate (paired 2.29-2.84) and the floor-scheduler 1.38x
// (1.12-1.61): holding and collecting a million pending closures is most of
// every row's CPU (the garbage collector was 53% of timeslice's profile and
// more of the floor's), so no scheduler reaches 3x fastq by CPU here.
// At 1e5 (2026-12-07, 15 reps, load 16-17) the bound is far off: array-bound
// ran 6.34x fastq's CPU rate (paired 2.58-8.46) and 7.49x its wall rate
// (2.95-8.48), the floor-scheduler 1.75x / 2.51x, timeslice 1.88x / 1.90x:
// 3x fastq at 1e5 is not ruled out by allocation; what timeslice spends
// beyond the floor is instructions (bench/ab/dispatch-count.mjs).
//
//   node --expose-gc bench/ab/dispatch-1e6.mjs [n=1e6] [reps=7] [impl,impl,...]
import os from 'node:os';
import { interleaveAsync } from '../lib/interleave-async.mjs';
import { summarize } from '../lib/stats.mjs';
import { THROUGHPUT_IMPLS } from '../suites/dispatch/throughput-impls.mjs';
import { runOnce, warmUp } from '../suites/dispatch/throughput.mjs';
import { marksFor, prioritySequence } from '../suites/dispatch/workload.mjs';

const [nArg = '1e6', repsArg = '7', namesArg = 'timeslice,floor-scheduler,react-scheduler,fastq,array-bound'] = process.argv.slice(2);
const n = Number(nArg);
const reps = Number(repsArg);
const names = namesArg.split(',');
const held = [];
function arrayBound(classes, n, mark) {
  for (let i = 0; i < n; i++) {
    const options = { priority: classes[i] };
    held.push(options.priority >= 0 ? () => mark(i) : undefined);
  }
  return {
    start() {
      setImmediate(() => {
        for (let i = 0; i < held.length; i++) held[i]();
        held.length = 0;
      });
    },
    finish() {},
  };
}
const ALL = [...THROUGHPUT_IMPLS, { name: 'array-bound', schedule: arrayBound }];
const impls = names.map((name) => {
  const impl = ALL.find((i) => i.name === name);
  if (impl === undefined) throw new Error(`no implementation '${name}'`);
  return impl;
});
const seed = 0xd15;
console.log(`node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}; n=${n}, ${reps} reps`);
await warmUp(impls, seed);
const classes = prioritySequence(seed + n, n);
const marks = marksFor(n);
const samples = await interleaveAsync(impls, reps, (impl, _rep, stopwatch) => runOnce(impl, marks, classes, n, stopwatch), { rotate: true });
const rate = (ms) => n / (ms / 1000);
const fmt = (s) => `${(s.median / 1e6).toFixed(2)}M (${(s.min / 1e6).toFixed(2)}-${(s.max / 1e6).toFixed(2)})`;
for (const impl of impls) {
  const s = samples.get(impl.name);
  console.log(`${impl.name.padEnd(16)} wall ${fmt(summarize(s.wallMs.map(rate)))} tasks/s   cpu ${fmt(summarize(s.cpuMs.map(rate)))} tasks/cpu-s`);
}
for (const a of impls) {
  for (const b of impls) {
    if (a === b || !['timeslice', 'floor-scheduler', 'array-bound'].includes(a.name) || b.name === 'timeslice' || b.name === 'array-bound') continue;
    const A = samples.get(a.name);
    const B = samples.get(b.name);
    const ratio = (key) => {
      const med = summarize(B[key]).median / summarize(A[key]).median;
      const paired = summarize(A[key].map((ms, i) => B[key][i] / ms));
      return `${med.toFixed(2)}x (paired ${paired.min.toFixed(2)}-${paired.max.toFixed(2)})`;
    };
    console.log(`${a.name} / ${b.name}: wall ${ratio('wallMs')}, cpu ${ratio('cpuMs')}`);
  }
}
console.log(`load at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
process.exit(0);
