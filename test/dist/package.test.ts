// Tests what ships: the built dist/ (ESM and CJS), resolved through the
// package's own "exports" the way a user's import is resolved.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pageSnippet, readmeSnippet } from '../helpers/readme-snippet.js';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = new URL('../../', import.meta.url);

function node(args: string[], input?: string): string {
  return execFileSync(process.execPath, args, { cwd: root, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('the built package', () => {
  it('loads from ESM, finds its embedded wasm and schedules', () => {
    const out = node(['--input-type=module', '-e', `
      import { Core } from 'timeslice/core';
      import * as root from 'timeslice';
      const core = new Core();
      const h = core.register(0, 1);
      console.log(JSON.stringify({ same: root.Core === Core, popped: core.pop(0) === h }));
    `]);
    expect(JSON.parse(out)).toEqual({ same: true, popped: true });
  });

  it('loads from CommonJS', () => {
    const out = node(['-e', `
      const { Core, InvalidArgumentError } = require('timeslice/core');
      const core = new Core();
      let code = '';
      try { core.register(Number.NaN); } catch (err) { code = err.code + ':' + (err instanceof InvalidArgumentError); }
      console.log(JSON.stringify({ popped: core.pop(0), code }));
    `]);
    expect(JSON.parse(out)).toEqual({ popped: 0, code: 'ERR_INVALID_ARGUMENT:true' });
  });

  it('starts nothing on import: no timer or handle is left behind and no wasm is compiled', () => {
    const out = node(['--input-type=module', '-e', `
      let compiled = 0;
      const Original = WebAssembly.Module;
      WebAssembly.Module = function (...args) { compiled++; return new Original(...args); };
      await import('timeslice');
      await import('timeslice/core');
      // Let the module loader close the files it read.
      await new Promise((resolve) => setImmediate(resolve));
      console.log(JSON.stringify({ resources: process.getActiveResourcesInfo(), compiled }));
    `]);
    expect(JSON.parse(out)).toEqual({ resources: [], compiled: 0 });
  });

  it('ships the release wasm file and declares ESM, CJS and types for every entry', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.type).toBe('module');
    const wasm = readFileSync(new URL('dist/timeslice.wasm', root));
    expect(WebAssembly.validate(wasm)).toBe(true);
    for (const entry of ['.', './core']) {
      const target = pkg.exports[entry];
      for (const file of [target.import.default, target.import.types, target.require.default, target.require.types]) {
        expect(() => readFileSync(new URL(file, root))).not.toThrow();
      }
    }
     // The engine's fields of a TaskContext (marked @internal) stay out of the published types.
    const types = readFileSync(new URL(pkg.exports['.'].import.types, root), 'utf8');
    const context = types.slice(types.indexOf('declare class TaskContext'));
    expect(context.slice(0, context.indexOf('\n}'))).not.toMatch(/isLastRun|segmentStartMs|settled|inflight|constructor/);
  });

  it('packs the built files, the license, the readme and the changelog, and no source map', () => {
    const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }));
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json']);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files).toContain('dist/timeslice.wasm');
    // Every file the exports map names (every condition of every entry).
    const leaves = (value: unknown): string[] => (typeof value === 'string' ? [value] : Object.values(value as object).flatMap(leaves));
    for (const file of leaves(JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).exports)) expect(files).toContain(file.slice(2));
    // Without maps nothing points at one.
    for (const file of files.filter((f) => /\.c?js$/.test(f))) expect(readFileSync(new URL(file, root), 'utf8'), file).not.toMatch(/sourceMappingURL/);
  });

  it("keeps the engine's side of the event targets out of the published types", () => {
    // Every published declaration file: tsup moves shared declarations into chunks of their own.
    const types = readdirSync(new URL('dist/', root))
      .filter((f) => f.endsWith('.d.ts'))
      .map((f) => readFileSync(new URL(`dist/${f}`, root), 'utf8'))
      .join('');
    for (const name of ['SchedulerEvents', 'PoolEvents']) {
      const start = types.indexOf(`declare class ${name}`);
      expect(start, name).toBeGreaterThanOrEqual(0);
      const body = types.slice(start, types.indexOf('\n}', start));
      expect(body, name).not.toMatch(/\b(emit|wanted|defer|flush)\b/);
    }
  });

  it('runs the README examples as written', () => {
    const first = readmeSnippet('Quick start');
    // Both lines print in either order: the background task runs in the first
    // host turn after start(), and a host stalled past the report's 50 ms (a
    // loaded machine) finds both ready, when the deadline policy rightly runs
    // the report first (its deadline is 60 s earlier).
    const lines = node(['--input-type=module', '-e', first]).trim().split('\n');
    expect([...lines.slice(0, 2)].sort()).toEqual(['background work ran', 'report ready']);
    expect(lines.slice(2)).toEqual(['7']);
    const core = pageSnippet('docs/internals.md', 'The core, directly');
    expect(node(['--input-type=module', '-e', core]).trim().split('\n')).toEqual(['true', 'true', 'true', '40']);
    const testing = pageSnippet('docs/testing.md', 'Testing your code');
    expect(node(['--input-type=module', '-e', testing]).trim()).toBe('[ 3600000 ]');
    const web = pageSnippet('docs/web.md', 'The web-standard API');
    expect(node(['--input-type=module', '-e', `${web}\nconsole.log(await result, typeof globalThis.scheduler.postTask);`]).trim()).toBe('indexed function');
  });
});
