// SqliteStore's options: what each means (the TSDoc users read), and their
// checks, resolved once in the constructor into the settings open() applies.
import { describeValue, InvalidArgumentError } from '../../../bindings/errors.js';
import { checkIntegerInRange, checkObject, invalid } from '../validate.js';
import { type OpenSettings, type SynchronousLevel, UNLIMITED_PAGES } from './open-database.js';

export interface SqliteStoreOptions {
  /** The database file (created if missing), or ':memory:' for a throwaway database. @example 'jobs.db' */
  path: string;
  /**
   * `PRAGMA synchronous`. 'full' fsyncs the WAL on every commit (durable once a
   * promise resolves); 'normal' only at checkpoints (faster, but the last
   * commits can be lost on power loss, never on a process crash); 'extra' also
   * syncs the directory. 'off' is not offered: it can corrupt the database.
   * @default 'full'
   */
  synchronous?: SynchronousLevel;
  /** How long a write waits for another connection's lock before failing. @default 5000 */
  busyTimeoutMs?: number;
  /**
   * `PRAGMA max_page_count`: a write that would grow the file past this many
   * pages (4096 bytes each by default) rejects with StoreFullError. null = no limit.
   * @default null
   */
  maxPageCount?: number | null;
  /**
   * Check the whole file on open() ('quick': `quick_check`, 'full':
   * `integrity_check`), rejecting with StoreCorruptError on any problem. Costs a
   * read of the whole file; without it, damage deep inside is reported by the
   * first query that reaches it (also as StoreCorruptError).
   * @default 'none'
   */
  integrityCheck?: 'none' | 'quick' | 'full';
}

const OPTION_KEYS = new Set(['path', 'synchronous', 'busyTimeoutMs', 'maxPageCount', 'integrityCheck']);

export function resolveOptions(options: unknown): OpenSettings {
  const o = typeof options === 'string' ? { path: options } : options;
  checkObject(o, 'options');
  for (const key of Object.keys(o)) {
    if (!OPTION_KEYS.has(key)) throw new InvalidArgumentError(`options.${key} is not a SqliteStore option (known: ${[...OPTION_KEYS].join(', ')})`);
  }
  if (typeof o.path !== 'string') throw invalid('options.path', "a file path or ':memory:'", o.path);
  const synchronous = o.synchronous ?? 'full';
  if (synchronous !== 'normal' && synchronous !== 'full' && synchronous !== 'extra') {
    throw invalid('options.synchronous', "'normal', 'full' or 'extra'", synchronous);
  }
  const busyTimeoutMs = o.busyTimeoutMs ?? 5000;
  if (typeof busyTimeoutMs !== 'number' || !(busyTimeoutMs >= 0) || busyTimeoutMs > 2 ** 31 - 1) {
    throw invalid('options.busyTimeoutMs', 'a number of ms from 0 to 2^31-1', busyTimeoutMs);
  }
  const maxPageCount = o.maxPageCount ?? null;
  if (maxPageCount !== null) checkIntegerInRange(maxPageCount, 'options.maxPageCount', 1, UNLIMITED_PAGES);
  const integrityCheck = o.integrityCheck ?? 'none';
  if (integrityCheck !== 'none' && integrityCheck !== 'quick' && integrityCheck !== 'full') {
    throw new InvalidArgumentError(`options.integrityCheck must be 'none', 'quick' or 'full', received ${describeValue(integrityCheck)}`);
  }
  return { path: o.path, synchronous, busyTimeoutMs, maxPageCount: maxPageCount as number | null, integrityCheck };
}
