// scheduler.tasks(): the public query over durable tasks, checked here and
// answered by the store (Store.queryTasks, src/store/task-query.ts has the
// paging rules), or, for a store without it, by reading every task.
//
// The cursor is opaque to the caller: the last id of the page, as UTF-8 in
// base64url behind a version prefix, so it fits in a URL and can change form
// later. A cursor that is not one this code wrote is refused with
// InvalidCursorError, never read as something else.
import { describeValue, InvalidArgumentError } from '../../bindings/errors.js';
import { executionIdOf, TASK_STATUSES, type TaskStatus } from '../store/records.js';
import type { Store } from '../store/store.js';
import { lastExecutionOf, MAX_TASK_PAGE, pageOfRecords, type QueriedTask, type TaskQuery } from '../store/task-query.js';
import { MAX_ID_LENGTH } from '../store/validate.js';
import { InvalidCursorError } from './errors.js';

/**
 * What scheduler.tasks() is asked. Every filter is optional; those given
 * must all match.
 * @example await scheduler.tasks({ status: 'pending', ownerModule: 'billing', limit: 50 })
 */
export interface TasksQuery {
  /**
   * Only tasks in this status, or in any of these:
   * - `pending`: waiting for its next slot (or for a failed attempt's retry backoff);
   * - `running`: a slot is claimed and its attempt has not ended (after a
   *   crash, until the next start's recovery retries it);
   * - `completed`: no slot left (a one-off that ran, maxExecutions reached, a schedule that ended);
   * - `failed`: a one-off whose last attempt failed;
   * - `cancelled`: unscheduled.
   * @default every status
   */
  status?: TaskStatus | readonly TaskStatus[];
  /** Only tasks registered with this `ownerModule`. @default any */
  ownerModule?: string;
  /** Only tasks of this `name`. @default any */
  name?: string;
  /**
   * Only tasks whose next slot is due strictly before this wall-clock time (a
   * Date, or ms since the epoch); tasks without a next slot never match.
   * @default any
   * @example { status: 'pending', nextBefore: Date.now() + 3_600_000 } // due within the hour
   */
  nextBefore?: Date | number;
  /** Tasks per page, 1 to 1000. @default 100 */
  limit?: number;
  /** The `cursor` of the previous page; omitted or null for the first page. @default null */
  cursor?: string | null;
}

/** A page of tasks, in task id order. */
export interface TasksPage {
  tasks: QueriedTask[];
  /** Pass as `cursor` for the next page; null when this page is the last. */
  cursor: string | null;
}

const QUERY_KEYS = new Set(['status', 'ownerModule', 'name', 'nextBefore', 'limit', 'cursor']);
export const DEFAULT_TASK_PAGE = 100;
const CURSOR_PREFIX = 't1.';

/** The cursor after a page whose last task is `id`. */
export function encodeCursor(id: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(id)) binary += String.fromCharCode(byte);
  return CURSOR_PREFIX + btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The id a cursor holds; InvalidCursorError for anything encodeCursor() did not write. */
export function decodeCursor(cursor: string, path: string): string {
  const body = cursor.startsWith(CURSOR_PREFIX) ? cursor.slice(CURSOR_PREFIX.length) : undefined;
  let id: string | undefined;
  if (body !== undefined && /^[A-Za-z0-9_-]+$/.test(body)) {
    try {
      const binary = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
      id = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    } catch {
      id = undefined;
    }
  }
  // Only the exact text encodeCursor() writes for a possible task id.
  if (id === undefined || id.length === 0 || id.length > MAX_ID_LENGTH || encodeCursor(id) !== cursor) {
    throw new InvalidCursorError(`${path} is not a cursor from tasks() (pass the \`cursor\` of the previous page, or null), received ${describeValue(cursor)}`);
  }
  return id;
}

function checkText(value: unknown, path: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(`${path} must be a non-empty string, received ${describeValue(value)}`);
  return value;
}

