#!/usr/bin/env node
// Which sources dist/ was built from. Tests of what ships read dist/, the
// build's output: after a rebase or an edit, until `npm run build` runs again,
// it is the package as it was, and a test of it fails (a size budget lowered
// by the commit that met it, 6373f28: 23.8 -> 19.0 KB) or passes for a build
// that is not the code under test, and a benchmark measures old code.
// `npm test` and `npm run bench` build first; a file run alone (`npx vitest
// run test/pool`, `node bench/ab/...`) does not, so every reader of dist/
// calls requireCurrentDist() before it loads anything from there: test files
// through test/helpers/current-dist.ts, scripts that take a build directory
// with that directory, scripts that import dist/ statically by importing
// scripts/current-dist.mjs first.
//
// The build records a digest of its inputs (every file under assembly/,
// bindings/ and src/, and the configs that shape the output) once the
// generated bindings are written and before tsup starts, and keeps it as
// build/dist-inputs.txt only once tsup has finished: a build that failed or
// is still running leaves none. Content, not times: a checkout or a stash that
// puts back the same text does not make dist/ stale.
//
//   node scripts/build-inputs.mjs begin   (npm run build, before tsup)
//   node scripts/build-inputs.mjs end     (after it)
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const INPUT_DIRS = ['assembly', 'bindings', 'src'];
const INPUT_FILES = ['package.json', 'tsup.config.ts', 'asconfig.json'];
const STAMP = 'build/dist-inputs.txt';
const PENDING = 'build/dist-inputs.pending';

function filesUnder(root, dir) {
  const out = [];
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(root, path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** A digest of the build's inputs under `root`: each file's path and content, in path order. */
export function inputsDigest(root) {
  const hash = createHash('sha256');
  const files = [...INPUT_DIRS.flatMap((dir) => filesUnder(root, dir)), ...INPUT_FILES].map((f) => relative(root, join(root, f))).sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Why dist/ under `root` is not the build of the inputs there now, or undefined when it is. */
export function distStaleness(root) {
  let built;
  try {
    built = readFileSync(join(root, STAMP), 'utf8').trim();
  } catch {
    return `dist/ has no finished build on record (${STAMP} is missing: never built, or a build failed or is running): run \`npm run build\``;
  }
  if (built !== inputsDigest(root)) return 'dist/ was built from other sources than those here now (a rebase or an edit since): run `npm run build`';
  return undefined;
}

/** This checkout's root. */
export const ROOT = fileURLToPath(new URL('../', import.meta.url));

/**
 * Throws, saying why and to run `npm run build`, when dist/ under `root` (this
 * checkout by default; a build directory an A/B script was given) is not the
 * build of the sources there. Not cached: a call hashes the inputs (about 270
 * files, 14 ms under load), so a reader calls it once, before it loads dist/.
 */
export function requireCurrentDist(root = ROOT) {
  // Another checkout of a revision from before the record (no build-inputs.mjs there) cannot be checked.
  if (resolve(root) !== resolve(ROOT) && !existsSync(join(root, 'scripts', 'build-inputs.mjs'))) return;
  const stale = distStaleness(root);
  if (stale === undefined) return;
  throw new Error(resolve(root) === resolve(ROOT) ? stale : `${stale} in ${root}`);
}

/**
 * requireCurrentDist() of the build a module file belongs to (an A/B script's
 * `<checkout>/dist/index.js`): the checkout above the dist/ it lies in. A file
 * in no dist/ (a bundle of bench/ab/bundle.mjs) is a build of its own: nothing
 * to check.
 */
export function requireCurrentBuildOf(file) {
  const parts = resolve(file).split(sep);
  const at = parts.lastIndexOf('dist');
  if (at > 0) requireCurrentDist(parts.slice(0, at).join(sep) || sep);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = ROOT;
  const step = process.argv[2];
  if (step === 'begin') {
    rmSync(join(root, STAMP), { force: true });
    writeFileSync(join(root, PENDING), `${inputsDigest(root)}\n`);
  } else if (step === 'end') {
    renameSync(join(root, PENDING), join(root, STAMP));
  } else {
    process.stderr.write(`usage: node scripts/build-inputs.mjs begin|end; received ${JSON.stringify(step)}\n`);
    process.exitCode = 2;
  }
}
