// Bytes per pending timer: n timers set (none fires), measured as the growth
// of heapUsed + external between two snapshots taken after full GCs
// (measure.mjs memorySnapshot), divided by n. `external` holds the wasm
// memory and every ArrayBuffer (the delays stay alive across both snapshots,
// so their buffer counts in neither growth); each timeslice sample checks
// that it grew by at least the wasm memory's own growth. Every timer calls one shared
// function, so no closure is counted: what is left is what the library keeps
// for a timer (a timeslice Scheduler: its row in the wasm core, which V8
// counts in `external`, and its JS arrays; Node: its Timeout and its list).
//
//   timeslice               scheduler.after(delayMs, fn), the handle dropped:
//                           what the scheduler itself keeps (it keeps no handle)
//   timeslice-handles-kept  the same with every handle kept by the caller (in
//                           an array made before the first snapshot), as a
//                           caller who will cancel does: 40 bytes a handle more
//   setTimeout              setTimeout(fn, delayMs): Node keeps the Timeout,
//                           whatever the caller does with it
//
// Every sample starts from a fresh Scheduler, made (and started) before the
// first snapshot, so the arena's growth is counted and its initial size is
// not. The delays are those of the insert-cancel case (random, or one delay).
import '../../../scripts/current-dist.mjs';
import { Scheduler } from '../../../dist/index.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { memorySnapshot } from '../../lib/measure.mjs';
import { toRows } from '../../lib/rows.mjs';
import { delaysFor } from './insert-cancel.mjs';

let fired = 0;
const shared = () => {
  fired++;
};

function perTimer(before, after, n) {
  const heap = after.heapUsed - before.heapUsed;
  const external = after.external - before.external;
  return { bytesPerTimer: (heap + external) / n, heapBytesPerTimer: heap / n, externalBytesPerTimer: external / n };
}

function timeslice(keepHandles) {
  return async (delays, n) => {
    const scheduler = new Scheduler().start();
    const kept = keepHandles ? new Array(n).fill(null) : undefined;
    const before = memorySnapshot();
    const wasmBefore = scheduler.stats().memoryBytes;
    if (kept === undefined) for (let i = 0; i < n; i++) scheduler.after(delays[i], shared);
    else for (let i = 0; i < n; i++) kept[i] = scheduler.after(delays[i], shared);
    const memory = perTimer(before, memorySnapshot(), n);
    const wasmBytesPerTimer = (scheduler.stats().memoryBytes - wasmBefore) / n;
    if (memory.externalBytesPerTimer < wasmBytesPerTimer) throw new Error('timers memory: external grew less than the wasm memory (something else was freed)');
    if (scheduler.stats().waiting !== n) throw new Error('timers memory: timeslice did not keep every timer');
    // Kept handles are used after the snapshot: a local never read again is no
    // root for V8's collector, which would free them before it (measured: 40
    // bytes a timer missing).
    if (kept !== undefined) for (let i = 0; i < n; i++) kept[i].cancel();
    // Dropped with its timers: its host timer is disarmed, nothing is left armed.
    await scheduler.stop();
    return memory;
  };
}

async function nodeTimers(delays, n) {
  const timeouts = new Array(n).fill(null);
  const before = memorySnapshot();
  for (let i = 0; i < n; i++) timeouts[i] = setTimeout(shared, delays[i]);
  const memory = perTimer(before, memorySnapshot(), n);
  for (let i = 0; i < n; i++) clearTimeout(timeouts[i]);
  return memory;
}

export const MEMORY_IMPLS = [
  { name: 'timeslice', run: timeslice(false) },
  { name: 'timeslice-handles-kept', run: timeslice(true) },
  { name: 'setTimeout', run: nodeTimers },
];

const UNITS = { bytesPerTimer: 'bytes/timer', heapBytesPerTimer: 'bytes/timer', externalBytesPerTimer: 'bytes/timer' };

/** Rows of case `memory-<pattern>` at each size. */
export async function memoryCase(plan, ctx, pattern) {
  const caseName = `memory-${pattern}`;
  const rows = [];
  for (const n of plan.memorySizes) {
    const delays = delaysFor(pattern, plan.seed + 2, n);
    const samples = await interleaveAsync(MEMORY_IMPLS, plan.memoryReps, (impl) => impl.run(delays, n));
    rows.push(...toRows(caseName, n, samples, UNITS));
    ctx.log(`${caseName} n=${n}`);
  }
  if (fired !== 0) throw new Error('timers memory: a timer fired');
  return rows;
}
