// What the Scheduler facade calls on its durable side: DurableScheduler (one
// owner per store), or ClusterDurable (one process of a cluster sharing a
// cluster-capable store, src/durable/cluster/).
import type { ClusterProcess } from '../store/cluster.js';
import type { DurableScheduler } from './durable-scheduler.js';

export type DurableSide = Pick<
  DurableScheduler,
  | 'define' | 'defineAdmit' | 'scheduleOne' | 'scheduleMany' | 'unschedule' | 'runNow' | 'getTask' | 'tasks' | 'history' | 'start' | 'ready'
  | 'stop' | 'waitNote' | 'slotsInfo'
> & {
  /** The cluster's processes and their leases; only in cluster mode. */
  cluster?(): Promise<ClusterProcess[]>;
};
