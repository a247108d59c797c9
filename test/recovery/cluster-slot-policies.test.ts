// What a cluster process writes with the slots it claims: a failed attempt's
// retry goes back through the store (any process runs it after its backoff),
// slots missed while the whole cluster was down follow the task's missed-run
// policy, a slot whose attempts died with their process is failed (not run
// again) by its next claimer, and a clean stop gives unstarted claims back.
// On the memory reference and on PostgreSQL (the store's clock injected: the
// VirtualClock standing for the database server's; time moves over real I/O
// with advanceWithIo).
import { describe, expect, it } from 'vitest';
import { postgresStore } from '../../src/store/postgres-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { usePostgresDatabase } from '../persistence/postgres-db.js';
import { type ClusterDatabase, clusterDatabase, clusterProcess, useStartedProcesses } from './cluster-processes.js';
import { advanceWithIo, trackStoreCalls, WALL_START_MS } from './helpers.js';

const pg = usePostgresDatabase('cluster_policies');

interface Backend {
  database(clock: VirtualClock): ClusterDatabase;
  /** Moves `clock` by `totalMs` in steps of `stepMs`, each step's timers and store calls settled. */
  run(clock: VirtualClock, totalMs: number, stepMs?: number): Promise<void>;
}

const backends: Array<[string, Backend]> = [
  ['MemoryClusterStore', {
    database: clusterDatabase,
    async run(clock, totalMs, stepMs = 100) {
      if (totalMs === 0) await clock.advance(0);
      for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await clock.advance(Math.min(stepMs, totalMs - elapsed));
    },
  }],
  ['PostgresStore', {
    database(clock) {
      const schema = pg.nextSchema();
      return () => trackStoreCalls(postgresStore({ connectionString: pg.url }, { schema, clock }));
    },
    run: (clock, totalMs, stepMs = 100) => advanceWithIo(clock, totalMs, stepMs),
  }],
];

const start = useStartedProcesses();

describe.each(backends)('cluster processes on %s: retries, missed slots, stops', (_name, { database: clusterDatabase, run }) => {
  it('puts a failed attempt back in the store, due after its backoff, and runs it as attempt 2', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const [a] = await start(clusterProcess(database, clock, 'a'));
    const attempts: Array<[number, number]> = [];
    a!.define('flaky', async (_params, ctx) => {
      attempts.push([ctx.attempt, clock.wallNow() - WALL_START_MS]);
      if (ctx.attempt === 1) throw new Error('first attempt fails');
    });
    await a!.schedule({ id: 'flaky', fn: 'flaky', after: '1s', retry: { attempts: 3, backoff: 'fixed', delayMs: 5_000, jitter: 0 } });
    await run(clock, 1_500);
    expect(attempts).toEqual([[1, 1_000]]);
    const pending = await a!.store.pendingSlots('flaky');
    expect(pending.map((s) => [s.dueMs - WALL_START_MS, s.attempts])).toEqual([[6_000, 1]]);
    await run(clock, 6_000);
    expect(attempts).toEqual([[1, 1_000], [2, 6_000]]);
    const execution = await a!.store.getExecution(pending[0]!.id);
    expect([execution?.outcome, execution?.attempt]).toEqual(['succeeded', 2]);
    expect((await a!.store.getTask('flaky'))?.status).toBe('completed');
  });

  it('runs the newest of the slots missed while every process was down once (run-once) and records the others as skipped', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: number[] = [];
    const [a] = await start(clusterProcess(database, clock, 'a'));
    a!.define('tick', async (_params, ctx) => void ran.push(ctx.nominalMs - WALL_START_MS));
    await a!.schedule({ id: 'tick', fn: 'tick', every: '10s', missed: { policy: 'run-once', graceMs: 1_000 } });
    await run(clock, 10_500);
    expect(ran).toEqual([10_000]);
    // The whole cluster stops (cleanly: nothing is held) and comes back two minutes later.
    await a!.runner.stop();
    await run(clock, 120_000, 120_000);
    await a!.runner.start();
    await run(clock, 1_000);
    expect(ran).toEqual([10_000, 130_000]);
    const history = (await a!.store.history('tick', { limit: 100 })).executions.reverse();
    expect(history.map((e) => [e.nominalMs - WALL_START_MS, e.outcome])).toEqual([
      [10_000, 'succeeded'], ...Array.from({ length: 11 }, (_, i): [number, string] => [(i + 2) * 10_000, 'skipped']), [130_000, 'succeeded'],
    ]);
    expect(history[1]?.skipReason).toBe('missed: coalesced into one run (policy run-once)');
    await run(clock, 10_000);
    expect(ran).toEqual([10_000, 130_000, 140_000]);
  });

  it('fails a slot whose last attempt died with its process, without running it again, and offers the task\'s next slot', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: Array<[string, number]> = [];
    const [a] = await start(clusterProcess(database, pausedClock, 'a', { leaseMs: 5_000, heartbeatMs: 1_000 }));
    a!.define('work', (_params, ctx) => {
      ran.push(['a', ctx.nominalMs - WALL_START_MS]);
      return new Promise<void>(() => {});
    });
    await a!.schedule({ id: 'minutely', fn: 'work', every: '60s' });
    await run(clock, 60_000, 60_000);
    await run(pausedClock, 60_000, 60_000);
    const [b] = await start(clusterProcess(database, clock, 'b', { leaseMs: 5_000, heartbeatMs: 1_000 }));
    b!.define('work', async (_params, ctx) => void ran.push(['b', ctx.nominalMs - WALL_START_MS]));
    await run(clock, 60_000, 1_000);
    expect(ran).toEqual([['a', 60_000], ['b', 120_000]]);
    const first = (await b!.store.history('minutely', { limit: 10 })).executions.reverse()[0];
    expect([first!.nominalMs - WALL_START_MS, first!.outcome, first!.attempt, first!.error]).toEqual([
      60_000, 'failed', 1, { name: 'LeaseExpiredError', message: 'the process holding this attempt stopped renewing its lease' },
    ]);
  });

  it('gives its unstarted claims back when it stops, so another process runs them at once', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: string[] = [];
    const [a] = await start(clusterProcess(database, clock, 'a', { maxConcurrent: 2 }));
    // a claims two slots while its engine is paused (it claims, but starts no body), then it stops.
    a!.define('work', async () => void ran.push('a'));
    a!.engine.pause();
    await a!.schedule({ id: 'x', fn: 'work', after: '1s' });
    await a!.schedule({ id: 'y', fn: 'work', after: '1s' });
    await run(clock, 1_000, 1_000);
    expect(a!.runner.running).toBe(2);
    await a!.runner.stop();
    const b = await clusterProcess(database, clock, 'b');
    b.define('work', async (_params, ctx) => void ran.push(`b:${ctx.taskId}:${ctx.attempt}`));
    await start(b);
    await run(clock, 0, 1);
    expect(ran.sort()).toEqual(['b:x:1', 'b:y:1']);
  });
});
