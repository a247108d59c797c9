// The layers import downwards only: no module of src/ or bindings/ reaches
// itself again through the imports it runs (`import type` is erased, so it
// does not count). A circle makes load order matter and hides a missing layer.
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sources } from './sources.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** `import`/`export ... from './x.js'` that are not `import type`/`export type`. */
const RUNTIME_IMPORT = /^(?:import|export)\s+(?!type\s)[^'";]*?from\s+'(\.[^']+)'/gm;

function importCycles(files: string[]): string[] {
  const graph = new Map(
    files.map((file) => [file, [...readFileSync(file, 'utf8').matchAll(RUNTIME_IMPORT)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')))]),
  );
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (state.get(next) === 'open') cycles.push([...path.slice(path.indexOf(next)), next].map((f) => relative(root, f)).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return cycles;
}

describe('imports', () => {
  it('src/ and bindings/ have no import circle', () => {
    const files = [...sources(join(root, 'src')), ...sources(join(root, 'bindings'))];
    expect(files.length).toBeGreaterThan(50);
    expect(importCycles(files)).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    // The check itself: two files of this folder's fixtures that import each other.
    const dir = fileURLToPath(new URL('./fixtures/import-cycle/', import.meta.url));
    expect(importCycles(sources(dir))).toEqual(['test/tooling/fixtures/import-cycle/a.ts -> test/tooling/fixtures/import-cycle/b.ts -> test/tooling/fixtures/import-cycle/a.ts']);
  });
});
