// Several processes opening one new SQLite file at once (a deploy starting
// replicas, or two `node app.js`): the schema is created once. A process that
// read the schema version before another migrated must not migrate again.
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, migrate } from '../../src/store/sqlite/schema.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { tempDir } from './temp-dir.js';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

let temp: Awaited<ReturnType<typeof tempDir>>;
let path: string;
beforeEach(async () => {
  temp = await tempDir();
  path = temp.file('jobs.db');
});
afterEach(() => temp.dispose());

/** A child process that opens the store (the built package's) and reports its schema version or its error. */
function openInChild(): Promise<string> {
  const script = `
    const { SqliteStore } = await import(${JSON.stringify(new URL('../../dist/store/sqlite.js', import.meta.url).href)});
    const store = new SqliteStore(${JSON.stringify(path)});
    try { console.log('version', (await store.open()).schemaVersion); } catch (error) { console.log('error', error.code, error.message); }
    await store.close();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
}

describe('opening one new SQLite file from several processes at once', () => {
  it('a migration another connection applied after this one read the version is not applied again', () => {
    const first = new Database(path);
    const second = new Database(path);
    // Both read version 0; the first migrates.
    migrate(first, 0);
    expect(() => migrate(second, 0)).not.toThrow();
    expect(second.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION);
    first.close();
    second.close();
  });

  it('four processes opening a new file together all open it at the latest version', async () => {
    const results = await Promise.all([openInChild(), openInChild(), openInChild(), openInChild()]);
    expect(results).toEqual(Array(4).fill(`version ${LATEST_SCHEMA_VERSION}`));
    const store = new SqliteStore(path);
    expect(await store.open()).toEqual({ schemaVersion: LATEST_SCHEMA_VERSION });
    await store.close();
  });
});
