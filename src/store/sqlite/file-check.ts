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
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { StoreCorruptError } from '../errors.js';

const HEADER_BYTES = 100;
const MAGIC = 'SQLite format 3\u0000';

function walHasFrames(path: string): boolean {
  const wal = `${path}-wal`;
  return existsSync(wal) && statSync(wal).size > 0;
}

function readHeader(path: string): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, HEADER_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  return header;
}

/**
 * Throws StoreCorruptError (naming `path`) when the file exists and cannot be
 * an SQLite database; returns quietly for a missing or empty file (what
 * SQLite itself creates before the first commit) and for a plausible one.
 * With a non-empty write-ahead log beside it, the main file may legitimately
 * be shorter than its header says (a checkpoint in progress), so the size is
 * then left to SQLite.
 */
export function checkDatabaseFile(path: string): void {
  if (!existsSync(path)) return;
  const stats = statSync(path);
  if (!stats.isFile()) throw new StoreCorruptError(path, 'not a regular file');
  const sizeBytes = stats.size;
  if (sizeBytes === 0) return;
  if (sizeBytes < HEADER_BYTES) throw new StoreCorruptError(path, `${sizeBytes} bytes, shorter than the ${HEADER_BYTES}-byte SQLite header: truncated`);
  const header = readHeader(path);
  if (header.toString('latin1', 0, 16) !== MAGIC) {
    throw new StoreCorruptError(path, `the header is not 'SQLite format 3' (it starts ${JSON.stringify(header.toString('latin1', 0, 16))}): not an SQLite database, or its header was overwritten`);
  }
  const rawPageSize = header.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw new StoreCorruptError(path, `invalid page size ${rawPageSize} in the header`);
  if (walHasFrames(path)) return;
  if (sizeBytes % pageSize !== 0) {
    throw new StoreCorruptError(path, `${sizeBytes} bytes is not a whole number of ${pageSize}-byte pages: truncated or padded`);
  }
  const pages = header.readUInt32BE(28);
  const sizeIsValid = pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92);
  if (sizeIsValid && sizeBytes < pages * pageSize) {
    throw new StoreCorruptError(path, `the header says ${pages} pages (${pages * pageSize} bytes) but the file has ${sizeBytes} bytes: truncated`);
  }
}
