// The data of a MemoryStore: its tasks, executions (indexed by task), the
// last fencing token and the lease. A class of its own because it outlives
// the store over it: a new MemoryStore over the same database is a restart,
// and the cluster store's database (memory-cluster-database.ts) extends it.
import type { StoredExecution, StoredTask } from './codec.js';
import type { LeaseHolder } from './lease.js';

/** The data of a MemoryStore; it outlives the store, so a new MemoryStore over it is a restart. */
export class MemoryDatabase {
  /** @internal */ readonly tasks = new Map<string, StoredTask>();
  /** @internal */ readonly executions = new Map<string, StoredExecution>();
  /** @internal Execution ids per task id. */ readonly byTask = new Map<string, Set<string>>();
  /** @internal The last fencing token handed out. */ fencingToken = 0;
  /** @internal Who holds the store (lease.ts). */ lease: LeaseHolder | undefined;
}
