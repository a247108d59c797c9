// A cluster batch whose COMMIT went through but whose answer was lost (the
// connection cut during COMMIT: StoreOutcomeUnknownError). A claim that went
// in holds rows under this live process that it never heard of: the next
// claim names the rows the process knows (ClaimDueRequest.known) and the
// store gives back the others, unstarted, no attempt counted. An end that
// went in refuses its retry as fenced: the completion is recorded once.
import { describe, expect, it } from 'vitest';
import type { FinishAndClaimResult } from '../../src/store/cluster.js';
import { StoreOutcomeUnknownError } from '../../src/store/errors.js';
import { VirtualClock } from '../../src/testing/index.js';
import { type ClusterProcess, clusterDatabase, clusterProcess, useStartedProcesses } from './cluster-processes.js';
import { WALL_START_MS } from './helpers.js';

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

  it('an end that went in: its retry is refused as fenced, the completion is recorded once and the next slot runs', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const [a] = await start(clusterProcess(database, clock, 'a'));
    const ran: number[] = [];
    a!.define('tick', async () => void ran.push(clock.wallNow() - WALL_START_MS));
    for (let i = 0; i < 5; i++) await clock.advance(0);
    const lost = loseAnswer([a!], (r) => r.finished.some((f) => f.status === 'completed'));
    await a!.schedule({ id: 'tick', fn: 'tick', every: '10s' });
    for (let t = 0; t < 35; t++) await clock.advance(1_000);
    expect(lost.lost()).toBe(1);
    expect(ran).toEqual([10_000, 20_000, 30_000]);
    const history = await a!.store.history('tick', { limit: 100 });
    expect(history.executions.map((e) => [e.nominalMs - WALL_START_MS, e.attempt, e.outcome])).toEqual([[30_000, 1, 'succeeded'], [20_000, 1, 'succeeded'], [10_000, 1, 'succeeded']]);
  });
});
