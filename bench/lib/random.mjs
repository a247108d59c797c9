// Deterministic workload data. mulberry32 is 32-bit state and a few integer
// ops, so bench/c/heap4.c reproduces the exact same doubles: every
// implementation, JS or C, gets identical keys and the checksums must agree.

/** A generator of doubles in [0, 1) from a 32-bit seed (mulberry32). */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Heap keys and increments, in ms: [1, 1e6 + 1). Never 0, so a timer key is never "due now". */
export const KEY_SPAN_MS = 1e6;

/**
 * n initial keys then m increments, drawn in that order from one stream
 * (heap4.c draws them in the same order): key = 1 + r * KEY_SPAN_MS.
 */
export function heapWorkload(seed, n, m) {
  const next = mulberry32(seed);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = 1 + next() * KEY_SPAN_MS;
  const increments = new Float64Array(m);
  for (let i = 0; i < m; i++) increments[i] = 1 + next() * KEY_SPAN_MS;
  return { keys, increments };
}

/** n offsets (ms) drawn uniformly over [0, windowMs): a delayed-task window, the same for every implementation. */
export function windowOffsets(seed, n, windowMs) {
  const next = mulberry32(seed);
  const offsets = new Float64Array(n);
  for (let i = 0; i < n; i++) offsets[i] = next() * windowMs;
  return offsets;
}
