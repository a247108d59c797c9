// The rows a claim of this process wrote, as it wrote them, until their
// finish (PostgresCluster: #record fills it, cluster-finish.ts reads it).
//
// A claim writes each slot's execution and its task's marks, then the slot's
// finish locks and reads both again (finishLocks): the task's whole row
// (~850 bytes of JSON for a no-op one-off) and the execution's, made by the
// server, sent, parsed and unescaped per job, to learn what this process
// wrote itself in most cases. So the claim remembers the records it wrote
// with the id of its transaction (txid_current's low 32 bits, what `xmin`
// shows on the rows that transaction wrote), and the finish sends that id:
// a row whose xmin is still that id is the very version the claim wrote
// (any later write, by anyone, gives the row a new version with its own
// xmin), and comes back as a mark instead of whole. A claim whose
// transaction did not commit left no row with its id: its entries never
// match. Ids are reused only after 2^32 transactions, and an entry lives
// from a claim to its finish (at most MAX_ENTRIES entries, oldest dropped
// first): a miss reads the row as before, so a dropped entry costs a read.
import type { StoredExecution, StoredTask } from '../codec.js';

/** What a claim wrote for one slot: its execution record and task, and the writing transaction's id. */
export interface KnownRow {
  xid: number;
  execution: StoredExecution;
  task: StoredTask;
}

/** Entries kept at most: well above the rows a process holds (its concurrency plus a local queue of ~100). */
const MAX_ENTRIES = 10_000;

export class KnownRows {
  readonly #byExecution = new Map<string, KnownRow>();

  /** The rows a committed claim wrote for `executionId` (a later claim of the slot replaces them). */
  set(executionId: string, row: KnownRow): void {
    const rows = this.#byExecution;
    rows.delete(executionId);
    rows.set(executionId, row);
    if (rows.size > MAX_ENTRIES) rows.delete(rows.keys().next().value!);
  }

  /** The entry of `executionId`, taken out: a finish reads it once, whatever its outcome. */
  take(executionId: string): KnownRow | undefined {
    const row = this.#byExecution.get(executionId);
    if (row !== undefined) this.#byExecution.delete(executionId);
    return row;
  }

  clear(): void {
    this.#byExecution.clear();
  }

  get size(): number {
    return this.#byExecution.size;
  }
}

/** `e` as finishLocks reads a stored execution back: every field present, null where absent. */
export function asStored(e: StoredExecution): StoredExecution {
  return {
    id: e.id, taskId: e.taskId, scheduleVersion: e.scheduleVersion, nominalMs: e.nominalMs, attempt: e.attempt, fencingToken: e.fencingToken,
    startedAtMs: e.startedAtMs ?? null, endedAtMs: e.endedAtMs ?? null, outcome: e.outcome, result: e.result, error: e.error,
    skipReason: e.skipReason ?? null, state: e.state, traceId: e.traceId ?? null, spanId: e.spanId ?? null,
  };
}
