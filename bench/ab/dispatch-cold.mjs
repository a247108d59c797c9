// One build's dispatch cost in a process of its own, through the public API:
// 1e5 tasks of five classes, a closure and an options object made per task in
// the timed region, after a renewal-length idle (1.3 s) as the suite's
// interleaving gives. Prints the median wall and CPU ms of 6 repetitions,
// and (steady*) the median of repetitions 2-5 alone with every repetition's
// CPU ms. Why both: repetitions 0 and 1 are always the slowest (compilation,
// then a burst into a renewed core), so the median of 6 is the slowest of
// the four steady ones: one repetition that gets a second young-generation
// collection (~+25-45 ms of CPU, bench/ab/dispatch-modes.mjs) makes the
// whole process read as slow. That is the "second mode" of 39-40 against
// 65-84 ms between processes.
// Alternate two builds' dist/ in separate processes to compare them, e.g.
// with `git bisect run`: this found the tracer branch that made run() too
// large for V8 to inline (994b79e; fixed in f7fc007 and 8a8c384).
//
//   node --expose-gc bench/ab/dispatch-cold.mjs /path/to/build/dist/index.js
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { requireCurrentBuildOf } from '../../scripts/build-inputs.mjs';

const modulePath = path.resolve(process.argv[2] ?? 'dist/index.js');
requireCurrentBuildOf(modulePath);
const { Scheduler } = await import(pathToFileURL(modulePath).href);
const n = 1e5;
const reps = 6;
const PRIORITIES = ['critical', 'high', 'normal', 'low', 'background'];
const classes = Array.from({ length: n }, (_, i) => PRIORITIES[((i * 2654435761) >>> 0) % 5]);
const scheduler = new Scheduler().start();
let sink = 0;
const samples = [];
for (let r = 0; r < reps; r++) {
  await new Promise((resolve) => setTimeout(resolve, 1300));
  globalThis.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) scheduler.run(() => { sink += i; }, { priority: classes[i] });
  await scheduler.onIdle();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  samples.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 });
}
const median = (values) => values.sort((a, b) => a - b)[values.length >> 1];
const steady = samples.slice(2);
console.log(
  JSON.stringify({
    wallMs: median(samples.map((s) => s.wallMs)).toFixed(1),
    cpuMs: median(samples.map((s) => s.cpuMs)).toFixed(1),
    steadyWallMs: median(steady.map((s) => s.wallMs)).toFixed(1),
    steadyCpuMs: median(steady.map((s) => s.cpuMs)).toFixed(1),
    everyCpuMs: samples.map((s) => s.cpuMs.toFixed(1)).join(' '),
    sink: sink > 0,
  }),
);
await scheduler.stop();
