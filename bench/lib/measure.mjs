// Timing and memory primitives shared by every suite.
//
// Suites run under `node --expose-gc`: settle() collects garbage before a timed
// region so one implementation's garbage is not collected on another's clock,
// and before each memory reading so heapUsed counts live objects only.

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
 * Runs every implementation `reps` times, interleaved (rep 1 of each, then
 * rep 2 of each, ...) so that slow drift of the machine spreads over all of
 * them instead of landing on whichever ran last. `run(impl)` returns an object
 * of named samples, e.g. {nsPerOp: 12.3}; the answer maps impl name to
 * metric name to the array of samples.
 */
export function interleave(impls, reps, run) {
  const samples = new Map(impls.map((impl) => [impl.name, {}]));
  for (let rep = 0; rep < reps; rep++) {
    for (const impl of impls) {
      settle();
      const sample = run(impl);
      const byMetric = samples.get(impl.name);
      for (const [metric, value] of Object.entries(sample)) (byMetric[metric] ??= []).push(value);
    }
  }
  return samples;
}
