// The event a TaskSignal fires when its priority changes.
import { describeValue } from '../../bindings/errors.js';
import { type TaskPriority, toTaskPriority } from './webidl.js';

export interface TaskPriorityChangeEventInit extends EventInit {
  /** The priority the signal had before the change. Required. */
  previousPriority: TaskPriority;
}

/**
 * Fired as 'prioritychange' at a TaskSignal after its priority changed;
 * `event.target.priority` is the new priority.
 *
 * @example
 * controller.signal.addEventListener('prioritychange', (event) => {
 *   console.log(`${event.previousPriority} -> ${controller.signal.priority}`);
 * });
 */
export class TaskPriorityChangeEvent extends Event {
  readonly #previousPriority: TaskPriority;

  constructor(type: string, init: TaskPriorityChangeEventInit) {
    if (typeof init !== 'object' || init === null) {
      throw new TypeError(`TaskPriorityChangeEvent: init must be an object with previousPriority, received ${describeValue(init)}`);
    }
    if (init.previousPriority === undefined) throw new TypeError('TaskPriorityChangeEvent: init.previousPriority is required');
    const previousPriority = toTaskPriority('TaskPriorityChangeEvent: init.previousPriority', init.previousPriority);
    super(type, init);
    this.#previousPriority = previousPriority;
  }

  get previousPriority(): TaskPriority {
    return this.#previousPriority;
  }

  get [Symbol.toStringTag](): string {
    return 'TaskPriorityChangeEvent';
  }
}
