// `await scheduler.stop()` in cluster mode on PostgreSQL, as the last thing a
// script does, in a process of its own (the built package): stop() must
// settle and the code after it run. The store's pool lets the process exit when
// its connections are idle (allowExitOnIdle) and the LISTEN connection is
// unref'd, so a stop() that waits on a socket no handle keeps alive ends the
// process in the middle of it (exit code 13, an unsettled top-level await):
// the postgres smoke's latency case did, and the process never deregistered.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useCurrentDist } from '../helpers/current-dist.js';
import { usePostgresDatabase } from '../persistence/postgres-db.js';

useCurrentDist();

const run = promisify(execFile);
const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));
const db = usePostgresDatabase('cluster_stop');

const SCRIPT = `
import { Scheduler } from ${JSON.stringify(dist('index.js'))};
import { postgresStore } from ${JSON.stringify(dist('store/postgres.js'))};
const store = postgresStore({ connectionString: process.env.URL }, { schema: process.env.SCHEMA });
const scheduler = new Scheduler({ store, cluster: true, clockWatch: false });
const ran = [];
scheduler.define('mark', (params) => void ran.push(params.i));
scheduler.start();
await scheduler.ready;
await scheduler.scheduleMany([0, 1].map((i) => ({ id: 'job-' + i, fn: 'mark', params: { i }, after: 0 })));
while (ran.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
// Idle, as a process is when it stops: the ends committed, the claim round after them over. (Were
// the machine so slow that one is still in flight, its socket would keep the process alive through
// stop(): the test could then pass without the fix, never fail with it.)
await new Promise((resolve) => setTimeout(resolve, 500));
await scheduler.stop();
process.stdout.write('stopped\\n');
await store.close();
process.stdout.write('closed\\n');
`;

describe('cluster mode, stop() at the end of a script', () => {
  it.for([true, false])('settles, and the code after it runs (listen: %s)', { timeout: 60_000 }, async (listen) => {
    const schema = db.nextSchema();
    const script = listen ? SCRIPT : SCRIPT.replace('{ schema: process.env.SCHEMA }', '{ schema: process.env.SCHEMA, listen: false }');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, URL: db.url, SCHEMA: schema }, timeout: 50_000 });
    expect(stdout).toBe('stopped\nclosed\n');
    // It left the cluster: no registration is left behind for the others to wait out.
    expect(await db.query(`SELECT owner_id FROM ${schema}.processes`)).toEqual([]);
  });
});
