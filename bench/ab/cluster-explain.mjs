// The plans PostgreSQL chose for a cluster-mode run's statements (internals,
// not a product row): the postgres suite's timeslice worker at `--workers`
// runs n no-op one-offs, added beforehand, on a fresh database whose sessions
// load auto_explain (ALTER DATABASE ... SET, so only this run's connections
// log), every statement's plan with its row counts written to the server's
// log. Prints, per statement (first 70 characters), the scan nodes of its
// last plan: a Seq Scan there reads a whole table per statement.
// Usage: npm run build && node bench/ab/cluster-explain.mjs [--n 3000] [--workers 4] [--log /var/log/postgresql/postgresql-15-main.log]
import '../../scripts/current-dist.mjs';
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDatabase } from '../suites/postgres/database.mjs';
import { timeslice } from '../suites/postgres/timeslice.mjs';
import { untilNoneRemain } from '../suites/postgres/throughput.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '3000' },
    workers: { type: 'string', default: '4' },
    log: { type: 'string', default: '/var/log/postgresql/postgresql-15-main.log' },
  },
});
const n = Number(values.n);
const db = await createDatabase('cluster_explain');
const admin = new pg.Client({ connectionString: db.connectionString });
await admin.connect();
try {
  await timeslice.prepare(db.connectionString, n);
  for (const setting of ["session_preload_libraries = 'auto_explain'", 'auto_explain.log_min_duration = 0', 'auto_explain.log_analyze = on',
    'auto_explain.log_timing = off', 'auto_explain.log_nested_statements = on']) {
    await admin.query(`ALTER DATABASE ${db.name} SET ${setting}`);
  }
  const logStart = statSync(values.log).size;
  let ran = 0;
  let allRan;
  const done = new Promise((resolve) => (allRan = resolve));
  const worker = await timeslice.open({ connectionString: db.connectionString, workers: Number(values.workers), onRun: () => ++ran === n && allRan() });
  await worker.start();
  await done;
  await untilNoneRemain(admin, timeslice.remainingSql, performance.now() + 60_000, 'cluster-explain');
  await worker.stop();
  const log = readFileSync(values.log).subarray(logStart).toString('utf8');
  const plans = new Map();
  for (const entry of log.split(/\n(?=\S)/)) {
    const m = /Query Text: ([\s\S]*?)\n\s*(Update|Insert|Delete|Result|Limit|Sort|Append|Hash|Nested|Index|Seq|Subquery|CTE|LockRows|Aggregate|Unique|Bitmap|Merge|Function|WindowAgg|ProjectSet)[\s\S]*/.exec(entry);
    if (m === null) continue;
    const key = m[1].replace(/\s+/g, ' ').slice(0, 70);
    const scans = entry.split('\n').filter((line) => /Scan|Join|Nested Loop/.test(line)).map((line) => line.replace(/\s+/g, ' ').replace(/\(cost=[^)]*\)/, '').trim());
    plans.set(key, scans);
  }
  for (const [key, scans] of plans) {
    process.stdout.write(`${key}\n${scans.map((s) => `    ${s.slice(0, 140)}`).join('\n')}\n`);
  }
} finally {
  await admin.end();
  await db.drop();
}
