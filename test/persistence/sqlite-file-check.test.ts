// The file check before SQLite opens a file (src/store/sqlite/file-check.ts)
// judges only a snapshot taken while the file did not change: another process
// may be creating the schema, checkpointing and deleting its WAL while it reads.
import { writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreCorruptError } from '../../src/store/errors.js';
import { checkDatabaseFile, type FileSnapshot, readSnapshot } from '../../src/store/sqlite/file-check.js';
import { tempDir } from './temp-dir.js';

let temp: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  temp = await tempDir();
});
afterEach(() => temp.dispose());

/** A header of a 4096-byte-page file whose size field says `pages` (valid for its change counter). */
function header(pages: number): Buffer {
  const bytes = Buffer.alloc(100);
  bytes.write('SQLite format 3\u0000', 0, 'latin1');
  bytes.writeUInt16BE(4096, 16);
  bytes.writeUInt32BE(7, 24);
  bytes.writeUInt32BE(pages, 28);
  bytes.writeUInt32BE(7, 92);
  return bytes;
}

const snapshot = (sizeBytes: number, pages: number, stable: boolean): FileSnapshot => ({
  isFile: true,
  sizeBytes,
  header: header(pages),
  sideFilePages: false,
  stable,
});

describe('checkDatabaseFile', () => {
  it('refuses a file that stays shorter than its header says', () => {
    const path = temp.file('short.db');
    writeFileSync(path, Buffer.concat([header(15), Buffer.alloc(4096 - 100)]));
    expect(() => checkDatabaseFile(path)).toThrow(StoreCorruptError);
    expect(() => checkDatabaseFile(path)).toThrow(/header says 15 pages .* 4096 bytes: truncated/);
  });

  it('does not judge a snapshot during which the file changed: another process checkpointed it', () => {
    // The size was read before a checkpoint wrote page 1 and grew the file; the next snapshot sees both.
    const reads = [snapshot(4096, 15, false), snapshot(15 * 4096, 15, true)];
    expect(() => checkDatabaseFile('db', () => reads.shift())).not.toThrow();
    expect(reads).toEqual([]);
  });

  it('still refuses when a later stable snapshot shows the truncation', () => {
    const reads = [snapshot(4096, 15, false), snapshot(4096, 15, true)];
    expect(() => checkDatabaseFile('db', () => reads.shift())).toThrow(StoreCorruptError);
  });

  it('leaves a file that changes during every snapshot to SQLite', () => {
    let reads = 0;
    expect(() =>
      checkDatabaseFile('db', () => {
        reads++;
        return snapshot(4096, 15, false);
      }),
    ).not.toThrow();
    expect(reads).toBe(5);
  });

  it('leaves the size to SQLite while a rollback journal lies beside the file', () => {
    const path = temp.file('hot.db');
    writeFileSync(path, Buffer.concat([header(15), Buffer.alloc(4096 - 100)]));
    writeFileSync(`${path}-journal`, Buffer.alloc(512));
    expect(readSnapshot(path)).toMatchObject({ sideFilePages: true, stable: true, sizeBytes: 4096 });
    expect(() => checkDatabaseFile(path)).not.toThrow();
  });

  it('reads a missing file as nothing to check', () => {
    expect(readSnapshot(temp.file('missing.db'))).toBeUndefined();
  });
});
