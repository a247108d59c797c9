// Where the engine sends a failed attempt: the scheduler's onError option
// (see ../error-reporting.ts for the default, a rate-limited console).
import { ConsoleErrorReporter, type TaskErrorHandler, type TaskErrorInfo } from '../error-reporting.js';
import type { Clock } from '../time/clock.js';
import type { EngineCounters } from './task-events.js';

export class FailureReports {
  readonly #handler: TaskErrorHandler | false | undefined;
  readonly #counters: EngineCounters;
  /** The default handler, and where a throwing handler is reported. */
  readonly #console: ConsoleErrorReporter;

  constructor(handler: TaskErrorHandler | false | undefined, clock: Clock, counters: EngineCounters) {
    this.#handler = handler;
    this.#counters = counters;
    this.#console = new ConsoleErrorReporter(clock);
  }

  /**
   * Reports a failed attempt: the rate-limited console by default, nothing
   * with `onError: false`. Never throws: a throwing handler is itself
   * reported to the console. `group`: the name the console counts failures under.
   */
  report(error: unknown, info: TaskErrorInfo, group: string = info.name): void {
    const handler = this.#handler;
    if (handler === false) return;
    if (handler === undefined) {
      this.#console.report(error, info, group);
      return;
    }
    try {
      handler(error, info);
    } catch (handlerError) {
      this.#counters.listenerErrors++;
      this.#console.report(handlerError, { ...info, name: `onError, reporting '${info.name}'` }, 'onError');
    }
  }

  /** The scheduler stops: the console's pending summary lines are printed. */
  flush(): void {
    this.#console.flush();
  }
}
