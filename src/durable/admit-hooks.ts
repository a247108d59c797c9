// The admit hooks durable tasks name (`scheduler.defineAdmit(name, fn)`): a
// function cannot be stored, so a task keeps the name, as it keeps its body's
// (defined-functions.ts). A live task whose hook is not defined yet waits,
// record intact, and is planned once defineAdmit() names it: judging its
// slots without the hook would run slots the hook may refuse.
import { defineError, describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import type { AdmitFn } from '../constraints/slot-constraints.js';
import type { LiveTask } from './live-task.js';

/** A durable task's `constraints.admit` names no hook registered with defineAdmit(name, fn). */
export class AdmitNotDefinedError extends defineError('ERR_ADMIT_NOT_DEFINED', 'AdmitNotDefinedError') {
  readonly admitName: string;
  constructor(admitName: string) {
    super(`no admit hook is defined as '${admitName}': call scheduler.defineAdmit('${admitName}', fn) before schedule() and start()`);
    this.admitName = admitName;
  }
}

export class AdmitHooks {
  readonly #hooks = new Map<string, AdmitFn>();
  readonly #waiting = new Map<string, LiveTask[]>();

  /** Defines `name`; answers the tasks that were waiting for it. */
  define(name: string, fn: AdmitFn): LiveTask[] {
    if (typeof name !== 'string' || name.length === 0) {
      throw new InvalidArgumentError(`defineAdmit: name must be a non-empty string, received ${describeValue(name)}`);
    }
    if (typeof fn !== 'function') throw new InvalidArgumentError(`defineAdmit: fn must be a function, received ${describeValue(fn)}`);
    const existing = this.#hooks.get(name);
    if (existing !== undefined && existing !== fn) {
      throw new InvalidArgumentError(`defineAdmit: '${name}' is already defined (persisted tasks name it; define each name once)`);
    }
    this.#hooks.set(name, fn);
    const waiting = this.#waiting.get(name) ?? [];
    this.#waiting.delete(name);
    return waiting.filter((task) => !task.removed);
  }

  get(name: string): AdmitFn | undefined {
    return this.#hooks.get(name);
  }

  /** Parks a task until its hook is defined. */
  wait(task: LiveTask, name: string): void {
    const waiting = this.#waiting.get(name) ?? [];
    if (!waiting.includes(task)) waiting.push(task);
    this.#waiting.set(name, waiting);
  }
}
