// The floor of a batched durable enqueue: raw better-sqlite3 inserting n task
// rows as SqliteStore's schema holds them (31 columns, values already
// encoded: no validation, no JSON, no live task), one transaction, as one
// statement per row and as multi-row INSERTs of `rows` rows, next to
// plainjob's row shape (type, data, status, created_at). Process CPU per row.
//   node bench/ab/durable-enqueue-floor.mjs [full|normal] [n]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../dist/store/sqlite.js';

const [sync = 'normal', nText = '10000'] = process.argv.slice(2);
const n = Number(nText);
const dir = mkdtempSync(path.join(tmpdir(), 'durable-enqueue-floor-'));
const TASK_COLUMNS = `id, name, description, owner_module, function_name, params, schedule_kind, delay_ms, period_ms, at_ms, cron_expression,
  time_zone, priority, misfire_policy, misfire_grace_ms, catch_up_window_ms, catch_up_max, retry, created_at_ms, updated_at_ms, last_execution_ms,
  next_execution_ms, execution_count, max_executions, status, last_error, metadata, schedule_version, high_water_mark_ms, dst_gap, dst_overlap`;
const rowValues = (i) => [`job-${i}`, `job-${i}`, null, null, 'noop', `{"i":${i}}`, 'once', 0, null, null, null, null, 'normal', 'run-once', 0, null,
  null, '{"attempts":1}', 1, 1, null, 1, 0, 1, 'pending', null, '{}', 1, null, null, null];

function cpuUs(fn) {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

async function timesliceRows(file, rowsPerStatement) {
  const store = new SqliteStore({ path: file, synchronous: sync });
  await store.open();
  await store.close();
  const db = new Database(file);
  db.pragma(`synchronous = ${sync}`);
  db.pragma('foreign_keys = ON');
  const one = `(${Array(31).fill('?').join(', ')})`;
  const insert = db.prepare(`INSERT INTO tasks (${TASK_COLUMNS}) VALUES ${Array(rowsPerStatement).fill(one).join(', ')} ON CONFLICT (id) DO NOTHING`);
  const us = cpuUs(() => db.transaction(() => {
    for (let i = 0; i < n; i += rowsPerStatement) {
      const values = [];
      for (let j = i; j < i + rowsPerStatement; j++) values.push(...rowValues(j));
      insert.run(values);
    }
  }).immediate());
  db.close();
  return us;
}

function plainjobRows(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${sync}`);
  db.exec(`CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, type TEXT NOT NULL, data TEXT, status INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL); CREATE INDEX jobs_status ON jobs (type, status)`);
  const add = db.prepare('INSERT INTO jobs (type, data, status, created_at) VALUES (?, ?, 0, ?)');
  const us = cpuUs(() => db.transaction(() => {
    for (let i = 0; i < n; i++) add.run('noop', JSON.stringify({ i }), Date.now());
  })());
  db.close();
  return us;
}

try {
  for (let rep = 0; rep < 3; rep++) {
    const line = [`rep ${rep}:`];
    for (const rows of [1, 10, 50]) line.push(`timeslice row x${rows} ${(await timesliceRows(path.join(dir, `t${rows}-${rep}.db`), rows)).toFixed(2)} us`);
    line.push(`plainjob row ${plainjobRows(path.join(dir, `p-${rep}.db`)).toFixed(2)} us`);
    console.log(`${sync} ${line.join(', ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
