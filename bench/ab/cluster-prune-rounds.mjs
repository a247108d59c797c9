// What cutting retention into rounds costs on PostgreSQL (docs/design/cluster.md,
// "Retention and bounded tables"): n old records of one task deleted by the
// one-owner pruneHistory (one DELETE) and again by pruneHistoryRound in rounds
// of 1,000 (cluster mode), with the total time and the longest transaction.
// Usage: npm run build && node bench/ab/cluster-prune-rounds.mjs [n] [round size, default 1000]
import '../../scripts/current-dist.mjs';
import pg from 'pg';
import { postgresStore } from '../../dist/store/postgres.js';

const n = Number(process.argv[2] ?? 200_000);
const ROUND = Number(process.argv[3] ?? 1_000);
const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS timeslice_prune_rounds WITH (FORCE)');
await admin.query('CREATE DATABASE timeslice_prune_rounds');
const url = 'postgres://postgres@127.0.0.1:5432/timeslice_prune_rounds';
const store = postgresStore({ connectionString: url });
await store.open();
const client = new pg.Client({ connectionString: url });
await client.connect();

async function fill() {
  await client.query(`INSERT INTO timeslice.tasks (id, name, function_name, params, schedule_kind, period_ms, priority, misfire_policy, misfire_grace_ms, retry,
      created_at_ms, updated_at_ms, execution_count, status, metadata, schedule_version)
    VALUES ('t', 't', 'f', 'null', 'fixed-rate', 1000, 'normal', 'run-once', 0, 'null', 1, 1, 0, 'pending', 'null', 1) ON CONFLICT DO NOTHING`);
  await client.query(`INSERT INTO timeslice.executions (task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms, outcome, result, error, state)
    SELECT 't', 1, g, 1, 1, g, g, 'succeeded', 'null', 'null', 'null' FROM generate_series(1, $1) g`, [n]);
  await client.query('VACUUM ANALYZE timeslice.executions');
}

await fill();
let started = performance.now();
const deleted = await store.pruneHistory(n + 1);
const oneDelete = { deleted, ms: Math.round(performance.now() - started) };
await fill();
started = performance.now();
const rounds = { rounds: 0, deleted: 0, ms: 0, longestRoundMs: 0 };
for (;;) {
  const roundStarted = performance.now();
  const round = await store.pruneHistoryRound(n + 1, ROUND);
  rounds.longestRoundMs = Math.max(rounds.longestRoundMs, Math.round(performance.now() - roundStarted));
  rounds.rounds++;
  if (round.status === 'busy') throw new Error('busy: nobody else prunes here');
  rounds.deleted += round.deleted;
  if (round.deleted < ROUND) break;
}
rounds.ms = Math.round(performance.now() - started);
console.log(JSON.stringify({ n, oneDelete, rounds }));
await store.close();
await client.end();
await admin.query('DROP DATABASE timeslice_prune_rounds WITH (FORCE)');
await admin.end();
