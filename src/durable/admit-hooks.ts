// The admit hooks durable tasks name (`scheduler.defineAdmit(name, fn)`): a
// function cannot be stored, so a task keeps the name, as it keeps its body's
// (defined-functions.ts). A live task whose hook is not defined yet waits,
// record intact, and is planned once defineAdmit() names it: judging its
// slots without the hook would run slots the hook may refuse.
import type { AdmitFn } from '../constraints/slot-constraints.js';
import { NamedFunctions } from './named-functions.js';

// In errors.ts with the other durable errors: `timeslice` exports it without loading the durable layer.
export { AdmitNotDefinedError } from './errors.js';

export class AdmitHooks extends NamedFunctions<AdmitFn> {
  constructor() {
    super('defineAdmit');
  }
}
