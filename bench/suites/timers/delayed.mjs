// Delayed tasks: n one-shot tasks whose intended start times are spread
// uniformly at random over windowMs, starting leadMs after the registrations
// begin (so a slow registration loop is not counted as lateness; longer with
// the cores busy, where 1e4 setTimeout calls took more than 250 ms). Each task is
// its own closure, made inside the timed region, that records
// performance.now() minus its intended time. The timed region runs from the
// first registration until the last task has run: its process CPU (every
// thread) is what those timers cost, and p50/p99/max of the n latenesses is
// how late they ran.
//   timeslice        scheduler.after(delayMs, fn) on one long-lived started
//                    Scheduler (default options: the real clock)
//   setTimeout       setTimeout(fn, delayMs)
//   react-scheduler  unstable_scheduleCallback(NormalPriority, fn, { delay }),
//                    the production build (its timer queue, one host timeout
//                    for the earliest, and its 5 ms work loop)
// delayMs is the intended time minus now, read at each call, for all. Node's
// timers count from the event loop's whole-ms time and can fire up to ~1 ms
// early, hence negative setTimeout figures; timeslice never fires early.
//
// Three conditions, every implementation under the same one:
//   quiet       nothing else runs in this process (the machine may have other
//               work: meta.loadAverage says how much)
//   busy-turns  in this process, a setImmediate chain burns busyMs of CPU per
//               event-loop turn from the registrations until the last task has
//               run, so a timer waits for the burn in progress, as behind a
//               long render or a JSON.parse. No CPU rows: the chain keeps the
//               process busy the whole time, so its CPU is its wall time
//   loaded      busy-loop processes keep every core busy (busy-loops.mjs) for
//               the whole case: the process waits for a core. timeslice and
//               setTimeout only, each sample in a fresh process, many rounds
//               (delayed-loaded.mjs says why)
import '../../../scripts/current-dist.mjs';
import { createRequire } from 'node:module';
import { Scheduler } from '../../../dist/index.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { nowMs } from '../../lib/measure.mjs';
import { windowOffsets } from '../../lib/random.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';
import { percentile } from '../../lib/stats.mjs';
import { delayedLoadedCase } from './delayed-loaded.mjs';

const React = createRequire(import.meta.url)('scheduler/cjs/scheduler.production.js');

let scheduler;
/** One Scheduler for the whole run, as an application keeps one. */
function sharedScheduler() {
  scheduler ??= new Scheduler().start();
  return scheduler;
}

export async function releaseDelayed() {
  await scheduler?.stop();
  scheduler = undefined;
}

export const DELAYED_IMPLS = [
  { name: 'timeslice', after: (delayMs, fn) => sharedScheduler().after(delayMs, fn) },
  { name: 'setTimeout', after: (delayMs, fn) => setTimeout(fn, delayMs) },
  { name: 'react-scheduler', after: (delayMs, fn) => React.unstable_scheduleCallback(React.unstable_NormalPriority, fn, { delay: delayMs }) },
];

/** Burns busyMs of CPU per event-loop turn (a setImmediate chain) until the answer is called. */
function startBusyTurns(busyMs) {
  let running = true;
  const burn = () => {
    if (!running) return;
    const untilMs = nowMs() + busyMs;
    while (nowMs() < untilMs) {
      // Spin: a CPU-bound stretch no timer can interrupt.
    }
    setImmediate(burn);
  };
  setImmediate(burn);
  return () => {
    running = false;
  };
}

/** One repetition: registers every task, resolves once all ran, to the lateness percentiles (the CPU is the stopwatch's). */
export async function delayedRun(impl, offsets, { leadMs, busyMs, requireLead }, stopwatch) {
  const n = offsets.length;
  const intended = new Float64Array(n);
  const lateness = new Float64Array(n);
  const ran = new Uint8Array(n);
  let count = 0;
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  const after = impl.after;
  stopwatch.start();
  const stopBusyTurns = busyMs > 0 ? startBusyTurns(busyMs) : undefined;
  const windowStartMs = nowMs() + leadMs;
  for (let i = 0; i < n; i++) {
    intended[i] = windowStartMs + offsets[i];
    after(Math.max(0, intended[i] - nowMs()), () => {
      lateness[i] = nowMs() - intended[i];
      ran[i]++;
      if (++count === n) finish();
    });
  }
  // A measurement whose registrations ran into the window is not one (--quick only checks that every task runs).
  const late = nowMs() > windowStartMs;
  await done;
  stopBusyTurns?.();
  stopwatch.stop();
  if (late && requireLead) throw new Error(`timers delayed: ${impl.name} took longer than leadMs (${leadMs}) to register`);
  for (let i = 0; i < n; i++) if (ran[i] !== 1) throw new Error(`timers delayed: ${impl.name} ran task ${i} ${ran[i]} times`);
  const sorted = lateness.sort();
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted[n - 1] };
}

const UNITS = { p50Ms: 'ms', p99Ms: 'ms', maxMs: 'ms', cpuMs: 'ms' };
const LATENESS_UNITS = { p50Ms: 'ms', p99Ms: 'ms', maxMs: 'ms' };

/** The conditions run in this process, in order: case name, and what runs beside the timers. */
export const DELAYED_CONDITIONS = [
  { caseName: 'delayed-quiet', busyTurns: false },
  { caseName: 'delayed-busy-turns', busyTurns: true },
];

/** Rows of the cases `delayed-quiet`, `delayed-busy-turns` and `delayed-loaded` (the last in fresh processes). */
export async function delayedCases(plan, ctx) {
  const { tasks, windowMs, reps, requireLead, busyMs } = plan.delayed;
  const offsets = windowOffsets(plan.seed + 3, tasks, windowMs);
  const rows = [];
  for (const { caseName, busyTurns } of DELAYED_CONDITIONS) {
    ctx.log(`${caseName}: ${tasks} tasks over ${windowMs} ms x ${DELAYED_IMPLS.length} implementations x ${reps} reps`);
    const run = { leadMs: plan.delayed.leadMs, busyMs: busyTurns ? busyMs : 0, requireLead };
    const samples = await interleaveAsync(DELAYED_IMPLS, reps, (impl, _rep, stopwatch) => delayedRun(impl, offsets, run, stopwatch));
    if (busyTurns) rows.push(...toRows(caseName, tasks, samples, LATENESS_UNITS));
    else rows.push(...toRows(caseName, tasks, samples, UNITS), ...cpuRows(caseName, tasks, samples, { per: 'task' }));
  }
  await releaseDelayed();
  rows.push(...(await delayedLoadedCase(plan, ctx)));
  return rows;
}
