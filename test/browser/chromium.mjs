// Which Chromium the browser tests use, and what happens without one. Shared by
// test/browser/run.mjs and test/web/chromium-differential.test.ts, so both decide
// alike:
//
// - CHROMIUM_PATH (when set and not empty) names the browser; if it is not an
//   executable file, the run fails (an explicit setting that is wrong is an error).
// - otherwise /usr/bin/chromium (Debian's package) is used when present;
// - otherwise the browser tests are skipped with a loud notice saying how to
//   install it, unless TIMESLICE_REQUIRE_BROWSER=1 (set by .ci/run), which turns
//   the skip into a failure;
// - TIMESLICE_SKIP_BROWSER=1 skips them on purpose (a failure under
//   TIMESLICE_REQUIRE_BROWSER=1: the two contradict each other).
import { accessSync, constants, statSync } from 'node:fs';

export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags that work in a container, as root, with no display and no network. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
  // Containers often have a tiny /dev/shm; Chromium crashes when it fills up.
  '--disable-dev-shm-usage',
];

const INSTALL_HINT =
  'Install Chromium to run them: on Debian, `apt-get install chromium` (as root; it lands in /usr/bin/chromium), ' +
  'or point CHROMIUM_PATH at a Chromium or Chrome executable.';

/** Reads a 0/1 switch; anything else is a mistake worth stopping for. */
function flag(env, name) {
  const value = env[name];
  if (value === undefined || value === '' || value === '0') return { on: false };
  if (value === '1') return { on: true };
  return { error: `${name} must be 1 or 0 (or unset); received ${JSON.stringify(value)}` };
}

/** True for an existing regular file this process may execute. */
export function isExecutableFile(path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Decides whether the browser tests run, are skipped, or fail for want of a browser.
 * @param {{ env: Record<string, string | undefined>, isExecutable?: (path: string) => boolean }} options
 * @returns {{ action: 'run', path: string } | { action: 'skip', message: string } | { action: 'fail', message: string }}
 */
export function decideBrowserRun({ env, isExecutable = isExecutableFile }) {
  const required = flag(env, 'TIMESLICE_REQUIRE_BROWSER');
  const skip = flag(env, 'TIMESLICE_SKIP_BROWSER');
  for (const parsed of [required, skip]) if (parsed.error) return { action: 'fail', message: `browser tests: ${parsed.error}` };
  if (skip.on) {
    if (required.on) return { action: 'fail', message: 'browser tests: TIMESLICE_SKIP_BROWSER=1 and TIMESLICE_REQUIRE_BROWSER=1 contradict each other' };
    return { action: 'skip', message: 'browser tests skipped (TIMESLICE_SKIP_BROWSER=1)' };
  }
  const configured = env.CHROMIUM_PATH;
  if (configured !== undefined && configured !== '') {
    if (isExecutable(configured)) return { action: 'run', path: configured };
    return { action: 'fail', message: `browser tests: CHROMIUM_PATH=${JSON.stringify(configured)} is not an executable file. ${INSTALL_HINT}` };
  }
  if (isExecutable(DEFAULT_CHROMIUM_PATH)) return { action: 'run', path: DEFAULT_CHROMIUM_PATH };
  if (required.on) {
    return {
      action: 'fail',
      message: `browser tests: no Chromium at ${DEFAULT_CHROMIUM_PATH} and CHROMIUM_PATH is not set, but TIMESLICE_REQUIRE_BROWSER=1 makes them mandatory. ${INSTALL_HINT}`,
    };
  }
  return {
    action: 'skip',
    message: [
      '!'.repeat(100),
      `!! BROWSER TESTS SKIPPED: no Chromium at ${DEFAULT_CHROMIUM_PATH} and CHROMIUM_PATH is not set.`,
      '!! test/browser/*.browser.ts and test/web/chromium-differential.test.ts did not run.',
      `!! ${INSTALL_HINT}`,
      '!! Set TIMESLICE_REQUIRE_BROWSER=1 to make a missing browser an error (CI does).',
      '!'.repeat(100),
    ].join('\n'),
  };
}
