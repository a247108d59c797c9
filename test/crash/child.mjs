// The process the crash campaign kills: a durable Scheduler (the built
// package) over a SqliteStore, running the campaign's tasks. Each task body
// appends to an execution ledger kept outside the database, fsynced:
//   S <taskId> <nominalMs> <attempt> <wallMs> <resumedFromState 0|1>   before its work
//   E <taskId> <nominalMs> <attempt> <wallMs>                          after its work
//   F <taskId> <nominalMs> <attempt> <wallMs>                          a planned failure (params.failFirst, attempt 1), then it throws
//   C <taskId> <nominalMs> <attempt> <outcome>                          once the scheduler reports the completion committed
//
// Environment:
//   CRASH_DB, CRASH_LEDGER   the database and the ledger
//   CRASH_MODE               'seed' (write the tasks from CRASH_MANIFEST and exit), 'run' (run until killed),
//                            'final' (run until no task is pending, then stop cleanly)
//   CRASH_POINT, CRASH_AT    kill itself (SIGKILL) at the CRASH_AT-th passage of a named point:
//                            'after-claim' (the claim is committed, the body has not started),
//                            'after-body' (the body ended, its completion is not committed),
//                            'in-batch-write' (inside a write transaction, before its commit),
//                            'after-failed-end' (a failed attempt's end is committed, its retry not started)
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
// dist/ is checked once by the campaign that starts this (scripts/current-dist.mjs), not at each restart.
import { Scheduler } from '../../dist/index.js';
import { SqliteStore } from '../../dist/store/sqlite.js';

const { CRASH_DB: dbPath, CRASH_LEDGER: ledgerPath, CRASH_MODE: mode = 'run', CRASH_POINT: point = '', CRASH_MANIFEST: manifestPath } = process.env;
const crashAt = Number(process.env.CRASH_AT ?? 0);

let passages = 0;
/** Kills this process, as the campaign's parent would, at the crashAt-th passage of the named point. */
function crashPoint(name) {
  if (name === point && ++passages === crashAt) process.kill(process.pid, 'SIGKILL');
}

const ledger = openSync(ledgerPath, 'a');
function append(line) {
  writeSync(ledger, `${line}\n`);
  fsyncSync(ledger);
}

const store = new SqliteStore(dbPath);
store[Symbol.for('timeslice.sqlite.insideWrite')] = () => crashPoint('in-batch-write');
// Planned failures are the campaign's own: not reported on stderr, where an unexpected exit's reason is looked for.
const scheduler = new Scheduler({ store, retention: false, concurrency: 64, onError: false });

scheduler.define('work', async (params, ctx) => {
  crashPoint('after-claim');
  append(`S ${ctx.taskId} ${ctx.nominalMs} ${ctx.attempt} ${Date.now()} ${ctx.state === null ? 0 : 1}`);
  if (params.failFirst && ctx.attempt === 1) {
    append(`F ${ctx.taskId} ${ctx.nominalMs} ${ctx.attempt} ${Date.now()}`);
    throw new Error('planned failure of a first attempt');
  }
  await new Promise((resolve) => setTimeout(resolve, params.workMs / 2));
  await ctx.saveState({ half: true });
  await new Promise((resolve) => setTimeout(resolve, params.workMs / 2));
  append(`E ${ctx.taskId} ${ctx.nominalMs} ${ctx.attempt} ${Date.now()}`);
  crashPoint('after-body');
});
scheduler.events.addEventListener('slotcomplete', (event) => {
  const { taskId, nominalMs, attempt, outcome, retrying } = event.detail;
  append(`C ${taskId} ${nominalMs} ${attempt} ${outcome}`);
  if (retrying) crashPoint('after-failed-end');
});

if (mode === 'seed') {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const records = await scheduler.scheduleMany(manifest.tasks);
  await scheduler.stop();
  // The nominal first slots, as the store computed them, for the checker.
  process.stdout.write(`${JSON.stringify(records.map((r) => [r.id, r.nextExecutionMs]))}\n`);
  closeSync(ledger);
} else {
  scheduler.start();
  await scheduler.ready;
  process.stdout.write('ready\n');
  if (mode === 'final') {
    const reader = new Database(dbPath, { readonly: true });
    const pending = reader.prepare("SELECT count(*) FROM tasks WHERE status IN ('pending', 'running')").pluck();
    while (pending.get() > 0) await new Promise((resolve) => setTimeout(resolve, 100));
    reader.close();
    await scheduler.stop();
    closeSync(ledger);
  }
}
