// The pool as shipped: its own entry (ESM and CJS) with its worker entry
// beside it, and `timeslice` itself reaching neither piscina nor the shared core.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reachableBareImports } from '../helpers/reachable-imports.js';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('../pool/fixtures/tasks.mjs', import.meta.url));

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('the pool entry of the built package', () => {
  it('declares ESM, CJS and types, and ships its worker entry', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const target = pkg.exports['./pool'];
    for (const file of [target.import.default, target.import.types, target.require.default, target.require.types]) expect(existsSync(join(root, file)), file).toBe(true);
    expect(existsSync(join(root, 'dist/pool-worker.cjs'))).toBe(true);
    expect(pkg.dependencies.piscina).toBeUndefined();
    expect([pkg.peerDependencies.piscina, pkg.peerDependenciesMeta.piscina]).toEqual([pkg.devDependencies.piscina, { optional: true }]);
  });

  it('importing timeslice or timeslice/core reaches no piscina and no shared core', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/core.js', 'dist/core.cjs']) {
      expect(reachableBareImports(join(root, file)).has('piscina'), file).toBe(false);
      const text = [...new Set([join(root, file)])].map((f) => readFileSync(f, 'utf8')).join('');
      expect(text.includes('SHARED_ATTACH_BASE64'), file).toBe(false);
    }
    expect(reachableBareImports(join(root, 'dist/pool.js')).has('piscina')).toBe(true);
  });

  // Piscina's worker require()s its filename: an ES module entry went through
  // require(esm), which once aborted the whole test process (a V8 fatal error).
  it('its threads run the CommonJS worker entry, from the ESM build and from the CommonJS build', () => {
    for (const [flags, load] of [[['--input-type=module'], "await import('timeslice/pool')"], [[], "require('timeslice/pool')"]] as const) {
      const body = `
        const { WorkerPool } = ${load};
        const pool = new WorkerPool({ threads: 1 });
        pool.run(pool.task(${JSON.stringify(fixtures)}, 'callerFiles')).then(async (files) => {
          await pool.close();
          console.log(JSON.stringify(files));
        });
      `;
      const files: string[] = JSON.parse(node([...flags, '-e', flags.length ? body : `(async () => {${body}})()`]));
      expect(files, load).toContain('pool-worker.cjs');
      expect(files, load).not.toContain('pool-worker.js');
    }
  });

  it('runs a task from ESM and from CommonJS, and importing it starts no thread', () => {
    const esm = node(['--input-type=module', '-e', `
      const { WorkerPool } = await import('timeslice/pool');
      // Let the module loader close the files it read. (Piscina's import opens
      // the stdio pipe handles, PipeWrap here: no timer, no port, no thread.)
      await new Promise((resolve) => setTimeout(resolve, 20));
      const idle = process.getActiveResourcesInfo().filter((r) => r !== 'PipeWrap' && r !== 'TTYWrap').length;
      const pool = new WorkerPool({ threads: 1 });
      const out = await pool.run(pool.task(${JSON.stringify(fixtures)}, 'add'), { a: 1, b: 2 });
      await pool.close();
      console.log(JSON.stringify({ idle, out }));
    `]);
    expect(JSON.parse(esm)).toEqual({ idle: 0, out: 3 });
    const cjs = node(['-e', `
      const { WorkerPool, PoolClosedError } = require('timeslice/pool');
      const pool = new WorkerPool({ threads: 1 });
      pool.run(pool.task(${JSON.stringify(fixtures)}, 'echo'), 'cjs').then(async (out) => {
        await pool.close();
        const refused = await pool.run(pool.task(${JSON.stringify(fixtures)}, 'echo'), 1).catch((e) => PoolClosedError.is(e));
        console.log(JSON.stringify({ out, refused }));
      });
    `]);
    expect(JSON.parse(cjs)).toEqual({ out: 'cjs', refused: true });
  });
});
