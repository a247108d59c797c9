// The functions durable tasks run, by name (`scheduler.define(name, fn)`), and
// the live tasks waiting for a name nobody has defined yet: their records are
// kept as they are, and they run as soon as define() names their function.
import type { DurableFn } from './durable-context.js';
import { NamedFunctions } from './named-functions.js';

export class DefinedFunctions extends NamedFunctions<DurableFn> {
  constructor() {
    super('define');
  }
}
