// The optional peer dependencies (better-sqlite3 for the SQLite store, piscina
// for the worker pool) are loaded when the feature that needs them is first
// used, not when its entry is imported, so that a missing one fails with a
// MissingDependencyError that says what to install instead of Node's raw
// ERR_MODULE_NOT_FOUND. Node only: the entries that call this are Node's.
import { createRequire } from 'node:module';
import { MissingDependencyError } from './errors.js';

// require() keeps its own cache: a second call for a package returns the same exports.
const requireFromHere = createRequire(import.meta.url);

/**
 * The CommonJS exports of `packageName`, resolved from timeslice's own
 * location (so from the user's node_modules). Throws MissingDependencyError,
 * naming `feature` and the install command, when the package is not
 * installed; any other failure (a broken native build, say) is rethrown as it is.
 */
export function requirePeer<T>(packageName: string, feature: string): T {
  try {
    return requireFromHere(packageName) as T;
  } catch (error) {
    const code = (error as { code?: unknown } | null)?.code;
    const missing = code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(`'${packageName}'`);
    if (!missing) throw error;
    throw new MissingDependencyError(
      packageName,
      `${feature} needs the package '${packageName}', which is not installed: run \`npm install ${packageName}\` (it is an optional peer dependency of timeslice)`,
      { cause: error },
    );
  }
}
