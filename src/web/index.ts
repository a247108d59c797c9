// `timeslice/web`: the WICG Prioritized Task Scheduling API (scheduler.postTask,
// scheduler.yield, TaskController, TaskSignal, TaskPriorityChangeEvent) on
// timeslice. Importing it installs nothing and starts nothing: call install()
// to set the globals where the host lacks them, or use `scheduler` directly.
export { scheduler } from './shared-scheduler.js';
export { WebScheduler, createWebScheduler, type WebSchedulerOptions } from './web-scheduler.js';
export type { SchedulerPostTaskOptions } from './post-task.js';
export { TaskController, type TaskControllerInit } from './task-controller.js';
export { TaskSignal, type TaskSignalAnyInit, type PriorityChangeHandler } from './task-signal.js';
export { TaskPriorityChangeEvent, type TaskPriorityChangeEventInit } from './task-priority-change-event.js';
export { install, type InstallOptions, type InstalledGlobals } from './install.js';
export { TASK_PRIORITIES, type TaskPriority } from './webidl.js';
