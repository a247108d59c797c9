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
