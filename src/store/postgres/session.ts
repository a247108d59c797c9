// How PostgresStore talks to the server: one pooled client per call (a
// Session), statements prepared once per connection, rows read with bigint
// columns as numbers, and the server's errors turned into the store's typed
// errors.
//
// Text: PostgreSQL's text cannot hold U+0000 (its UTF-8 byte 0), which a
// JavaScript string, and so an id, a name or an error message, may. Every
// string a statement takes is escaped, injectively: U+0000 as U+FFFF '0',
// U+FFFF itself as U+FFFF U+FFFF; every string a row gives back is
// unescaped. A string with neither (all but a few) is passed as it is, at the
// cost of a scan; an escaped one reads the same in SQL but for those
// characters, and sorts by its escaped form (the store's own order, which
// task-query pages follow).
//
// Pipelining: a session sends each statement as soon as it is asked for, and
// the store's own pool runs its connections in pg's pipeline mode, so
// statements asked for before the first's answer came back share one round
// trip (a caller that does not need an answer yet does not wait for it:
// `later`). Answers settle in the order the statements were sent: a
// statement fails with the first error of any statement sent before it in
// the session (after one fails, the server refuses the rest of the
// transaction; the first error is the one that says why). A pool you pass
// keeps its own mode: the statements then go one round trip each, in order.
// Pipelined, the statements sent in one turn of the event loop leave in one
// write: the connection's socket is corked at the first and uncorked once the turn's
// microtasks are done (setImmediate). A write is a system call: one per
// statement was a fifth of a worker process's CPU (bench/ab/cluster-processes-profile.mjs).
//
// Prepared statements: each statement is named after a hash of its text, so
// the same text is parsed and planned once per connection, and two stores
// over different schemas sharing one pool (different texts) never collide on
// a name. (A transaction-mode pooler that does not keep a connection's
// prepared statements needs PgBouncer >= 1.21 with max_prepared_statements.)
import type { CustomTypesConfig, PoolClient } from 'pg';
import { TimesliceError } from '../../../bindings/errors.js';
import { StoreError, StoreFullError } from '../errors.js';

/** The `pg` module's exports this store uses (loaded through requirePeer). */
export type PgModule = typeof import('pg');

/** A statement's text and the name it is prepared under. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** FNV-1a over the text, 2 x 32 bits: a statement name no other text of ours gets. */
export function hashText(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** A named statement for `text` (the name is derived from it). */
export function statement(text: string): Statement {
  return { name: `timeslice_${hashText(text)}`, text };
}

const INT8_OID = 20;

/**
 * Type parsers for this store's queries: bigint (int8) columns as numbers.
 * Every bigint the store writes is a safe integer (validated), so the
 * conversion is exact; pg's default would give strings. Set per query, so a
 * pool the user passes keeps its own parsers for the user's queries.
 */
export function storeTypes(pg: PgModule): CustomTypesConfig {
  const base = pg.types.getTypeParser;
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === INT8_OID && format !== 'binary' ? (text: string) => Number(text) : base(oid, format as 'text')) as CustomTypesConfig['getTypeParser'],
  };
}

const TEXT_ESCAPE = '\uffff';
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is the one character PostgreSQL's text cannot hold: it is what is escaped
const NEEDS_ESCAPE = /[\u0000\uffff]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: as above
const ESCAPED = /[\u0000\uffff]/g;
const UNESCAPE = /\uffff([0\uffff])/g;

/** `text` as the database stores it (see the header). */
export function escapeText(text: string): string {
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPED, (c) => (c === '\u0000' ? `${TEXT_ESCAPE}0` : `${TEXT_ESCAPE}${TEXT_ESCAPE}`)) : text;
}

/** The string escapeText() was given. */
export function unescapeText(stored: string): string {
  return stored.includes(TEXT_ESCAPE) ? stored.replace(UNESCAPE, (_, c: string) => (c === '0' ? '\u0000' : TEXT_ESCAPE)) : stored;
}

