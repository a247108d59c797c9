// A cluster process's local queue (src/durable/cluster/local-queue.ts): once
// its runs are short it claims rows beyond maxConcurrent in one claim, runs
// them most urgent first within maxConcurrent, and if it dies, a rescue
// interrupts every row it held, the queued ones with an attempt more allowed
// (they run elsewhere as second attempts, within a retry budget of 1) while
// the one it was running has used its attempt.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/testing/index.js';
import { clusterDatabase, clusterProcess, useStartedProcesses } from './cluster-processes.js';
import { WALL_START_MS } from './helpers.js';

const start = useStartedProcesses();

async function run(clock: VirtualClock, totalMs: number, stepMs = 100): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await clock.advance(stepMs);
}

describe('cluster local queue', () => {
  it('claims ahead of maxConcurrent once a run ended, and runs the queued rows one at a time, most urgent first', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const [a] = await start(clusterProcess(database, clock, 'a', { maxConcurrent: 1, localQueue: 5 }));
    const claims: Array<{ limit: number; startNow: number | undefined }> = [];
    const finishAndClaim = a!.store.finishAndClaim.bind(a!.store);
    a!.store.finishAndClaim = (finishes, claim, started) => {
      if (claim !== undefined) claims.push({ limit: claim.limit, startNow: claim.startNow });
      return finishAndClaim(finishes, claim, started);
    };
    let running = 0;
    let most = 0;
    const ran: string[] = [];
    a!.define('job', async (_params, ctx) => {
      running++;
      most = Math.max(most, running);
      ran.push(ctx.taskId);
      await Promise.resolve();
      running--;
    });
    await a!.schedule({ id: 'first', fn: 'job', after: '1s' });
    await run(clock, 1_000);
    expect(ran).toEqual(['first']);
    // Due together: the high-priority ones rank first, whatever the order they were scheduled in.
    for (const [i, priority] of (['low', 'high', 'normal', 'high', 'low', 'normal'] as const).entries()) {
      await a!.schedule({ id: `j${i}-${priority}`, fn: 'job', after: '1s', priority });
    }
    await run(clock, 2_000);
    expect(ran.slice(1)).toEqual(['j1-high', 'j3-high', 'j2-normal', 'j5-normal', 'j0-low', 'j4-low']);
    expect(most).toBe(1);
    // The first claim, with no run measured, took only what could start; later ones claimed the queue's depth beyond it.
    expect(claims[0]).toEqual({ limit: 1, startNow: 1 });
    expect(claims.some((c) => c.limit === 6 && (c.startNow ?? 6) <= 1)).toBe(true);
    const statuses = await Promise.all(ran.map(async (id) => (await a!.store.getTask(id))?.status));
    expect(statuses).toEqual(Array.from({ length: 7 }, () => 'completed'));
  });

  it('a process that dies with rows queued has them run elsewhere as second attempts; its running row used its only attempt', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: Array<[string, string, number]> = [];
    const [a] = await start(clusterProcess(database, pausedClock, 'a', { maxConcurrent: 1, localQueue: 5 }));
    a!.define('job', (_params, ctx) => {
      ran.push(['a', ctx.taskId, ctx.attempt]);
      // The warm-up run ends at once (a run time measured); the others never end on a.
      return ctx.taskId === 'warm' ? Promise.resolve() : new Promise<void>(() => {});
    });
    await a!.schedule({ id: 'warm', fn: 'job', after: '1s' });
    await clock.advance(1_000);
    await pausedClock.advance(1_000);
    for (const id of ['q1', 'q2', 'q3', 'q4']) await a!.schedule({ id, fn: 'job', after: '1s' });
    await clock.advance(1_000);
    await pausedClock.advance(1_000);
    expect(ran).toEqual([['a', 'warm', 1], ['a', 'q1', 1]]);
    expect((await a!.runner.cluster())[0]!.running).toBe(4);
    // a stops here (its clock stands still); b starts and the database's time goes on past a's lease and a heartbeat.
    const [b] = await start(clusterProcess(database, clock, 'b'));
    b!.define('job', async (_params, ctx) => void ran.push(['b', ctx.taskId, ctx.attempt]));
    await run(clock, 41_000, 1_000);
    expect(ran.slice(2).sort()).toEqual([['b', 'q2', 2], ['b', 'q3', 2], ['b', 'q4', 2]]);
    const q2 = await b!.store.getExecution((await b!.store.history('q2', { limit: 1 })).executions[0]!.id);
    expect([q2?.outcome, q2?.attempt]).toEqual(['succeeded', 2]);
    // q1 ran on a (attempt 1 of 1) and its holder died: failed without running again, as without a local queue.
    const q1 = await b!.store.history('q1', { limit: 10 });
    expect(q1.executions.map((e) => [e.outcome, e.attempt])).toEqual([['failed', 1]]);
  });
});
