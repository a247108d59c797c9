// For a test file that reads dist/: its tests fail at once, saying why, when
// dist/ is not the build of the sources here (scripts/build-inputs.mjs), instead
// of testing the package as it was before a rebase or an edit.
import { fileURLToPath } from 'node:url';
import { beforeAll } from 'vitest';
import { distStaleness } from '../../scripts/build-inputs.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

export function useCurrentDist(): void {
  beforeAll(() => {
    const stale = distStaleness(root);
    if (stale !== undefined) throw new Error(stale);
  });
}
