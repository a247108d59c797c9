// The postgres benchmark suite's harness still measures what it says
// (bench/suites/postgres/): each implementation once on tiny counts, in this
// process and as worker processes, against the local PostgreSQL (a fresh
// database per run, dropped after). The full suite takes minutes, so
// quick-suites.test.ts leaves it to this file. Needs a dist/ built from the
// sources here (npm test builds first; useCurrentDist), so timeslice always
// runs (in cluster mode: in one process and as 2 processes).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, type ExpectStatic, expect, it } from 'vitest';
import { RunMarks } from '../../bench/suites/postgres/run-marks.mjs';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const run = promisify(execFile);
const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const expectedImpls = ['graphile-worker', 'pg-boss', 'timeslice'];

interface SmokeRun {
  impl: string;
  kind: 'throughput' | 'latency' | 'failover';
  lease?: { ttlMs: number; heartbeatMs: number };
  restartFirstMs?: number;
  restartLastMs?: number;
  restartAfterLeaseMs?: number;
  n?: number;
  wallMs?: number;
  jobsPerSec?: number;
  clientCpuNsPerJob?: number;
  serverCpuNsPerJob?: number;
  totalCpuNsPerJob?: number;
  startP50Ms?: number;
  startP99Ms?: number;
  duplicateRuns: number;
}

async function smoke(args: string[]): Promise<{ impls: string[]; notices: string[]; runs: SmokeRun[] }> {
  try {
    const { stdout } = await run(process.execPath, ['bench/suites/postgres/smoke.mjs', ...args], { cwd: rootDir, timeout: 120_000 });
    return JSON.parse(stdout);
  } catch (error) {
    // execFile's message names only the command: what the harness printed says what went wrong.
    const { code, signal, stdout, stderr } = error as { code?: number; signal?: string; stdout?: string; stderr?: string };
    throw new Error(`${(error as Error).message} (exit code ${code}, signal ${signal})\nstdout: ${stdout ?? ''}\nstderr: ${stderr ?? ''}`);
  }
}

function expectSaneThroughput(expect: ExpectStatic, r: SmokeRun, n: number): void {
  expect(r.n).toBe(n);
  expect(r.duplicateRuns).toBe(0);
  // n jobs over the stopwatch's wall time, exactly.
  expect(r.jobsPerSec).toBeCloseTo(n / (r.wallMs! / 1000), 6);
  expect(r.clientCpuNsPerJob).toBeGreaterThan(0);
  expect(r.serverCpuNsPerJob).toBeGreaterThan(0); // the backends ran the claims and completions
  expect(r.totalCpuNsPerJob).toBeCloseTo(r.clientCpuNsPerJob! + r.serverCpuNsPerJob!, 3);
}

describe('postgres suite harness', () => {
  it('counts lost jobs and duplicate runs by job id', async () => {
    const marks = new RunMarks(4);
    const all = marks.whenDistinct(3, 1000, 'marks');
    for (const i of [0, 2, 2, 3, 2]) marks.mark(i);
    await all;
    expect(marks.tally()).toEqual({ lost: 1, duplicateRuns: 2, runs: 5 });
    expect(() => marks.mark(4)).toThrow(/not one of the 4 added/);
    await expect(new RunMarks(2).whenDistinct(1, 10, 'idle')).rejects.toThrow('idle: 0 of 1 jobs ran');
  });

  it('finds every implementation this checkout can run', async () => {
    const result = await smoke(['--samples', '0', '--impl', 'none']);
    expect(result.impls.sort()).toEqual(expectedImpls);
    expect(result.runs).toEqual([]);
  });

  // One process per implementation, side by side: most of a run waits on CREATE/DROP DATABASE and on fsyncs.
  // Smoke sizes (100 jobs, 2 latency samples): the counters and the 0 duplicates are checked, not the speed,
  // and these child processes share the 2 cores with the rest of npm test (its 4-minute budget).
  it.concurrent.for(expectedImpls)('runs %s in one process (per job) and measures add-to-start', { timeout: 120_000 }, async (impl, { expect }) => {
    const result = await smoke(['--impl', impl, '--n', '100', '--samples', '2', '--mode', 'perjob']);
    expectSaneThroughput(expect, result.runs.find((r) => r.kind === 'throughput')!, 100);
    const latency = result.runs.find((r) => r.kind === 'latency')!;
    expect(latency.duplicateRuns).toBe(0);
    expect(latency.startP50Ms).toBeGreaterThan(0);
    expect(latency.startP99Ms).toBeGreaterThanOrEqual(latency.startP50Ms!);
  });

  it.concurrent('runs each implementation as 2 worker processes (batched), counting their CPU', { timeout: 120_000 }, async ({ expect }) => {
    const result = await smoke(['--n', '100', '--samples', '0', '--mode', 'batched', '--processes']);
    expect(result.impls.sort()).toEqual(expectedImpls);
    // timeslice too when built: its cluster mode shares the rows between the 2 processes.
    for (const impl of expectedImpls) {
      const run = result.runs.find((r) => r.impl === impl && r.kind === 'throughput');
      expect(run, `${impl} in p2`).toBeDefined();
      expectSaneThroughput(expect, run!, 100);
    }
  });

  it.concurrent('runs a killed process’s held jobs in the other process once its lease lapses (timeslice)', { timeout: 120_000 }, async ({ expect }) => {
    const result = await smoke(['--failover']);
    const run = result.runs.find((r) => r.kind === 'failover')!;
    // failover.mjs already refuses a start in B before the kill. How soon after the kill B may start
    // depends on when A last renewed its lease, and a loaded machine delays renewals (CI once saw B
    // start 1,494 ms after the kill, with a 500 ms heartbeat and a 2,000 ms lease). What may not
    // happen is B claiming before A's lease ran out, both in the database's clock.
    expect(run.restartAfterLeaseMs).toBeGreaterThanOrEqual(0);
    expect(run.restartFirstMs).toBeGreaterThan(0);
    expect(run.restartLastMs).toBeGreaterThanOrEqual(run.restartFirstMs!);
  });
});
