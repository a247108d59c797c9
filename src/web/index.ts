// `timeslice/web`: the WICG Prioritized Task Scheduling API (scheduler.postTask,
// scheduler.yield, TaskController, TaskSignal, TaskPriorityChangeEvent) on
// timeslice. Importing it installs nothing and starts nothing: call install()
// to set the globals where the host lacks them, or use `scheduler` directly.
//
// Known differences from the specification (and from Chromium):
// - yield() inherits its task's priority and signal during the callback's
//   synchronous part, a resumed continuation's synchronous part, or a direct
//   `await scheduler.yield()`; after other awaits it is a fresh user-visible
//   continuation (Chromium keeps inheriting through async context).
// - The six spec queues share the core's five classes: user-blocking
//   continuations 0, user-blocking tasks 1, user-visible continuations 2,
//   user-visible tasks 3, background tasks and continuations 4. So a
//   background continuation goes ahead only of background tasks queued after
//   its task, and continuations of one priority keep their task's queue order.
// - Aborting a yield that is parked cancels its task in the core; the code
//   after the rejected yield runs outside any task.
// - Bad arguments: postTask rejects with a TypeError, constructors and
//   setPriority throw TypeError, as browsers do, with different messages.
export { scheduler } from './shared-scheduler.js';
export { WebScheduler, createWebScheduler, type WebSchedulerOptions } from './web-scheduler.js';
export type { SchedulerPostTaskOptions } from './post-task.js';
export { TaskController, type TaskControllerInit } from './task-controller.js';
export { TaskSignal, type TaskSignalAnyInit, type PriorityChangeHandler } from './task-signal.js';
export { TaskPriorityChangeEvent, type TaskPriorityChangeEventInit } from './task-priority-change-event.js';
export { install, type InstallOptions, type InstalledGlobals } from './install.js';
export { TASK_PRIORITIES, type TaskPriority } from './webidl.js';
