// Two builds of timeslice (bundle.mjs) and the floor-scheduler on the dispatch
// workload, interleaved in one process: n tasks of five random classes, a
// closure and an options object made per task inside the timed region, then
// run to completion. Per task, medians over the repetitions: wall and process
// CPU, split into the schedule and the run phase, and the garbage
// collections that started during the run phase. Each build keeps one
// started Scheduler for the whole run. SHARED_FN=1 gives every task one
// shared function instead of a closure each: what is left is the
// scheduler's own cost per task. IDLE_MS=1300 idles that long before every
// run, as the suite's other implementations make timeslice's scheduler wait
// between two of its runs (long enough for a core renewal, see
// src/engine/core-renewal.ts). A revision ending in .mjs is a bundle already
// made (bundle.mjs), e.g. a working tree with one change, copied aside.
//
//   node --expose-gc bench/ab/dispatch-ab.mjs main worktree [n] [reps]
//   SHARED_FN=1 node --expose-gc bench/ab/dispatch-ab.mjs HEAD~1 worktree 1e5 31
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { FloorScheduler } from '../lib/floor-scheduler.mjs';
import { settle } from '../lib/measure.mjs';
import { percentile, summarize } from '../lib/stats.mjs';
import { bundle } from './bundle.mjs';
import { marksFor, prioritySequence } from '../suites/dispatch/workload.mjs';

const [revA = 'main', revB = 'worktree', nArg = '1e5', repsArg = '11'] = process.argv.slice(2);
const n = Number(nArg);
const reps = Number(repsArg);
// A bundle for no particular platform loads its core asynchronously (src/parts/load.ts): load() first.
const load = async (rev) => {
  const mod = await import(rev.endsWith('.mjs') ? path.resolve(rev) : bundle(rev));
  await mod.load?.();
  return mod;
};
const [A, B] = [await load(revA), await load(revB)];
const idleMs = Number(process.env.IDLE_MS ?? 0);
const PRIORITIES = ['critical', 'high', 'normal', 'low', 'background'];
const classes = prioritySequence(0xab, n);
const marks = marksFor(n);
const mark = marks.mark;
let sharedCount = 0;
const sharedTask = () => marks.mark(sharedCount++);
const task = process.env.SHARED_FN === '1' ? (_i) => sharedTask : (i) => () => mark(i);
let gcStarts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcStarts.push(entry.startTime);
}).observe({ entryTypes: ['gc'] });
const a = new A.Scheduler().start();
const b = new B.Scheduler().start();
const floor = new FloorScheduler();
const impls = {
  [`A ${revA}`]: () => {
    for (let i = 0; i < n; i++) a.run(task(i), { priority: PRIORITIES[classes[i]] });
  },
  [`B ${revB}`]: () => {
    for (let i = 0; i < n; i++) b.run(task(i), { priority: PRIORITIES[classes[i]] });
  },
  'floor-scheduler': () => {
    for (let i = 0; i < n; i++) floor.run(task(i), { priority: classes[i] });
  },
};
const cpuMs = (from, to) => (to.user + to.system - from.user - from.system) / 1000;
const samples = Object.fromEntries(Object.keys(impls).map((name) => [name, []]));
// Rep 0 warms up; the order alternates so neither build always runs after the floor.
for (let rep = 0; rep <= reps; rep++) {
  const names = rep % 2 === 0 ? Object.keys(impls) : Object.keys(impls).reverse();
  for (const name of names) {
    if (idleMs > 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
    settle();
    sharedCount = 0;
    const done = marks.arm();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    impls[name]();
    const c1 = process.cpuUsage();
    const t1 = performance.now();
    await done;
    const t2 = performance.now();
    const c2 = process.cpuUsage();
    marks.verify(name);
    // Observer entries arrive in a later task: count this run's once they have.
    await new Promise((resolve) => setImmediate(resolve));
    const runGcs = gcStarts.filter((at) => at >= t1 && at < t2).length;
    const scheduleGcs = gcStarts.filter((at) => at >= t0 && at < t1).length;
    gcStarts = [];
    const ns = (ms) => (ms * 1e6) / n;
    if (rep > 0) samples[name].push({ wall: ns(t2 - t0), cpu: ns(cpuMs(c0, c2)), scheduleCpu: ns(cpuMs(c0, c1)), runCpu: ns(cpuMs(c1, c2)), scheduleWall: ns(t1 - t0), runWall: ns(t2 - t1), runGcs, scheduleGcs });
  }
}
const median = (name, key) => summarize(samples[name].map((s) => s[key])).median;
const os = await import('node:os');
console.log(`n = ${n}, ${reps} reps, idle ${idleMs} ms, load ${os.loadavg()[0].toFixed(1)}; ns per task, medians`);
for (const name of Object.keys(impls)) {
  const f = (key) => median(name, key).toFixed(0).padStart(6);
    console.log(`${name.padEnd(28)} wall ${f('wall')}  cpu ${f('cpu')}  | schedule wall ${f('scheduleWall')} cpu ${f('scheduleCpu')} gcs ${median(name, 'scheduleGcs')} | run wall ${f('runWall')} cpu ${f('runCpu')} gcs ${median(name, 'runGcs')}`);
}
// The spread: CPU ns per task at the quartiles and the extremes, and how often B's repetition cost less CPU than A's of the same round.
for (const name of Object.keys(impls)) {
  const sorted = samples[name].map((s) => s.cpu).sort((x, y) => x - y);
  const q = (p) => percentile(sorted, p).toFixed(0);
  console.log(`${name.padEnd(28)} cpu min ${q(0)} p25 ${q(0.25)} p75 ${q(0.75)} max ${q(1)}`);
}
const [nameA, nameB] = Object.keys(impls);
const bCheaper = samples[nameB].filter((s, i) => s.cpu < samples[nameA][i].cpu).length;
console.log(`B cost less CPU than A in ${bCheaper} of ${reps} rounds`);
const ratio = (x, y, key) => (median(x, key) / median(y, key)).toFixed(3);
console.log(`B / A: cpu ${ratio(nameB, nameA, 'cpu')}, wall ${ratio(nameB, nameA, 'wall')}; B / floor-scheduler: cpu ${ratio(nameB, 'floor-scheduler', 'cpu')}, wall ${ratio(nameB, 'floor-scheduler', 'wall')}`);
process.exit(0);
