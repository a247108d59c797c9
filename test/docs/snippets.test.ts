// Every JavaScript snippet of the README and docs/ type-checks, as a user's
// TypeScript file would: `tsc --strict` against the published types (the
// built dist/*.d.ts, reached through the package's own exports, as
// `import ... from 'timeslice'` resolves in a user's project).
//
// HTML comments right before a fence, which the page does not show, set a
// snippet up: `<!-- snippet-declare: declare function step(i: number): void; -->`
// declares names it uses without defining (a `step()`, a `files` list);
// `<!-- snippet-file: hash.js -->` names its file, so that another snippet's
// `import ... from './hash.js'` finds it.
import { mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { snippetFences } from '../helpers/readme-snippet.js';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Snippet {
  page: string;
  line: number;
  /** The file name other snippets import it by (`hash.js` is written as hash.ts), if it has one. */
  file: string | undefined;
  code: string;
}

function snippets(): Snippet[] {
  return PAGES.flatMap((page) => {
    const text = readFileSync(join(root, page), 'utf8');
    return snippetFences(text).map(({ index, setup, code }) => {
      const declared = [...setup.matchAll(/<!-- snippet-declare: ([\s\S]*?) -->/g)].map((d) => d[1]).join('\n');
      return {
        page,
        line: text.slice(0, index).split('\n').length,
        file: setup.match(/<!-- snippet-file: ([\w.-]+) -->/)?.[1],
        // `export {}` makes each one a module (top-level await, its own scope).
        code: `${declared}\n${code}\nexport {};\n`,
      };
    });
  });
}

describe('README and docs snippets', () => {
  // A whole type-check: seconds on a quiet machine, far more with every core busy.
  it('type-check under tsc --strict against the published types', { timeout: 300_000 }, () => {
    const dir = join(root, 'node_modules', '.cache', 'timeslice-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const all = snippets();
    expect(all.length).toBeGreaterThanOrEqual(10);
    // ES modules, as in a project whose package.json says "type": "module", with timeslice installed.
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'timeslice'), 'dir');
    const files = all.map((s, i) => {
      const file = join(dir, s.file?.replace(/\.js$/, '.ts') ?? `${s.page.replace(/\W/g, '_')}-L${s.line}-${i}.ts`);
      writeFileSync(file, s.code);
      return file;
    });
    const program = ts.createProgram(files, {
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules', '@types')],
      skipLibCheck: true,
      noEmit: true,
    });
    const problems = ts.getPreEmitDiagnostics(program).map((d) => {
      const where = d.file ? `${d.file.fileName.slice(dir.length + 1)}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line}` : '';
      return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
    expect(problems).toEqual([]);
  });
});
