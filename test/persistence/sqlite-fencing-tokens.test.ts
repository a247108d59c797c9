// SqliteStore hands out fencing tokens from blocks it reserves in the file
// (src/store/sqlite/fencing-tokens.ts): tokens stay unique across store
// instances on one file, across a reopen, and across a write that rolled back
// after reserving a block.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INSIDE_WRITE_HOOK, SqliteStore } from '../../src/store/sqlite-store.js';
import { slot, task } from './contract/harness.js';
import { tempDir } from './temp-dir.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
let path: string;
beforeEach(async () => {
  temp = await tempDir();
  path = temp.file('jobs.db');
});
afterEach(() => temp.dispose());

async function claimToken(store: SqliteStore, taskId: string, nominalMs: number): Promise<number> {
  const [result] = await store.claim([slot(taskId, nominalMs)]);
  if (result?.status !== 'claimed') throw new Error(`not claimed: ${JSON.stringify(result)}`);
  return result.execution.fencingToken;
}

describe('SqliteStore fencing tokens', () => {
  it('are unique across two instances on one file, each handing out its own block, and keep growing after a reopen', async () => {
    const a = new SqliteStore(path);
    const b = new SqliteStore(path);
    await a.open();
    await b.open();
    await a.putTasks([task('a'), task('b')]);
    const tokens: number[] = [];
    for (let i = 1; i <= 5; i++) {
      tokens.push(await claimToken(a, 'a', i));
      tokens.push(await claimToken(b, 'b', i));
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    await a.close();
    await b.close();
    const reopened = new SqliteStore(path);
    await reopened.open();
    expect(await claimToken(reopened, 'a', 100)).toBeGreaterThan(Math.max(...tokens));
    await reopened.close();
  });

  it('are not reused from a block whose reservation rolled back with its transaction', async () => {
    const a = new SqliteStore(path);
    await a.open();
    await a.putTasks([task('a'), task('b')]);
    // The first claim reserves a block, then its transaction fails: the reservation was never stored.
    a[INSIDE_WRITE_HOOK] = () => {
      throw new Error('fails before the commit');
    };
    await expect(a.claim([slot('a', 1)])).rejects.toThrow(/fails before the commit/);
    delete a[INSIDE_WRITE_HOOK];
    const b = new SqliteStore(path);
    await b.open();
    const tokens: number[] = [];
    for (let i = 1; i <= 5; i++) {
      tokens.push(await claimToken(b, 'b', i));
      tokens.push(await claimToken(a, 'a', i));
    }
    expect(new Set(tokens).size).toBe(tokens.length);
    await a.close();
    await b.close();
  });
});
