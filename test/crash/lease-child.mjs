// One of the processes of the lease campaign (lease-campaign.mjs): a durable
// Scheduler (the built package) over a SQLite file shared with another such
// process, started as a standby, registering the campaign's tasks (the same
// ids, the same definitions) as soon as it owns the store, as the README's
// start-up pattern does. Every task body and every ownership change is
// appended to a ledger outside the database, fsynced:
//   S <taskId> <nominalMs> <attempt> <pid> <wallMs>   before the body's work
//   E <taskId> <nominalMs> <attempt> <pid> <wallMs>   after it
//   C <taskId> <nominalMs> <attempt> <pid> <outcome>  once the scheduler reports the completion committed
//   A <pid> <epoch> <wallMs> <takeover 0|1>          this process acquired the store's lease
//   L <pid> <wallMs>                                 this process lost it (another took over)
//   F <pid> <operation> <wallMs>                     a write of this process was refused by the lease
//   P <pid> <wallMs>                                 this process stops itself (SIGUSR2 asked it to)
//   W <pid> <wallMs> <holderEpoch> <holderExpiresAtMs> <retryInMs>   a standby found the store held
//   X <pid> <wallMs> <operation> <message>           a store error the scheduler rides out
// Environment: LEASE_DB, LEASE_LEDGER, LEASE_MANIFEST (the tasks), LEASE_TTL_MS, LEASE_HEARTBEAT_MS,
// LEASE_MODE 'run' (until SIGTERM) or 'final' (until no task is pending, then stop).
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import Database from 'better-sqlite3';
// dist/ is checked once by the campaign that starts this (scripts/current-dist.mjs), not at each restart.
import { Scheduler } from '../../dist/index.js';
import { SqliteStore } from '../../dist/store/sqlite.js';

const { LEASE_DB: dbPath, LEASE_LEDGER: ledgerPath, LEASE_MANIFEST: manifestPath, LEASE_MODE: mode = 'run' } = process.env;
const ttlMs = Number(process.env.LEASE_TTL_MS ?? 2000);
const heartbeatMs = Number(process.env.LEASE_HEARTBEAT_MS ?? 500);

const ledger = openSync(ledgerPath, 'a');
function append(line) {
  writeSync(ledger, `${line}\n`);
  fsyncSync(ledger);
}

const pid = process.pid;
// One store instance for the process's life: after losing the lease, a standby owns the same instance again
// (the writes still in flight from its old ownership must be refused all the same).
const store = new SqliteStore(dbPath);
// SIGUSR2: stop (SIGSTOP) at the next turn of the event loop, with bodies in flight but outside any write
// transaction (better-sqlite3's are synchronous), so that the other process can take the store over; the
// campaign sends SIGCONT. (A process stopped inside a write holds SQLite's write lock: nobody can take
// over until it resumes; test/recovery/lease-busy-store.test.ts covers that case.)
process.on('SIGUSR2', () => {
  setImmediate(() => {
    append(`P ${pid} ${Date.now()}`);
    process.kill(pid, 'SIGSTOP');
  });
});
const scheduler = new Scheduler({ store, standby: true, lease: { ttlMs, heartbeatMs }, retention: false, concurrency: 16, onError: false });
scheduler.define('work', async (params, ctx) => {
  append(`S ${ctx.taskId} ${ctx.nominalMs} ${ctx.attempt} ${pid} ${Date.now()}`);
  await new Promise((resolve) => setTimeout(resolve, params.workMs));
  append(`E ${ctx.taskId} ${ctx.nominalMs} ${ctx.attempt} ${pid} ${Date.now()}`);
});
scheduler.events.addEventListener('slotcomplete', (e) => append(`C ${e.detail.taskId} ${e.detail.nominalMs} ${e.detail.attempt} ${pid} ${e.detail.outcome}`));
scheduler.events.addEventListener('leaseacquired', (e) => append(`A ${pid} ${e.detail.holder.epoch} ${Date.now()} ${e.detail.takeover ? 1 : 0}`));
scheduler.events.addEventListener('leaselost', () => append(`L ${pid} ${Date.now()}`));
scheduler.events.addEventListener('writefenced', (e) => append(`F ${pid} ${e.detail.operation} ${Date.now()}`));
scheduler.events.addEventListener('standby', (e) => append(`W ${pid} ${Date.now()} ${e.detail.holder.epoch} ${e.detail.holder.expiresAtMs} ${e.detail.retryInMs}`));
scheduler.events.addEventListener('storeerror', (e) => append(`X ${pid} ${Date.now()} ${e.detail.operation} ${String(e.detail.error?.message ?? e.detail.error).replaceAll('\n', ' ')}`));

const { tasks } = JSON.parse(readFileSync(manifestPath, 'utf8'));
// The campaign ends its processes with SIGTERM, whatever they are doing: a standby still waiting for the
// store (a loaded machine starts the restarted one late) stops as cleanly as the owner.
let stopping = false;
process.on('SIGTERM', async () => {
  stopping = true;
  await scheduler.stop();
  await store.close();
  closeSync(ledger);
  process.exit(0);
});

/** Starts, waits to own the store, registers the tasks; false when SIGTERM stopped it first. */
async function becomeOwner() {
  scheduler.start();
  try {
    await scheduler.ready;
    // The README's start-up pattern: register every task, same ids and definitions, at every start.
    // Owning the store at `ready` does not mean still owning it a moment later: a loaded machine can hold
    // this process past its lease (ttl 1.5 s in CI) before the registration's write, which the lease then
    // refuses (LeaseLostError, or StoreLockedError naming the new holder). This scheduler is then a standby
    // again (docs/durable.md), and the call made again waits until it owns the store.
    for (;;) {
      try {
        await scheduler.scheduleMany(tasks);
        return true;
      } catch (error) {
        if (error?.name !== 'LeaseLostError' && error?.name !== 'StoreLockedError') throw error;
      }
    }
  } catch (error) {
    if (stopping) return false; // stop() rejected what was waiting; the SIGTERM handler exits
    throw error;
  }
}

if (await becomeOwner()) process.stdout.write('owner\n');

if (mode === 'final') {
  const reader = new Database(dbPath, { readonly: true });
  const pending = reader.prepare("SELECT count(*) FROM tasks WHERE status IN ('pending', 'running')").pluck();
  while (pending.get() > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  reader.close();
  await scheduler.stop();
  await store.close();
  closeSync(ledger);
}
