// `timeslice/pool`: CPU-bound tasks on Piscina worker threads that share the
// WebAssembly core, with preemption (quanta, urgent arrivals, escalation to
// termination) and crash recovery. Node only. Importing it starts nothing:
// threads start with the first `new WorkerPool()`.
export { WorkerPool, PoolTask } from './pool.js';
export type { ArgsOf, ResultOf } from './task-record.js';
export type { PoolOptions, PoolTaskOptions, TaskReference } from './options.js';
export { PoolEvent, PoolEvents, POOL_EVENT_TYPES, type PoolEventDetail, type PoolEventType, type PoolCounters } from './events.js';
export { PoolTaskContext } from './context.js';
export { PoolClosedError, PoolTaskCancelledError, TaskError, TaskTimeoutError, UncloneableError, WorkerCrashedError } from './errors.js';
export { InvalidArgumentError, TimesliceError } from '../../bindings/errors.js';
export { MissingDependencyError } from '../errors.js';
