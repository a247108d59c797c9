// The floor of a batched durable enqueue: raw better-sqlite3 inserting n task
// rows as SqliteStore's schema holds them (36 columns, values already
// encoded: no validation, no JSON, no live task), in one transaction, 32 rows
// per INSERT as putTasks() does, on the shipped schema and with the index of
// schema v6-v11 on every task's owner module (v12 indexes only the tasks that
// name one); next to plainjob's row shape (type, data, status, created_at) and
// plainjob's whole addMany() through its API (bench/suites/durable/
// plainjob.mjs), interleaved. Process CPU per row, medians and spread.
//   node bench/ab/durable-enqueue-floor.mjs [full|normal] [n] [reps]
import '../../scripts/current-dist.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../dist/store/sqlite.js';
import { Stopwatch } from '../lib/stopwatch.mjs';
import { plainjob } from '../suites/durable/plainjob.mjs';

const [sync = 'normal', nText = '10000', repsText = '5'] = process.argv.slice(2);
const n = Number(nText);
const reps = Number(repsText);
const ROWS = 32;
const dir = mkdtempSync(path.join(tmpdir(), 'durable-enqueue-floor-'));
const TASK_COLUMNS = [
  'id', 'name', 'description', 'owner_module', 'function_name', 'params', 'schedule_kind', 'delay_ms', 'period_ms', 'at_ms', 'cron_expression',
  'time_zone', 'priority', 'misfire_policy', 'misfire_grace_ms', 'catch_up_window_ms', 'catch_up_max', 'retry', 'created_at_ms', 'updated_at_ms',
  'last_execution_ms', 'next_execution_ms', 'execution_count', 'max_executions', 'status', 'last_error', 'metadata', 'schedule_version',
  'high_water_mark_ms', 'dst_gap', 'dst_overlap', 'timeout_ms', 'constraints', 'calendar_period', 'start_at_ms', 'end_at_ms',
];
// A no-op job as scheduleMany({ id, fn, params: { i }, after: 0 }) stores it.
const rowValues = (i) => [`job-${i}`, `job-${i}`, null, null, 'noop', `{"i":${i}}`, 'once', 0, null, 1.7e12 + i, null, null, 'normal', 'run-once',
  30000, null, null, '{"attempts":3,"backoff":"exponential","delayMs":1000,"maxDelayMs":null,"jitter":false}', 1.7e12 + i, 1.7e12 + i, null,
  1.7e12 + i, 0, null, 'pending', null, 'null', 1, null, null, null, null, null, null, null, null];

function cpuUs(fn) {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

/** The task rows into a file SqliteStore made; `sql` run first (an index as it was). */
async function timesliceRows(file, sql) {
  const store = new SqliteStore({ path: file, synchronous: sync });
  await store.open();
  await store.close();
  const db = new Database(file);
  db.pragma(`synchronous = ${sync}`);
  db.pragma('foreign_keys = ON');
  if (sql !== undefined) db.exec(sql);
  const one = `(${TASK_COLUMNS.map(() => '?').join(', ')})`;
  const insert = db.prepare(`INSERT INTO tasks (${TASK_COLUMNS.join(', ')}) VALUES ${Array(ROWS).fill(one).join(', ')}`);
  const us = cpuUs(() => db.transaction(() => {
    for (let i = 0; i < n; i += ROWS) {
      const values = [];
      for (let j = i; j < i + ROWS; j++) values.push(...rowValues(j));
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

async function plainjobAddMany(file) {
  const stopwatch = new Stopwatch();
  await plainjob.enqueue({ n, sync, file, stopwatch });
  return (stopwatch.cpuMs * 1000) / n;
}

const ROWS_OF = {
  'timeslice row (v12)': (file) => timesliceRows(file),
  'timeslice row (v11 module index)': (file) =>
    timesliceRows(file, 'DROP INDEX tasks_by_module; CREATE INDEX tasks_by_module ON tasks (owner_module, id)'),
  'plainjob row': plainjobRows,
  'plainjob addMany': plainjobAddMany,
};

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const names = Object.keys(ROWS_OF);
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let rep = 0; rep < reps; rep++) {
    const line = [];
    for (const [k, name] of (rep % 2 ? [...names].reverse() : names).entries()) {
      const us = await ROWS_OF[name](path.join(dir, `${k}-${rep}.db`));
      results[name].push(us);
      line.push(`${name} ${us.toFixed(2)}`);
    }
    console.log(`rep ${rep}: ${line.join(', ')} us CPU/job`);
  }
  for (const name of names) {
    const us = results[name];
    console.log(`${sync} ${name}: median ${median(us).toFixed(2)} us CPU/job [${Math.min(...us).toFixed(2)}-${Math.max(...us).toFixed(2)}]`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
