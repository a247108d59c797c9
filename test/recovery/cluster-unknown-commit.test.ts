// A cluster batch whose COMMIT went through but whose answer was lost (the
// connection cut during COMMIT: StoreOutcomeUnknownError). A claim that went
// in holds rows under this live process that it never heard of: the next
// claim names the rows the process knows (ClaimDueRequest.known) and the
// store gives back the others, unstarted, no attempt counted. An end that
// went in is sent again and answered as already stored (the same attempt,
// token and outcome: an idempotent finish), so the process reports it once,
// as completed, and no fenced write.
import { describe, expect, it } from 'vitest';
import type { FinishAndClaimResult } from '../../src/store/cluster.js';
import { StoreOutcomeUnknownError } from '../../src/store/errors.js';
import { postgresStore } from '../../src/store/postgres-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { usePostgresDatabase } from '../persistence/postgres-db.js';
import { type ClusterDatabase, type ClusterProcess, clusterDatabase, clusterProcess, useStartedProcesses } from './cluster-processes.js';
import { advanceWithIo, trackStoreCalls, WALL_START_MS } from './helpers.js';

const start = useStartedProcesses();

/** The first finishAndClaim (of any process) whose result `lose` picks is written, then its answer is lost. */
function loseAnswer(processes: ClusterProcess[], lose: (result: FinishAndClaimResult) => boolean): { lost: () => number } {
  let lost = 0;
  for (const p of processes) {
    const real = p.store.finishAndClaim.bind(p.store);
    p.store.finishAndClaim = async (...args) => {
      const result = await real(...args);
      if (lost > 0 || !lose(result)) return result;
      lost++;
      throw new StoreOutcomeUnknownError(`${p.name}: connection lost during COMMIT`);
    };
  }
  return { lost: () => lost };
}

describe('cluster: a batch whose COMMIT outcome is unknown', () => {
  for (const processCount of [1, 2]) {
    it(`a claim that went in: its rows are given back by the next claim and run once, as first attempts (${processCount} process(es))`, async () => {
      const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
      const database = clusterDatabase(clock);
      const processes = await start(...['a', 'b'].slice(0, processCount).map((name) => clusterProcess(database, clock, name)));
      const ran: Array<[string, string, number]> = [];
      for (const p of processes) p.define('job', async (_params, ctx) => void ran.push([p.name, ctx.taskId, ctx.attempt]));
      for (let i = 0; i < 5; i++) await clock.advance(0);
      const lost = loseAnswer(processes, (r) => r.claimed?.status === 'claimed' && r.claimed.claimed.length > 0);
      await processes[0]!.schedule({ id: 'job', fn: 'job', after: '1s', retry: 5 });
      await processes[0]!.schedule({ id: 'job2', fn: 'job', after: '1s', retry: 5 });
      for (let t = 0; t < 60; t++) await clock.advance(1_000);
      expect(lost.lost()).toBe(1);
      // Both ran exactly once, as attempt 1: the lost claim counted no attempt, and no row stayed held.
      expect(ran.map(([, id, attempt]) => [id, attempt]).sort()).toEqual([['job', 1], ['job2', 1]]);
      expect((await processes[0]!.runner.cluster()).map((p) => p.running)).toEqual(processes.map(() => 0));
      for (const id of ['job', 'job2']) expect(await processes[0]!.store.getExecution(`${id}/1/${WALL_START_MS + 1_000}`)).toMatchObject({ outcome: 'succeeded', attempt: 1 });
    });
  }
});

const pg = usePostgresDatabase('cluster_unknown_commit');

const backends: Array<[string, { database(clock: VirtualClock): ClusterDatabase; run(clock: VirtualClock, totalMs: number): Promise<void> }]> = [
  ['MemoryClusterStore', {
    database: clusterDatabase,
    async run(clock, totalMs) {
      for (let t = 0; t < totalMs; t += 1_000) await clock.advance(1_000);
    },
  }],
  ['PostgresStore', {
    database(clock) {
      const schema = pg.nextSchema();
      return () => trackStoreCalls(postgresStore({ connectionString: pg.url }, { schema, clock }));
    },
    run: (clock, totalMs) => advanceWithIo(clock, totalMs, 1_000),
  }],
];

describe.each(backends)('cluster on %s: an end whose COMMIT went through but whose answer was lost', (_name, { database: makeDatabase, run }) => {
  it('is sent again and answered as stored: no writefenced event, each attempt completed once, the next slot runs', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = makeDatabase(clock);
    const [a] = await start(clusterProcess(database, clock, 'a'));
    const ran: number[] = [];
    a!.define('tick', async () => void ran.push(clock.wallNow() - WALL_START_MS));
    await run(clock, 0);
    const lost = loseAnswer([a!], (r) => r.finished.some((f) => f.status === 'completed'));
    await a!.schedule({ id: 'tick', fn: 'tick', every: '10s' });
    await run(clock, 35_000);
    expect(lost.lost()).toBe(1);
    expect(ran).toEqual([10_000, 20_000, 30_000]);
    expect(a!.events.filter(([type]) => type === 'writefenced')).toEqual([]);
    // The lost answer's end is counted once, as completed, when its retry is answered: one slotcomplete per attempt.
    const completions = a!.events.filter(([type]) => type === 'slotcomplete').map(([, d]) => d as { nominalMs: number; attempt: number; outcome: string });
    expect(completions.map((c) => [c.nominalMs - WALL_START_MS, c.attempt, c.outcome])).toEqual([[10_000, 1, 'succeeded'], [20_000, 1, 'succeeded'], [30_000, 1, 'succeeded']]);
    const history = await a!.store.history('tick', { limit: 100 });
    expect(history.executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome])).toEqual([[30_000, 1, 'succeeded'], [20_000, 1, 'succeeded'], [10_000, 1, 'succeeded']]);
  });
});
