// Cluster mode through the public API on the reference store: Schedulers made
// with { store: MemoryClusterStore, cluster: true } over one
// MemoryClusterDatabase are processes sharing one durable schedule (the cases
// of cluster-scheduler-cases.ts), and what cluster mode refuses.
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterModeError, Scheduler, type SchedulerOptions } from '../../src/index.js';
import { MemoryClusterDatabase, MemoryClusterStore } from '../../src/store/memory-cluster-store.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { clusterSchedulerCases } from './cluster-scheduler-cases.js';
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

describe('cluster mode (Scheduler with cluster: true)', () => {
  clusterSchedulerCases((dbClock) => {
    const database = new MemoryClusterDatabase({ clock: dbClock });
    return (clock, options) => process(database, clock, options);
  });

  it('refuses cluster mode on a store without the capability, with standby, and bad options', async () => {
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    expect(() => new Scheduler({ clock, store: new MemoryStore(), cluster: true })).toThrow(/options.cluster needs a store with the cluster capability/);
    const database = new MemoryClusterDatabase({ clock });
    expect(() => new Scheduler({ clock, store: new MemoryClusterStore({ database }), cluster: true, standby: true })).toThrow(/options.standby does not apply/);
    expect(() => new Scheduler({ clock, store: new MemoryClusterStore({ database }), cluster: { poll: 1 } as never })).toThrow(/options.cluster.poll is not an option/);
    for (const skewWarnMs of [0, -1, 'soon', Number.NaN]) {
      expect(() => new Scheduler({ clock, store: new MemoryClusterStore({ database }), cluster: { skewWarnMs: skewWarnMs as never } })).toThrow(/options.cluster.skewWarnMs/);
    }
    expect(() => new Scheduler({ clock, cluster: true })).toThrow(/options.cluster applies only with options.store/);
    const plain = new Scheduler({ clock, store: new MemoryStore(), clockWatch: false, retention: false });
    await expect(plain.cluster()).rejects.toBeInstanceOf(ClusterModeError);
  });
});
