// For a script that imports dist/ statically: imported before those imports,
// it refuses a dist/ that is not the build of the sources here (see
// requireCurrentDist in build-inputs.mjs) before any of dist/ runs. A dist/
// that is not there at all fails earlier, as Node resolves the imports,
// naming the missing file.
import { requireCurrentDist } from './build-inputs.mjs';

requireCurrentDist();
