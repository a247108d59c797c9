// Counts every query of every pg client while `counting` is on, for the
// cluster profiles (cluster-profile.mjs, cluster-processes-profile.mjs): how
// many calls and their summed wait (send to answer), by the first
// `keyLength` characters of the text (whitespace folded, quoted names dropped).
import pg from 'pg';

/** Patches pg.Client.prototype.query for the rest of the process; returns { calls, counting }. */
export function countPgQueries(keyLength) {
  const counter = { calls: new Map(), counting: false };
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function query(config, ...rest) {
    if (!counter.counting) return original.call(this, config, ...rest);
    const text = typeof config === 'string' ? config : config?.text ?? '';
    const key = text.replace(/\s+/g, ' ').replace(/"[^"]*"/g, '').slice(0, keyLength);
    const entry = counter.calls.get(key) ?? { count: 0, waitMs: 0 };
    counter.calls.set(key, entry);
    entry.count++;
    const startMs = performance.now();
    const result = original.call(this, config, ...rest);
    if (result && typeof result.then === 'function') result.then(() => (entry.waitMs += performance.now() - startMs), () => {});
    return result;
  };
  return counter;
}
