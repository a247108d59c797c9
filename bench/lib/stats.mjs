// Summaries of repeated measurements. The median is the headline because one
// slow repetition (a GC, a noisy neighbour on a shared VM) should not move it;
// min and max are kept so a reader can see the spread.

/** {median, min, max, reps} of an array of samples. */
export function summarize(samples) {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], reps: sorted.length };
}

/** Items grouped by key, in first-seen order (Map.groupBy arrives in Node 21). */
export function groupBy(items, keyOf) {
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(item);
  }
  return groups;
}

/**
 * The value at fraction p (0..1) of an ascending array: the element at index
 * floor(p * length), the last one for p = 1.
 */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
