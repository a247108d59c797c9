// How a cluster process hears of offers (ClusterStore.watchOffers): the
// watcher a process hands its store and the watch it gets back. A hint
// protocol, apart from the rows' contract in cluster.ts: a store may lack it
// (the process then polls), and no rule of the cluster depends on a notice
// arriving. cluster.ts re-exports both types.

/**
 * What a process watching a store's offers is told (ClusterStore.watchOffers):
 * a wake-up, so a row due now starts at once on some process instead of at
 * the next poll. A hint, never the truth: a process still polls (pollMs) and
 * arms its timer for the earliest row a claim reports, so a notice lost
 * (a dropped connection, a row a tool inserted) delays a row by a poll at most.
 */
export interface OfferWatcher {
  /**
   * A transaction (of this or any process on the store's database) committed
   * rows pending: offers, a task's next slot with an end, a retry, a rescue or
   * a give-back. `dueMs` is the earliest of them (store clock; at or before
   * the store's now: due now). One call per such transaction, in commit order.
   */
  offered(dueMs: number): void;
  /**
   * The watch lost its connection (a database restart, a killed backend): what
   * is offered until resumed() is not told, so claim by polling meanwhile. It
   * connects again by itself in retryInMs.
   */
  interrupted(error: unknown, retryInMs: number): void;
  /** Watching again after interrupted(): rows offered in between were not told (claim once). */
  resumed(): void;
}

/** A watch of offers; close() ends it (no call of its watcher after close() resolves). */
export interface OfferWatch {
  close(): Promise<void>;
}
