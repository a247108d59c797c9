// Cluster mode through the public API: Schedulers made with
// { store: MemoryClusterStore, cluster: true } over one MemoryClusterDatabase
// are processes sharing one durable schedule. On VirtualClocks: the
// database's clock is the store's "now"; a paused process is one whose own
// clock stands still while the others go on.
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterModeError, Scheduler, type SchedulerOptions } from '../../src/index.js';
import { MemoryClusterDatabase, MemoryClusterStore } from '../../src/store/memory-cluster-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { WALL_START_MS } from './helpers.js';

const running: Scheduler[] = [];

function process(database: MemoryClusterDatabase, clock: VirtualClock, options: SchedulerOptions = {}): Scheduler {
  const scheduler = new Scheduler({
    clock, store: new MemoryClusterStore({ database }), cluster: true, clockWatch: false, retention: false, onError: false, ...options,
  });
  running.push(scheduler);
  return scheduler;
}

afterEach(async () => {
  for (const scheduler of running.splice(0)) await scheduler.stop({ drain: false }).catch(() => {});
});

async function run(clock: VirtualClock, totalMs: number, stepMs = 100): Promise<void> {
  for (let elapsed = 0; elapsed < totalMs; elapsed += stepMs) await clock.advance(stepMs);
}

describe('cluster mode (Scheduler with cluster: true)', () => {
  it('runs each slot of a per-second task once across three schedulers, and lists them in cluster()', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = new MemoryClusterDatabase({ clock });
    const ran: Array<[number, number]> = [];
    const schedulers = [0, 1, 2].map(() => process(database, clock));
    for (const [i, s] of schedulers.entries()) s.define('tick', async (_params, ctx) => void ran.push([i, ctx.nominalMs - WALL_START_MS]));
    for (const s of schedulers) {
      s.start();
      await s.ready;
    }
    await schedulers[0]!.schedule({ id: 'every-second', fn: 'tick', every: '1s' });
    await run(clock, 30_000);
    expect(ran.map(([, nominalMs]) => nominalMs)).toEqual(Array.from({ length: 30 }, (_, i) => (i + 1) * 1_000));
    expect(new Set(ran.map(([i]) => i)).size).toBeGreaterThan(1);
    const processes = await schedulers[2]!.cluster();
    expect(processes).toHaveLength(3);
    expect(processes.every((p) => p.expiresAtMs > clock.wallNow())).toBe(true);
    const page = await schedulers[1]!.history('every-second', { limit: 100 });
    expect(page.executions.filter((e) => e.outcome === 'succeeded')).toHaveLength(30);
  });

  it('runs a paused scheduler\'s slot on another within lease + heartbeat; the paused one\'s late end is refused and reported', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = new MemoryClusterDatabase({ clock });
    const ran: Array<[string, number, number]> = [];
    let releaseA!: () => void;
    const a = process(database, pausedClock);
    const fenced: unknown[] = [];
    a.events.addEventListener('writefenced', (event) => fenced.push((event as Event & { detail: unknown }).detail));
    a.define('job', (_params, ctx) => {
      ran.push(['a', ctx.attempt, clock.wallNow() - WALL_START_MS]);
      return new Promise<void>((resolve) => (releaseA = resolve));
    });
    a.start();
    await a.ready;
    await a.schedule({ id: 'job', fn: 'job', after: '1s' });
    await clock.advance(1_000);
    await pausedClock.advance(1_000);
    expect(ran).toEqual([['a', 1, 1_000]]);
    const b = process(database, clock);
    b.define('job', async (_params, ctx) => void ran.push(['b', ctx.attempt, clock.wallNow() - WALL_START_MS]));
    b.start();
    await b.ready;
    await run(clock, 40_000, 1_000);
    expect(ran).toHaveLength(2);
    const [who, attempt, atMs] = ran[1]!;
    expect([who, attempt]).toEqual(['b', 2]);
    expect(atMs).toBeLessThanOrEqual(1_000 + 30_000 + 10_000);
    releaseA();
    await pausedClock.advance(0);
    await pausedClock.advance(0);
    expect(fenced).toHaveLength(1);
    const [execution] = (await b.history('job')).executions;
    expect([execution?.outcome, execution?.attempt]).toEqual(['succeeded', 2]);
  });

  it('leaves the cluster on stop(), so cluster() no longer lists it', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = new MemoryClusterDatabase({ clock });
    const [a, b] = [process(database, clock), process(database, clock)];
    for (const s of [a!, b!]) {
      s.start();
      await s.ready;
    }
    expect(await b!.cluster()).toHaveLength(2);
    await a!.stop();
    expect(await b!.cluster()).toHaveLength(1);
  });

  it('refuses cluster mode on a store without the capability, with standby, and what it does not do yet', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    expect(() => new Scheduler({ clock, store: new MemoryStore(), cluster: true })).toThrow(/options.cluster needs a store with the cluster capability/);
    const database = new MemoryClusterDatabase({ clock });
    expect(() => new Scheduler({ clock, store: new MemoryClusterStore({ database }), cluster: true, standby: true })).toThrow(/options.standby does not apply/);
    expect(() => new Scheduler({ clock, store: new MemoryClusterStore({ database }), cluster: { poll: 1 } as never })).toThrow(/options.cluster.poll is not an option/);
    expect(() => new Scheduler({ clock, cluster: true })).toThrow(/options.cluster applies only with options.store/);
    const plain = new Scheduler({ clock, store: new MemoryStore(), clockWatch: false, retention: false });
    await expect(plain.cluster()).rejects.toBeInstanceOf(ClusterModeError);
    const member = process(database, clock);
    member.define('work', async () => {});
    await expect(member.runNow('x')).rejects.toMatchObject({ code: 'ERR_CLUSTER_MODE' });
    await expect(member.schedule({ id: 'c', fn: 'work', every: '1h', constraints: { maxPerDay: 1 } })).rejects.toMatchObject({ code: 'ERR_CLUSTER_MODE' });
  });
});