/**
 * A statement's parameters with their strings (and those in arrays: unnest's columns) escaped. An array of strings,
 * numbers, booleans and nulls goes as the text of PostgreSQL's array literal (arrayLiteral): the parameter pg would send.
 */
function escapeValues(values: readonly unknown[]): unknown[] {
  return values.map((value) => {
    if (typeof value === 'string') return escapeText(value);
    if (Array.isArray(value)) return arrayLiteral(value) ?? value.map((item) => (typeof item === 'string' ? escapeText(item) : item));
    return value;
  });
}

const ARRAY_QUOTED = /["\\]/;
const ARRAY_QUOTED_ALL = /["\\]/g;

/**
 * `items` as the text of an array literal, as pg's own conversion of an array parameter writes it (a string quoted, its
 * double quotes and backslashes escaped with a backslash; null and undefined as NULL; a number and a boolean as their text), its
 * strings escaped (escapeText); undefined if an item is of another kind (pg converts those). Each element is written
 * once and the literal joined once: pg's conversion appends element by element, and was a quarter of the bytes a
 * cluster job allocated (the arrays of a claim's and a finish's rows; bench/ab/cluster-alloc-profile.mjs).
 */
function arrayLiteral(items: readonly unknown[]): string | undefined {
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === null || item === undefined) parts[i] = 'NULL';
    else if (typeof item === 'string') {
      const text = escapeText(item);
      parts[i] = ARRAY_QUOTED.test(text) ? `"${text.replace(ARRAY_QUOTED_ALL, '\\$&')}"` : `"${text}"`;
    } else if (typeof item === 'number' || typeof item === 'boolean') parts[i] = String(item);
    else return undefined;
  }
  return `{${parts.join(',')}}`;
}

/** Rows with their strings unescaped, in place. */
function unescapeRows(rows: Array<Record<string, unknown>>): void {
  for (const row of rows) {
    for (const key in row) {
      const value = row[key];
      if (typeof value === 'string' && value.includes(TEXT_ESCAPE)) row[key] = unescapeText(value);
    }
  }
}

const ignore = (): void => {};

interface QueryResult {
  rows: Array<Record<string, unknown>>;
  rowCount: number | null;
}

/** One pooled client, for the statements of one call. */
export class Session {
  readonly #client: PoolClient;
  readonly #types: CustomTypesConfig;
  /** The NOTIFY this transaction sends with its COMMIT, if any: its channel and the smallest payload number asked for. */
  #notice: { channel: string; value: number } | undefined;
  /** Settles after the last statement sent; rejects with the first error of any (see the header). */
  #sent: Promise<unknown> = Promise.resolve();
  /** The socket is corked until the end of this turn (see the header). */
  #corked = false;

  constructor(client: PoolClient, types: CustomTypesConfig) {
    this.#client = client;
    this.#types = types;
  }

  /** Holds this turn's writes on the connection's socket, to leave together at its end. */
  #cork(): void {
    // Not pipelined (a pool you passed), a statement waits for the one before: held, it would only wait longer.
    if (this.#corked || (this.#client as unknown as { pipeline?: boolean }).pipeline !== true) return;
    const stream = (this.#client as unknown as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection?.stream;
    if (typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return;
    stream.cork();
    this.#corked = true;
    setImmediate(() => {
      this.#corked = false;
      stream.uncork!();
    });
  }

  /** Sends now; the answer settles after every statement sent before it, with the first error among them. */
  #send<Result>(query: Promise<Result>): Promise<Result> {
    query.catch(ignore);
    const answer = this.#sent.then(() => query);
    this.#sent = answer;
    answer.catch(ignore);
    return answer;
  }

  #query(s: Statement, values: readonly unknown[]): Promise<QueryResult> {
    this.#cork();
    return this.#send(this.#client.query({ name: s.name, text: s.text, values: escapeValues(values), types: this.#types }) as Promise<QueryResult>);
  }

  /** The rows `statement` returns for `values`. */
  async rows<Row>(s: Statement, values: readonly unknown[] = []): Promise<Row[]> {
    const result = await this.#query(s, values);
    unescapeRows(result.rows);
    return result.rows as Row[];
  }

