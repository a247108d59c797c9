// `timeslice`: importing this module starts nothing and compiles no wasm;
// the core is instantiated by the first `new Scheduler()` or `new Core()`.
export { Scheduler, type CronOptions, type EveryOptions, type SchedulerStats, type StopOptions } from './scheduler.js';
export { TaskHandle, type TaskStats } from './task-handle.js';
export { TaskContext } from './task-context.js';
export type { TaskFn, LifecycleState } from './engine/engine.js';
export type { TaskOptions, SchedulerOptions } from './options.js';
export type { RetryOptions } from './retry.js';
export { type Duration, MAX_DURATION_MS } from './duration.js';
export type { TaskErrorHandler, TaskErrorInfo } from './error-reporting.js';
export { PRIORITY_NAMES, type Priority, type PriorityAlias, type PriorityName } from './priorities.js';
export { SchedulerEvents, TaskEvent, TASK_EVENT_TYPES, type TaskEventDetail, type TaskEventType } from './events.js';
export type { DescribeOptions, SchedulerDescription, TaskDescription, WaitReason } from './describe.js';
export type { Clock, TimerId, TimerOptions } from './clock.js';
export { RealClock, type RealClockOptions } from './real-clock.js';
export { CronSchedule, type CronDstOptions, type CronDstPolicy, type CronGapPolicy, type CronOverlapPolicy, type CronScheduleOptions } from './cron.js';
export { CalendarSchedule, type CalendarPeriod, type CalendarScheduleOptions, type CalendarUnit, type ResolvedCalendarPeriod } from './calendar.js';
export type { ScheduleWindowOptions, WallSchedule } from './schedule-window.js';
export * from './scheduler-errors.js';
export * from './schedule-errors.js';
export * from './core.js';
export { DurableContext, DurableFunction, StaleAttemptError, type DurableFn } from './durable/durable-context.js';
export type { DurableTaskOptions, MissedRunOptions } from './durable/task-options.js';
export type { RecoveryReport } from './durable/recovery.js';
export type { TasksPage, TasksQuery } from './durable/task-queries.js';
export type { LastExecution, QueriedTask } from './store/task-query.js';
export { DurableEvent, DURABLE_EVENT_TYPES, type DurableEventDetails, type DurableEventType } from './durable/durable-events.js';
export { FunctionNotDefinedError, InvalidCursorError, NoStoreError, PastScheduleError, TaskNotFoundError } from './durable/errors.js';
export { isManualSlot, MANUAL_SCHEDULE_VERSION } from './store/records.js';
export { MissingDependencyError } from './errors.js';
export type {
  AdmitFn, AdmitSlot, Blackout, ConstraintsRecord, InadmissiblePolicy, SlotConstraints, Weekday, WorkingHours,
} from './constraints/slot-constraints.js';
export { SlotConstraintsError } from './constraints/admission.js';
export { AdmitNotDefinedError } from './durable/admit-hooks.js';
export type { SchedulerEventListener, SchedulerEventMap, SchedulerEventType } from './events.js';
export { ClockWatch, ClockJumpDetector, type ClockWatchEvent, type ClockJump, type ClockWake, type ClockWatchOptions, type ClockJumpDetectorOptions } from './clock-watch.js';
