// Loading every stored task, the store's share of recovery on start (the
// scheduler's share, re-entering tasks into the core, comes with the
// scheduler integration). For each size a database is filled once (untimed,
// through putTasks in 10,000-record transactions) and closed; each repetition
// then opens a new SqliteStore on it and reads every task with loadTasks()
// (batches of 5,000, decoded into TaskRecords), checking the count.
import '../../../scripts/current-dist.mjs';
import { statSync } from 'node:fs';
import { SqliteStore } from '../../../dist/store/sqlite.js';
import { interleaveAsync } from '../../lib/interleave-async.mjs';
import { nowMs } from '../../lib/measure.mjs';
import { toRows } from '../../lib/rows.mjs';
import { benchTasks, fillDatabase, scratchDir } from './workload.mjs';

const UNITS = { totalMs: 'ms', openMs: 'ms', loadMs: 'ms', tasksPerSec: 'tasks/s' };

async function loadOnce(path, n) {
  const t0 = nowMs();
  const store = new SqliteStore(path);
  await store.open();
  const t1 = nowMs();
  let count = 0;
  let checksum = 0;
  for await (const batch of store.loadTasks()) {
    count += batch.length;
    for (const task of batch) checksum += task.params.userId;
  }
  const t2 = nowMs();
  await store.close();
  if (count !== n || checksum !== (n * (n - 1)) / 2) throw new Error(`persistence: loaded ${count} tasks (checksum ${checksum}), expected ${n}`);
  return { totalMs: t2 - t0, openMs: t1 - t0, loadMs: t2 - t1, tasksPerSec: n / ((t2 - t1) / 1000) };
}

export async function loadCase(plan, ctx) {
  const rows = [];
  const scratch = scratchDir();
  try {
    for (const n of plan.loadSizes) {
      const path = scratch.file(`load-${n}.db`);
      const fillStartMs = nowMs();
      await fillDatabase(path, n, benchTasks);
      const sizeBytes = statSync(path).size;
      ctx.info[`fileBytes${n}`] = sizeBytes;
      ctx.log(`load n=${n}: filled in ${((nowMs() - fillStartMs) / 1000).toFixed(1)} s, ${(sizeBytes / 1e6).toFixed(1)} MB`);
      const reps = plan.loadRepsFor(n);
      const samples = await interleaveAsync([{ name: 'sqlite' }], reps, () => loadOnce(path, n));
      rows.push(...toRows('load-tasks', n, samples, UNITS));
    }
  } finally {
    scratch.remove();
  }
  return rows;
}
