// Task queries: the filters and keyset pages of scheduler.tasks(), as every
// store answers them (Store.queryTasks), and the rules they share.
//
// Paging is keyset on the task id, the one field of a task that never
// changes: a page is "the first `limit` matching tasks whose id sorts after
// the previous page's last id", in the store's own string order (SQLite:
// UTF-8 bytes; IndexedDB and MemoryStore: UTF-16 code units; each store
// compares cursors in the order it sorted by). So tasks added or removed
// between pages never make another task appear twice or be skipped: a task
// that exists and matches the filters from the first page to the last is in
// exactly one page. (A task whose status changes between pages is filtered by
// its status at the time its page is read.)
//
// `lastExecution` is derived at read time, not written per run: the task
// record already keeps the nominal time of the last slot that ran
// (lastExecutionMs, written with the run's end); its outcome and end time are
// read from that slot's execution record (a primary-key lookup per task of
// the page). History pruned by retention leaves the time and an outcome of null.
import type { ExecutionOutcome, TaskRecord, TaskStatus } from './records.js';
import { TASK_STATUSES } from './records.js';
import { checkId, checkIntegerInRange, checkObject, checkTimeMs, invalid } from './validate.js';

/** What a store is asked (the scheduler resolves TasksQuery into it). */
export interface TaskQuery {
  /** The statuses wanted: non-empty, no repeats. */
  statuses: readonly TaskStatus[];
  /** Only tasks of this owner module; null: any. */
  ownerModule: string | null;
  /** Only tasks of this name; null: any. */
  name: string | null;
  /** Only tasks whose next slot is strictly before this wall time (ms since the epoch); null: any, with or without a next slot. */
  nextBeforeMs: number | null;
  /** Only tasks whose id sorts strictly after this one (the previous page's last); null: from the first. */
  afterId: string | null;
  /** At most this many tasks, 1 to 1001. */
  limit: number;
}

/** The last slot of a task that ran to an end, as its execution record tells. */
export interface LastExecution {
  /** The slot's nominal time (ms since the epoch); for a manual run (runNow), when it was asked for. */
  nominalMs: number;
  /** 'succeeded' or 'failed'; null when its record is gone (pruned by retention). */
  outcome: Extract<ExecutionOutcome, 'succeeded' | 'failed'> | null;
  /** When its last attempt ended (ms since the epoch); null when its record is gone. */
  endedAtMs: number | null;
}

/** A task as a query answers it: the stored record, and its last execution. */
export interface QueriedTask extends TaskRecord {
  /** The last slot that ran to an end (succeeded, or failed after its last attempt), or null if none has. */
  lastExecution: LastExecution | null;
}

/** Tasks per page the scheduler may ask for (a store is asked for one more, to know if another page follows). */
export const MAX_TASK_PAGE = 1000;

/** Checks a store-level query (stores run it before reading, as every Store method checks its arguments). */
export function checkTaskQuery(value: unknown, path = 'query'): asserts value is TaskQuery {
  checkObject(value, path);
  const q = value as Record<string, unknown>;
  if (!Array.isArray(q.statuses) || q.statuses.length === 0 || !q.statuses.every((s) => (TASK_STATUSES as readonly unknown[]).includes(s))) {
    throw invalid(`${path}.statuses`, `a non-empty array of ${TASK_STATUSES.map((s) => `'${s}'`).join(', ')}`, q.statuses);
  }
  if (new Set(q.statuses).size !== q.statuses.length) throw invalid(`${path}.statuses`, 'an array without repeats', q.statuses);
  if (q.ownerModule !== null) checkNonEmpty(q.ownerModule, `${path}.ownerModule`);
  if (q.name !== null) checkNonEmpty(q.name, `${path}.name`);
  if (q.nextBeforeMs !== null) checkTimeMs(q.nextBeforeMs, `${path}.nextBeforeMs`);
  if (q.afterId !== null) checkId(q.afterId, `${path}.afterId`);
  checkIntegerInRange(q.limit, `${path}.limit`, 1, MAX_TASK_PAGE + 1);
}

function checkNonEmpty(value: unknown, path: string): void {
  if (typeof value !== 'string' || value.length === 0) throw invalid(path, 'a non-empty string or null', value);
}

/** Whether a task matches the query's filters (its id's place is the page's business). */
export function matchesTaskQuery(task: Pick<TaskRecord, 'status' | 'ownerModule' | 'name' | 'nextExecutionMs'>, query: TaskQuery): boolean {
  if (!query.statuses.includes(task.status)) return false;
  if (query.ownerModule !== null && task.ownerModule !== query.ownerModule) return false;
  if (query.name !== null && task.name !== query.name) return false;
  if (query.nextBeforeMs !== null && (task.nextExecutionMs === null || !(task.nextExecutionMs < query.nextBeforeMs))) return false;
  return true;
}

/** The execution a LastExecution is read from, among a slot's records (a manual run and a scheduled slot may share a nominal time). */
export interface EndedCandidate {
  outcome: ExecutionOutcome;
  endedAtMs: number | null;
}

/**
 * The last execution of a task with `lastExecutionMs`, from the records of
 * that slot's nominal time: the one that ran to an end (succeeded or failed)
 * last; its outcome null when none is left.
 */
export function lastExecutionOf(lastExecutionMs: number | null, candidates: Iterable<EndedCandidate>): LastExecution | null {
  if (lastExecutionMs === null) return null;
  let best: EndedCandidate | undefined;
  for (const c of candidates) {
    if (c.outcome !== 'succeeded' && c.outcome !== 'failed') continue;
    if (best === undefined || (c.endedAtMs ?? 0) > (best.endedAtMs ?? 0)) best = c;
  }
  return best === undefined
    ? { nominalMs: lastExecutionMs, outcome: null, endedAtMs: null }
    : { nominalMs: lastExecutionMs, outcome: best.outcome as 'succeeded' | 'failed', endedAtMs: best.endedAtMs };
}

/**
 * A query answered over a list of records, sorted here (MemoryStore, and the
 * scheduler's fallback for a store without queryTasks): filter, order by id
 * (UTF-16 code units, JavaScript's `<`), keep the page.
 */
export function pageOfRecords<T extends Pick<TaskRecord, 'id' | 'status' | 'ownerModule' | 'name' | 'nextExecutionMs'>>(records: Iterable<T>, query: TaskQuery): T[] {
  const matching: T[] = [];
  for (const task of records) {
    if (query.afterId !== null && !(task.id > query.afterId)) continue;
    if (matchesTaskQuery(task, query)) matching.push(task);
  }
  matching.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return matching.length > query.limit ? matching.slice(0, query.limit) : matching;
}