function resolveStatuses(value: unknown, path: string): TaskStatus[] {
  if (value === undefined) return [...TASK_STATUSES];
  const list = typeof value === 'string' ? [value] : value;
  const allowed = TASK_STATUSES.map((s) => `'${s}'`).join(', ');
  if (!Array.isArray(list) || list.length === 0) throw new InvalidArgumentError(`${path} must be one of ${allowed} or a non-empty array of them, received ${describeValue(value)}`);
  for (const status of list) {
    if (!(TASK_STATUSES as readonly unknown[]).includes(status)) throw new InvalidArgumentError(`${path} must be one of ${allowed} (or an array of them), received ${describeValue(status)}`);
  }
  // In the canonical order, without repeats: the same statuses make the same query.
  return TASK_STATUSES.filter((s) => list.includes(s));
}

function resolveNextBefore(value: unknown, path: string): number | null {
  if (value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(`${path} must be a valid Date or a finite number of ms since the epoch, received ${describeValue(value)}`);
  }
  return ms;
}

/** The store query for a page of `limit` tasks (one more is asked for, to know whether another page follows), and that limit. */
export function resolveTasksQuery(options: unknown): { query: TaskQuery; limit: number } {
  const path = 'tasks: query';
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidArgumentError(`${path} must be an object, received ${describeValue(options)}`);
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!QUERY_KEYS.has(key)) {
      const hint = key === 'module' ? " (a task's owner is `ownerModule`)" : '';
      throw new InvalidArgumentError(`${path}.${key} is not a tasks() option${hint} (known: ${[...QUERY_KEYS].join(', ')})`);
    }
  }
  const limit = o.limit ?? DEFAULT_TASK_PAGE;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1 || limit > MAX_TASK_PAGE) {
    throw new InvalidArgumentError(`${path}.limit must be an integer from 1 to ${MAX_TASK_PAGE}, received ${describeValue(o.limit)}`);
  }
  let afterId: string | null = null;
  if (o.cursor !== undefined && o.cursor !== null) {
    if (typeof o.cursor !== 'string') throw new InvalidCursorError(`${path}.cursor must be a string from tasks() or null, received ${describeValue(o.cursor)}`);
    afterId = decodeCursor(o.cursor, `${path}.cursor`);
  }
  return {
    query: {
      statuses: resolveStatuses(o.status, `${path}.status`),
      ownerModule: checkText(o.ownerModule, `${path}.ownerModule`),
      name: checkText(o.name, `${path}.name`),
      nextBeforeMs: resolveNextBefore(o.nextBefore, `${path}.nextBefore`),
      afterId,
      limit: limit + 1,
    },
    limit,
  };
}

/** A page of tasks from `store`. */
export async function queryTasksPage(store: Store, resolved: { query: TaskQuery; limit: number }): Promise<TasksPage> {
  const { query, limit } = resolved;
  const found = store.queryTasks === undefined ? await scanTasks(store, query) : await store.queryTasks(query);
  const tasks = found.length > limit ? found.slice(0, limit) : found;
  return { tasks, cursor: found.length > limit ? encodeCursor((tasks[tasks.length - 1] as QueriedTask).id) : null };
}

/** A store without queryTasks (one written for an older timeslice): every task read, filtered and sorted here. */
async function scanTasks(store: Store, query: TaskQuery): Promise<QueriedTask[]> {
  let kept: QueriedTask[] = [];
  for await (const batch of store.loadTasks()) {
    kept = pageOfRecords([...kept, ...pageOfRecords(batch, query).map((task) => ({ ...task, lastExecution: null }))], query);
  }
  return Promise.all(
    kept.map(async (task) => {
      const n = task.lastExecutionMs;
      if (n === null) return task;
      const versions = [...new Set([task.scheduleVersion, 0])];
      const records = await Promise.all(versions.map((v) => store.getExecution(executionIdOf({ taskId: task.id, scheduleVersion: v, nominalMs: n }))));
      return { ...task, lastExecution: lastExecutionOf(n, records.filter((e) => e !== undefined)) };
    }),
  );
}