describe('cluster mode: a per-second cron whose slot holder stops', () => {
  it('runs every second exactly once under catch-up: the held slot after its rescue, the seconds it held up late, in order', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = new MemoryClusterDatabase({ clock });
    const ran: Array<[string, number, number]> = [];
    const a = process(database, pausedClock);
    a.define('tick', (_params, ctx) => {
      ran.push(['a', ctx.nominalMs - WALL_START_MS, ctx.attempt]);
      return new Promise<void>(() => {});
    });
    a.start();
    await a.ready;
    await a.schedule({ id: 'cron', fn: 'tick', cron: '* * * * * *', missed: { policy: 'catch-up' } });
    await clock.advance(1_000);
    await pausedClock.advance(1_000);
    const b = process(database, clock);
    b.define('tick', async (_params, ctx) => void ran.push(['b', ctx.nominalMs - WALL_START_MS, ctx.attempt]));
    b.start();
    await b.ready;
    await run(clock, 60_000, 500);
    const seconds = ran.map(([, nominalMs]) => nominalMs);
    // a holds second 1 and stops; b rescues it after a's lease (30 s) at its next heartbeat, then catches up.
    expect(ran[0]).toEqual(['a', 1_000, 1]);
    expect(ran[1]).toEqual(['b', 1_000, 2]);
    expect(seconds.slice(1)).toEqual(Array.from({ length: seconds.length - 1 }, (_, i) => (i + 1) * 1_000));
    expect(seconds.at(-1)).toBeGreaterThanOrEqual(60_000);
    const skipped = (await b.history('cron', { limit: 200 })).executions.filter((e) => e.outcome === 'skipped');
    expect(skipped).toEqual([]);
  });
});

describe('cluster mode: stopping', () => {
  it('claims nothing more while it drains: a row due meanwhile runs on another process', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const database = new MemoryClusterDatabase({ clock });
    const ran: Array<[string, string]> = [];
    let finishLong!: () => void;
    const a = process(database, clock);
    a.define('long', () => new Promise<void>((resolve) => (finishLong = resolve)));
    a.define('short', async (_params, ctx) => void ran.push(['a', ctx.taskId]));
    a.start();
    await a.ready;
    await a.schedule({ id: 'long', fn: 'long', after: '1s' });
    await a.schedule({ id: 'later', fn: 'short', after: '3s' });
    await clock.advance(1_000);
    const stopped = a.stop();
    const b = process(database, clock);
    b.define('short', async (_params, ctx) => void ran.push(['b', ctx.taskId]));
    b.start();
    await b.ready;
    await run(clock, 3_000);
    expect(ran).toEqual([['b', 'later']]);
    finishLong();
    await stopped;
    expect((await b.history('long')).executions.map((e) => [e.outcome, e.attempt])).toEqual([['succeeded', 1]]);
    expect((await b.cluster()).length).toBe(1);
  });
});
