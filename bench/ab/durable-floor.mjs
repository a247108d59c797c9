// The floor of a durable job at concurrency 1: raw better-sqlite3 doing only
// the statements SqliteStore runs per job (one transaction: the lease check,
// end the previous attempt, patch its task, read the next task, insert its
// claim, mark it running), on a file SqliteStore made (the schema as shipped),
// at a synchronous level, interleaved with plainjob's end to end at
// concurrency 1 (its public API, as the durable suite runs it): wall jobs/s
// and process CPU per job of each, and the ratio of the rates paired by
// repetition. No scheduler can run a durable job faster than this floor with
// this schema (a claim committed before its body, its end before its report:
// one commit a job at concurrency 1). Then, with autocheckpoint off, the WAL
// pages written per commit and the b-tree each belongs to.
//   node bench/ab/durable-floor.mjs [full|normal] [n]
// REPS=k: repetitions of each (5).
// TURNS=k: k host turns (setImmediate) between two jobs' transactions.
// DROP='DROP INDEX ...': SQL run first (what an index costs per job).
// PRAGMAS='cache_size = -32000; ...': connection settings to compare.
import '../../scripts/current-dist.mjs';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../dist/store/sqlite.js';
import { Stopwatch } from '../lib/stopwatch.mjs';
import { noopTaskRecord } from './noop-task-record.mjs';
import { plainjob } from '../suites/durable/plainjob.mjs';

const [sync = 'normal', nText = '10000'] = process.argv.slice(2);
const n = Number(nText);
const TURNS = Number(process.env.TURNS ?? 0);
const REPS = Number(process.env.REPS ?? 5);
const dir = mkdtempSync(path.join(tmpdir(), 'durable-floor-'));

/**
 * The WAL's frames by the b-tree their page belongs to (dbstat, read before the
 * checkpoint), per commit: which table or index each commit of a job writes.
 */
