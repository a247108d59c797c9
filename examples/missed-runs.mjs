// Seed 003 (a timer service that recovers missed runs): durable recurring
// tasks in a SQLite file, the process "suspended" (stopped) for a while, then
// started again. Each task says what to do with the runs it missed: 'skip'
// them, coalesce them into one run ('run-once'), or run each ('catch-up', up
// to catchUpMax). A run at most graceMs late is not missed: it simply runs.
//
//   npm install better-sqlite3 && npm run build && node examples/missed-runs.mjs
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler } from 'timeslice';

const path = join(tmpdir(), `missed-runs-${process.pid}.db`);
const POLICIES = ['skip', 'run-once', 'catch-up'];
const runs = Object.fromEntries(POLICIES.map((p) => [p, []]));
// (A slot due just before recovery may still be within graceMs: then it simply runs, under every policy.)

async function startProcess() {
  const scheduler = new Scheduler({ store: path });
  scheduler.define('tick', (params, ctx) => void runs[params.policy].push(ctx.nominalMs));
  scheduler.start();
  const report = await scheduler.ready;
  for (const policy of POLICIES) {
    await scheduler.schedule({
      id: `every-100ms-${policy}`,
      fn: 'tick',
      params: { policy },
      every: '100ms',
      missed: { policy, graceMs: '50ms', ...(policy === 'catch-up' ? { catchUpMax: 3 } : {}) },
    });
  }
  return { scheduler, report };
}

const first = await startProcess();
await new Promise((resolve) => setTimeout(resolve, 350));
await first.scheduler.stop();
const stoppedAtMs = Date.now();
console.log(`first process: ${POLICIES.map((p) => `${p} ran ${runs[p].length}`).join(', ')}`);

// Suspended: no process runs for a second, so about ten slots of each task pass unseen.
await new Promise((resolve) => setTimeout(resolve, 1_000));

const second = await startProcess();
const recoveredAtMs = Date.now();
console.log(`restart: recovered ${second.report.tasks} tasks`);

// The slots of a task that came due while no process ran, on its 100 ms grid,
// and the records of those that have ended (ctx.nominalMs is a run's slot).
async function slotsDueWhileStopped(policy) {
  const { executions } = await second.scheduler.history(`every-100ms-${policy}`, { limit: 100 });
  const gridOffsetMs = executions[0].nominalMs % 100;
  const due = Math.ceil((recoveredAtMs - gridOffsetMs) / 100) - Math.ceil((stoppedAtMs - gridOffsetMs) / 100);
  const ended = executions.filter((e) => e.nominalMs >= stoppedAtMs && e.nominalMs < recoveredAtMs && e.outcome !== 'running');
  return { due, ended };
}

for (const policy of POLICIES) {
  // Recovery runs or skips each of them: wait for every record, however busy the machine (30 s at most).
  let slots = await slotsDueWhileStopped(policy);
  for (let waitedMs = 0; slots.ended.length < slots.due && waitedMs < 30_000; waitedMs += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    slots = await slotsDueWhileStopped(policy);
  }
  const ran = slots.ended.filter((e) => e.outcome === 'succeeded').length;
  const skipped = slots.ended.filter((e) => e.outcome === 'skipped').length;
  console.log(`  ${policy.padEnd(8)}: of ${slots.due} slots due while stopped, ${ran} ran and ${skipped} were recorded as skipped`);
}
await second.scheduler.stop();
rmSync(path, { force: true });
for (const suffix of ['-wal', '-shm']) rmSync(path + suffix, { force: true });
