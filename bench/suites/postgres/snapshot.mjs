// A REPEATABLE READ transaction holding one snapshot for a whole run, as a
// long report query or a forgotten transaction in a user's app does: while
// it is open, no row version deleted or updated after it began can be pruned
// or vacuumed, so every queue's claim query walks past more dead tuples as the
// run goes on.
import pg from 'pg';

/** Opens the transaction and takes its snapshot; release() rolls it back and resolves to {heldMs}. */
export async function holdSnapshot(connectionString) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await client.query('SELECT count(*) FROM pg_class'); // the first statement takes the snapshot
  const { rows } = await client.query('SELECT backend_xmin IS NOT NULL AS holding FROM pg_stat_activity WHERE pid = pg_backend_pid()');
  if (!rows[0].holding) throw new Error('holdSnapshot: the transaction holds no xmin');
  const startedMs = performance.now();
  let released;
  return {
    release() {
      released ??= (async () => {
        const heldMs = performance.now() - startedMs;
        await client.query('ROLLBACK');
        await client.end();
        return { heldMs };
      })();
      return released;
    },
  };
}
