// Why dispatch-cold.mjs has two modes: the same workload (1e5 tasks through
// Scheduler.run(), a closure and options per task, 1.3 s idle before each
// repetition, gc() before each), one build per process, each repetition
// reported on its own with the garbage collections that started inside it
// (kind, and V8's duration) and the CPU of registration and of the drain.
// Configurations (node flags) alternate process by process.
//
// What it found (2026-12-07, load 8-17, 6 processes of each): the JIT state
// is the same in fast and slow repetitions (no deopt after repetition 1 with
// --trace-deopt; run(), registerReady(), track() and the TaskHandle are
// inlined into the caller's loop, --trace-turbo-inlining, and the handle is
// never allocated), --no-liftoff leaves both modes in place, and new space
// is 32 MB at the start of every repetition. What differs is the number of
// scavenges inside the burst: steady repetitions with one took 41 ms of CPU
// (median, 37-62), those with two 64.5 ms (52-106); with the young
// generation fixed at 64 MB per semi-space (no scavenge inside a burst)
// every steady repetition took 30-35 ms. A burst allocates ~168 bytes a
// task: the caller's closure and its context (104) and options object (32),
// and the TaskContext of its run (32, the scheduler's only allocation here):
// 16.8 MB per 1e5 tasks, against a 16 MB semi-space. A scavenge taken while
// the closures of pending tasks are alive copies them, and a second one
// promotes them. Print per repetition: CPU ms [new space MB at the start]
// (s<scavenges>:<their ms>)(M<major GCs>).
//
//   node bench/ab/dispatch-modes.mjs [processes] -- dist/index.js '' '--no-liftoff' '--single-threaded-gc'
//   (a child: node --expose-gc bench/ab/dispatch-modes.mjs --child dist/index.js)
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { requireCurrentBuildOf } from '../../scripts/build-inputs.mjs';

const here = fileURLToPath(import.meta.url);
const cpuMs = (c) => (c.user + c.system) / 1000;

if (process.argv[2] === '--child') {
  const { Scheduler } = await import(pathToFileURL(path.resolve(process.argv[3])).href);
  const n = Number(process.env.N ?? 1e5);
  const reps = Number(process.env.REPS ?? 6);
  const PRIORITIES = ['critical', 'high', 'normal', 'low', 'background'];
  const classes = Array.from({ length: n }, (_, i) => PRIORITIES[((i * 2654435761) >>> 0) % 5]);
  const gcs = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcs.push({ at: e.startTime, ms: e.duration, kind: e.detail?.kind ?? e.kind });
  }).observe({ entryTypes: ['gc'] });
  const scheduler = new Scheduler().start();
  let sink = 0;
  const out = [];
  for (let r = 0; r < reps; r++) {
    await new Promise((resolve) => setTimeout(resolve, 1300));
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve)); // the gc() entry is delivered before t0
    const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) scheduler.run(() => { sink += i; }, { priority: classes[i] });
    const regCpu = cpuMs(process.cpuUsage(cpu0));
    await scheduler.onIdle();
    const t1 = performance.now();
    const cpu = cpuMs(process.cpuUsage(cpu0));
    await new Promise((resolve) => setImmediate(resolve));
    const inside = gcs.filter((g) => g.at >= t0 && g.at < t1);
    const kind = (k) => inside.filter((g) => g.kind === k);
    out.push({
      rep: r, newSpaceMB: +(newSpace.space_size / 2 ** 20).toFixed(1), wallMs: +(t1 - t0).toFixed(1), cpuMs: +cpu.toFixed(1), regCpuMs: +regCpu.toFixed(1),
      scavenges: kind(constants.NODE_PERFORMANCE_GC_MINOR).length, scavengeMs: +kind(constants.NODE_PERFORMANCE_GC_MINOR).reduce((s, g) => s + g.ms, 0).toFixed(1),
      majors: kind(constants.NODE_PERFORMANCE_GC_MAJOR).length + kind(constants.NODE_PERFORMANCE_GC_INCREMENTAL).length,
    });
  }
  await scheduler.stop();
  console.log(JSON.stringify({ sink: sink > 0, reps: out }));
} else {
  const dash = process.argv.indexOf('--');
  const processes = Number(process.argv[2] ?? 8);
  const [dist, ...configs] = process.argv.slice(dash + 1);
  requireCurrentBuildOf(dist);
  const results = Object.fromEntries(configs.map((c) => [c, []]));
  for (let p = 0; p < processes; p++) {
    for (const config of p % 2 === 0 ? configs : [...configs].reverse()) {
      const flags = config.split(' ').filter(Boolean);
      const text = execFileSync(process.execPath, ['--expose-gc', ...flags, here, '--child', dist], { encoding: 'utf8', env: process.env });
      const { reps } = JSON.parse(text.trim().split('\n').at(-1));
      results[config].push(reps);
      console.log(`[${config || 'default'}] ${reps.map((r) => `${r.cpuMs}[${r.newSpaceMB}]${r.scavenges ? `(s${r.scavenges}:${r.scavengeMs})` : ''}${r.majors ? `(M${r.majors})` : ''}`).join(' ')}`);
    }
  }
  const med = (v) => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };
  for (const [config, procs] of Object.entries(results)) {
    const steady = procs.flatMap((reps) => reps.slice(2).map((r) => r.cpuMs));
    const cold6 = procs.map((reps) => med(reps.map((r) => r.cpuMs)));
    console.log(`${config || 'default'}: steady reps (2..) CPU median ${med(steady)} ms, min ${Math.min(...steady)}, max ${Math.max(...steady)}; dispatch-cold's median of 6 per process: ${cold6.join(' ')}`);
  }
}
