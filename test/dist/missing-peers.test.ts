// The optional peers as a user without them meets them: the built package in
// a project whose node_modules has timeslice's dependencies but neither
// piscina, better-sqlite3, pg nor @opentelemetry/api. Importing the entries works; using the pool,
// the SQLite store or the PostgreSQL store fails with MissingDependencyError, which names the package
// and the command that installs it, never Node's raw MODULE_NOT_FOUND.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reachableBareImports } from '../helpers/reachable-imports.js';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = fileURLToPath(new URL('../../', import.meta.url));
let project: string;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'timeslice-no-peers-'));
  const own = join(project, 'node_modules', 'timeslice');
  mkdirSync(own, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(own, 'package.json'));
  // A copy, not a link: Node resolves a linked file's imports from its real path, which would find this repo's node_modules.
  cpSync(join(root, 'dist'), join(own, 'dist'), { recursive: true });
  // Its dependencies only (croner, idb), as npm would install them without the optional peers.
  for (const dep of ['croner', 'idb']) symlinkSync(join(root, 'node_modules', dep), join(project, 'node_modules', dep));
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

function run(args: string[]): unknown {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], timeout: 30_000 }));
}

/** What a caught error looks like from outside. */
const SHOW = `(e) => ({ name: e.name, code: e.code, packageName: e.packageName, message: e.message, typed: MissingDependencyError.is(e) })`;

const piscinaMissing = {
  name: 'MissingDependencyError',
  code: 'ERR_MISSING_DEPENDENCY',
  packageName: 'piscina',
  message: "timeslice/pool (WorkerPool) needs the package 'piscina', which is not installed: run `npm install piscina` (it is an optional peer dependency of timeslice)",
  typed: true,
};
const sqliteMissing = {
  name: 'MissingDependencyError',
  code: 'ERR_MISSING_DEPENDENCY',
  packageName: 'better-sqlite3',
  message:
    "the SQLite store (timeslice/store/sqlite) needs the package 'better-sqlite3', which is not installed: run `npm install better-sqlite3` (it is an optional peer dependency of timeslice)",
  typed: true,
};

describe('without the optional peers installed', () => {
  it('new WorkerPool() throws MissingDependencyError naming piscina, from ESM and CommonJS', () => {
    const esm = run(['--input-type=module', '-e', `
      const { WorkerPool, MissingDependencyError } = await import('timeslice/pool');
      try { new WorkerPool({ threads: 1 }); console.log('null'); } catch (e) { console.log(JSON.stringify((${SHOW})(e))); }
    `]);
    expect(esm).toEqual(piscinaMissing);
    const cjs = run(['-e', `
      const { WorkerPool, MissingDependencyError } = require('timeslice/pool');
      try { new WorkerPool({ threads: 1 }); console.log('null'); } catch (e) { console.log(JSON.stringify((${SHOW})(e))); }
    `]);
    expect(cjs).toEqual(piscinaMissing);
  });

  it("a Scheduler with a store path rejects ready with MissingDependencyError naming better-sqlite3, and so does SqliteStore's open()", () => {
    const scheduler = run(['--input-type=module', '-e', `
      const { Scheduler, MissingDependencyError } = await import('timeslice');
      const scheduler = new Scheduler({ store: 'jobs.db' });
      scheduler.start();
      const error = await scheduler.ready.then(() => null, ${SHOW});
      await scheduler.stop().catch(() => {});
      console.log(JSON.stringify(error));
    `]);
    expect(scheduler).toEqual(sqliteMissing);
    const store = run(['-e', `
      const { SqliteStore, MissingDependencyError } = require('timeslice/store/sqlite');
      new SqliteStore('jobs.db').open().then(() => console.log('null'), (e) => console.log(JSON.stringify((${SHOW})(e))));
    `]);
    expect(store).toEqual(sqliteMissing);
  });

  it("PostgresStore's open() rejects with MissingDependencyError naming pg, from ESM and CommonJS", () => {
    const pgMissing = {
      name: 'MissingDependencyError',
      code: 'ERR_MISSING_DEPENDENCY',
      packageName: 'pg',
      message: "the PostgreSQL store (timeslice/store/postgres) needs the package 'pg', which is not installed: run `npm install pg` (it is an optional peer dependency of timeslice)",
      typed: true,
    };
    const esm = run(['--input-type=module', '-e', `
      const { postgresStore, MissingDependencyError } = await import('timeslice/store/postgres');
      const error = await postgresStore({ connectionString: 'postgres://127.0.0.1/none' }).open().then(() => null, ${SHOW});
      console.log(JSON.stringify(error));
    `]);
    expect(esm).toEqual(pgMissing);
    const cjs = run(['-e', `
      const { postgresStore, MissingDependencyError } = require('timeslice/store/postgres');
      postgresStore({ connectionString: 'postgres://127.0.0.1/none' }).open().then(() => console.log('null'), (e) => console.log(JSON.stringify((${SHOW})(e))));
    `]);
    expect(cjs).toEqual(pgMissing);
  });

  it('tracing needs no @opentelemetry/api of timeslice: no entry imports it, and a tracer passed in is all it calls', () => {
    for (const entry of ['index', 'core', 'testing', 'web', 'store', 'store/memory', 'store/sqlite', 'store/postgres', 'store/indexeddb', 'pool']) {
      for (const ext of ['js', 'cjs']) {
        const reached = [...reachableBareImports(join(root, `dist/${entry}.${ext}`))];
        expect(reached.filter((specifier) => specifier.startsWith('@opentelemetry/')), `dist/${entry}.${ext}`).toEqual([]);
      }
    }
    // A tracer with nothing of OpenTelemetry's behind it: the scheduler calls startActiveSpan and the span's methods only.
    const calls = run(['--input-type=module', '-e', `
      const { Scheduler } = await import('timeslice');
      const calls = [];
      const span = {
        spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
        setAttribute: (key) => calls.push(key), setStatus: (s) => calls.push('status ' + s.code), recordException: () => {}, end: () => calls.push('end'),
      };
      const tracer = { startActiveSpan: (name, options, fn) => { calls.push(name); return fn(span); } };
      const scheduler = new Scheduler({ tracer }).start();
      scheduler.run(() => {}, { name: 'job' });
      await scheduler.onIdle();
      await scheduler.stop();
      console.log(JSON.stringify(calls));
    `]);
    expect(calls).toEqual(['job', 'timeslice.outcome', 'status 1', 'end']);
  });
});
