// The timed half of the timers case: insert n one-shot timers, then cancel
// them all, returning both durations.
//   timeslice        core.exports.register + cancel: one crossing each.
//   timeslice-batch  the batch writer: up to CMD_CAPACITY commands per
//                    crossing, every argument validated as it is written,
//                    handles read back with batch.result(i).
//   setTimeout       setTimeout(fn, delay) / clearTimeout. Not unref'd: Node
//                    keeps the (empty) list of a cleared unref'd timer for
//                    its duration alive until that duration expires ("likely
//                    to come from http and be recreated"), so with unref every
//                    run after the first would reuse the lists the first one
//                    left, and leak them. Every timer is cleared in the same
//                    synchronous run, so none can keep the process alive.
import '../../../scripts/current-dist.mjs';
import { layout as L } from '../../../dist/core.js';
import { nowMs } from '../../lib/measure.mjs';
import { resetSharedCore } from './shared-core.mjs';

function expect(ok, what) {
  if (!ok) throw new Error(`timers: ${what}`);
}

function timesliceExports(delays, n) {
  const core = resetSharedCore();
  const ex = core.exports;
  const handles = new Float64Array(n);
  const startMs = nowMs();
  for (let i = 0; i < n; i++) handles[i] = ex.register(0, L.CLASS_NORMAL, 0, L.KIND_ONCE, delays[i], 0);
  const insertMs = nowMs() - startMs;
  expect(core.counters().waiting === n, 'timeslice did not register every timer');
  const cancelStartMs = nowMs();
  for (let i = 0; i < n; i++) ex.cancel(handles[i]);
  const cancelMs = nowMs() - cancelStartMs;
  expect(core.counters().live === 0, 'timeslice did not cancel every timer');
  return { insertMs, cancelMs };
}

function timesliceBatch(delays, n) {
  const core = resetSharedCore();
  const batch = core.batch();
  const handles = new Float64Array(n);
  const startMs = nowMs();
  for (let start = 0; start < n; start += L.CMD_CAPACITY) {
    const end = Math.min(n, start + L.CMD_CAPACITY);
    for (let i = start; i < end; i++) batch.register(L.CLASS_NORMAL, 0, 'once', delays[i]);
    batch.run(0, 0);
    for (let i = start; i < end; i++) handles[i] = batch.result(i - start);
  }
  const insertMs = nowMs() - startMs;
  expect(core.counters().waiting === n, 'batch did not register every timer');
  const cancelStartMs = nowMs();
  for (let start = 0; start < n; start += L.CMD_CAPACITY) {
    const end = Math.min(n, start + L.CMD_CAPACITY);
    for (let i = start; i < end; i++) batch.cancel(handles[i]);
    batch.run(0, 0);
  }
  const cancelMs = nowMs() - cancelStartMs;
  expect(core.counters().live === 0, 'batch did not cancel every timer');
  return { insertMs, cancelMs };
}

let fired = 0;
export const onTimeout = () => {
  fired++;
};
export const assertNoneFired = () => expect(fired === 0, 'a setTimeout timer fired');

// Node's timer code is specialised for its Timeout and TimersList objects; a
// process with no timer left would lose that code at every full GC (see
// keep-alive.mjs), so one unref'd timer stays pending, on a duration no case
// uses, until releaseNodeAnchor().
let pendingAnchor;
function anchorNodeTimers() {
  pendingAnchor ??= setTimeout(onTimeout, 2 ** 31 - 2).unref();
}
export function releaseNodeAnchor() {
  clearTimeout(pendingAnchor);
  pendingAnchor = undefined;
}

function nodeTimers(delayOf) {
  return (delays, n) => {
    anchorNodeTimers();
    const timers = new Array(n).fill(null);
    const startMs = nowMs();
    for (let i = 0; i < n; i++) timers[i] = setTimeout(onTimeout, delayOf(delays, i));
    const insertMs = nowMs() - startMs;
    const cancelStartMs = nowMs();
    for (let i = 0; i < n; i++) clearTimeout(timers[i]);
    const cancelMs = nowMs() - cancelStartMs;
    assertNoneFired();
    return { insertMs, cancelMs };
  };
}

/** Node keeps one list per distinct duration: timers sharing one are its best case. */
export const ONE_DELAY_MS = 1e9;

export const TIMED_IMPLS = [
  { name: 'timeslice-core', run: timesliceExports },
  { name: 'timeslice-batch', run: timesliceBatch },
  { name: 'setTimeout', run: nodeTimers((delays, i) => delays[i]) },
  { name: 'setTimeout-one-delay', run: nodeTimers(() => ONE_DELAY_MS) },
];
