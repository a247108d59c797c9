// One scheduler owns a store at a time (C6): a second one is refused with the
// holder named, or waits as a standby and takes over when the lease lapses or
// is released; a scheduler whose lease moved on (it was paused past it) has
// every write refused, stops its durable tasks, and either waits to take the
// store back (standby) or fails every later durable call.
import { describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

const LEASE = { ttlMs: 3_000, heartbeatMs: 1_000 };

/** A store whose lease renewals hang, as a paused (SIGSTOPped) process's would; writes still go through once it resumes. */
class PausableStore extends MemoryStore {
  paused = false;
  override renewLease(nowMs: number, ttlMs: number) {
    return this.paused ? new Promise<never>(() => {}) : super.renewLease(nowMs, ttlMs);
  }
}

function scheduler(h: ReturnType<typeof harness>, store: MemoryStore, options: SchedulerOptions = {}): Scheduler {
  return new Scheduler({ clock: h.clock, store, clockWatch: false, retention: false, lease: LEASE, ...options });
}

describe('one owner per store', () => {
  it('a second scheduler fails ready with StoreLockedError naming the holder, and writes nothing', async () => {
    const h = harness();
    const first = h.scheduler({ lease: LEASE });
    first.define('work', () => {});
    first.start();
    await first.ready;
    const second = h.scheduler({ lease: LEASE });
    second.define('work', () => {});
    second.start();
    const error = await second.ready!.catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_STORE_LOCKED', holder: { pid: process.pid, epoch: 1, sinceMs: WALL_START_MS } });
    expect(String((error as Error).message)).toMatch(/held by another scheduler, .* pid \d+ .*since 2026-01-01T00:00:00.000Z/);
    await expect(second.schedule({ id: 'x', fn: 'work', after: 10 })).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED' });
    await expect(second.unschedule('x')).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED' });
    expect(h.database.tasks.size).toBe(0);
    // Reads still work.
    expect(await second.getTask('x')).toBeUndefined();
    await second.stop();
    await first.stop();
  });

  it('a standby waits while the owner renews, and takes over within the lease time once the owner dies', async () => {
    const h = harness();
    const runs: Array<[string, number]> = [];
    const first = h.scheduler({ lease: LEASE });
    first.define('work', (_p, ctx) => void runs.push(['first', ctx.nominalMs - WALL_START_MS]));
    first.start();
    await first.ready;
    await first.schedule({ id: 't', fn: 'work', every: '1s' });

    const standbyStore = new MemoryStore({ database: h.database });
    const second = scheduler(h, standbyStore, { standby: true });
    const acquired: boolean[] = [];
    second.events.addEventListener('leaseacquired', (e) => acquired.push(e.detail.takeover));
    second.define('work', (_p, ctx) => void runs.push(['second', ctx.nominalMs - WALL_START_MS]));
    second.start();
    let ready = false;
    void second.ready!.then(() => {
      ready = true;
    });
    await h.clock.advance(10_000);
    expect(ready).toBe(false);
    // The owner dies at 10 s (nothing more is renewed, nothing more runs); its last renewal was at 10 s.
    await h.crashWithoutLapse(first);
    await h.clock.advance(2_999);
    expect(ready).toBe(false);
    await h.clock.advance(2);
    expect(ready).toBe(true);
    expect(acquired).toEqual([true]);
    await h.clock.advance(2_000);
    await second.stop();
    expect(runs.filter(([who]) => who === 'first').map(([, ms]) => ms)).toEqual([1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000]);
    // Taken over at 13 s: the slots of 11..13 s were missed within the grace window and run, then 14, 15.
    expect(runs.filter(([who]) => who === 'second').map(([, ms]) => ms)).toEqual([11_000, 12_000, 13_000, 14_000, 15_000]);
    expect(outcomes(h.database, 't').every(([, outcome]) => outcome === 'succeeded')).toBe(true);
    expect(outcomes(h.database, 't')).toHaveLength(15);
  });

  it('a standby whose clock runs ahead of the store\'s lease clock looks again each second, not in a loop', async () => {
    const h = harness();
    // Times the lease by a clock of its own an hour behind the schedulers' (as PostgreSQL's now() may be).
    class OwnClockStore extends MemoryStore {
      override acquireLease(request: Parameters<MemoryStore['acquireLease']>[0]) {
        return super.acquireLease({ ...request, nowMs: request.nowMs - 3_600_000 });
      }
      override renewLease(nowMs: number, ttlMs: number) {
        return super.renewLease(nowMs - 3_600_000, ttlMs);
      }
    }
    const first = scheduler(h, new OwnClockStore({ database: h.database }));
    first.start();
    await first.ready;
    const second = scheduler(h, new OwnClockStore({ database: h.database }), { standby: true });
    const looks: number[] = [];
    second.events.addEventListener('standby', (e) => void looks.push(e.detail.retryInMs));
    second.start();
    await h.clock.advance(5_000);
    expect(looks.length).toBeGreaterThanOrEqual(4);
    expect(looks.length).toBeLessThanOrEqual(6);
    expect(new Set(looks)).toEqual(new Set([1_000]));
    await second.stop();
    await first.stop();
  });

  it('a clean stop releases the lease: the standby takes over within a second, with the default 10 s heartbeat', async () => {
    const h = harness();
    const first = h.scheduler();
    first.start();
    await first.ready;
    const second = new Scheduler({ clock: h.clock, store: new MemoryStore({ database: h.database }), clockWatch: false, retention: false, standby: true });
    second.start();
    let ready = false;
    void second.ready!.then(() => {
      ready = true;
    });
    await h.clock.advance(1_500);
    await first.stop();
    await h.clock.advance(0);
    expect(ready).toBe(false);
    // The standby looks again every second (at 2 s), not every heartbeat: the released lease is free.
    await h.clock.advance(499);
    expect(ready).toBe(false);
    await h.clock.advance(1);
    expect(ready).toBe(true);
    expect(h.database.lease).toMatchObject({ epoch: 2 });
    await second.stop();
  });

  it('a paused owner whose lease was taken over cannot complete its slot: the write is fenced, the new owner runs it once', async () => {
    const h = harness();
    const pausedStore = new PausableStore({ database: h.database });
    const first = scheduler(h, pausedStore);
    let release: () => void = () => {};
    const bodies: string[] = [];
    first.define('work', (_p, ctx) => {
      bodies.push(`first attempt ${ctx.attempt}`);
      return new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    const fenced: string[] = [];
    const lost: number[] = [];
    first.events.addEventListener('writefenced', (e) => fenced.push(e.detail.operation));
    first.events.addEventListener('leaselost', (e) => lost.push(e.detail.holder?.epoch ?? 0));
    first.start();
    await first.ready;
    await first.schedule({ id: 'o', fn: 'work', after: 100 });
    await h.clock.advance(100);
    expect(bodies).toEqual(['first attempt 1']);
    // The first process stops renewing (paused): a standby takes over 3 s after its last renewal.
    pausedStore.paused = true;
    const second = scheduler(h, new MemoryStore({ database: h.database }), { standby: true });
    second.define('work', (_p, ctx) => {
      bodies.push(`second attempt ${ctx.attempt}`);
    });
    second.start();
    await h.clock.advance(4_000);
    await second.ready;
    expect(bodies).toEqual(['first attempt 1', 'second attempt 2']);
    // The first process resumes: its body ends, and its completion is refused.
    release();
    await h.clock.advance(0);
    expect(fenced).toEqual(['complete']);
    expect(lost).toEqual([2]);
    expect(outcomes(h.database, 'o')).toEqual([[100, 'succeeded']]);
    expect(h.database.executions.get(`o/1/${WALL_START_MS + 100}`)).toMatchObject({ attempt: 2, outcome: 'succeeded' });
    // Not a standby: it refuses every durable call from now on, naming the new holder.
    await expect(first.schedule({ id: 'p', fn: 'work', after: 1 })).rejects.toMatchObject({ code: 'ERR_STORE_LOCKED', holder: { epoch: 2 } });
    await first.stop();
    await second.stop();
  });

  it('a standby\'s registration refused because it lost the store, made again, waits until it owns the store and is written then', async () => {
    const h = harness();
    const pausedStore = new PausableStore({ database: h.database });
    const first = scheduler(h, pausedStore, { standby: true });
    first.define('work', () => {});
    first.start();
    await first.ready;
    pausedStore.paused = true;
    const second = scheduler(h, new MemoryStore({ database: h.database }), { standby: true });
    second.define('work', () => {});
    second.start();
    await h.clock.advance(3_001);
    await second.ready;
    // first still believes it owns the store (its renewal hangs): its write is refused by the lease.
    pausedStore.paused = false;
    const refused = await first.schedule({ id: 'r', fn: 'work', every: '1h' }).then(() => 'written', (error: { code?: string }) => error.code);
    expect(['ERR_LEASE_LOST', 'ERR_STORE_LOCKED']).toContain(refused);
    // Made again, as lease-child.mjs does: it waits while the other owns the store...
    let written = false;
    const again = first.schedule({ id: 'r', fn: 'work', every: '1h' }).then((record) => {
      written = true;
      return record;
    });
    await h.clock.advance(2_000);
    expect(written).toBe(false);
    // ...and is written once first owns it again (second's clean stop releases it).
    await second.stop();
    await h.clock.advance(2_000);
    expect(await again).toMatchObject({ id: 'r', status: 'pending' });
    expect(h.database.tasks.get('r')).toBeDefined();
    await first.stop();
  });

  it('a standby that lost the store waits to take it back, then recovers what the other left', async () => {
    const h = harness();
    const pausedStore = new PausableStore({ database: h.database });
    const runs: string[] = [];
    const first = scheduler(h, pausedStore, { standby: true });
    first.define('work', (_p, ctx) => void runs.push(`first ${ctx.nominalMs - WALL_START_MS}`));
    first.start();
    await first.ready;
    await first.schedule({ id: 't', fn: 'work', every: '1s' });
    pausedStore.paused = true;
    const second = scheduler(h, new MemoryStore({ database: h.database }), { standby: true });
    second.define('work', (_p, ctx) => void runs.push(`second ${ctx.nominalMs - WALL_START_MS}`));
    second.start();
    // first's lease (renewed last at 0 s... its heartbeat hangs) lapses at 3 s; second takes over then.
    await h.clock.advance(3_001);
    await second.ready;
    // first's next write (the 4 s claim) is fenced: it loses the store and waits as a standby.
    pausedStore.paused = false;
    await h.clock.advance(2_000);
    await second.stop();
    await h.clock.advance(1_000);
    await first.stop();
    const bySecond = runs.filter((r) => r.startsWith('second')).length;
    expect(bySecond).toBeGreaterThan(0);
    // Each slot ran once, by one of them.
    const slots = runs.map((r) => r.split(' ')[1]);
    expect(new Set(slots).size).toBe(slots.length);
    expect(outcomes(h.database, 't').every(([, o]) => o === 'succeeded')).toBe(true);
  });
});
