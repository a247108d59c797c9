// The record of which sources dist/ was built from (scripts/build-inputs.mjs),
// on a tree of its own: no record, the record of these sources, and one of
// other sources (a file changed, added or removed), a content put back as it
// was; and the guard every reader of dist/ goes through (requireCurrentDist,
// requireCurrentBuildOf, scripts/current-dist.mjs before static imports).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { distStaleness, inputsDigest, requireCurrentBuildOf, requireCurrentDist } from '../../scripts/build-inputs.mjs';

const trees: string[] = [];
afterEach(() => {
  for (const tree of trees.splice(0)) rmSync(tree, { recursive: true, force: true });
});

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'timeslice-build-inputs-'));
  trees.push(root);
  for (const dir of ['assembly', 'bindings', 'src/store', 'build', 'dist', 'scripts', 'bench']) mkdirSync(join(root, dir), { recursive: true });
  // The tree's own copy of the record's script and the static importers' guard (a checkout of today's sources).
  for (const script of ['build-inputs.mjs', 'current-dist.mjs']) copyFileSync(fileURLToPath(new URL(`../../scripts/${script}`, import.meta.url)), join(root, 'scripts', script));
  for (const [file, text] of [
    ['assembly/index.ts', 'core'], ['bindings/wasm.generated.ts', 'wasm'], ['src/index.ts', 'facade'], ['src/store/memory.ts', 'store'],
    ['package.json', '{}'], ['tsup.config.ts', 'config'], ['asconfig.json', '{}'], ['dist/index.js', 'built'],
  ]) writeFileSync(join(root, file!), text!);
  return root;
}

const built = (root: string) => writeFileSync(join(root, 'build/dist-inputs.txt'), `${inputsDigest(root)}\n`);

describe('the record of the sources dist/ was built from', () => {
  it('says dist/ has no finished build when there is no record', () => {
    expect(distStaleness(tree())).toMatch(/no finished build on record/);
  });

  it('finds dist/ current for the sources it was built from, and stale once a source under src/, bindings/ or assembly/ or a config changes', () => {
    for (const file of ['src/store/memory.ts', 'bindings/wasm.generated.ts', 'assembly/index.ts', 'tsup.config.ts']) {
      const root = tree();
      built(root);
      expect(distStaleness(root), file).toBeUndefined();
      writeFileSync(join(root, file), 'changed');
      expect(distStaleness(root), file).toMatch(/built from other sources/);
    }
  });

  it('finds dist/ stale when a source is added or removed, and current again when the content is put back as it was', () => {
    const root = tree();
    built(root);
    writeFileSync(join(root, 'src/new.ts'), 'new');
    expect(distStaleness(root)).toMatch(/built from other sources/);
    unlinkSync(join(root, 'src/new.ts'));
    expect(distStaleness(root)).toBeUndefined();
    unlinkSync(join(root, 'src/index.ts'));
    expect(distStaleness(root)).toMatch(/built from other sources/);
    writeFileSync(join(root, 'src/index.ts'), 'facade');
    expect(distStaleness(root)).toBeUndefined();
  });

  it('ignores what the build writes and what it does not read (dist/, a file at the root)', () => {
    const root = tree();
    built(root);
    writeFileSync(join(root, 'dist/index.js'), 'rebuilt');
    writeFileSync(join(root, 'README.md'), 'docs');
    expect(distStaleness(root)).toBeUndefined();
  });
});

describe('the guard of every reader of dist/', () => {
  it('refuses a dist/ with no record or of other sources, naming the checkout and saying to run npm run build, and lets a current one be', () => {
    const root = tree();
    expect(() => requireCurrentDist(root)).toThrow(`no finished build on record (build/dist-inputs.txt is missing: never built, or a build failed or is running): run \`npm run build\` in ${root}`);
    built(root);
    expect(() => requireCurrentDist(root)).not.toThrow();
    writeFileSync(join(root, 'src/index.ts'), 'changed');
    expect(() => requireCurrentDist(root)).toThrow(/built from other sources than those here now .*: run `npm run build` in /);
  });

  it('checks the checkout above the dist/ a module file lies in, and nothing for a file in no dist/ (a bundle)', () => {
    const root = tree();
    expect(() => requireCurrentBuildOf(join(root, 'dist', 'index.js'))).toThrow(/no finished build on record/);
    expect(() => requireCurrentBuildOf(join(root, 'bench', 'bundle.mjs'))).not.toThrow();
    built(root);
    expect(() => requireCurrentBuildOf(join(root, 'dist', 'index.js'))).not.toThrow();
  });

  it('lets be another checkout of a revision from before the record (no scripts/build-inputs.mjs there): it cannot be checked', () => {
    const root = tree();
    unlinkSync(join(root, 'scripts', 'build-inputs.mjs'));
    expect(() => requireCurrentDist(root)).not.toThrow();
  });

  it('stops a script that imports dist/ statically before any of dist/ runs, when scripts/current-dist.mjs is imported first', () => {
    const root = tree();
    writeFileSync(join(root, 'dist', 'index.mjs'), "console.log('dist ran');\n");
    writeFileSync(join(root, 'bench', 'reader.mjs'), "import '../scripts/current-dist.mjs';\nimport '../dist/index.mjs';\n");
    const stale = spawnSync(process.execPath, [join(root, 'bench', 'reader.mjs')], { encoding: 'utf8' });
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('no finished build on record');
    expect(stale.stderr).toContain('run `npm run build`');
    expect(stale.stdout).not.toContain('dist ran');
    built(root);
    const current = spawnSync(process.execPath, [join(root, 'bench', 'reader.mjs')], { encoding: 'utf8' });
    expect([current.status, current.stdout]).toEqual([0, 'dist ran\n']);
  });
});