  /** The first row, or undefined. */
  async row<Row>(s: Statement, values: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.rows<Row>(s, values))[0];
  }

  /** How many rows `statement` wrote. */
  async run(s: Statement, values: readonly unknown[] = []): Promise<number> {
    return (await this.#query(s, values)).rowCount ?? 0;
  }

  /**
   * Sends a write whose answer the caller does not need now: the next
   * statement goes in the same round trip. Its failure is the failure of
   * every statement sent after it, and of COMMIT.
   */
  later(s: Statement, values: readonly unknown[] = []): void {
    void this.#query(s, values);
  }

  /**
   * BEGIN, and the first row of `first` (a statement without parameters) in
   * the same round trip: the simple protocol runs both texts of one message
   * in order, the second inside the transaction the first opened.
   */
  async begin<Row>(first: Statement): Promise<Row | undefined> {
    this.#cork();
    const results = (await this.#send(this.#client.query({ text: `BEGIN; ${first.text}`, types: this.#types }))) as unknown as Array<{ rows: Array<Record<string, unknown>> }>;
    const rows = results[1]!.rows;
    unescapeRows(rows);
    return rows[0] as Row | undefined;
  }

  /**
   * Asks for one NOTIFY on `channel` (a name from notifyChannel(): no quoting
   * needed) when this transaction commits; asked again, the smallest `value`
   * (an integer) is the payload. At most one per transaction, whatever the
   * statements did: listeners wake once per commit, not once per row.
   */
  notifyAtCommit(channel: string, value: number): void {
    if (this.#notice === undefined || value < this.#notice.value) this.#notice = { channel, value };
  }

  /**
   * COMMIT, with the NOTIFY asked for (notifyAtCommit) in the same round
   * trip. A statement sent before it that failed makes the server end the
   * transaction without committing anything, and this rejects with its error.
   */
  async commit(): Promise<void> {
    const n = this.#notice;
    this.#notice = undefined;
    await this.exec(n === undefined ? 'COMMIT' : `NOTIFY ${n.channel}, '${Math.floor(n.value)}'; COMMIT`);
  }

  /** Statements without parameters (BEGIN, COMMIT, DDL), in the simple protocol, in order after those sent before. */
  async exec(text: string): Promise<void> {
    this.#cork();
    await this.#send(this.#client.query(text));
  }

  /** ROLLBACK, whatever failed before: it starts a new order (its own error, if any, is its own). */
  async rollback(): Promise<void> {
    const answer = this.#client.query('ROLLBACK');
    this.#sent = answer.catch(ignore);
    await answer;
  }
}

/** SQLSTATEs after which the whole transaction may simply run again: a deadlock, a serialization failure. */
const RETRYABLE = new Set(['40P01', '40001']);

export function isRetryable(error: unknown): boolean {
  return RETRYABLE.has(sqlState(error) ?? '');
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Whether the connection was lost (class 08, connection exception; 57P0x, the
 * server shutting down or the backend terminated; a socket error such as
 * ECONNRESET; the driver's "Connection terminated"): the client is then
 * destroyed rather than returned to the pool, and a call that had not sent
 * its COMMIT yet runs again on a new connection (nothing of it was committed).
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error) || TimesliceError.is(error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code.startsWith('08') || code.startsWith('57P0') || /^E[A-Z]+$/.test(code);
  return /connection terminated|not queryable|connection timeout/i.test(error.message);
}

/** The typed error for anything the driver or server threw; TimesliceErrors pass through. `where` names the store for messages. */
export function translateError(error: unknown, where: string): Error {
  if (TimesliceError.is(error)) return error as Error;
  const code = sqlState(error);
  // disk_full: nothing of the transaction was written.
  if (code === '53100') return new StoreFullError(where, { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new StoreError(`${where}: ${message}${code === undefined ? '' : ` (SQLSTATE ${code})`}`, { cause: error });
}
