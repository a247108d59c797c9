// What Scheduler.stats() reports: the core's counters under the names the
// facade uses, with the engine's own (timeouts, runs in flight, state, memory).
import type { CoreCounters } from '../bindings/core.js';
import type { Engine, LifecycleState } from './engine/engine.js';

export interface SchedulerStats extends CoreCounters {
  /** Tasks registered since the scheduler was made. */
  scheduled: number;
  /** Runs started. */
  executed: number;
  /** Runs that threw, rejected or timed out. */
  failed: number;
  /** Failed runs that were retried. */
  retried: number;
  /** Runs interrupted and requeued (they resume later with their saved state). */
  interrupted: number;
  /** Async runs aborted by their timeoutMs. */
  timeouts: number;
  /** Async runs in flight right now. */
  inflight: number;
  state: LifecycleState;
  /**
   * Bytes of WebAssembly memory the scheduler's core holds. It grows with the
   * most tasks held at once (64 bytes a task, 76 for a timer with its own delay, with at most a sixteenth unused) and never shrinks while
   * tasks live; once the scheduler has held no task for a second (longer,
   * up to a minute, while bursts keep coming back), a core that grew past a
   * few MB is replaced by a fresh one and the memory given back.
   */
  memoryBytes: number;
}

/** The stats of the scheduler that `engine` runs. */
export function schedulerStats(engine: Engine): SchedulerStats {
  const c = engine.core.counters();
  return {
    ...c,
    scheduled: c.registered,
    executed: c.starts,
    failed: c.failures,
    retried: c.retries,
    interrupted: c.preemptions,
    timeouts: engine.counters.timeouts,
    inflight: engine.inflight,
    state: engine.state,
    memoryBytes: engine.core.memoryBytes,
  };
}
