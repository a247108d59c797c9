// One throughput repetition: a fresh database, n no-op jobs added before any
// worker starts (untimed), the workers opened (untimed: modules, pools,
// LISTEN), then timed from starting them until the database shows every job
// completed: the handlers' marks are awaited first, then the implementation's
// count of jobs not completed is polled every 5 ms until it is 0. Each
// completion is therefore committed when the clock stops, in every mode.
//
// CPU, over the same region: this process (the stopwatch), the worker child
// processes and the PostgreSQL backends of the database (/proc, see
// process-cpu.mjs). The server's shared processes (WAL writer, checkpointer)
// are not counted.
import pg from 'pg';
import { createDatabase } from './database.mjs';
import { backendPids, startCpuMeter } from './process-cpu.mjs';
import { RunMarks } from './run-marks.mjs';
import { holdSnapshot } from './snapshot.mjs';
import { openWorkers } from './workers.mjs';

const POLL_MS = 5;

/** Polls `sql` (a count of jobs not completed, as `n`) every 5 ms until it is 0; throws past deadlineMs. */
export async function untilNoneRemain(client, sql, deadlineMs, what) {
  for (;;) {
    const { rows } = await client.query(sql);
    if (rows[0].n === 0) return;
    if (performance.now() > deadlineMs) throw new Error(`${what}: every handler ran, yet ${rows[0].n} jobs are still not completed in the database`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * Runs one repetition; resolves to its per-job figures. Throws when a job was
 * lost; duplicate runs are counted and returned (the suite reports them).
 */
export async function throughputRepetition(impl, { n, mode, topology, snapshot = false, timeoutMs, caseName }, stopwatch) {
  const what = `${impl.name} ${caseName} n=${n}`;
  const db = await createDatabase(`${impl.name}_${caseName}`);
  const admin = new pg.Client({ connectionString: db.connectionString });
  const marks = new RunMarks(n);
  let workers;
  let held;
  try {
    await admin.connect();
    await impl.prepare(db.connectionString, n);
    workers = await openWorkers(impl, topology, { connectionString: db.connectionString, mode, onRun: (i) => marks.mark(i) });
    if (snapshot) held = await holdSnapshot(db.connectionString);
    const server = await startCpuMeter(() => backendPids(admin, db.name));
    const children = await startCpuMeter(async () => workers.childPids);
    const deadlineMs = performance.now() + timeoutMs;
    stopwatch.start();
    await workers.start();
    await marks.whenDistinct(n, timeoutMs, what);
    await untilNoneRemain(admin, impl.remainingSql, deadlineMs, what);
    stopwatch.stop();
    const serverCpu = await server.stop();
    const childCpu = await children.stop();
    const snapshotHeld = held ? await held.release() : undefined;
    await workers.stop();
    const { lost, duplicateRuns } = marks.tally();
    if (lost > 0) throw new Error(`${what}: ${lost} jobs never ran`);
    const clientCpuMs = stopwatch.cpuMs + childCpu.cpuMs;
    return {
      jobsPerSec: n / (stopwatch.wallMs / 1000),
      clientCpuNsPerJob: (clientCpuMs * 1e6) / n,
      serverCpuNsPerJob: (serverCpu.cpuMs * 1e6) / n,
      totalCpuNsPerJob: ((clientCpuMs + serverCpu.cpuMs) * 1e6) / n,
      duplicateRuns,
      backendsExited: serverCpu.lost,
      ...(snapshotHeld === undefined ? {} : { snapshotHeldSec: snapshotHeld.heldMs / 1000 }),
    };
  } finally {
    await held?.release().catch(() => {});
    await workers?.stop().catch((error) => process.stderr.write(`${what}: stopping the workers failed: ${error.message}\n`));
    await admin.end().catch(() => {});
    await db.drop();
  }
}
