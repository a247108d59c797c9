// Recovery on start: `scheduler.start()` then `await scheduler.ready` over a
// SqliteStore holding n tasks: open, the query for unfinished executions,
// loadTasks() in batches of 10,000, and each task planned and entered into the
// core as a wake-up for its next slot. For each size a database is filled once
// (untimed) with tasks registered through the scheduler's own record format,
// each due in the future (so recovery writes nothing: no missed slot, no
// interrupted execution), and closed; each repetition makes a new Scheduler
// and SqliteStore on it and checks that every task was recovered.
import '../../../scripts/current-dist.mjs';
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Scheduler } from '../../../dist/index.js';
import { taskRecord } from '../../../dist/store.js';
import { SqliteStore } from '../../../dist/store/sqlite.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { nowMs } from '../../lib/measure.mjs';
import { toRows } from '../../lib/rows.mjs';
import { fillDatabase, scratchDir } from './workload.mjs';

const UNITS = { totalMs: 'ms', recoveryMs: 'ms', tasksPerSec: 'tasks/s', heapMB: 'MB' };

/** A task as schedule() stores it, hourly, its next slot a day ahead (spread over an hour). */
function futureTask(i, nowWallMs) {
  return taskRecord({
    id: `task-${String(i).padStart(7, '0')}`,
    name: `report ${i}`,
    functionName: 'sendReport',
    scheduleKind: 'fixed-rate',
    periodMs: 3_600_000,
    params: { userId: i, kind: 'daily', channels: ['email'] },
    retry: { attempts: 3, backoff: 'exponential', delayMs: 1000, maxDelayMs: 30_000, jitter: 0.2 },
    createdAtMs: nowWallMs,
    nextExecutionMs: Math.round(nowWallMs + 86_400_000 + (i % 3_600_000)),
  });
}

function fill(path, n) {
  const nowWallMs = Date.now();
  return fillDatabase(path, n, (count, offset) => Array.from({ length: count }, (_, i) => futureTask(offset + i, nowWallMs)));
}

async function recoverOnce(path, n) {
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = nowMs();
  const store = new SqliteStore(path);
  const scheduler = new Scheduler({ store, clockWatch: false, retention: false });
  scheduler.define('sendReport', () => {});
  scheduler.start();
  const report = await scheduler.ready;
  const totalMs = nowMs() - t0;
  const heapMB = (process.memoryUsage().heapUsed - heapBefore) / 1e6;
  await scheduler.stop();
  await store.close();
  if (report.tasks !== n) throw new Error(`persistence: recovered ${report.tasks} tasks, expected ${n}`);
  return { totalMs, recoveryMs: report.durationMs, tasksPerSec: n / (totalMs / 1000), heapMB };
}

export async function recoveryCase(plan, ctx) {
  const rows = [];
  const scratch = scratchDir();
  try {
    for (const n of plan.loadSizes) {
      const path = scratch.file(`recover-${n}.db`);
      const fillStartMs = nowMs();
      await fill(path, n);
      ctx.log(`recovery n=${n}: filled in ${((nowMs() - fillStartMs) / 1000).toFixed(1)} s, ${(statSync(path).size / 1e6).toFixed(1)} MB`);
      const samples = await interleaveAsync([{ name: 'scheduler-start' }], plan.loadRepsFor(n), () => recoverOnce(path, n));
      rows.push(...toRows('recovery-on-start', n, samples, UNITS));
    }
  } finally {
    scratch.remove();
  }
  return rows;
}

// Alone, in a fresh process (the suite runs it last, in a process that has just loaded 1e6 tasks):
//   npm run build && node --expose-gc bench/suites/persistence/recovery.mjs 100000
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number);
  const rows = await recoveryCase({ loadSizes: sizes.length > 0 ? sizes : [1e5], loadRepsFor: (n) => (n >= 1e6 ? 3 : 5) }, { log: (m) => process.stderr.write(`${m}\n`), info: {} });
  for (const row of rows.filter((r) => r.metric === 'totalMs')) {
    process.stdout.write(`recovery of ${row.n} tasks: median ${row.median.toFixed(0)} ms (${row.min.toFixed(0)}-${row.max.toFixed(0)}) over ${row.reps} reps\n`);
  }
}
