// A/B of the statements SqliteStore runs per durable job at concurrency 1, in
// raw better-sqlite3 (no scheduler): one BEGIN IMMEDIATE transaction per job
// that checks the lease, ends the previous job's attempt, patches its task,
// reads the next task's slot fields, inserts its claim and marks it running
// (completeAndClaim's statements), on a file SqliteStore made. Variants run
// interleaved on fresh files; process CPU per job, medians and spread.
//   node bench/ab/durable-statements-ab.mjs [full|normal] [n] [reps]
// Variants:
//   shipped   the statements as src/store/sqlite/statements.ts had them before
//             this script: the lease row read whole (six columns into an
//             object), the slot patch's `status NOT IN (...)` (SQLite builds
//             an ephemeral table for the list at every run: EXPLAIN shows
//             OpenEphemeral + three IdxInsert)
//   lean      the lease checked by one plucked column (its epoch, for this
//             owner), the slot patch's status test as a chain of <>
//   lean, end read then updated: and the attempt's end as a SELECT of its row
//             and an UPDATE without RETURNING (SQLite buffers the rows of
//             RETURNING in an ephemeral table: EXPLAIN shows OpenEphemeral)
import '../../scripts/current-dist.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../dist/store/sqlite.js';
import { Stopwatch } from '../lib/stopwatch.mjs';
import { noopTaskRecord } from './noop-task-record.mjs';

const [sync = 'normal', nText = '5000', repsText = '7'] = process.argv.slice(2);
const n = Number(nText);
const reps = Number(repsText);
const dir = mkdtempSync(path.join(tmpdir(), 'durable-statements-ab-'));

const BY_SLOT = 'task_id = ? AND nominal_ms = ? AND schedule_version = ?';
const END = `UPDATE executions SET outcome = ?, ended_at_ms = ?, result = ?, error = ?,
    trace_id = coalesce(trace_id, ?), span_id = coalesce(span_id, ?)
  WHERE ${BY_SLOT} AND fencing_token = ? AND outcome = 'running'
  RETURNING attempt, started_at_ms AS "startedAtMs", skip_reason AS "skipReason", state, trace_id AS "traceId", span_id AS "spanId"`;
