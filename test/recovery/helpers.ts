// Durable schedulers on a VirtualClock over a MemoryDatabase: a "restart" is
// a new Scheduler over a new MemoryStore on the same database (after stop(),
// or after abandoning the old scheduler, as a crash would).
import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import { MemoryDatabase, MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';

export const WALL_START_MS = Date.UTC(2026, 0, 1);

export interface Harness {
  clock: VirtualClock;
  database: MemoryDatabase;
  /** A scheduler over the database (a restart, if one ran before). */
  scheduler(options?: SchedulerOptions): Scheduler;
  /**
   * Kills a scheduler as SIGKILL would: its store is closed first (so nothing
   * it writes from now on lands), then it is stopped without draining. Its
   * lease is left as a dead process leaves it, but lapsed: a restart on the
   * same machine finds the dead holder's pid gone and takes over at once
   * (owner-identity.ts; here every scheduler shares the test's pid).
   */
  crash(scheduler: Scheduler): Promise<void>;
  /** Kills a scheduler as crash() does, but leaves its lease live, as a process on another machine (or a hung one) would. */
  crashWithoutLapse(scheduler: Scheduler): Promise<void>;
}

export function harness(wallStartMs = WALL_START_MS): Harness {
  const clock = new VirtualClock({ wallStartMs });
  const database = new MemoryDatabase();
  const stores = new Map<Scheduler, MemoryStore>();
  return {
    clock,
    database,
    scheduler: (options = {}) => {
      const store = new MemoryStore({ database });
      const scheduler = new Scheduler({ clock, store, clockWatch: false, retention: false, ...options });
      stores.set(scheduler, store);
      return scheduler;
    },
    crash: async (scheduler) => {
      await stores.get(scheduler)?.close();
      await scheduler.stop({ drain: false }).catch(() => {});
      lapseLease(database, clock);
    },
    crashWithoutLapse: async (scheduler) => {
      await stores.get(scheduler)?.close();
      await scheduler.stop({ drain: false }).catch(() => {});
    },
  };
}

/** A dead process's lease, as its restart on the same machine judges it: lapsed (see Harness.crash). */
export function lapseLease(database: MemoryDatabase, clock: VirtualClock): void {
  if (database.lease !== undefined) database.lease = { ...database.lease, expiresAtMs: clock.wallNow() };
}

/** Every execution of a task in the database, oldest first: [nominal offset from the wall start in ms, outcome]. */
export function outcomes(database: MemoryDatabase, taskId: string, wallStartMs = WALL_START_MS): Array<[number, string]> {
  return [...database.executions.values()]
    .filter((e) => e.taskId === taskId)
    .sort((a, b) => a.nominalMs - b.nominalMs)
    .map((e) => [e.nominalMs - wallStartMs, e.outcome]);
}

/**
 * A task 't' ('tick' every 10 s, missed runs caught up, 1 s grace) that ran
 * its 10 s slot, then a process down from 15 s to 65 s: the slots of 20..60 s
 * are missed. Define 'tick' on the next h.scheduler() and start it.
 */
export async function afterMissedCatchUpTicks(): Promise<Harness> {
  const h = harness();
  const first = h.scheduler();
  first.define('tick', () => {});
  await first.schedule({ id: 't', fn: 'tick', every: '10s', missed: { policy: 'catch-up', graceMs: '1s' } });
  first.start();
  await h.clock.advance(15_000);
  await first.stop();
  await h.clock.advance(50_000);
  return h;
}

/**
 * Store calls in flight to a server (PostgresStore): advanceWithIo waits for
 * them. A call to PostgreSQL takes as long as its round trips take, however
 * many host turns pass; a fixed number of turns only suffices for in-process
 * I/O (fake-indexeddb, SQLite), and with less the virtual clock would run
 * ahead of the store, making the scheduler late for slots the store has not
 * answered for yet.
 */
const storeCallsInFlight = new Set<Promise<unknown>>();
/** How many tracked store calls have settled so far. */
let storeCallsSettled = 0;

/** `store`, with each call it is made counted in flight until it settles. */
export function trackStoreCalls<S extends object>(store: S): S {
  return new Proxy(store, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (result instanceof Promise) {
          storeCallsInFlight.add(result);
          const done = () => {
            storeCallsInFlight.delete(result);
            storeCallsSettled++;
          };
          result.then(done, done);
        }
        return result;
      };
    },
  });
}

/** Host turns, then every store call in flight settled, until none is left (a call's answer may make the scheduler call again). */
async function settleIo(): Promise<void> {
  for (let round = 0; round < 1000; round++) {
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    if (storeCallsInFlight.size === 0) return;
    await Promise.allSettled([...storeCallsInFlight]);
  }
  throw new Error('advanceWithIo: store calls kept coming for 1000 rounds without virtual time passing');
}

/**
 * Runs what is due at the current virtual time until it settles: a timer the
 * scheduler arms for "now" once a store call answered (a run after its claim)
 * fires at once with an in-process store, inside the same clock.advance(); a
 * PostgreSQL store may answer after that advance returned (during it, or
 * during the host turns after it), so the clock is advanced by 0 again for as
 * long as any store call settled since it last moved (`mark`: the count of
 * settled calls when it did).
 */
async function settleNow(clock: VirtualClock, mark: number): Promise<void> {
  for (let round = 0; round < 1000; round++) {
    await settleIo();
    if (storeCallsSettled === mark) return;
    mark = storeCallsSettled;
    await clock.advance(0);
  }
  throw new Error('advanceWithIo: store calls kept coming for 1000 rounds without virtual time passing');
}

/**
 * Advances the virtual clock in steps, letting real I/O settle between them:
 * fake-indexeddb completes its requests in host macrotasks, which virtual
 * time does not run, and a PostgreSQL store's calls (trackStoreCalls) take real time.
 * With `ms` 0 it runs what is due now, as clock.advance(0) does.
 */
export async function advanceWithIo(clock: VirtualClock, ms: number, stepMs = 100): Promise<void> {
  // At least one advance, so that 0 runs what is due now.
  let done = 0;
  let mark = storeCallsSettled;
  do {
    await settleNow(clock, mark);
    const step = Math.min(stepMs, ms - done);
    mark = storeCallsSettled;
    await clock.advance(step);
    done += step;
  } while (done < ms);
  await settleNow(clock, mark);
}
