// The order vitest starts test files in. A few files take most of the suite's
// time, the chaos and crash campaigns and the benchmark check mostly waiting on child
// processes: started last (a fresh clone has no timings, so vitest starts the
// largest files first, and these are small), they would run alone at the end
// while the other worker idles. They start first, in this order; the other
// files follow in vitest's own order (slowest first once it has timed them).
import { relative, sep } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Paths from the repository root, longest first. A test checks that each exists. */
export const LONG_FILES_FIRST = [
  'test/crash/chaos-campaign.test.ts',
  'test/crash/crash-campaign.test.ts',
  'test/crash/lease-campaign.test.ts',
  'test/bench/quick-suites.test.ts',
  // Waiting on PostgreSQL (its DDL and commits), 20-30 s each.
  'test/persistence/postgres-store.test.ts',
  'test/bench/postgres-smoke.test.ts',
  'test/recovery/cluster-postgres.test.ts',
  'test/persistence/postgres-cluster.test.ts',
  'test/api/cron-dst-oracle.test.ts',
  'test/core/differential-heap.test.ts',
  'test/core/differential-timers.test.ts',
  'test/core/differential-policies.test.ts',
  'test/api/cron-host-zone.test.ts',
];

export class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification): number => {
      const index = LONG_FILES_FIRST.indexOf(relative(spec.project.config.root, spec.moduleId).split(sep).join('/'));
      return index < 0 ? LONG_FILES_FIRST.length : index;
    };
    return sorted
      .map((spec, order) => ({ spec, order }))
      .sort((a, b) => rank(a.spec) - rank(b.spec) || a.order - b.order)
      .map(({ spec }) => spec);
  }
}