const PATCH_SET = 'last_execution_ms = ?, next_execution_ms = ?, execution_count = ?, status = ?, last_error = ?, updated_at_ms = ?';
const CLAIM = `INSERT INTO executions (task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms, outcome, result,
  error, skip_reason, state, trace_id, span_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;

const VARIANTS = {
  shipped: (db) => {
    const lease = db.prepare('SELECT owner_id AS "ownerId", host, pid, epoch, since_ms AS "sinceMs", expires_at_ms AS "expiresAtMs" FROM lease WHERE id = 1');
    return {
      fence: () => {
        const l = lease.get();
        if (l.ownerId !== 'me' || l.epoch !== 1 || l.expiresAtMs === 0) throw new Error('fenced');
      },
      patch: db.prepare(`UPDATE tasks SET ${PATCH_SET} WHERE id = ? AND schedule_version = ? AND status NOT IN ('completed', 'failed', 'cancelled')`),
    };
  },
  // The end as a read of the slot's row, then an UPDATE without RETURNING (SQLite buffers RETURNING rows in an ephemeral table).
  'lean, end read then updated': (db) => {
    const v = VARIANTS.lean(db);
    const read = db.prepare(`SELECT attempt, started_at_ms AS "startedAtMs", skip_reason AS "skipReason", state, trace_id AS "traceId",
      span_id AS "spanId", fencing_token AS "fencingToken", outcome FROM executions WHERE ${BY_SLOT}`);
    const update = db.prepare(`UPDATE executions SET outcome = ?, ended_at_ms = ?, result = ?, error = ?,
        trace_id = coalesce(trace_id, ?), span_id = coalesce(span_id, ?) WHERE ${BY_SLOT}`);
    v.end = (outcome, endedAtMs, result, error, traceId, spanId, taskId, nominalMs, version, token) => {
      const row = read.get(taskId, nominalMs, version);
      if (row === undefined || row.fencingToken !== token || row.outcome !== 'running') return undefined;
      update.run(outcome, endedAtMs, result, error, traceId, spanId, taskId, nominalMs, version);
      return row;
    };
    return v;
  },
  lean: (db) => {
    const epoch = db.prepare("SELECT epoch FROM lease WHERE id = 1 AND owner_id = ? AND expires_at_ms <> 0").pluck();
    return {
      fence: () => {
        if (epoch.get('me') !== 1) throw new Error('fenced');
      },
      patch: db.prepare(`UPDATE tasks SET ${PATCH_SET} WHERE id = ? AND schedule_version = ? AND status <> 'completed' AND status <> 'failed' AND status <> 'cancelled'`),
    };
  },
};

async function perJob(variant, file) {
  const store = new SqliteStore({ path: file, synchronous: sync });
  await store.open();
  await store.putTasks(Array.from({ length: n }, (_, i) => noopTaskRecord(i)));
  await store.close();
  const db = new Database(file);
  db.pragma(`synchronous = ${sync}`);
  db.pragma('foreign_keys = ON');
  db.prepare("INSERT OR REPLACE INTO lease (id, owner_id, host, pid, epoch, since_ms, expires_at_ms) VALUES (1, 'me', 'host', 1, 1, 0, 1e15)").run();
  const { fence, patch, end: endOf } = VARIANTS[variant](db);
  const returning = db.prepare(END);
  const end = endOf ?? ((...args) => returning.get(...args));
  const slotTask = db.prepare('SELECT id, schedule_version AS "scheduleVersion", status, high_water_mark_ms AS "highWaterMarkMs" FROM tasks WHERE id = ?');
  const claim = db.prepare(CLAIM);
  const marks = db.prepare('UPDATE tasks SET high_water_mark_ms = ?, status = ? WHERE id = ?');
  const job = db.transaction((i) => {
    fence();
    if (i > 0) {
      if (end('succeeded', 2 + i, 'null', 'null', null, null, `job-${i - 1}`, 1, 1, i) === undefined) throw new Error('not ended');
      patch.run(1, null, 1, 'completed', null, 2 + i, `job-${i - 1}`, 1);
    }
    if (i < n) {
      slotTask.get(`job-${i}`);
      claim.run(`job-${i}`, 1, 1, 1, i + 1, 2 + i, null, 'running', 'null', 'null', null, 'null', null, null);
      marks.run(1, 'running', `job-${i}`);
    }
  });
  const stopwatch = new Stopwatch();
  stopwatch.start();
  for (let i = 0; i <= n; i++) job.immediate(i);
  stopwatch.stop();
  const done = db.prepare("SELECT count(*) FROM tasks WHERE status = 'completed'").pluck().get();
  db.close();
  if (done !== n) throw new Error(`${variant}: ${done} tasks completed, expected ${n}`);
  return { cpuUsPerJob: (stopwatch.cpuMs * 1000) / n, jobsPerSec: n / (stopwatch.wallMs / 1000) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  const names = Object.keys(VARIANTS);
  const results = Object.fromEntries(names.map((name) => [name, []]));
  for (let rep = 0; rep < reps; rep++) {
    const line = [];
    for (const name of rep % 2 ? [...names].reverse() : names) {
      const r = await perJob(name, path.join(dir, `${name}-${rep}.db`));
      results[name].push(r);
      line.push(`${name} ${r.cpuUsPerJob.toFixed(1)} us`);
    }
    console.log(`rep ${rep}: ${line.join(', ')}`);
  }
  for (const name of names) {
    const cpu = results[name].map((r) => r.cpuUsPerJob);
    console.log(`${sync} ${name}: median ${median(cpu).toFixed(1)} us CPU/job [${Math.min(...cpu).toFixed(1)}-${Math.max(...cpu).toFixed(1)}], ${median(results[name].map((r) => r.jobsPerSec)).toFixed(0)} jobs/s`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
