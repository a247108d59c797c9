// Store-level A/B (internals: the store's writes only, no scheduler): one
// completeAndClaim() per job through SqliteStore from dist/ (a run's end and
// the next claim in one commit, as the scheduler writes at concurrency 1),
// with schema v6's task-query indexes and with them dropped, interleaved.
//   node bench/ab/task-index-ab.mjs <checkout dir> [normal|full] [jobs] [reps]
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';

const checkout = process.argv[2];
requireCurrentDist(checkout);
const { SqliteStore } = await import(`${checkout}/dist/store/sqlite.js`).catch(() => import(`${checkout}/dist/store-sqlite.js`));
const sync = process.argv[3] ?? 'normal';
const n = Number(process.argv[4] ?? 4000);
const reps = Number(process.argv[5] ?? 7);
const dir = mkdtempSync(path.join(tmpdir(), 'qab-'));
const task = (id) => ({ id, name: id, description: null, ownerModule: 'm', functionName: 'f', params: null, scheduleKind: 'fixed-rate', delayMs: null, periodMs: 1000, atMs: null, cronExpression: null, timeZone: null, dstGap: null, dstOverlap: null, priority: 'normal', misfire: { policy: 'run-once', graceMs: 30000, catchUpWindowMs: null, catchUpMax: null }, retry: null, createdAtMs: 1, updatedAtMs: 1, lastExecutionMs: null, nextExecutionMs: 1000, executionCount: 0, maxExecutions: null, status: 'pending', lastError: null, metadata: null, timeoutMs: null, scheduleVersion: 1, highWaterMarkMs: null, constraints: null, calendarPeriod: null, startAtMs: null, endAtMs: null });
async function once(variant, rep) {
  const file = path.join(dir, `${variant}-${rep}.db`);
  const store = new SqliteStore({ path: file, synchronous: sync });
  await store.open();
  if (variant === 'no-index') {
    const db = new Database(file);
    for (const name of ['tasks_by_status', 'tasks_ended', 'tasks_by_module', 'tasks_by_name']) db.exec(`DROP INDEX IF EXISTS ${name}`);
    db.close();
  }
  await store.putTasks(Array.from({ length: 100 }, (_, i) => task(`t${i}`)));
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  // As the scheduler commits at concurrency 1: a run's end and the next run's claim in one transaction.
  const claimOf = (j) => ({ taskId: `t${j % 100}`, scheduleVersion: 1, nominalMs: 1000 * (1 + Math.floor(j / 100)), startedAtMs: 0 });
  let [c] = await store.claim([claimOf(0)]);
  for (let j = 0; j < n; j++) {
    const e = c.execution;
    const end = { executionId: e.id, fencingToken: e.fencingToken, outcome: 'succeeded', endedAtMs: e.nominalMs + 1,
      taskUpdate: { lastExecutionMs: e.nominalMs, nextExecutionMs: e.nominalMs + 1000, executionCount: j, status: 'pending', lastError: null, updatedAtMs: e.nominalMs + 1 } };
    const { claimed } = await store.completeAndClaim([end], [claimOf(j + 1)]);
    c = claimed[0];
  }
  const cpu = process.cpuUsage(t0);
  const wall = performance.now() - w0;
  await store.close();
  for (const s of ['', '-wal', '-shm']) rmSync(file + s, { force: true });
  return { cpuUs: (cpu.user + cpu.system) / n, wallUs: (wall * 1000) / n };
}
const res = { index: [], 'no-index': [] };
await once('index', 'w'); await once('no-index', 'w');
for (let r = 0; r < reps; r++) for (const v of r % 2 ? ['no-index', 'index'] : ['index', 'no-index']) res[v].push(await once(v, r));
const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const [v, xs] of Object.entries(res)) console.log(`${sync} ${v}: CPU ${med(xs.map((x) => x.cpuUs)).toFixed(1)} us/job (all: ${xs.map((x) => x.cpuUs.toFixed(0)).join(' ')}), wall ${med(xs.map((x) => x.wallUs)).toFixed(1)} us/job`);
rmSync(dir, { recursive: true, force: true });
