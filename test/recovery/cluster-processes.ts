// Cluster processes in one test process: each has its own engine (its core
// orders what it holds), its own defined functions and a ClusterRunner over
// its own store instance, all on one database (a MemoryClusterDatabase, or
// a factory of stores over one PostgreSQL schema): N processes on one database. The database's clock is the store's "now"; a
// process may run on its own VirtualClock, so a test can pause it (SIGSTOP:
// its clock stands still) while the others and the database go on.
import { afterEach } from 'vitest';
import { Core } from '../../bindings/core.js';
import { ClusterRunner, type ClusterRunnerOptions } from '../../src/durable/cluster/cluster-runner.js';
import type { DurableFn } from '../../src/durable/durable-context.js';
import { DURABLE_EVENT_TYPES, DurableEvent } from '../../src/durable/durable-events.js';
import { DefinedFunctions } from '../../src/durable/defined-functions.js';
import { type DurableTaskOptions, durableTaskRecord } from '../../src/durable/task-options.js';
import { Engine } from '../../src/engine/engine.js';
import { SchedulerEvents } from '../../src/events.js';
import { MemoryClusterDatabase, MemoryClusterStore } from '../../src/store/memory-cluster-store.js';
import type { ClusterStore } from '../../src/store/cluster.js';
import type { TaskRecord } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import { resolveSchedulerOptions } from '../../src/tasks/scheduler-options.js';
import type { VirtualClock } from '../../src/testing/index.js';

export interface ClusterProcess {
  name: string;
  clock: VirtualClock;
  engine: Engine;
  store: Store & ClusterStore;
  runner: ClusterRunner;
  /** The durable events this process emitted, in order: [type, detail]. */
  events: Array<[string, unknown]>;
  define(name: string, fn: DurableFn): void;
  /** Stores the task's record and offers its first slot, as registration does in cluster mode. */
  schedule(options: DurableTaskOptions): Promise<TaskRecord>;
}

/** Where processes' stores come from: one memory database, or a factory of new stores over one database. */
export type ClusterDatabase = MemoryClusterDatabase | (() => Store & ClusterStore);

export async function clusterProcess(
  database: ClusterDatabase, clock: VirtualClock, name: string, options: Partial<ClusterRunnerOptions> = {},
): Promise<ClusterProcess> {
  // No tracer is given, so none is resolved.
  const resolved = resolveSchedulerOptions({ clock, onError: false }, () => undefined);
  const events = new SchedulerEvents();
  const engine = new Engine(new Core(), clock, resolved, events);
  const log: Array<[string, unknown]> = [];
  for (const type of DURABLE_EVENT_TYPES) events.addEventListener(type, (event) => log.push([type, (event as DurableEvent).detail]));
  const functions = new DefinedFunctions();
  const store = database instanceof MemoryClusterDatabase ? new MemoryClusterStore({ database }) : database();
  await store.open();
  const runner = new ClusterRunner(
    { engine, functions, store, emit: (type, detail) => events.dispatchEvent(new DurableEvent(type, detail)) },
    {
      ownerId: name, host: 'test-host', pid: 1, version: '0.0.0-test', leaseMs: 30_000, heartbeatMs: 10_000, pollMs: 1_000, skewWarnMs: 1_000,
      maxConcurrent: 4, localQueue: 0, timeoutMs: null, maxPayloadBytes: 1 << 20, ...options,
    },
  );
  engine.start();
  return {
    name, clock, engine, store, runner, events: log,
    define: (fnName, fn) => void functions.define(fnName, fn),
    schedule: async (taskOptions) => {
      const record = durableTaskRecord(taskOptions, 'schedule: options', clock.wallNow(), 1 << 20, null);
      await store.putTasks([record]);
      await runner.offerFirst([record]);
      return record;
    },
  };
}

/** A new database whose clock is `clock` (the database server's). */
export function clusterDatabase(clock: VirtualClock): MemoryClusterDatabase {
  return new MemoryClusterDatabase({ clock });
}

/**
 * A start() for a test file: it starts the processes' runners, and after each
 * test stops every process it started (runner, then engine) and closes its store.
 */
export function useStartedProcesses(): (...processes: Array<ClusterProcess | Promise<ClusterProcess>>) => Promise<ClusterProcess[]> {
  const started: ClusterProcess[] = [];
  afterEach(async () => {
    for (const p of started.splice(0)) {
      await p.runner.stop();
      await p.engine.stop(false);
      await p.store.close();
    }
  });
  return async (...processes) => {
    const list = await Promise.all(processes);
    started.push(...list);
    for (const p of list) await p.runner.start();
    return list;
  };
}

/**
 * Holds the process's next claim in flight until release() (its claims go through finishAndClaim, with the ends
 * written beside them): sent to the store after the hold (`before`), or answered and then held (`after`).
 */
export function holdNextClaim(p: ClusterProcess, when: 'before' | 'after'): { release: () => void; held: () => boolean } {
  const store = p.store;
  const real = store.finishAndClaim.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  store.finishAndClaim = async (...args: Parameters<typeof real>) => {
    if (args[1] === undefined) return real(...args);
    store.finishAndClaim = real;
    held = true;
    if (when === 'before') {
      await gate;
      return real(...args);
    }
    const result = await real(...args);
    await gate;
    return result;
  };
  return { release, held: () => held };
}
