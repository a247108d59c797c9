// How a PostgresStore call reaches the database: the connection's life
// (open() once, close() after the calls already made, LISTEN connections
// included), the call order every call joins (call-order.ts), and the fence:
// while this instance holds a lease, each fenced write reads the lease row
// FOR SHARE in its transaction and is refused when the lease moved on (C6).
//
// Separate from postgres-store.ts, which is the store's public methods: each
// validates its arguments and hands its transaction body to one of the entry
// points here (write, read, leaseCall, clusterCall), so the rules of how a
// call runs are in one place and the methods read as what they do.
import type { Pool } from 'pg';
import { StoreClosedError } from '../errors.js';
import { checkFence, type HeldLease, type LeaseHolder } from '../lease.js';
import type { OfferWatch, OfferWatcher } from '../cluster.js';
import type { OpenInfo } from '../store.js';
import { CallOrder } from './call-order.js';
import { clientConfig, type Connected, connect } from './connect.js';
import { migrate } from './migrate.js';
import { notifyChannel, OfferListeners } from './offer-listener.js';
import type { PostgresSettings } from './options.js';
import { type Session, storeTypes } from './session.js';
import type { Statement, Statements } from './statements.js';
import { inRead, inTransaction, type PoolAccess } from './transactions.js';

export class StoreCalls {
  /** This instance's lease: undefined until it acquires one (unfenced), 'released' after it gives it up. */
  lease: HeldLease | 'released' | undefined;
  readonly #settings: PostgresSettings;
  /** For messages: which store. */
  readonly #where: string;
  readonly #s: Statements;
  readonly #order = new CallOrder();
  readonly #listeners = new OfferListeners();
  #connected: Connected | undefined;
  #opening: Promise<OpenInfo> | undefined;
  #info: OpenInfo | undefined;
  #closing: Promise<void> | undefined;
  #types: ReturnType<typeof storeTypes> | undefined;

  constructor(settings: PostgresSettings, where: string, s: Statements) {
    this.#settings = settings;
    this.#where = where;
    this.#s = s;
  }

  open(): Promise<OpenInfo> {
    if (this.#closing !== undefined) return Promise.reject(new StoreClosedError(`${this.#where}: closed; create a new PostgresStore to reopen it`));
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  async #open(): Promise<OpenInfo> {
    const { pool, pg, owned } = connect(this.#settings);
    this.#types = storeTypes(pg);
    this.#connected = { pool, pg };
    try {
      const schemaVersion = await this.#transaction(false, (session) => migrate(session, this.#settings.schema, this.#where));
      this.#info = { schemaVersion };
      return this.#info;
    } catch (error) {
      this.#connected = undefined;
      if (owned) await pool.end().catch(() => {});
      throw error;
    }
  }

  /** Closes the store: waits for the calls already made, then ends the pool it made (a pool you passed stays open). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#opening?.catch(() => {});
      await this.#order.idle();
      await this.#listeners.closeAll();
      const connected = this.#connected;
      this.#connected = undefined;
      if (connected !== undefined && this.#settings.pool === undefined) await connected.pool.end();
    })();
    return this.#closing;
  }

  /** The open pool; throws StoreClosedError before open() or after close(). */
  pool(): Pool {
    if (this.#closing !== undefined || this.#info === undefined || this.#connected === undefined) {
      throw new StoreClosedError(`${this.#where}: ${this.#closing !== undefined ? 'closed' : 'not open (await store.open() first)'}`);
    }
    return this.#connected.pool;
  }

  #access(): PoolAccess {
    return { pool: this.#connected!.pool, types: this.#types!, where: this.#where };
  }

  /** One transaction (postgres/transactions.ts), fenced by this instance's lease when `fenced` and it took one. */
  #transaction<T>(fenced: boolean, fn: (session: Session, firstRow: Promise<unknown>) => Promise<T>, first?: Statement): Promise<T> {
    const fence = fenced && this.lease !== undefined
      ? { shareLease: this.#s.shareLease, check: (lease: LeaseHolder | undefined) => checkFence(this.#where, lease, this.lease) }
      : undefined;
    return inTransaction(this.#access(), fence, fn, first);
  }

  /** A fenced write, in call order. */
  write<T>(fn: (session: Session, s: Statements) => Promise<T>): Promise<T> {
    this.pool();
    return this.#order.write(() => this.#transaction(true, (session) => fn(session, this.#s)));
  }

  /** A read, in call order: one statement (one committed state), or `snapshot` for several in one REPEATABLE READ transaction. */
  read<T>(fn: (session: Session, s: Statements) => Promise<T>, snapshot = false): Promise<T> {
    this.pool();
    return this.#order.read(() => inRead(this.#access(), snapshot, (session) => fn(session, this.#s)));
  }

  /** A cluster call (cluster mode takes no lease): one transaction, in call order, not fenced; `first` runs with BEGIN. */
  clusterCall<T>(fn: (session: Session, firstRow: Promise<unknown>) => Promise<T>, first: Statement | undefined): Promise<T> {
    this.pool();
    return this.#order.write(() => this.#transaction(false, fn, first));
  }

  /** A lease call: one transaction, in call order, not fenced. */
  leaseCall<T>(fn: (session: Session, s: Statements) => Promise<T>): Promise<T> {
    this.pool();
    return this.#order.write(() => this.#transaction(false, (session) => fn(session, this.#s)));
  }

  /** LISTENs on a connection of its own (offer-listener.ts); with `listen: false`, an inert watch (the process polls). */
  async watchOffers(watcher: OfferWatcher): Promise<OfferWatch> {
    const pool = this.pool();
    if (!this.#settings.listen) return { close: async () => {} };
    return this.#listeners.watch(this.#connected!.pg, clientConfig(this.#settings, pool), notifyChannel(this.#settings.schema), watcher);
  }
}
