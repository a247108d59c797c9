// Timer lateness: n one-shot tasks whose intended start times are spread
// uniformly at random over a window of windowMs, starting leadMs after the
// registrations begin (so a slow registration loop is not counted as
// lateness). Each task records performance.now() - its intended time; the
// sample is the p50, p99 and max of the n figures. timeslice registers with
// scheduler.after(delayMs, fn) on a started Scheduler with default options;
// Node with setTimeout(fn, delayMs); delayMs is the intended time minus now,
// read at each call, for both. Node's timers may fire up to ~1 ms early (they
// count from the event loop's cached time), hence negative figures.
//
// idle: nothing else runs. busy: a setImmediate chain burns busyMs of CPU
// per turn of the event loop from the registrations until the last task has
// run, so a timer waits for the burn in progress, as behind a long render or
// a JSON.parse. Both implementations face the same chain.
import { Scheduler } from '../../../dist/index.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { nowMs } from '../../lib/measure.mjs';
import { windowOffsets } from '../../lib/random.mjs';
import { percentile } from '../../lib/stats.mjs';
import { toRows } from '../../lib/rows.mjs';

/** Burns busyMs per macrotask turn until stop() is called. */
function startBusyLoop(busyMs) {
  let running = true;
  const burn = () => {
    if (!running) return;
    const untilMs = nowMs() + busyMs;
    while (nowMs() < untilMs) {
      // Spin: a CPU-bound stretch the timer cannot interrupt.
    }
    setImmediate(burn);
  };
  setImmediate(burn);
  return () => {
    running = false;
  };
}

function timeslice() {
  const scheduler = new Scheduler().start();
  return {
    after: (delayMs, fn) => scheduler.after(delayMs, fn),
    finish: () => scheduler.stop(),
  };
}

function nodeTimers() {
  return {
    after: (delayMs, fn) => setTimeout(fn, delayMs),
    finish() {},
  };
}

export const LATENESS_IMPLS = [
  { name: 'timeslice', create: timeslice },
  { name: 'setTimeout', create: nodeTimers },
];

export async function latenessRun(impl, offsets, { leadMs, busyMs, requireLead }) {
  const n = offsets.length;
  const intended = new Float64Array(n);
  const lateness = new Float64Array(n);
  const ran = new Uint8Array(n);
  let count = 0;
  let finish;
  const done = new Promise((resolve) => {
    finish = resolve;
  });
  const timers = impl.create();
  const stopBusy = busyMs > 0 ? startBusyLoop(busyMs) : () => {};
  const windowStartMs = nowMs() + leadMs;
  for (let i = 0; i < n; i++) {
    intended[i] = windowStartMs + offsets[i];
    timers.after(Math.max(0, intended[i] - nowMs()), () => {
      lateness[i] = nowMs() - intended[i];
      ran[i]++;
      if (++count === n) finish();
    });
  }
  // A measurement whose registrations ran into the window is not one. A --quick
  // run only checks that every task runs, on machines that may be loaded, so a
  // slow registration does not fail it (its numbers are not reported).
  if (requireLead && nowMs() > windowStartMs) throw new Error(`dispatch lateness: ${impl.name} took longer than leadMs (${leadMs}) to register`);
  await done;
  stopBusy();
  await timers.finish();
  for (let i = 0; i < n; i++) if (ran[i] !== 1) throw new Error(`dispatch lateness: ${impl.name} ran task ${i} ${ran[i]} times`);
  const sorted = lateness.sort();
  return { p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), maxMs: sorted[n - 1] };
}

const UNITS = { p50Ms: 'ms', p99Ms: 'ms', maxMs: 'ms' };

export async function latenessCase(plan, ctx) {
  const { tasks, windowMs, leadMs, busyMs, reps, requireLead } = plan.lateness;
  const offsets = windowOffsets(plan.seed + 3, tasks, windowMs);
  const rows = [];
  for (const [caseName, busy] of [['lateness-idle', 0], ['lateness-busy', busyMs]]) {
    ctx.log(`${caseName}: ${tasks} timers over ${windowMs} ms x ${LATENESS_IMPLS.length} implementations x ${reps} reps`);
    const samples = await interleaveAsync(LATENESS_IMPLS, reps, (impl) => latenessRun(impl, offsets, { leadMs, busyMs: busy, requireLead }));
    rows.push(...toRows(caseName, tasks, samples, UNITS));
  }
  return rows;
}
