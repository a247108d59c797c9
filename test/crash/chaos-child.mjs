// One process of the chaos campaign (chaos-campaign.mjs): a Scheduler (the
// built package) in cluster mode over the campaign's PostgreSQL database,
// through the public API only, with one function defined by name. The
// campaign kills it, pauses it and restarts its database; every run and every
// event that matters is appended to a ledger outside the database, fsynced:
//   S <taskId> <nominalMs> <attempt> <pid> <wallMs>             before the body's work
//   E <taskId> <nominalMs> <attempt> <pid> <wallMs>             after it
//   C <taskId> <nominalMs> <attempt> <pid> <outcome> <wallMs>   the scheduler reports the attempt's end committed
//   F <pid> <operation> <wallMs>                                a write of this process was refused (fenced)
//   L <pid> <wallMs>                                            this process learnt it was declared dead (rescued)
//   X <pid> <operation> <wallMs>                                a store error the scheduler rides out
//   R <pid> <wallMs>                                            registered and running
// A body cannot see its attempt's fencing token (it is not part of the
// context); the attempt number and the process tell attempts apart, and the
// store's record keeps the token of the attempt that ended the slot.
//
// Environment: CHAOS_DB (connection string), CHAOS_LEDGER, CHAOS_TTL_MS, CHAOS_HEARTBEAT_MS, CHAOS_POLL_MS;
// CHAOS_MODE 'run' (until SIGTERM: a clean stop; exit 75 when the store refuses the start) or 'seed' (schedule CHAOS_MANIFEST's tasks without
// starting, print each task's first slot as JSON, exit).
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
// dist/ is checked once by the campaign that starts this (scripts/current-dist.mjs), not at each restart.
import { Scheduler } from '../../dist/index.js';
import { postgresStore } from '../../dist/store/postgres.js';

const { CHAOS_DB: connectionString, CHAOS_LEDGER: ledgerPath, CHAOS_MODE: mode = 'run', CHAOS_MANIFEST: manifestPath } = process.env;
const ttlMs = Number(process.env.CHAOS_TTL_MS ?? 2000);
const heartbeatMs = Number(process.env.CHAOS_HEARTBEAT_MS ?? 500);
const pollMs = Number(process.env.CHAOS_POLL_MS ?? 250);
const pid = process.pid;

const ledger = openSync(ledgerPath, 'a');
function append(line) {
  writeSync(ledger, `${line}\n`);
  fsyncSync(ledger);
}

const store = postgresStore({ connectionString });
const scheduler = new Scheduler({
  store, cluster: { pollMs }, lease: { ttlMs, heartbeatMs }, concurrency: 8, maxConcurrent: 8, retention: false, clockWatch: false, onError: false,
});
scheduler.define('work', async (params, ctx) => {
  append(`S ${ctx.taskId} ${ctx.nominalMs} ${ctx.attempt} ${pid} ${Date.now()}`);
  await new Promise((resolve) => setTimeout(resolve, params.workMs));
  append(`E ${ctx.taskId} ${ctx.nominalMs} ${ctx.attempt} ${pid} ${Date.now()}`);
});
scheduler.events.addEventListener('slotcomplete', (e) => {
  const { taskId, nominalMs, attempt, outcome } = e.detail;
  append(`C ${taskId} ${nominalMs} ${attempt} ${pid} ${outcome} ${Date.now()}`);
});
scheduler.events.addEventListener('writefenced', (e) => append(`F ${pid} ${e.detail.operation} ${Date.now()}`));
scheduler.events.addEventListener('leaselost', () => append(`L ${pid} ${Date.now()}`));
scheduler.events.addEventListener('storeerror', (e) => append(`X ${pid} ${e.detail.operation} ${Date.now()}`));

if (mode === 'seed') {
  const { tasks } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  // Registration in cluster mode writes each record and offers its first slot; nothing runs here.
  const records = await scheduler.scheduleMany(tasks);
  await scheduler.stop();
  await store.close();
  closeSync(ledger);
  process.stdout.write(`${JSON.stringify(records.map((r) => [r.id, r.nextExecutionMs]))}\n`);
} else {
  process.on('SIGTERM', async () => {
    // Each phase's time on stderr: the campaign shows it if the stop does not end.
    const stopStartMs = Date.now();
    process.stderr.write('stop: SIGTERM\n');
    await scheduler.stop();
    process.stderr.write(`stop: scheduler stopped after ${Date.now() - stopStartMs} ms\n`);
    await store.close();
    process.stderr.write(`stop: store closed after ${Date.now() - stopStartMs} ms\n`);
    closeSync(ledger);
    process.exit(0);
  });
  scheduler.start();
  try {
    await scheduler.ready;
  } catch (error) {
    // Started while the database was down (its restart): an application's supervisor starts it again.
    append(`X ${pid} start ${Date.now()}`);
    process.stderr.write(`start refused: ${error?.message}\n`);
    process.exit(75);
  }
  append(`R ${pid} ${Date.now()}`);
  process.stdout.write('ready\n');
}
