// The record of which sources dist/ was built from (scripts/build-inputs.mjs),
// on a tree of its own: no record, the record of these sources, and one of
// other sources (a file changed, added or removed), a content put back as it
// was.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { distStaleness, inputsDigest } from '../../scripts/build-inputs.mjs';

const trees: string[] = [];
afterEach(() => {
  for (const tree of trees.splice(0)) rmSync(tree, { recursive: true, force: true });
});

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'timeslice-build-inputs-'));
  trees.push(root);
  for (const dir of ['assembly', 'bindings', 'src/store', 'build', 'dist']) mkdirSync(join(root, dir), { recursive: true });
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
