// The stores as shipped: each is its own entry of the built package, loads in
// ESM and CJS, and `timeslice` itself reaches no database driver.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reachableBareImports } from '../helpers/reachable-imports.js';
import { pageSnippet } from '../helpers/readme-snippet.js';
import { LATEST_SCHEMA_VERSION as IDB_LATEST } from '../../src/store/indexeddb/schema.js';
import { LATEST_SCHEMA_VERSION as SQLITE_LATEST } from '../../src/store/sqlite/schema.js';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = fileURLToPath(new URL('../../', import.meta.url));
const ENTRIES = ['./store', './store/memory', './store/sqlite', './store/postgres', './store/indexeddb'];
const DRIVERS = ['better-sqlite3', 'idb', 'pg'];

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('the store entries of the built package', () => {
  it('declares ESM, CJS and types for each store entry, and the files exist', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    for (const entry of ENTRIES) {
      const target = pkg.exports[entry];
      for (const file of [target.import.default, target.import.types, target.require.default, target.require.types]) {
        expect(existsSync(join(root, file)), `${entry}: ${file}`).toBe(true);
      }
    }
    expect(pkg.peerDependenciesMeta['better-sqlite3'].optional).toBe(true);
    expect(pkg.peerDependenciesMeta.pg.optional).toBe(true);
    expect(pkg.dependencies.idb).toBeDefined();
  });

  it('reaches no database driver from timeslice itself, and each driver only from its own store', () => {
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/store.js', 'dist/store.cjs', 'dist/store/memory.js', 'dist/store/memory.cjs']) {
      const reached = reachableBareImports(join(root, file));
      expect(DRIVERS.filter((d) => reached.has(d)), file).toEqual([]);
    }
    expect(reachableBareImports(join(root, 'dist/store/sqlite.js')).has('better-sqlite3')).toBe(true);
    expect(reachableBareImports(join(root, 'dist/store/indexeddb.js')).has('idb')).toBe(true);
    for (const file of ['dist/store/postgres.js', 'dist/store/postgres.cjs']) {
      expect(DRIVERS.filter((d) => reachableBareImports(join(root, file)).has(d)), file).toEqual(['pg']);
    }
  });

  it('opens a SqliteStore and a MemoryStore from ESM, with errors recognised across entries', () => {
    const out = node(['--input-type=module', '-e', `
      import { SqliteStore } from 'timeslice/store/sqlite';
      import { MemoryStore } from 'timeslice/store/memory';
      import { taskRecord, UnstorablePayloadError } from 'timeslice/store';
      const results = [];
      for (const store of [new SqliteStore(':memory:'), new MemoryStore()]) {
        await store.open();
        await store.putTasks([taskRecord({ id: 't', functionName: 'f', scheduleKind: 'once', createdAtMs: 0 })]);
        const claim = await store.claim([{ taskId: 't', scheduleVersion: 1, nominalMs: 5, startedAtMs: 6 }]);
        const refused = await store.putTasks([taskRecord({ id: 'u', functionName: 'f', scheduleKind: 'once', createdAtMs: 0, params: { n: 1n } })]).catch((e) => UnstorablePayloadError.is(e) && e instanceof UnstorablePayloadError);
        results.push([store.kind, claim[0].status, refused]);
        await store.close();
      }
      console.log(JSON.stringify(results));
    `]);
    expect(JSON.parse(out)).toEqual([['sqlite', 'claimed', true], ['memory', 'claimed', true]]);
  });

  it('opens a SqliteStore from CommonJS, and an IndexedDbStore (on fake-indexeddb) from ESM', () => {
    const cjs = node(['-e', `
      const { SqliteStore } = require('timeslice/store/sqlite');
      const store = new SqliteStore(':memory:');
      store.open().then((info) => console.log(JSON.stringify(info)));
    `]);
    expect(JSON.parse(cjs)).toEqual({ schemaVersion: SQLITE_LATEST });
    const idb = node(['--input-type=module', '-e', `
      import 'fake-indexeddb/auto';
      import { IndexedDbStore } from 'timeslice/store/indexeddb';
      const store = new IndexedDbStore('dist-test');
      console.log(JSON.stringify(await store.open()));
      await store.close();
    `]);
    expect(JSON.parse(idb)).toEqual({ schemaVersion: IDB_LATEST });
  });

  it("runs the README's persistence example as written", () => {
    const example = pageSnippet('docs/durable.md', 'Persistence stores');
    expect(node(['--input-type=module', '-e', example]).trim().split('\n')).toEqual(['claimed duplicate', 'completed']);
  });
});
