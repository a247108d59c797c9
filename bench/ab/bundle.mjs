// Bundles the TypeScript sources of a git revision (or the working tree) into
// one ES module, so that two builds of timeslice can run side by side in one
// process (each with its own wasm instance and its own call sites):
//
//   node bench/ab/bundle.mjs main          -> bench/.cache/ab/main.mjs
//   node bench/ab/bundle.mjs worktree      -> bench/.cache/ab/worktree.mjs
//
// The generated bindings (the embedded wasm, the layout) are the working
// tree's (npm run asbuild && npm run layout first): compare revisions whose
// assembly/ is the same, or build each revision's wasm yourself.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = path.join(rootDir, 'bench', '.cache', 'ab');

export function bundle(rev) {
  // The bundle takes the built parts the `imports` map names from this checkout's dist/.
  requireCurrentDist(rootDir);
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `${rev.replace(/[^A-Za-z0-9._-]/g, '_')}.mjs`);
  let srcRoot = rootDir;
  let tmp;
  if (rev !== 'worktree') {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'timeslice-ab-'));
    // package.json for its `imports` map (#wasm-sync and the like), which name built files in dist/ (the working
    // tree's: npm run build first), and tsconfig.json, so a revision compiles as the working tree does.
    const tar = execFileSync('git', ['archive', rev, 'src', 'bindings', 'package.json', 'tsconfig.json'], { cwd: rootDir, maxBuffer: 1 << 28 });
    execFileSync('tar', ['-x', '-C', tmp], { input: tar });
    for (const file of readdirSync(path.join(rootDir, 'bindings')).filter((f) => f.endsWith('.generated.ts'))) {
      cpSync(path.join(rootDir, 'bindings', file), path.join(tmp, 'bindings', file));
    }
    symlinkSync(path.join(rootDir, 'node_modules'), path.join(tmp, 'node_modules'));
    symlinkSync(path.join(rootDir, 'dist'), path.join(tmp, 'dist'));
    srcRoot = tmp;
  }
  const esbuild = path.join(rootDir, 'node_modules', '.bin', 'esbuild');
  const args = ['src/index.ts', '--bundle', '--format=esm', '--platform=neutral', '--target=es2022', '--log-level=warning', `--outfile=${outFile}`];
  for (const external of ['node:*', 'better-sqlite3', 'piscina']) args.push(`--external:${external}`);
  execFileSync(esbuild, args, { cwd: srcRoot, stdio: 'inherit' });
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  return outFile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const rev of process.argv.slice(2)) process.stdout.write(`${bundle(rev)}\n`);
}
