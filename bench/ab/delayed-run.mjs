// One sample of the delayed-task workload (suites/timers/delayed.mjs), in a
// process of its own, for bench/ab/delayed-cpu.mjs:
//
//   node --expose-gc bench/ab/delayed-run.mjs [--require-lead] <timeslice|setTimeout> <tasks> <windowMs> <leadMs> <rounds> [module]
//
// timeslice: `scheduler.after(delayMs, fn)` on one started Scheduler with
// default options, from `module` (default: the built dist/; a bundle of
// bundle.mjs works too). An untimed warm-up round of the same size (the
// suite's process has run its reps before: without it, a fresh process pays
// for compiling the code under test, which in a background thread is CPU the
// timed region counts; its lead and window are at most WARM_UP_LEAD_MS and
// WARM_UP_WINDOW_MS, as nothing of it is measured: the same calls, sooner), then `rounds` timed rounds, a full GC before each. With
// --require-lead, a timed round whose registrations ran into its window
// fails the process (the timers suite's loaded case). Prints one
// JSON line: per round, cpuMs and wallMs of the timed region (first
// registration to last run) and the lateness p50Ms, p99Ms and maxMs.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireCurrentBuildOf } from '../../scripts/build-inputs.mjs';
import { settle } from '../lib/measure.mjs';
import { windowOffsets } from '../lib/random.mjs';
import { Stopwatch } from '../lib/stopwatch.mjs';
import { delayedRun } from '../suites/timers/delayed.mjs';

const flags = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const [implName, tasksArg, windowArg, leadArg, roundsArg, modulePath] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const requireLead = flags.includes('--require-lead');
if (flags.some((flag) => flag !== '--require-lead')) throw new Error(`delayed-run: the only flag is --require-lead, got ${flags.join(' ')}`);
/** The warm-up's lead and window, ms: its lateness is not measured, so it need not wait long. */
const WARM_UP_LEAD_MS = 100;
const WARM_UP_WINDOW_MS = 200;
const [tasks, windowMs, leadMs, rounds] = [tasksArg, windowArg, leadArg, roundsArg].map(Number);
if (![tasks, windowMs, leadMs, rounds].every((v) => Number.isInteger(v) && v > 0)) {
  throw new Error(`delayed-run: tasks, windowMs, leadMs and rounds must be positive integers, got ${[tasksArg, windowArg, leadArg, roundsArg].join(' ')}`);
}

let scheduler;
let impl;
if (implName === 'timeslice') {
  const url = modulePath === undefined ? new URL('../../dist/index.js', import.meta.url).href : pathToFileURL(path.resolve(modulePath)).href;
  requireCurrentBuildOf(fileURLToPath(url));
  const timeslice = await import(url);
  await timeslice.load?.();
  scheduler = new timeslice.Scheduler().start();
  impl = { name: 'timeslice', after: (delayMs, fn) => scheduler.after(delayMs, fn) };
} else if (implName === 'setTimeout') {
  impl = { name: 'setTimeout', after: (delayMs, fn) => setTimeout(fn, delayMs) };
} else {
  throw new Error(`delayed-run: the implementation must be timeslice or setTimeout, got ${implName}`);
}

const run = { leadMs, busyMs: 0, requireLead };
await delayedRun(impl, windowOffsets(0x7153, tasks, Math.min(windowMs, WARM_UP_WINDOW_MS)), { leadMs: Math.min(leadMs, WARM_UP_LEAD_MS), busyMs: 0, requireLead: false }, { start() {}, stop() {} });
const offsets = windowOffsets(0x7153 + 3, tasks, windowMs);
const out = [];
for (let r = 0; r < rounds; r++) {
  settle();
  const stopwatch = new Stopwatch();
  const lateness = await delayedRun(impl, offsets, run, stopwatch);
  out.push({ cpuMs: stopwatch.cpuMs, wallMs: stopwatch.wallMs, ...lateness });
}
await scheduler?.stop();
process.stdout.write(`${JSON.stringify({ impl: implName, rounds: out })}\n`);
