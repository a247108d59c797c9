// The cases every cluster-capable store runs through the public API:
// Schedulers with { store, cluster: true } over one database are processes
// sharing one durable schedule, each on a VirtualClock; the database's clock
// is the store's "now", and a paused process is one whose own clock stands
// still while the others go on. advanceWithIo lets a server's calls settle
// before virtual time moves on (and is plain stepping for in-process stores).
// cluster-schedulers.test.ts runs them on MemoryClusterStore,
// cluster-postgres.test.ts on PostgresStore.
import { expect, it } from 'vitest';
import type { Scheduler, SchedulerOptions } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';

/** A new database whose clock is `dbClock`; what it returns makes one process on it, on its own clock. */
export type NewCluster = (dbClock: VirtualClock) => (clock: VirtualClock, options?: SchedulerOptions) => Scheduler;

export function clusterSchedulerCases(cluster: NewCluster): void {
  it('runs each slot of a per-second task once across three schedulers, and lists them in cluster()', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const ran: Array<[number, number]> = [];
    const schedulers = [0, 1, 2].map(() => process(clock));
    for (const [i, s] of schedulers.entries()) s.define('tick', async (_params, ctx) => void ran.push([i, ctx.nominalMs - WALL_START_MS]));
    for (const s of schedulers) {
      s.start();
      await s.ready;
    }
    await schedulers[0]!.schedule({ id: 'every-second', fn: 'tick', every: '1s' });
    await advanceWithIo(clock, 30_000);
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
    const process = cluster(clock);
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const ran: Array<[string, number, number]> = [];
    let releaseA!: () => void;
    const a = process(pausedClock);
    const fenced: unknown[] = [];
    a.events.addEventListener('writefenced', (event) => fenced.push((event as Event & { detail: unknown }).detail));
    a.define('job', (_params, ctx) => {
      ran.push(['a', ctx.attempt, clock.wallNow() - WALL_START_MS]);
      return new Promise<void>((resolve) => (releaseA = resolve));
    });
    a.start();
    await a.ready;
    await a.schedule({ id: 'job', fn: 'job', after: '1s' });
    // The database's clock first: a claims at its own 1 s only once the store says 1 s.
    await advanceWithIo(clock, 1_000);
    await advanceWithIo(pausedClock, 1_000);
    expect(ran).toEqual([['a', 1, 1_000]]);
    const b = process(clock);
    b.define('job', async (_params, ctx) => void ran.push(['b', ctx.attempt, clock.wallNow() - WALL_START_MS]));
    b.start();
    await b.ready;
    await advanceWithIo(clock, 40_000, 1_000);
    expect(ran).toHaveLength(2);
    const [who, attempt, atMs] = ran[1]!;
    expect([who, attempt]).toEqual(['b', 2]);
    expect(atMs).toBeLessThanOrEqual(1_000 + 30_000 + 10_000);
    releaseA();
    await advanceWithIo(pausedClock, 0);
    expect(fenced).toHaveLength(1);
    const [execution] = (await b.history('job')).executions;
    expect([execution?.outcome, execution?.attempt]).toEqual(['succeeded', 2]);
  });

  it('warns with clockskew once when its clock steps past skewWarnMs from the store\'s, once when it is back, and shows the skew in cluster()', async () => {
    const dbClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const a = cluster(dbClock)(clock, { cluster: { skewWarnMs: '1s', pollMs: '500ms' } });
    const skews: Array<{ over: boolean; skewMs: number; uncertaintyMs: number; thresholdMs: number }> = [];
    a.events.addEventListener('clockskew', (event) => void skews.push(event.detail));
    a.start();
    await a.ready;
    // The database's clock and this process's move together, as two machines' would.
    const both = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        await dbClock.advance(100);
        await advanceWithIo(clock, 100);
      }
    };
    const near = (ms: number, to: number) => Math.abs(ms - to) <= 100;
    await both(2_000);
    expect(skews).toEqual([]);
    clock.jumpWall(1_500);
    await both(3_000);
    expect(skews.map((s) => [s.over, near(s.skewMs, 1_500), s.thresholdMs])).toEqual([[true, true, 1_000]]);
    expect(skews[0]!.uncertaintyMs).toBeLessThanOrEqual(50);
    const [self] = await a.cluster();
    expect(near(self!.skewMs!, 1_500)).toBe(true);
    // Back within the threshold (the clock stepped back to 300 ms ahead): one event more, then quiet.
    clock.jumpWall(-1_200);
    await both(3_000);
    expect(skews.map((s) => [s.over, near(s.skewMs, s.over ? 1_500 : 300)])).toEqual([[true, true], [false, true]]);
    clock.jumpWall(-2_000);
    await both(1_000);
    expect(skews.map((s) => s.over)).toEqual([true, false, true]);
    expect(skews[2]!.skewMs).toBeLessThan(-1_000);
  });

  it('runs runNow() as a manual row any process claims once, beside the task\'s schedule, which keeps its slot', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const ran: Array<[string, number, boolean]> = [];
    let releaseBusy!: () => void;
    const busy = process(clock, { maxConcurrent: 1 });
    const free = process(clock);
    busy.define('hold', () => new Promise<void>((resolve) => (releaseBusy = resolve)));
    for (const [name, s] of [['busy', busy], ['free', free]] as const) {
      s.define('report', async (_params, ctx) => void ran.push([name, ctx.nominalMs - WALL_START_MS, ctx.manual]));
      s.start();
      await s.ready;
    }
    await busy.schedule({ id: 'report', fn: 'report', every: '10s' });
    await busy.schedule({ id: 'holder', fn: 'hold', after: '1s' });
    await advanceWithIo(clock, 1_000);
    expect((await busy.cluster()).map((p) => p.running)).toEqual([1, 0]);
    // busy is full: its manual row is claimed by free, and busy's runNow learns it at its next round.
    const asked = busy.runNow('report');
    // free finds the row at its next poll (1 s), busy finds its record at its own next one.
    await advanceWithIo(clock, 2_000);
    const execution = await asked;
    expect([execution.scheduleVersion, execution.nominalMs - WALL_START_MS, execution.attempt]).toEqual([0, 1_000, 1]);
    expect(ran).toEqual([['free', 1_000, true]]);
    // Two at once, from one process: two rows, run one after the other (a task's runs never overlap).
    const both = Promise.all([free.runNow('report'), free.runNow('report')]);
    await advanceWithIo(clock, 1_000);
    const [first, second] = await both;
    expect(second.nominalMs - first.nominalMs).toBe(1);
    expect(ran.filter(([, , manual]) => manual)).toHaveLength(3);
    // The schedule did not move: its first slot runs at 10 s, once.
    expect((await free.getTask('report'))?.nextExecutionMs).toBe(WALL_START_MS + 10_000);
    releaseBusy();
    await advanceWithIo(clock, 10_000 - 4_000 + 500);
    expect(ran.filter(([, , manual]) => !manual).map(([, nominalMs]) => nominalMs)).toEqual([10_000]);
    const history = (await free.history('report', { limit: 10 })).executions;
    expect(history.map((e) => [e.scheduleVersion === 0, e.outcome])).toEqual([[false, 'succeeded'], [true, 'succeeded'], [true, 'succeeded'], [true, 'succeeded']]);
    expect((await free.getTask('report'))?.executionCount).toBe(4);
    await expect(free.runNow('missing')).rejects.toMatchObject({ code: 'ERR_TASK_NOT_FOUND' });
    await free.unschedule('holder');
    await expect(free.runNow('holder')).rejects.toMatchObject({ code: 'ERR_TASK_ENDED' });
  });

  it('rejects a runNow() waiting for start() with SchedulerStoppedError when the scheduler stops instead', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const scheduler = process(clock);
    scheduler.define('report', () => {});
    await scheduler.schedule({ id: 'report', fn: 'report', every: '1h' });
    const asked = scheduler.runNow('report');
    const outcome = asked.then(() => 'resolved', (error: Error) => error.name);
    await scheduler.stop();
    expect(await outcome).toBe('SchedulerStoppedError');
  });

  it('judges slot constraints at each claim: the daily cap counts the cluster\'s runs, an admit hook skips, a deferral offers the next row', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const ran: Array<[string, number]> = [];
    // A long poll: each process claims at the next row's due time, and six minutes cost few claims on a server.
    const schedulers = [process(clock, { cluster: { pollMs: '30s' } }), process(clock, { cluster: { pollMs: '30s' } })];
    for (const s of schedulers) {
      s.define('job', async (_params, ctx) => void ran.push([ctx.taskId, ctx.nominalMs - WALL_START_MS]));
      s.defineAdmit('evenMinutes', ({ atMs }) => new Date(atMs).getUTCMinutes() % 2 === 0 || 'odd minute');
      s.start();
      await s.ready;
    }
    const [a, b] = schedulers as [Scheduler, Scheduler];
    await a.schedule({ id: 'capped', fn: 'job', every: '1m', constraints: { maxPerDay: 2, timezone: 'UTC' } });
    await b.schedule({ id: 'hooked', fn: 'job', every: '1m', constraints: { admit: 'evenMinutes' } });
    // Working hours from 00:05 (UTC): the slot at 00:01 moves there, the ones between fold into it.
    await a.schedule({ id: 'deferred', fn: 'job', every: '1m', constraints: { workingHours: { days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '00:05', to: '23:00' }, timezone: 'UTC', inadmissible: 'defer' } });
    await advanceWithIo(clock, 6 * 60_000 + 500, 2_500);
    const of = (taskId: string) => ran.filter(([id]) => id === taskId).map(([, nominalMs]) => nominalMs / 60_000);
    expect(of('capped')).toEqual([1, 2]);
    expect(of('hooked')).toEqual([2, 4, 6]);
    expect(of('deferred')).toEqual([5, 6]);
    const reasons = async (id: string) => (await b.history(id, { limit: 20 })).executions.filter((e) => e.outcome === 'skipped').map((e) => [e.nominalMs / 60_000 - WALL_START_MS / 60_000, e.skipReason]);
    expect(await reasons('capped')).toEqual([[6, 'daily cap reached'], [5, 'daily cap reached'], [4, 'daily cap reached'], [3, 'daily cap reached']]);
    expect(await reasons('hooked')).toEqual([[5, 'odd minute'], [3, 'odd minute'], [1, 'odd minute']]);
    expect((await reasons('deferred'))[0]).toEqual([1, expect.stringMatching(/^deferred to 2026-01-01T00:05:00.000Z: outside working hours/)]);
  });

  it('leaves the cluster on stop(), so cluster() no longer lists it', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const [a, b] = [process(clock), process(clock)];
    for (const s of [a!, b!]) {
      s.start();
      await s.ready;
    }
    expect(await b!.cluster()).toHaveLength(2);
    await a!.stop();
    expect(await b!.cluster()).toHaveLength(1);
  });

  it('runs every second of a per-second cron exactly once under catch-up when its slot holder stops', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const pausedClock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const ran: Array<[string, number, number]> = [];
    const a = process(pausedClock);
    a.define('tick', (_params, ctx) => {
      ran.push(['a', ctx.nominalMs - WALL_START_MS, ctx.attempt]);
      return new Promise<void>(() => {});
    });
    a.start();
    await a.ready;
    await a.schedule({ id: 'cron', fn: 'tick', cron: '* * * * * *', missed: { policy: 'catch-up' } });
    await advanceWithIo(clock, 1_000);
    await advanceWithIo(pausedClock, 1_000);
    const b = process(clock);
    b.define('tick', async (_params, ctx) => void ran.push(['b', ctx.nominalMs - WALL_START_MS, ctx.attempt]));
    b.start();
    await b.ready;
    await advanceWithIo(clock, 60_000, 500);
    const seconds = ran.map(([, nominalMs]) => nominalMs);
    // a holds second 1 and stops; b rescues it after a's lease (30 s) at its next heartbeat, then catches up.
    expect(ran[0]).toEqual(['a', 1_000, 1]);
    expect(ran[1]).toEqual(['b', 1_000, 2]);
    expect(seconds.slice(1)).toEqual(Array.from({ length: seconds.length - 1 }, (_, i) => (i + 1) * 1_000));
    expect(seconds.at(-1)).toBeGreaterThanOrEqual(60_000);
    const skipped = (await b.history('cron', { limit: 200 })).executions.filter((e) => e.outcome === 'skipped');
    expect(skipped).toEqual([]);
  });

  it('claims nothing more while it drains: a row due meanwhile runs on another process', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const ran: Array<[string, string]> = [];
    let finishLong!: () => void;
    const a = process(clock);
    a.define('long', () => new Promise<void>((resolve) => (finishLong = resolve)));
    a.define('short', async (_params, ctx) => void ran.push(['a', ctx.taskId]));
    a.start();
    await a.ready;
    await a.schedule({ id: 'long', fn: 'long', after: '1s' });
    await a.schedule({ id: 'later', fn: 'short', after: '3s' });
    await advanceWithIo(clock, 1_000);
    const stopped = a.stop();
    const b = process(clock);
    b.define('short', async (_params, ctx) => void ran.push(['b', ctx.taskId]));
    b.start();
    await b.ready;
    await advanceWithIo(clock, 3_000);
    expect(ran).toEqual([['b', 'later']]);
    finishLong();
    await stopped;
    expect((await b.history('long')).executions.map((e) => [e.outcome, e.attempt])).toEqual([['succeeded', 1]]);
    expect((await b.cluster()).length).toBe(1);
  });

  // Retention: every 5 s (the first at start), records that ended more than 10 s ago. 'old' ends at 1 s and 'recent' at
  // 21 s; at 26 s the prunes at 15, 20 and 25 s (cut-offs 5, 10 and 15 s) have removed 'old''s record and not 'recent''s.
  const retentionScenario = async (retention: NonNullable<SchedulerOptions['retention']>) => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const process = cluster(clock);
    const errors: unknown[] = [];
    // Two processes on one clock: their prunes come at the same instants.
    const schedulers = [0, 1].map(() => process(clock, { retention }));
    for (const s of schedulers) {
      s.define('job', async () => {});
      s.events.addEventListener('storeerror', (event) => void errors.push(event.detail));
      s.start();
      await s.ready;
    }
    const [a, b] = schedulers as [Scheduler, Scheduler];
    await a.schedule({ id: 'old', fn: 'job', after: '1s' });
    await advanceWithIo(clock, 20_000);
    await b.schedule({ id: 'recent', fn: 'job', after: '1s' });
    await advanceWithIo(clock, 6_000);
    expect(errors).toEqual([]);
    const records = async (id: string) => (await b.history(id)).executions.map((e) => [e.outcome, e.endedAtMs! - WALL_START_MS]);
    return { old: await records('old'), recent: await records('recent'), tasks: [(await a.getTask('old'))?.status, (await a.getTask('recent'))?.status] };
  };

  it('prunes records that ended more than retention.maxAgeMs ago and keeps recent ones, with two processes pruning at the same instants', async () => {
    const { old, recent, tasks } = await retentionScenario({ maxAgeMs: '10s', intervalMs: '5s' });
    expect(old).toEqual([]);
    expect(recent).toEqual([['succeeded', 21_000]]);
    // As under one owner, the ended task goes with its records: 'old' ended more than 10 s ago, 'recent' did not.
    expect(tasks).toEqual([undefined, 'completed']);
  });

  it('keeps every record with retention: false', async () => {
    const { old, recent, tasks } = await retentionScenario(false);
    expect(old).toEqual([['succeeded', 1_000]]);
    expect(recent).toEqual([['succeeded', 21_000]]);
    expect(tasks).toEqual(['completed', 'completed']);
  });
}
