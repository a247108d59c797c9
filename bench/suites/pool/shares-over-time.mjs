// The fairness case's CPU shares over time, for the line chart (bench/lib/series.mjs):
// the window cut into equal buckets, each tenant's run segments clipped to
// each bucket, its share = its CPU in the bucket / all tenants' CPU in it.
// A bucket nobody ran in (a stall of the whole machine) has no point.

const BUCKETS = 20;

/** [[seconds into the window at the bucket's middle, share % of tenant 0, 1, ...], ...]. */
export function sharesOverTime(segmentsByTenant, windowStart, windowEnd) {
  const bucketMs = (windowEnd - windowStart) / BUCKETS;
  const cpu = Array.from({ length: BUCKETS }, () => segmentsByTenant.map(() => 0));
  segmentsByTenant.forEach((segments, tenant) => {
    for (const [from, to] of segments) {
      for (let b = Math.max(0, Math.floor((from - windowStart) / bucketMs)); b < BUCKETS; b++) {
        const start = windowStart + b * bucketMs;
        if (start >= to) break;
        const overlap = Math.min(to, start + bucketMs) - Math.max(from, start);
        if (overlap > 0) cpu[b][tenant] += overlap;
      }
    }
  });
  const points = [];
  cpu.forEach((byTenant, b) => {
    const total = byTenant.reduce((a, c) => a + c, 0);
    if (total > 0) points.push([((b + 0.5) * bucketMs) / 1000, ...byTenant.map((c) => (c / total) * 100)]);
  });
  return points;
}

/**
 * The series for one fairness run per implementation (the repetition with the
 * median Jain index): a line per (implementation, tenant), the targets as guides.
 */
export function fairnessSeries(samplesByImpl, weights) {
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const lines = [];
  for (const [impl, byMetric] of samplesByImpl) {
    const order = byMetric.jain.map((jain, rep) => [jain, rep]).sort((a, b) => a[0] - b[0]);
    const rep = order[order.length >> 1][1];
    const points = byMetric.sharesOverTime[rep];
    weights.forEach((weight, tenant) => {
      lines.push({ label: `weight ${weight}`, impl, points: points.map((p) => [p[0], p[tenant + 1]]) });
    });
  }
  return {
    name: 'fairness-shares',
    case: 'fairness',
    title: `pool: CPU share per tenant over the fairness window, weights ${weights.join(':')}`,
    x: { label: 'time into the window', unit: 's' },
    y: { label: 'share of the CPU the tenants got', unit: '%' },
    lines,
    guides: weights.map((weight) => ({ label: `target ${((weight / weightSum) * 100).toFixed(1)}%`, y: (weight / weightSum) * 100 })),
  };
}
