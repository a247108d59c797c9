// A process of a cluster as a ClusterStore keeps it (cluster.ts): who it is
// when it registers, its registration with its lease and epoch, and the
// answers of register() and heartbeat().

/** Who a process is, as it registers. */
export interface ProcessRequest {
  /** Unique per scheduler start (a random UUID); 1 to 1024 characters. */
  ownerId: string;
  /** os.hostname(), for `scheduler.cluster()` and messages. */
  host: string;
  /** The process id (0 in a browser). */
  pid: number;
  /** The timeslice version the process runs (a rolling deploy shows two). */
  version: string;
  /** How long the lease lasts without a heartbeat, 1 ms to a day. */
  leaseMs: number;
}

/** A registered process, as `scheduler.cluster()` lists it. Times by the store's clock. */
export interface ClusterProcess {
  ownerId: string;
  host: string;
  pid: number;
  version: string;
  /** From a store-wide sequence: a process that registers again (after its lease was lost) gets a new one. */
  epoch: number;
  startedAtMs: number;
  heartbeatAtMs: number;
  /** Past this (store clock) without a heartbeat, any process may rescue its rows. */
  expiresAtMs: number;
  /** The rows it holds running now. */
  running: number;
  /**
   * Only on the entry of the process that asked (`scheduler.cluster()`): its
   * clock minus the store's at its last claim or heartbeat, ms (positive: its
   * clock is ahead); see the `clockskew` event. Stores never set it.
   */
  skewMs?: number;
}

/** A process, as it presents itself to claimDue, heartbeat and deregister. */
export interface ProcessRef {
  ownerId: string;
  epoch: number;
}

export interface RegisterResult {
  process: ClusterProcess;
  /** The store's clock when it registered. */
  nowMs: number;
}

export type HeartbeatResult =
  | { status: 'renewed'; process: ClusterProcess; nowMs: number }
  /** The process was rescued (its lease expired and another process took its rows back) or deregistered: it must drop what it runs and register again. */
  | { status: 'lost'; nowMs: number };
