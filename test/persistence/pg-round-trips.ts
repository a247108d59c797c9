// How many round trips a store call takes, counted on the wire: for tests
// that hold a transaction to the round trips its comments promise.
import pg from 'pg';

/**
 * The round trips of `fn`'s statements: runs of messages sent with no answer
 * received between them, on any connection (pg's Connection, patched while
 * `fn` runs; the store's pool pipelines, so one turn's statements leave together).
 */
export async function roundTrips(fn: () => Promise<unknown>): Promise<number> {
  const proto = (pg as unknown as { Connection: { prototype: Record<string, (...args: unknown[]) => unknown> } }).Connection.prototype;
  const originals = { query: proto.query!, sync: proto.sync!, emit: proto.emit! };
  let trips = 0;
  let sending = false;
  const sent = (original: (...args: unknown[]) => unknown) => function (this: unknown, ...args: unknown[]) {
    if (!sending) trips++;
    sending = true;
    return original.apply(this, args);
  };
  proto.query = sent(originals.query);
  proto.sync = sent(originals.sync);
  proto.emit = function (this: unknown, name: unknown, ...args: unknown[]) {
    if (name === 'readyForQuery') sending = false;
    return originals.emit.apply(this, [name, ...args]);
  };
  try {
    await fn();
  } finally {
    Object.assign(proto, originals);
  }
  return trips;
}
