// `timeslice`: importing this module starts nothing and compiles no wasm;
// the core is instantiated by the first `new Scheduler()` or `new Core()`.
export { Scheduler, type CronOptions, type SchedulerStats, type StopOptions } from './scheduler.js';
export { TaskHandle, type TaskStats } from './task-handle.js';
export { TaskContext } from './task-context.js';
export type { TaskFn, LifecycleState } from './engine/engine.js';
export type { TaskOptions, SchedulerOptions } from './options.js';
export type { RetryOptions } from './retry.js';
export type { Duration } from './duration.js';
export { PRIORITY_NAMES, type Priority, type PriorityName } from './priorities.js';
export { SchedulerEvents, TaskEvent, TASK_EVENT_TYPES, type TaskEventDetail, type TaskEventType } from './events.js';
export type { DescribeOptions, SchedulerDescription, TaskDescription, WaitReason } from './describe.js';
export type { Clock, TimerId } from './clock.js';
export { RealClock } from './real-clock.js';
export { CronSchedule, type CronDstOptions, type CronDstPolicy, type CronGapPolicy, type CronOverlapPolicy, type CronScheduleOptions } from './cron.js';
export * from './scheduler-errors.js';
export * from './schedule-errors.js';
export * from './core.js';
