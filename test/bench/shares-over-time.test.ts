// The pool's fairness shares over time: each tenant's run segments split over
// the window's twenty buckets, a share per bucket, no point for a bucket nobody ran in.
import { describe, expect, it } from 'vitest';
import { sharesOverTime } from '../../bench/suites/pool/shares-over-time.mjs';

describe('sharesOverTime', () => {
  it("splits segments across buckets and gives each tenant's share of each bucket", () => {
    // A 2000 ms window from t = 1000: twenty buckets of 100 ms.
    const tenant0: [number, number][] = [[1000, 1150]]; // 100 ms in bucket 0, 50 ms in bucket 1
    const tenant1: [number, number][] = [
      [1050, 1100], // 50 ms in bucket 0
      [2000, 2100], // all of bucket 10
    ];
    const points = sharesOverTime([tenant0, tenant1], 1000, 3000);
    expect(points.map((p) => p[0])).toEqual([0.05, 0.15, 1.05]); // buckets 0, 1 and 10; the empty ones have no point
    expect(points[0]![1]).toBeCloseTo((100 / 150) * 100);
    expect(points[0]![2]).toBeCloseTo((50 / 150) * 100);
    expect(points.slice(1).map((p) => p.slice(1))).toEqual([
      [100, 0],
      [0, 100],
    ]);
  });
});
