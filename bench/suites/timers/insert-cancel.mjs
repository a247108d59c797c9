// Insert + cancel through the public API: n timers set, then all cancelled in
// the order they were set, each with a closure made inside the timed region.
//   timeslice    scheduler.after(delayMs, fn), then handle.cancel(), on one
//                long-lived started Scheduler (default options, real clock)
//   setTimeout   setTimeout(fn, delayMs), then clearTimeout(timeout)
//   timer-floor  not a timer: each closure kept in an array slot with its due
//                time (one clock read), the slot's index as the handle, then
//                the slot cleared. No order, nothing ever fires: the least any
//                timer API does for a timer set and cancelled.
// Two delay patterns: `random` (delays from ~28 h to ~23 days, each its own)
// and `one-delay` (every timer 1e9 ms: request timeouts, cancelled in the
// order they were set; Node keeps one list per distinct duration, so this is
// its best case). None fires. setTimeout's timers are not unref'd, as in the
// core suite (timers-timed.mjs says why); all are cleared in the same
// synchronous run, so none can hold the process.
import '../../../scripts/current-dist.mjs';
import { Scheduler } from '../../../dist/index.js';
import { interleave } from '../../lib/measure.mjs';
import { mulberry32 } from '../../lib/random.mjs';
import { cpuRows, toRows } from '../../lib/rows.mjs';

const MIN_DELAY_MS = 1e8;
const DELAY_SPAN_MS = 1.9e9;
/** The shared delay of the one-delay pattern. */
export const ONE_DELAY_MS = 1e9;

/** Delays of each pattern, the same array for every implementation. */
export function delaysFor(pattern, seed, n) {
  const delays = new Float64Array(n);
  if (pattern === 'one-delay') return delays.fill(ONE_DELAY_MS);
  const next = mulberry32(seed);
  for (let i = 0; i < n; i++) delays[i] = Math.floor(MIN_DELAY_MS + next() * DELAY_SPAN_MS);
  return delays;
}

let fired = 0;
/** What every timer's closure calls; a timer that fired would be a broken run. */
const fire = (i) => {
  fired += i + 1;
};
function expectNoneFired(impl) {
  if (fired !== 0) throw new Error(`timers insert-cancel: a ${impl} timer fired`);
}

// One scheduler for the whole run, as an application keeps one.
let scheduler;
function sharedScheduler() {
  scheduler ??= new Scheduler().start();
  return scheduler;
}

/** After the run: stops the shared scheduler (its host timer would hold the process). */
export async function releaseInsertCancel() {
  await scheduler?.stop();
  scheduler = undefined;
}

function timeslice(delays, n, stopwatch) {
  const s = sharedScheduler();
  const handles = new Array(n).fill(null);
  stopwatch.start();
  const startMs = performance.now();
  for (let i = 0; i < n; i++) handles[i] = s.after(delays[i], () => fire(i));
  const insertedMs = performance.now();
  for (let i = 0; i < n; i++) handles[i].cancel();
  const endMs = performance.now();
  stopwatch.stop();
  const stats = s.stats();
  if (stats.waiting !== 0 || stats.live !== 0) throw new Error(`timers insert-cancel: timeslice left ${stats.live} tasks live`);
  expectNoneFired('timeslice');
  return { insertMs: insertedMs - startMs, cancelMs: endMs - insertedMs };
}

function nodeTimers(delays, n, stopwatch) {
  const timers = new Array(n).fill(null);
  stopwatch.start();
  const startMs = performance.now();
  for (let i = 0; i < n; i++) timers[i] = setTimeout(() => fire(i), delays[i]);
  const insertedMs = performance.now();
  for (let i = 0; i < n; i++) clearTimeout(timers[i]);
  const endMs = performance.now();
  stopwatch.stop();
  expectNoneFired('setTimeout');
  return { insertMs: insertedMs - startMs, cancelMs: endMs - insertedMs };
}

function timerFloor(delays, n, stopwatch) {
  const fns = new Array(n).fill(null);
  const dueMs = new Float64Array(n);
  stopwatch.start();
  const startMs = performance.now();
  for (let i = 0; i < n; i++) {
    dueMs[i] = performance.now() + delays[i];
    fns[i] = () => fire(i);
  }
  const insertedMs = performance.now();
  for (let i = 0; i < n; i++) fns[i] = null;
  const endMs = performance.now();
  stopwatch.stop();
  if (!(dueMs[n - 1] > 0)) throw new Error('timers insert-cancel: timer-floor kept no due time');
  return { insertMs: insertedMs - startMs, cancelMs: endMs - insertedMs };
}

export const INSERT_CANCEL_IMPLS = [
  { name: 'timeslice', run: timeslice },
  { name: 'setTimeout', run: nodeTimers },
  { name: 'timer-floor', run: timerFloor },
];

const UNITS = { timersPerSec: 'timers/s', insertNsPerTimer: 'ns/insert', cancelNsPerTimer: 'ns/cancel' };

/** Rows of case `insert-cancel-<pattern>` at each size. */
export function insertCancelCase(plan, ctx, pattern) {
  const caseName = `insert-cancel-${pattern}`;
  const rows = [];
  // Warm every implementation's code first (untimed).
  const warm = delaysFor(pattern, plan.seed, 1e4);
  for (const impl of INSERT_CANCEL_IMPLS) impl.run(warm, warm.length, { start() {}, stop() {} });
  for (const n of plan.sizes) {
    const delays = delaysFor(pattern, plan.seed + 1, n);
    // Rotated: which implementation ran just before a sample moves it (lib/interleave-async.mjs).
    const samples = interleave(INSERT_CANCEL_IMPLS, plan.repsFor(n), (impl, _rep, stopwatch) => {
      const { insertMs, cancelMs } = impl.run(delays, n, stopwatch);
      return {
        timersPerSec: n / ((insertMs + cancelMs) / 1000),
        insertNsPerTimer: (insertMs * 1e6) / n,
        cancelNsPerTimer: (cancelMs * 1e6) / n,
      };
    }, { rotate: true });
    rows.push(...toRows(caseName, n, samples, UNITS), ...cpuRows(caseName, n, samples, { per: 'timer' }));
    ctx.log(`${caseName} n=${n}`);
  }
  return rows;
}
