// `timeslice`: importing this module starts nothing and compiles no wasm;
// the core is instantiated by the first `new Scheduler()` or `new Core()`.
// In a browser build the core, cron support and the durable layer are loaded
// on demand, by load() (src/parts/load.ts); in Node they come with the package.
export { Scheduler, type CronOptions, type EveryOptions, type RecurringOptions, type SchedulerStats, type StopOptions } from './scheduler.js';
export { TaskHandle, type TaskStats } from './tasks/task-handle.js';
export { TaskContext } from './tasks/task-context.js';
export type { TaskFn, LifecycleState } from './engine/engine.js';
export type { TaskOptions } from './tasks/options.js';
export type { SchedulerOptions } from './tasks/scheduler-options.js';
export type { RetryOptions } from './tasks/retry.js';
export { type Duration, MAX_DURATION_MS } from './time/duration.js';
export type { TaskErrorHandler, TaskErrorInfo } from './error-reporting.js';
export { PRIORITY_NAMES, type Priority, type PriorityAlias, type PriorityName } from './tasks/priorities.js';
export { SchedulerEvents, TaskEvent, TASK_EVENT_TYPES, type TaskEventDetail, type TaskEventType } from './events.js';
export type { DescribeOptions, DurableSlotsDescription, DurableWaiter, SchedulerDescription, TaskDescription, WaitReason } from './describe.js';
export type { Clock, TimerId, TimerOptions } from './time/clock.js';
export { RealClock, type RealClockOptions } from './time/real-clock.js';
// CronSchedule itself is in `timeslice/cron`: a value exported here would put croner in
// the first chunk of an esbuild bundle with code splitting, even unused (test/dist/size.test.ts).
export type { CronDstOptions, CronDstPolicy, CronGapPolicy, CronOverlapPolicy, CronScheduleOptions } from './time/cron.js';
// CalendarSchedule itself is in `timeslice/calendar`, ClockWatch and ClockJumpDetector in `timeslice/clock-watch`:
// the durable layer uses them, and an esbuild bundle with code splitting puts a module that a lazy chunk
// uses in the first load when the entry exports it, even unused (test/dist/size.test.ts).
export type { CalendarScheduleOptions } from './time/calendar.js';
export type { CalendarPeriod, CalendarUnit, ResolvedCalendarPeriod } from './time/calendar-period.js';
export type { ScheduleWindowOptions, WallSchedule } from './time/schedule-window.js';
export * from './errors.js';
export * from './core.js';
export { load, type LoadOptions } from './parts/load.js';
export { DurableContext, DurableFunction, StaleAttemptError, type DurableFn } from './durable/durable-context.js';
export type { DurableTaskOptions, MissedRunOptions } from './durable/task-options.js';
export type { RecoveryReport } from './durable/recovery.js';
export type { TasksPage, TasksQuery } from './durable/task-queries.js';
export type { LastExecution, QueriedTask } from './store/task-query.js';
export { DurableEvent, DURABLE_EVENT_TYPES, type DurableEventDetails, type DurableEventType } from './durable/durable-events.js';
export {
  AdmitNotDefinedError, ClusterModeError, FunctionNotDefinedError, InvalidCursorError, NoStoreError, PastScheduleError, TaskNotFoundError,
} from './durable/errors.js';
export type { ClusterOptions } from './durable/cluster/cluster-options.js';
export type { ClusterProcess } from './store/cluster.js';
export { isManualSlot, MANUAL_SCHEDULE_VERSION } from './store/manual-slot.js';
export type {
  AdmitFn, AdmitSlot, Blackout, BlackoutRecord, ConstraintsRecord, HoursRecord, InadmissiblePolicy, SlotConstraints, Weekday, WorkingHours,
} from './constraints/slot-constraints.js';
export type { TracerLike, TracerProviderLike, TraceSpan, TraceSpanContext, TraceSpanOptions } from './tracing.js';
export type { SchedulerEventListener, SchedulerEventMap, SchedulerEventType } from './events.js';
export type { ClockWatchEvent, ClockJump, ClockWake, ClockWatchOptions, ClockJumpDetectorOptions } from './time/clock-watch.js';
