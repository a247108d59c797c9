// How big the randomized and oracle tests run. `npm test` runs them at a size
// that keeps the whole suite under 4 minutes on a loaded 2-core machine, and
// never below a floor the project set (100,000 differential core operations per
// run, see differential.ts); `npm run test:long` (TIMESLICE_TEST_LONG=1) runs
// them at full size. The random tests draw a fresh seed each run, so the short
// size still covers the whole space over many runs.
const value = process.env.TIMESLICE_TEST_LONG;
if (value !== undefined && value !== '' && value !== '0' && value !== '1') {
  throw new Error(`TIMESLICE_TEST_LONG must be 1 or 0 (or unset); received ${JSON.stringify(value)}`);
}

/** True under `npm run test:long`. */
export const LONG_TESTS = value === '1';

/** `short` under `npm test`, `long` under `npm run test:long`. */
export function bySize<T>(short: T, long: T): T {
  return LONG_TESTS ? long : short;
}
