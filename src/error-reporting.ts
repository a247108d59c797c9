// Where failed runs are reported: the scheduler's `onError` option.
//
// Why a default that prints: a task that throws is otherwise seen only by
// whoever reads its `done` or listens for `taskfail`, and a periodic task
// nobody watches would fail silently forever. So, unless told otherwise,
// every failed attempt is written to console.error with the task's name, id
// and attempt, as an unhandled promise rejection would be.
//
// Why rate-limited: a hot failing task (every 10 ms) must not flood the log
// or slow the process with console I/O. Per minute of the scheduler's clock,
// at most REPORTS_PER_NAME failures of each task name and REPORTS_PER_WINDOW
// in all are printed in full; the rest are counted, and each name's count is
// printed as one summary line when the next minute's first failure comes, or
// at stop(). Tasks with no name of their own (an anonymous function) share
// one name for this count: 10,000 anonymous failing tasks print 5 lines and
// a summary, not 10,000.
import type { Clock } from './time/clock.js';

/** What a failure report says about the failed run. */
export interface TaskErrorInfo {
  /** The task's id: its handle number (in-memory tasks) or its string id (durable tasks). */
  readonly id: number | string;
  /** The task's name (its `name` option, else its function's name, else `task-<id>`); for a durable task, its defined function's name. */
  readonly name: string;
  /** 1 for the first attempt of the run, 2 for its first retry, ... */
  readonly attempt: number;
  /** True when another attempt of this run follows (retry); false when the run failed for good. */
  readonly willRetry: boolean;
  /** 'task' for a task of run/after/at/every/recurring/cron, 'durable' for a slot of a durable task. */
  readonly source: 'task' | 'durable';
}

/**
 * Called with every failed attempt (a throw, a rejection, a timeout), before
 * the retry or the end it leads to. An error it throws is itself reported to
 * console.error (rate-limited) and never stops the scheduler.
 */
export type TaskErrorHandler = (error: unknown, info: TaskErrorInfo) => void;

/** Full reports per task name per window. */
export const REPORTS_PER_NAME = 5;
/** Full reports per window, every name together. */
export const REPORTS_PER_WINDOW = 50;
/** The window, on the scheduler's clock. */
export const REPORT_WINDOW_MS = 60_000;
/** Summary lines per window at most; further names are summed on one line. */
const SUMMARY_NAMES = 10;

/** The part of `console` the reporter writes to. */
export interface ErrorConsole {
  error(...data: unknown[]): void;
}

/** The default onError: console.error, rate-limited (see the header). */
export class ConsoleErrorReporter {
  readonly #clock: Clock;
  readonly #console: ErrorConsole | undefined;
  #windowStartMs = Number.NEGATIVE_INFINITY;
  #shown = 0;
  readonly #shownByName = new Map<string, number>();
  readonly #suppressedByName = new Map<string, number>();

  /** @param out where to write; the global console (read at each report) when undefined */
  constructor(clock: Clock, out?: ErrorConsole) {
    this.#clock = clock;
    this.#console = out;
  }

  /**
   * Reports one failure. `group` is the name failures are counted under:
   * the task's own name, or one shared name for tasks without one.
   */
  report(error: unknown, info: TaskErrorInfo, group: string = info.name): void {
    const nowMs = this.#clock.now();
    if (nowMs - this.#windowStartMs >= REPORT_WINDOW_MS) {
      this.flush();
      this.#windowStartMs = nowMs;
      this.#shown = 0;
      this.#shownByName.clear();
    }
    const shown = this.#shownByName.get(group) ?? 0;
    if (shown < REPORTS_PER_NAME && this.#shown < REPORTS_PER_WINDOW) {
      this.#shownByName.set(group, shown + 1);
      this.#shown++;
      const retry = info.willRetry ? ', will retry' : '';
      const durable = info.source === 'durable' ? 'durable task' : 'task';
      this.#out().error(`timeslice: ${durable} '${info.name}' (${typeof info.id === 'number' ? `#${info.id}` : `id '${info.id}'`}) failed on attempt ${info.attempt}${retry}:`, error);
      return;
    }
    this.#suppressedByName.set(group, (this.#suppressedByName.get(group) ?? 0) + 1);
  }

  /** Prints the summary of failures not shown in the current window, and forgets them. */
  flush(): void {
    if (this.#suppressedByName.size === 0) return;
    const out = this.#out();
    const hint = '(not shown: set the scheduler option onError to route or silence failures)';
    let names = 0;
    let otherNames = 0;
    let otherFailures = 0;
    for (const [name, count] of this.#suppressedByName) {
      if (names < SUMMARY_NAMES) {
        names++;
        out.error(`timeslice: task '${name}' failed ${count} more time${count === 1 ? '' : 's'} within a minute ${hint}`);
      } else {
        otherNames++;
        otherFailures += count;
      }
    }
    if (otherNames > 0) out.error(`timeslice: ${otherNames} more task names failed ${otherFailures} times within a minute ${hint}`);
    this.#suppressedByName.clear();
  }

  #out(): ErrorConsole {
    return this.#console ?? console;
  }
}
