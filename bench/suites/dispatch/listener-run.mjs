// One sample of the listener case, in a process of its own (started by
// listener.mjs and by bench/ab/listener-cost.mjs, see lib/fresh-process.mjs):
//
//   node --expose-gc bench/suites/dispatch/listener-run.mjs <with|without> <n> <rounds> <seed> [module]
//
// A started Scheduler with default options, with one `taskfail` listener
// added before anything runs, or without; an untimed warm-up round of 2e4
// tasks (as the suite warms every implementation); then `rounds` timed rounds
// of the throughput workload (n tasks of random classes, a closure and an
// options object made per task inside the timed region, scheduled then run to
// completion), a full GC before each. No task fails, so the listener never
// runs: what is measured is what its presence costs every task. Prints one
// JSON line: per round, wallMs and cpuMs (process CPU, every thread) of the
// timed region and its schedule and run phases. `module` is the package to
// load (default: the built dist/; a bundle of bench/ab/bundle.mjs works too).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireCurrentBuildOf } from '../../../scripts/build-inputs.mjs';
import { settle } from '../../lib/measure.mjs';
import { Stopwatch } from '../../lib/stopwatch.mjs';
import { marksFor, prioritySequence, TIMESLICE_PRIORITIES } from './workload.mjs';

const [variant, nArg, roundsArg, seedArg, modulePath] = process.argv.slice(2);
if (variant !== 'with' && variant !== 'without') throw new Error(`listener-run: the variant must be 'with' or 'without', got ${variant}`);
const n = Number(nArg);
const rounds = Number(roundsArg);
const seed = Number(seedArg);
for (const [name, value] of [
  ['n', n],
  ['rounds', rounds],
  ['seed', seed],
]) {
  if (!Number.isInteger(value) || value < 0) throw new Error(`listener-run: ${name} must be a non-negative integer, got ${value}`);
}

const url = modulePath === undefined ? new URL('../../../dist/index.js', import.meta.url).href : pathToFileURL(path.resolve(modulePath)).href;
requireCurrentBuildOf(fileURLToPath(url));
const timeslice = await import(url);
// A bundle for no particular platform loads its core asynchronously.
await timeslice.load?.();
const scheduler = new timeslice.Scheduler().start();
let failures = 0;
if (variant === 'with') {
  scheduler.events.addEventListener('taskfail', () => {
    failures++;
  });
}

/** One round of n tasks; wall and CPU of the whole, the schedule phase's wall. */
async function round(size, classes, stopwatch) {
  const marks = marksFor(size);
  const mark = marks.mark;
  const done = marks.arm();
  stopwatch.start();
  const t0 = performance.now();
  for (let i = 0; i < size; i++) scheduler.run(() => mark(i), { priority: TIMESLICE_PRIORITIES[classes[i]] });
  const t1 = performance.now();
  await done;
  const t2 = performance.now();
  stopwatch.stop();
  marks.verify(`timeslice (${variant} a taskfail listener)`);
  return { scheduleMs: t1 - t0, runMs: t2 - t1 };
}

const idle = { start() {}, stop() {} };
await round(2e4, prioritySequence(seed, 2e4), idle);
const classes = prioritySequence(seed + n, n);
const samples = [];
for (let r = 0; r < rounds; r++) {
  settle();
  const stopwatch = new Stopwatch();
  const phases = await round(n, classes, stopwatch);
  samples.push({ wallMs: stopwatch.wallMs, cpuMs: stopwatch.cpuMs, ...phases });
}
await scheduler.stop();
if (failures !== 0) throw new Error(`listener-run: ${failures} tasks failed`);
process.stdout.write(`${JSON.stringify({ variant, n, rounds: samples })}\n`);
