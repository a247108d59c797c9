// The `cluster` option of a Scheduler: many processes sharing one durable
// schedule on a cluster-capable store (docs/design/cluster.md). The process
// lease is the `lease` option's (ttlMs, heartbeatMs); a standby has no
// meaning here (every process works), so the two are refused together.
import { describeValue, InvalidArgumentError } from '../../../bindings/errors.js';
import { isClusterStore } from '../../store/cluster.js';
import { MAX_CLAIM_LIMIT } from '../../store/cluster-rules.js';
import type { Store } from '../../store/store.js';
import { type Duration, parseDurationMs, requirePositive } from '../../time/duration.js';

/** Cluster mode's own settings. */
export interface ClusterOptions {
  /**
   * The longest wait between two claim rounds: a row another process offered
   * (or a tool inserted) is found within it. Rows this process offers, and
   * the end of each of its runs, start a round at once.
   * @default '1s'
   */
  pollMs?: Duration;
  /**
   * What this process reports as its version in `scheduler.cluster()` (your
   * release), so a rolling deploy shows old and new side by side.
   * @default ''
   */
  version?: string;
  /**
   * How far this process's clock may be from the store's (the database's
   * now(), which decides what is due) before a `clockskew` event warns; a
   * second `clockskew` says when it is back within. The skew is measured at
   * every claim and heartbeat, as this clock at the midpoint of the call's
   * round trip minus the store's time, so it is known to within half the
   * round trip: an event is sent only when the skew is past the threshold
   * (or back within it) by more than that. `scheduler.cluster()` shows the
   * last measure on this process's own entry (`skewMs`).
   * @default '1s'
   * @example new Scheduler({ store, cluster: { skewWarnMs: '250ms' } })
   */
  skewWarnMs?: Duration;
  /**
   * At most this many claimed rows wait in this process for a free place,
   * beyond the `maxConcurrent` it runs: a claim takes them in the same
   * statement, so a short job costs a share of a claim, not a claim of its
   * own (their ends share commits anyway). The queue holds about 100 ms of
   * this process's work at the run time it measures (nothing until a run
   * ended here, nothing for runs of a second and more at maxConcurrent 10),
   * so a long job does not keep rows from idle processes; the most urgent
   * row starts first, across the queue. A queued row is held: if this
   * process dies, the rescue ends it as an interrupted attempt and allows it
   * one attempt more (it never ran). 0 claims only what can start at once.
   * @default 100
   * @example new Scheduler({ store, cluster: { localQueue: 0 } })
   */
  localQueue?: number;
}

export interface ResolvedCluster {
  pollMs: number;
  version: string;
  skewWarnMs: number;
  localQueue: number;
}

export const DEFAULT_POLL_MS = 1_000;
export const DEFAULT_SKEW_WARN_MS = 1_000;
export const DEFAULT_LOCAL_QUEUE = 100;
const KEYS = new Set(['pollMs', 'version', 'skewWarnMs', 'localQueue']);

/** Cluster mode's settings, or undefined when the scheduler is not in cluster mode. */
export function resolveClusterOption(value: unknown, store: unknown, standby: unknown): ResolvedCluster | undefined {
  if (value === undefined || value === false) return undefined;
  if (value !== true && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new InvalidArgumentError(`options.cluster must be true, false or { pollMs, version, skewWarnMs, localQueue }, received ${describeValue(value)}`);
  }
  if (typeof store !== 'object' || store === null || !isClusterStore(store as Store)) {
    throw new InvalidArgumentError(
      `options.cluster needs a store with the cluster capability (MemoryClusterStore from timeslice/store/memory), received ${describeValue(store)}`,
    );
  }
  if (standby === true) throw new InvalidArgumentError('options.standby does not apply with options.cluster: every process of a cluster works');
  const o = (value === true ? {} : value) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KEYS.has(key)) throw new InvalidArgumentError(`options.cluster.${key} is not an option (known: pollMs, version, skewWarnMs, localQueue)`);
  }
  const pollMs = o.pollMs === undefined ? DEFAULT_POLL_MS : parseDurationMs('options.cluster.pollMs', o.pollMs as Duration);
  if (!(pollMs >= 10)) throw new InvalidArgumentError(`options.cluster.pollMs must be at least 10 ms, received ${describeValue(o.pollMs)}`);
  if (o.version !== undefined && typeof o.version !== 'string') {
    throw new InvalidArgumentError(`options.cluster.version must be a string, received ${describeValue(o.version)}`);
  }
  const skewWarnMs = o.skewWarnMs === undefined ? DEFAULT_SKEW_WARN_MS : requirePositive('options.cluster.skewWarnMs', o.skewWarnMs as Duration);
  const localQueue = o.localQueue ?? DEFAULT_LOCAL_QUEUE;
  if (typeof localQueue !== 'number' || !Number.isSafeInteger(localQueue) || localQueue < 0 || localQueue > MAX_CLAIM_LIMIT) {
    throw new InvalidArgumentError(`options.cluster.localQueue must be an integer from 0 to ${MAX_CLAIM_LIMIT}, received ${describeValue(o.localQueue)}`);
  }
  return { pollMs, version: (o.version as string | undefined) ?? '', skewWarnMs, localQueue };
}
