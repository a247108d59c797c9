// The memory half of the timers case: bytes per pending timer, on a fresh
// instance each time, after the inserts and a full GC. timeslice: growth of
// the wasm memory (core.memoryBytes) + growth of the JS heap. Node: growth of
// the JS heap. External growth is reported beside it: for timeslice it is the
// wasm growth again (V8 counts wasm memory as external), so it is not added;
// for setTimeout it shows nothing hides off-heap. The array holding the n
// handles or Timeout objects is allocated before the baseline, so neither
// side counts it. Not timed, and kept apart from the timed loops so their
// call sites only ever see the shared Core.
import '../../../scripts/current-dist.mjs';
import { Core, layout as L } from '../../../dist/core.js';
import { memorySnapshot } from '../../lib/measure.mjs';
import { assertNoneFired, ONE_DELAY_MS, onTimeout } from './timers-timed.mjs';

function snapshot(core) {
  return { ...memorySnapshot(), wasm: core ? core.memoryBytes : 0 };
}

function perTimer(before, after, n) {
  const jsHeap = after.heapUsed - before.heapUsed;
  const wasm = after.wasm - before.wasm;
  return {
    bytesPerTimer: (jsHeap + wasm) / n,
    jsHeapBytesPerTimer: jsHeap / n,
    wasmBytesPerTimer: wasm / n,
    externalBytesPerTimer: (after.external - before.external) / n,
  };
}

function timeslice(delays, n) {
  const core = new Core();
  const ex = core.exports;
  const handles = new Float64Array(n);
  const before = snapshot(core);
  for (let i = 0; i < n; i++) handles[i] = ex.register(0, L.CLASS_NORMAL, 0, L.KIND_ONCE, delays[i], 0);
  const memory = perTimer(before, snapshot(core), n);
  if (core.counters().waiting !== n) throw new Error('timers: timeslice did not register every timer');
  // Cancelling keeps `handles` alive up to the second snapshot, as `timers` is on Node's side.
  for (let i = 0; i < n; i++) ex.cancel(handles[i]);
  return memory;
}

function nodeTimers(delayOf) {
  return (delays, n) => {
    const timers = new Array(n).fill(null);
    const before = snapshot(null);
    for (let i = 0; i < n; i++) timers[i] = setTimeout(onTimeout, delayOf(delays, i));
    const memory = perTimer(before, snapshot(null), n);
    for (let i = 0; i < n; i++) clearTimeout(timers[i]);
    assertNoneFired();
    return memory;
  };
}

// The batch writer builds the same core state as register(): one timeslice row.
export const MEMORY_IMPLS = [
  { name: 'timeslice-core', run: timeslice },
  { name: 'setTimeout', run: nodeTimers((delays, i) => delays[i]) },
  { name: 'setTimeout-one-delay', run: nodeTimers(() => ONE_DELAY_MS) },
];
