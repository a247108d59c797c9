// The admit hooks durable tasks name (`scheduler.defineAdmit(name, fn)`): a
// function cannot be stored, so a task keeps the name, as it keeps its body's
// (defined-functions.ts). A live task whose hook is not defined yet waits,
// record intact, and is planned once defineAdmit() names it: judging its
// slots without the hook would run slots the hook may refuse.
import { defineError } from '../../bindings/errors.js';
import type { AdmitFn } from '../constraints/slot-constraints.js';
import { NamedFunctions } from './named-functions.js';

/** A durable task's `constraints.admit` names no hook registered with defineAdmit(name, fn). */
export class AdmitNotDefinedError extends defineError('ERR_ADMIT_NOT_DEFINED', 'AdmitNotDefinedError') {
  readonly admitName: string;
  constructor(admitName: string) {
    super(`no admit hook is defined as '${admitName}': call scheduler.defineAdmit('${admitName}', fn) before schedule() and start()`);
    this.admitName = admitName;
  }
}

export class AdmitHooks extends NamedFunctions<AdmitFn> {
  constructor() {
    super('defineAdmit');
  }
}
