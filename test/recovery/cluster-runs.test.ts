// Several cluster processes (ClusterRunner) on one MemoryClusterDatabase, on
// VirtualClocks: a recurring task's slots each run once across them, a
// process that stops heartbeating has its slot run by another within lease +
// heartbeat, and its late end is fenced and reported.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/testing/index.js';
import { clusterDatabase, clusterProcess, useStartedProcesses } from './cluster-processes.js';
import { WALL_START_MS } from './helpers.js';

const start = useStartedProcesses();

/** Advances `clock` in `stepMs` steps, so each step's timers and promises settle before the next. */
async function run(clock: VirtualClock, totalMs: number, stepMs = 100): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await clock.advance(stepMs);
}

describe('cluster processes on one database', () => {
  it('runs each slot of a per-second task exactly once across three processes, in order, with no gap', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: Array<[string, number]> = [];
    const processes = await start(...['a', 'b', 'c'].map((name) => clusterProcess(database, clock, name)));
    for (const p of processes) p.define('tick', async (_params, ctx) => void ran.push([p.name, ctx.nominalMs - WALL_START_MS]));
    await processes[0]!.schedule({ id: 'every-second', fn: 'tick', every: '1s' });
    await run(clock, 20_000);
    const nominals = ran.map(([, nominalMs]) => nominalMs);
    expect(nominals).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * 1_000));
    expect(new Set(ran.map(([name]) => name)).size).toBeGreaterThan(1);
    expect(await processes[1]!.store.pendingSlots('every-second')).toHaveLength(1);
    const history = await processes[2]!.store.history('every-second', { limit: 100 });
    expect(history.executions.map((e) => [e.outcome, e.attempt])).toEqual(Array.from({ length: 20 }, () => ['succeeded', 1]));
    expect((await processes[0]!.runner.cluster()).map((p) => p.ownerId)).toEqual(['a', 'b', 'c']);
  });

  it('runs each row on a process that defines its function, old and new code side by side, with no row passed back', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: Array<[string, string, number]> = [];
    const [oldCode, newCode] = await start(clusterProcess(database, clock, 'old'), clusterProcess(database, clock, 'new'));
    oldCode!.define('v1', async (_params, ctx) => void ran.push(['old', ctx.taskId, ctx.attempt]));
    newCode!.define('v2', async (_params, ctx) => void ran.push(['new', ctx.taskId, ctx.attempt]));
    await oldCode!.schedule({ id: 'by-v1', fn: 'v1', every: '1s' });
    await newCode!.schedule({ id: 'by-v2', fn: 'v2', every: '1s' });
    await run(clock, 5_000);
    expect(ran.filter(([, taskId]) => taskId === 'by-v1')).toEqual(Array.from({ length: 5 }, () => ['old', 'by-v1', 1]));
    expect(ran.filter(([, taskId]) => taskId === 'by-v2')).toEqual(Array.from({ length: 5 }, () => ['new', 'by-v2', 1]));
    expect([...oldCode!.events, ...newCode!.events].filter(([type]) => type === 'taskundefined')).toEqual([]);
  });

  it('gives a slot whose admit hook it does not define back, pending again with the attempt counted, and reports taskundefined', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: string[] = [];
    const [a] = await start(clusterProcess(database, clock, 'a'));
    a!.define('job', async (_params, ctx) => void ran.push(`${ctx.manual ? 'manual' : 'slot'}#${ctx.attempt}`));
    await a!.schedule({ id: 'gated', fn: 'job', every: '1s', constraints: { admit: 'quietHours' }, retry: 5 });
    await run(clock, 1_500);
    expect(ran).toEqual([]);
    const undefinedHook = a!.events.find(([type]) => type === 'taskundefined')?.[1] as { functionName: string; error: Error };
    expect([undefinedHook.functionName, (undefinedHook.error as { code?: string }).code]).toEqual(['quietHours', 'ERR_ADMIT_NOT_DEFINED']);
    const [pending] = await a!.store.pendingSlots('gated');
    expect([pending?.nominalMs, pending?.attempts]).toEqual([WALL_START_MS + 1_000, 1]);
  });

  it('runs a paused process\'s slot on another within lease + heartbeat, then fences and reports the late end', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = clusterDatabase(clock);
    const ran: Array<[string, number, number]> = [];
    let releaseA!: () => void;
    const [a] = await start(clusterProcess(database, pausedClock, 'a'));
    const firstEpoch = a!.runner.process!.epoch;
    a!.define('job', (_params, ctx) => {
      ran.push(['a', ctx.attempt, clock.wallNow() - WALL_START_MS]);
      return new Promise<void>((resolve) => (releaseA = resolve));
    });
    await a!.schedule({ id: 'job', fn: 'job', after: '1s', retry: 3 });
    await clock.advance(1_000);
    await pausedClock.advance(1_000);
    expect(ran).toEqual([['a', 1, 1_000]]);
    // a stops here (its clock stands still: no heartbeat, nothing runs); b starts and the database's time goes on.
    const [b] = await start(clusterProcess(database, clock, 'b'));
    b!.define('job', async (_params, ctx) => void ran.push(['b', ctx.attempt, clock.wallNow() - WALL_START_MS]));
    await run(clock, 29_000, 1_000);
    expect(ran).toHaveLength(1);
    await run(clock, 11_000, 1_000);
    expect(ran).toHaveLength(2);
    const [, attempt, atMs] = ran[1]!;
    expect(['b', attempt]).toEqual(['b', 2]);
    // a's lease ran out 30 s after its registration; b's next heartbeat (every 10 s) rescued the slot.
    expect(atMs).toBeLessThanOrEqual(1_000 + 30_000 + 10_000);
    const execution = await b!.store.getExecution(`job/1/${WALL_START_MS + 1_000}`);
    expect([execution?.outcome, execution?.attempt]).toEqual(['succeeded', 2]);
    // a wakes: its body ends, and its end is refused (another attempt holds the slot) and reported.
    releaseA();
    await pausedClock.advance(0);
    await pausedClock.advance(0);
    expect(a!.events.filter(([type]) => type === 'writefenced')).toHaveLength(1);
    expect((await b!.store.getExecution(execution!.id))?.attempt).toBe(2);
    // Its next claim round (after that end) or heartbeat tells it it was declared dead: it registers again, under a new epoch.
    await pausedClock.advance(10_000);
    expect(a!.events.filter(([type]) => type === 'leaselost')).toHaveLength(1);
    expect(a!.runner.process!.epoch).toBeGreaterThan(firstEpoch);
    expect((await b!.runner.cluster()).map((p) => p.ownerId)).toEqual(['b', 'a']);
  });
});
