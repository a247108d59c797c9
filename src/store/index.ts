// `timeslice/store`: what every store shares, and what the scheduler and a
// store of your own need: the Store interface and its request and result
// types, the cluster capability (ClusterStore), the records, the typed
// errors, the record checks and the group-commit helper. It loads no
// database driver: the stores are their own entries,
// `timeslice/store/memory`, `timeslice/store/sqlite` (better-sqlite3) and
// `timeslice/store/indexeddb` (idb).
export type * from './store.js';
export type * from './cluster.js';
export { isClusterStore } from './cluster.js';
export { MAX_CLAIM_LIMIT } from './cluster-rules.js';
export {
  type ExecutionOutcome, type ExecutionRecord, type Json, type MisfirePolicy, type MisfireRecord, type ScheduleKind,
  type SlotKey, type TaskInit, type TaskPatch, type TaskRecord, type TaskStatus, EXECUTION_OUTCOMES, executionIdOf, isManualSlot,
  MANUAL_SCHEDULE_VERSION,
  MISFIRE_POLICIES, SCHEDULE_FIELDS, SCHEDULE_KINDS, TASK_STATUSES, taskRecord,
} from './records.js';
export * from './errors.js';
export { MissingDependencyError } from '../errors.js';
export {
  type AcquireResult, type HeldLease, type LeaseHolder, type LeaseRequest, type RenewResult, checkFence, decideAcquire, decideRenew, decideTakeover,
  isLive, MAX_LEASE_TTL_MS,
} from './lease.js';
export { checkJson } from './json.js';
export { checkTaskRecord, checkTaskPatch } from './validate.js';
export { checkTaskQuery, type LastExecution, type QueriedTask, type TaskQuery } from './task-query.js';
export { WriteBatcher, type WriteBatcherOptions } from './write-batcher.js';
