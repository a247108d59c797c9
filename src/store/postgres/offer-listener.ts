// The LISTEN side of cluster mode's wake-up (docs/design/cluster.md, "Waking
// up"). A transaction that makes rows pending sends one NOTIFY on the schema's
// channel with its COMMIT (cluster.ts, Session.notifyAtCommit), the payload
// the earliest due time (ms, the store's clock). Each watching process holds
// one connection of its own, outside the pool (a pooled connection would go
// back to the pool, and with it the LISTEN), and hands each notification to
// its watcher: the runner claims at once, or arms its timer for a row due later.
//
// A notification is a hint: the runner polls anyway. So a lost connection (a
// database restart, pg_terminate_backend, a network cut noticed by TCP
// keepalive) is told to the watcher (interrupted), which polls meanwhile, and
// the listener connects again by itself, 1 s after the first failure and
// doubling to 30 s (the store's backoff); once it listens again it says so
// (resumed), and the watcher claims once for what was offered in between.
//
// Behind a transaction-mode pooler (PgBouncer pool_mode=transaction) a LISTEN
// does not stay on one server connection: `postgresStore(..., { listen: false })`
// makes watchOffers() an inert watch (the process polls). Such a process
// still sends its NOTIFYs (they are part of its transactions, which a pooler
// carries), so processes that do listen wake for its offers.
import type { Client, ClientConfig } from 'pg';
import type { OfferWatch, OfferWatcher } from '../cluster.js';
import { hashText, type PgModule } from './session.js';

const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;
/** PostgreSQL's longest identifier (NAMEDATALEN - 1 bytes); a longer channel name is refused by pg_notify and cut by LISTEN. */
const MAX_CHANNEL_LENGTH = 63;
const PREFIX = 'timeslice_offers_';

/** pg's Client has ref()/unref() (its socket's); @types/pg does not declare them. */
type RefClient = Client & { ref?: () => void; unref?: () => void };

/**
 * The NOTIFY channel of the store in `schema` (a schema name as options.ts
 * allows: lowercase letters, digits, '_'): `timeslice_offers_<schema>`, or
 * for a schema too long for that, its first letters and a hash of the whole.
 * An identifier that needs no quotes, so it reads the same in LISTEN, NOTIFY
 * and a notification's `channel`.
 */
export function notifyChannel(schema: string): string {
  const full = PREFIX + schema;
  if (full.length <= MAX_CHANNEL_LENGTH) return full;
  const hash = hashText(schema).slice(0, 12);
  return `${full.slice(0, MAX_CHANNEL_LENGTH - hash.length - 1)}_${hash}`;
}

/** One watcher's LISTEN connection, connected again after each loss until close(). */
class OfferListener implements OfferWatch {
  readonly #pg: PgModule;
  readonly #config: ClientConfig;
  readonly #channel: string;
  readonly #watcher: OfferWatcher;
  /** Clients already reported lost (a failing client may emit both 'error' and 'end'). */
  readonly #dropped = new WeakSet<Client>();
  #client: Client | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delayMs = 0;
  /** Told interrupted(), not yet resumed(). */
  #lost = false;
  #closed = false;

  constructor(pg: PgModule, config: ClientConfig, channel: string, watcher: OfferWatcher) {
    this.#pg = pg;
    this.#config = config;
    this.#channel = channel;
    this.#watcher = watcher;
  }

  /** Connects and listens; resolves then, or once the attempt failed (told to the watcher; it tries again). */
  async connect(): Promise<void> {
    this.#retry = undefined;
    if (this.#closed) return;
    // keepAlive: a connection cut without a reset (a network partition) is noticed by TCP, not only at the next write.
    const client = new this.#pg.Client({ ...this.#config, keepAlive: true });
    client.on('notification', (message) => {
      const dueMs = Number(message.payload);
      if (!this.#closed && message.channel === this.#channel && Number.isFinite(dueMs)) this.#watcher.offered(dueMs);
    });
    client.on('error', (error) => this.#drop(client, error));
    client.on('end', () => this.#drop(client, new Error(`the LISTEN connection on ${this.#channel} ended`)));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
    } catch (error) {
      this.#drop(client, error);
      return;
    }
    if (this.#closed || this.#dropped.has(client)) {
      await client.end().catch(() => {});
      return;
    }
    // The process's own timers (the runner's heartbeat) keep it alive; this socket alone does not.
    (client as RefClient).unref?.();
    this.#client = client;
    this.#delayMs = 0;
    if (this.#lost) {
      this.#lost = false;
      this.#watcher.resumed();
    }
  }

  #drop(client: Client, error: unknown): void {
    if (this.#closed || this.#dropped.has(client)) return;
    this.#dropped.add(client);
    if (this.#client === client) this.#client = undefined;
    client.end().catch(() => {});
    this.#delayMs = this.#delayMs === 0 ? FIRST_RETRY_MS : Math.min(MAX_RETRY_MS, this.#delayMs * 2);
    this.#lost = true;
    this.#watcher.interrupted(error, this.#delayMs);
    const retry = setTimeout(() => void this.connect(), this.#delayMs);
    retry.unref?.();
    this.#retry = retry;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    // Held again while it ends: end() waits for the server to close the socket, and with this unref'd
    // socket the only handle left (a script's last `await scheduler.stop()`, the pool's idle connections
    // let the process exit), Node ended the process inside stop(), before it deregistered (exit code 13).
    (client as RefClient | undefined)?.ref?.();
    await client?.end().catch(() => {});
  }
}

/** A store's listeners: one per watchOffers() call, all closed with the store. */
export class OfferListeners {
  readonly #listeners = new Set<OfferListener>();

  /** A watch on a connection of its own (`config`); resolves once listening, or once its first attempt failed. */
  async watch(pg: PgModule, config: ClientConfig, channel: string, watcher: OfferWatcher): Promise<OfferWatch> {
    const listener = new OfferListener(pg, config, channel, watcher);
    this.#listeners.add(listener);
    await listener.connect();
    return {
      close: () => {
        this.#listeners.delete(listener);
        return listener.close();
      },
    };
  }

  async closeAll(): Promise<void> {
    const all = [...this.#listeners];
    this.#listeners.clear();
    await Promise.all(all.map((l) => l.close()));
  }
}