function framesByTree(db, file) {
  const wal = readFileSync(`${file}-wal`);
  const pageSize = wal.readUInt32BE(8);
  const owner = new Map(db.prepare('SELECT name, pageno FROM dbstat').all().map((r) => [r.pageno, r.name]));
  const counts = new Map();
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    const page = wal.readUInt32BE(at);
    const name = owner.get(page) ?? (page === 1 ? 'page 1 (header, sqlite_schema)' : 'free');
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (wal.readUInt32BE(at + 4) !== 0) commits++;
  }
  return [...counts].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${(count / commits).toFixed(2)}`).join(', ');
}

function walPages(file) {
  try {
    return statSync(`${file}-wal`).size / 4096;
  } catch {
    return 0;
  }
}

async function timeslicePerJob(file, checkpoint) {
  const store = new SqliteStore({ path: file, synchronous: sync });
  await store.open();
  await store.putTasks(Array.from({ length: n }, (_, i) => noopTaskRecord(i)));
  await store.close();
  const db = new Database(file);
  db.pragma(`synchronous = ${sync}`);
  db.pragma('foreign_keys = ON');
  if (!checkpoint) db.pragma('wal_autocheckpoint = 0');
  if (process.env.DROP) db.exec(process.env.DROP);
  for (const pragma of (process.env.PRAGMAS ?? '').split(';').filter((p) => p.trim())) db.pragma(pragma.trim());
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.prepare("INSERT OR REPLACE INTO lease (id, owner_id, host, pid, epoch, since_ms, expires_at_ms) VALUES (1, 'me', 'host', 1, 1, 0, 1e15)").run();
  // The statements of SqliteStore.completeAndClaim as src/store/sqlite/statements.ts has them.
  const lease = db.prepare('SELECT epoch FROM lease WHERE id = 1 AND owner_id = ? AND expires_at_ms <> 0').pluck();
  const end = db.prepare(`UPDATE executions SET outcome = ?, ended_at_ms = ?, result = ?, error = ?,
      trace_id = coalesce(trace_id, ?), span_id = coalesce(span_id, ?)
    WHERE task_id = ? AND nominal_ms = ? AND schedule_version = ? AND fencing_token = ? AND outcome = 'running'
    RETURNING attempt, started_at_ms AS "startedAtMs", skip_reason AS "skipReason", state, trace_id AS "traceId", span_id AS "spanId"`);
  const patch = db.prepare(`UPDATE tasks SET last_execution_ms = ?, next_execution_ms = ?, execution_count = ?, status = ?, last_error = ?,
    updated_at_ms = ? WHERE id = ? AND schedule_version = ? AND status <> 'completed' AND status <> 'failed' AND status <> 'cancelled'`);
  const slotTask = db.prepare('SELECT id, schedule_version AS "scheduleVersion", status, high_water_mark_ms AS "highWaterMarkMs" FROM tasks WHERE id = ?');
  const claim = db.prepare(`INSERT INTO executions (task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms,
    outcome, result, error, skip_reason, state, trace_id, span_id) VALUES (?, 1, 1, 1, ?, ?, NULL, 'running', 'null', 'null', NULL, 'null', NULL, NULL)
    ON CONFLICT DO NOTHING`);
  const marks = db.prepare('UPDATE tasks SET high_water_mark_ms = ?, status = ? WHERE id = ?');
  // BEGIN IMMEDIATE, as the store's write transactions.
  const job = db.transaction((i) => {
    if (lease.get('me') !== 1) throw new Error('fenced');
    if (i > 0) {
      end.get('succeeded', 2 + i, 'null', 'null', null, null, `job-${i - 1}`, 1, 1, i);
      patch.run(1, null, 1, 'completed', null, 2 + i, `job-${i - 1}`, 1);
    }
    if (i < n) {
      slotTask.get(`job-${i}`);
      claim.run(`job-${i}`, i + 1, 2 + i);
      marks.run(1, 'running', `job-${i}`);
    }
  }).immediate;
  const stopwatch = new Stopwatch();
  stopwatch.start();
  for (let i = 0; i <= n; i++) {
    job(i);
    for (let t = 0; t < TURNS; t++) await new Promise(setImmediate);
  }
  stopwatch.stop();
  const pages = walPages(file);
  const byTree = checkpoint ? undefined : framesByTree(db, file);
  db.close();
  return { cpuUsPerJob: (stopwatch.cpuMs * 1000) / n, jobsPerSec: n / (stopwatch.wallMs / 1000), pagesPerCommit: pages / (n + 1), byTree };
}

/** plainjob's end to end at concurrency 1 through its API (bench/suites/durable/plainjob.mjs), for the ratio. */
async function plainjobPerJob(file) {
  const stopwatch = new Stopwatch();
  await plainjob.endToEnd({ n, sync, file, concurrency: 1, stopwatch });
  return { cpuUsPerJob: (stopwatch.cpuMs * 1000) / n, jobsPerSec: n / (stopwatch.wallMs / 1000) };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs) => `[${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)}]`;
try {
  // Interleaved: the floor (checkpointing as the store does) and plainjob, REPS times each; the ratio of their rates.
  const floor = [];
  const peer = [];
  for (let rep = 0; rep < REPS; rep++) {
    const pair = [() => timeslicePerJob(path.join(dir, `floor-${rep}.db`), true), () => plainjobPerJob(path.join(dir, `plainjob-${rep}.db`))];
    for (const k of rep % 2 ? [1, 0] : [0, 1]) (k === 0 ? floor : peer).push(await pair[k]());
    console.log(`rep ${rep}: floor ${floor[rep].jobsPerSec.toFixed(0)} jobs/s ${floor[rep].cpuUsPerJob.toFixed(1)} us CPU/job, plainjob ${peer[rep].jobsPerSec.toFixed(0)} jobs/s ${peer[rep].cpuUsPerJob.toFixed(1)} us CPU/job`);
  }
  const rates = (rs) => rs.map((r) => r.jobsPerSec);
  const cpus = (rs) => rs.map((r) => r.cpuUsPerJob);
  console.log(`${sync} floor (the store's statements, one transaction a job): ${median(rates(floor)).toFixed(0)} jobs/s ${spread(rates(floor))}, ${median(cpus(floor)).toFixed(1)} us CPU/job`);
  console.log(`${sync} plainjob end to end c1: ${median(rates(peer)).toFixed(0)} jobs/s ${spread(rates(peer))}, ${median(cpus(peer)).toFixed(1)} us CPU/job`);
  const ratios = floor.map((f, i) => f.jobsPerSec / peer[i].jobsPerSec);
  console.log(`${sync} floor / plainjob, paired by rep: median ${median(ratios).toFixed(2)}x [${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}] (issue 11's target for timeslice: >= 1.5x)`);
  const r = await timeslicePerJob(path.join(dir, 'floor-wal.db'), false);
  console.log(`${sync} floor without checkpoints: ${r.cpuUsPerJob.toFixed(1)} us CPU/job, ${r.pagesPerCommit.toFixed(2)} WAL pages per commit`);
  console.log(`  WAL frames per commit by b-tree: ${r.byTree}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
