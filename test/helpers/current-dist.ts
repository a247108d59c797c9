// For a test that reads dist/: it fails at once, saying why, when dist/ is not
// the build of the sources here (scripts/build-inputs.mjs), instead of testing
// the package as it was before a rebase or an edit.
import { beforeAll } from 'vitest';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';

/** A test file that reads dist/ (itself or through a process it starts): its tests fail first when dist/ is stale. */
export function useCurrentDist(): void {
  beforeAll(() => requireCurrentDist());
}

let foundCurrent = false;

/**
 * For a helper that loads dist/ when called (the pool's): throws when dist/ is
 * stale. Checked until found current once in this process (a worker runs file
 * after file, isolate: false): dist/ does not change under a test run.
 */
export function requireCurrentDistOnce(): void {
  if (foundCurrent) return;
  requireCurrentDist();
  foundCurrent = true;
}
