// TaskController: an AbortController whose signal is a TaskSignal, with
// setPriority() to move every task that follows the signal.
import { makeTaskSignal, signalPriorityChange, type TaskSignal } from './task-signal.js';
import { type TaskPriority, toDictionary, toTaskPriority } from './webidl.js';

export interface TaskControllerInit {
  /** The signal's initial priority. @default 'user-visible' */
  priority?: TaskPriority;
}

/**
 * Controls a group of tasks: abort() cancels those not started yet (and
 * rejects their pending yields), setPriority() moves those still queued.
 *
 * @example
 * const controller = new TaskController({ priority: 'background' });
 * scheduler.postTask(prefetch, { signal: controller.signal });
 * button.onclick = () => controller.setPriority('user-blocking');
 */
export class TaskController extends AbortController {
  declare readonly signal: TaskSignal;

  constructor(init: TaskControllerInit = {}) {
    const options = toDictionary('TaskController: init', init);
    const priority = options.priority === undefined ? 'user-visible' : toTaskPriority('TaskController: init.priority', options.priority);
    super();
    makeTaskSignal(this.signal, priority);
  }

  /**
   * Changes the signal's priority: tasks following it move (keeping their
   * enqueue order), then 'prioritychange' fires at the signal. The same
   * priority does nothing; calling it from a prioritychange listener throws a
   * NotAllowedError DOMException.
   */
  setPriority(priority: TaskPriority): void {
    signalPriorityChange(this.signal, toTaskPriority('TaskController.setPriority: priority', priority));
  }

  get [Symbol.toStringTag](): string {
    return 'TaskController';
  }
}
