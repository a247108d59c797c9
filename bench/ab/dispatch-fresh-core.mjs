// What a burst costs when it lands in a fresh core (a new Scheduler, or one
// whose core was just renewed: src/engine/core-renewal.ts) against one that
// lands in a core grown by the bursts before: n tasks through run(), a
// closure and options per task, alternating fresh and grown, gc() before
// each. Per burst: process CPU ms, the part spent registering, and the
// collections that started inside it (M major: their ms, s scavenges).
//
// What it found (2026-12-07, n 1e6, 6 bursts each, load 14-19): fresh
// 906-1041 ms of CPU (registration 705-819, 3-4 major collections), grown
// 651-703 (registration 391-449, 1 major collection). With
// --trace-incremental-marking the two extra ones start for "external memory
// pressure": the wasm memory growing by ~70 MB inside the burst, while a
// million closures are alive to be marked. The core's own growth is a small
// part: 1e6 raw register + pop/complete into a fresh instance cost +70 ms of
// CPU over a grown one (+54 with the doubling growth of 443f341's parent).
// In the dispatch suite at 1e6 the repetitions that follow a renewal pay
// this (2 or 3 of 5 under load).
//
//   node --expose-gc bench/ab/dispatch-fresh-core.mjs [n=1e6] [bursts=7]
import '../../scripts/current-dist.mjs';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { Scheduler } from '../../dist/index.js';

const n = Number(process.argv[2] ?? 1e6);
const bursts = Number(process.argv[3] ?? 7);
const PRIORITIES = ['critical', 'high', 'normal', 'low', 'background'];
const classes = Array.from({ length: n }, (_, i) => PRIORITIES[((i * 2654435761) >>> 0) % 5]);
const gcs = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ at: e.startTime, ms: e.duration, kind: e.detail.kind });
}).observe({ entryTypes: ['gc'] });
const cpuMs = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const sum = (list) => list.reduce((total, g) => total + g.ms, 0).toFixed(0);
let sink = 0;
const grown = new Scheduler().start();
const results = { fresh: [], grown: [] };
// Burst 0 of each warms up (and grows `grown`).
for (let burst = 0; burst < bursts; burst++) {
  for (const mode of burst % 2 === 1 ? ['fresh', 'grown'] : ['grown', 'fresh']) {
    const scheduler = mode === 'fresh' ? new Scheduler().start() : grown;
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
    const t0 = performance.now();
    const c0 = cpuMs();
    for (let i = 0; i < n; i++) scheduler.run(() => { sink += i; }, { priority: classes[i] });
    const c1 = cpuMs();
    await scheduler.onIdle();
    const c2 = cpuMs();
    const t2 = performance.now();
    await new Promise((resolve) => setImmediate(resolve));
    const inside = gcs.filter((g) => g.at >= t0 && g.at < t2);
    const majors = inside.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    const minors = inside.filter((g) => g.kind === constants.NODE_PERFORMANCE_GC_MINOR);
    if (burst > 0) results[mode].push(`${(c2 - c0).toFixed(0)} (reg ${(c1 - c0).toFixed(0)}, M${majors.length}:${sum(majors)} s${minors.length}:${sum(minors)})`);
    if (mode === 'fresh') await scheduler.stop();
  }
}
for (const [mode, lines] of Object.entries(results)) console.log(`${mode}: ${lines.join(' | ')}`);
console.log(sink > 0 ? '' : 'no task ran');
await grown.stop();
