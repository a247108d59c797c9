// Reads the first 100 bytes of an existing database file before SQLite opens
// it, so that a file which is not a database fails fast with a typed error,
// and SQLite never gets the chance to write to it (not even its -wal and -shm
// companions). What SQLite would do instead: treat some of these files as
// databases until the first query fails deep inside a transaction, by which
// time it has created side files; and treat a truncated file as a database
// with fewer pages, reading past the end as "malformed" only when it gets there.
//
// Header layout (https://sqlite.org/fileformat.html, 1.3): bytes 0-15 the magic
// string, 16-17 the page size (big-endian; 1 means 65536), 24-27 the file
// change counter, 28-31 the size in pages, 92-95 the change counter the size
// is valid for.
//
// Another process may be writing the file while it is read (replicas starting
// together: one creates the schema, commits, checkpoints and deletes its WAL).
// A verdict is only given on a snapshot taken while the file did not change:
// its size and modification time are read before and after the header and
// the side files. A file that keeps changing is in use; it is left to SQLite.
import { closeSync, existsSync, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { StoreCorruptError } from '../errors.js';

const HEADER_BYTES = 100;
const MAGIC = 'SQLite format 3\u0000';
/** Snapshots tried before a file that keeps changing is left to SQLite. */
const SNAPSHOT_TRIES = 5;

/** What the check reads of a database file, all at one moment when `stable`. */
export interface FileSnapshot {
  readonly isFile: boolean;
  readonly sizeBytes: number;
  readonly header: Buffer;
  /** A non-empty write-ahead log, or a rollback journal, lies beside the file: pages live outside it. */
  readonly sideFilePages: boolean;
  /** The file's size and modification time were the same before and after the reads. */
  readonly stable: boolean;
}

function sameVersion(before: Stats, after: Stats): boolean {
  return before.size === after.size && before.mtimeMs === after.mtimeMs && before.ino === after.ino;
}

function hasPagesBeside(path: string): boolean {
  const wal = `${path}-wal`;
  return (existsSync(wal) && statSync(wal).size > 0) || existsSync(`${path}-journal`);
}

/** Reads the file's size, header and side files; undefined when it does not exist. */
export function readSnapshot(path: string): FileSnapshot | undefined {
  const header = Buffer.alloc(HEADER_BYTES);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const before = fstatSync(fd);
    if (!before.isFile()) return { isFile: false, sizeBytes: before.size, header, sideFilePages: false, stable: true };
    readSync(fd, header, 0, HEADER_BYTES, 0);
    const sideFilePages = hasPagesBeside(path);
    const after = fstatSync(fd);
    const stillNamed = statSync(path, { throwIfNoEntry: false })?.ino === after.ino;
    return { isFile: true, sizeBytes: before.size, header, sideFilePages, stable: stillNamed && sameVersion(before, after) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Throws StoreCorruptError (naming `path`) when the file exists and cannot be
 * an SQLite database; returns quietly for a missing or empty file (what
 * SQLite itself creates before the first commit) and for a plausible one.
 * With a non-empty write-ahead log or a rollback journal beside it, the main
 * file may legitimately be shorter than its header says (a checkpoint or a
 * commit in progress), so the size is then left to SQLite. So is a file that
 * changed during every snapshot (another process is writing it).
 */
export function checkDatabaseFile(path: string, read: (path: string) => FileSnapshot | undefined = readSnapshot): void {
  for (let tries = 0; tries < SNAPSHOT_TRIES; tries++) {
    const snapshot = read(path);
    if (snapshot === undefined) return;
    if (snapshot.stable) {
      judge(path, snapshot);
      return;
    }
  }
}

function judge(path: string, { isFile, sizeBytes, header, sideFilePages }: FileSnapshot): void {
  if (!isFile) throw new StoreCorruptError(path, 'not a regular file');
  if (sizeBytes === 0) return;
  if (sizeBytes < HEADER_BYTES) throw new StoreCorruptError(path, `${sizeBytes} bytes, shorter than the ${HEADER_BYTES}-byte SQLite header: truncated`);
  if (header.toString('latin1', 0, 16) !== MAGIC) {
    throw new StoreCorruptError(path, `the header is not 'SQLite format 3' (it starts ${JSON.stringify(header.toString('latin1', 0, 16))}): not an SQLite database, or its header was overwritten`);
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new StoreCorruptError(path, `invalid page size ${rawPageSize} in the header`);
  if (sideFilePages) return;
  if (sizeBytes % pageSize !== 0) {
    throw new StoreCorruptError(path, `${sizeBytes} bytes is not a whole number of ${pageSize}-byte pages: truncated or padded`);
  }
  const pages = header.readUInt32BE(28);
  const sizeIsValid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  if (sizeIsValid && sizeBytes < pages * pageSize) {
    throw new StoreCorruptError(path, `the header says ${pages} pages (${pages * pageSize} bytes) but the file has ${sizeBytes} bytes: truncated`);
  }
}
