// The floor of a durable job at concurrency 1: raw better-sqlite3 doing only
// the statements SqliteStore runs per job (one transaction: the lease check,
// end the previous attempt, patch its task, read the next task, insert its
// claim, mark it running), on a file SqliteStore made (the schema as shipped),
// at a synchronous level. Prints process CPU per job, and WAL pages written
// per commit (with autocheckpoint off).
//   node bench/ab/durable-floor.mjs [full|normal] [n]
// TURNS=k: k host turns (setImmediate) between two jobs' transactions.
// DROP='DROP INDEX ...': SQL run first (what an index costs per job).
// PRAGMAS='cache_size = -32000; ...': connection settings to compare.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../dist/store/sqlite.js';
import { Stopwatch } from '../lib/stopwatch.mjs';

const [sync = 'normal', nText = '10000'] = process.argv.slice(2);
const n = Number(nText);
const TURNS = Number(process.env.TURNS ?? 0);
const dir = mkdtempSync(path.join(tmpdir(), 'durable-floor-'));

function task(i) {
  return {
    id: `job-${i}`, name: `job-${i}`, description: null, ownerModule: null, functionName: 'noop', params: { i }, scheduleKind: 'once',
    delayMs: 0, periodMs: null, atMs: null, cronExpression: null, timeZone: null, dstGap: null, dstOverlap: null, priority: 'normal',
    misfire: { policy: 'run-once', graceMs: 0, catchUpWindowMs: null, catchUpMax: null }, retry: { attempts: 1 }, createdAtMs: 1,
    updatedAtMs: 1, lastExecutionMs: null, nextExecutionMs: 1, executionCount: 0, maxExecutions: 1, status: 'pending', lastError: null,
    metadata: {}, scheduleVersion: 1, highWaterMarkMs: null, timeoutMs: null, constraints: null, calendarPeriod: null, startAtMs: null,
    endAtMs: null,
  };
}

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
  await store.putTasks(Array.from({ length: n }, (_, i) => task(i)));
  await store.close();
  const db = new Database(file);
  db.pragma(`synchronous = ${sync}`);
  db.pragma('foreign_keys = ON');
  if (!checkpoint) db.pragma('wal_autocheckpoint = 0');
  if (process.env.DROP) db.exec(process.env.DROP);
  for (const pragma of (process.env.PRAGMAS ?? '').split(';').filter((p) => p.trim())) db.pragma(pragma.trim());
  db.pragma('wal_checkpoint(TRUNCATE)');
  const lease = db.prepare('SELECT owner_id, epoch FROM lease WHERE id = 1');
  const end = db.prepare(`UPDATE executions SET outcome = ?, ended_at_ms = ?, result = ?, error = ?
    WHERE task_id = ? AND nominal_ms = ? AND schedule_version = ? AND fencing_token = ? AND outcome = 'running'
    RETURNING attempt, started_at_ms, skip_reason, state`);
  const patch = db.prepare(`UPDATE tasks SET last_execution_ms = ?, next_execution_ms = ?, execution_count = ?, status = ?, last_error = ?,
    updated_at_ms = ? WHERE id = ? AND schedule_version = ?`);
  const slotTask = db.prepare('SELECT id, schedule_version, status, high_water_mark_ms FROM tasks WHERE id = ?');
  const claim = db.prepare(`INSERT INTO executions (task_id, schedule_version, nominal_ms, attempt, fencing_token, started_at_ms, ended_at_ms,
    outcome, result, error, skip_reason, state) VALUES (?, 1, 1, 1, ?, ?, NULL, 'running', 'null', 'null', NULL, 'null') ON CONFLICT DO NOTHING`);
  const marks = db.prepare('UPDATE tasks SET high_water_mark_ms = ?, status = ? WHERE id = ?');
  const job = db.transaction((i) => {
    lease.get();
    if (i > 0) {
      end.get('succeeded', 2 + i, 'null', 'null', `job-${i - 1}`, 1, 1, i);
      patch.run(1, null, 1, 'completed', null, 2, `job-${i - 1}`, 1);
    }
    if (i < n) {
      slotTask.get(`job-${i}`);
      claim.run(`job-${i}`, i + 1, 2);
      marks.run(1, 'running', `job-${i}`);
    }
  });
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

try {
  for (const [name, fn] of [['timeslice statements', timeslicePerJob]]) {
    for (const checkpoint of [true, false]) {
      const file = path.join(dir, `${name.split(' ')[0]}-${checkpoint}.db`);
      const r = await fn(file, checkpoint);
      const pages = checkpoint ? '' : `, ${r.pagesPerCommit.toFixed(2)} WAL pages per commit`;
      console.log(`${sync} ${name}${checkpoint ? '' : ' (no checkpoint)'}: ${r.cpuUsPerJob.toFixed(1)} us CPU/job, ${r.jobsPerSec.toFixed(0)} jobs/s${pages}`);
      if (r.byTree !== undefined) console.log(`  WAL frames per commit by b-tree: ${r.byTree}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
