// Timing and memory primitives shared by every suite.
//
// Suites run under `node --expose-gc`: settle() collects garbage before a timed
// region so one implementation's garbage is not collected on another's clock,
// and before each memory reading so heapUsed counts live objects only.
import { openSample, recordSample } from './sample.mjs';

/** Milliseconds since an arbitrary origin, sub-microsecond resolution. */
export const nowMs = () => performance.now();

/** Full collections until the heap stops shrinking (at most a few). */
export function settle() {
  if (typeof globalThis.gc !== 'function') {
    throw new Error('benchmarks need global.gc: run node with --expose-gc (npm run bench does)');
  }
  let before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 4; i++) {
    globalThis.gc();
    const after = process.memoryUsage().heapUsed;
    if (after >= before) break;
    before = after;
  }
}

/** heapUsed, external and arrayBuffers bytes, after settle(). */
export function memorySnapshot() {
  settle();
  const { heapUsed, external, arrayBuffers } = process.memoryUsage();
  return { heapUsed, external, arrayBuffers };
}

/**
 * The implementations in the order repetition `rep` runs them: as given, or
 * with `rotate`, starting with implementation rep mod k, so that each runs
 * after every other equally often (what ran before a sample moves it:
 * interleave-async.mjs says by how much).
 */
export function repetitionOrder(impls, rep, rotate) {
  if (!rotate) return impls;
  const first = rep % impls.length;
  return [...impls.slice(first), ...impls.slice(0, first)];
}

/**
 * Runs every implementation `reps` times, interleaved (rep 1 of each, then
 * rep 2 of each, ...) so that slow drift of the machine spreads over all of
 * them instead of landing on whichever ran last; `rotate` as repetitionOrder. `run(impl, rep, stopwatch)`
 * returns an object of named samples, e.g. {nsPerOp: 12.3}; each sample also
 * gets `wallMs` and `cpuMs` (process CPU) of the timed region: the region
 * between `stopwatch.start()` and `stopwatch.stop()` when the run uses them,
 * the whole call otherwise (sample.mjs). The answer maps impl name to metric
 * name to the array of samples, in repetition order.
 */
export function interleave(impls, reps, run, { rotate = false } = {}) {
  const samples = new Map(impls.map((impl) => [impl.name, {}]));
  for (let rep = 0; rep < reps; rep++) {
    for (const impl of repetitionOrder(impls, rep, rotate)) {
      settle();
      const open = openSample();
      const returned = run(impl, rep, open.region);
      recordSample(samples.get(impl.name), open, returned, impl.name);
    }
  }
  return samples;
}
