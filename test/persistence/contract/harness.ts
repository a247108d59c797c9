// What the contract needs from each store's test file, and the fixtures the
// cases share. A "location" is one database (a memory database, a file, an
// IndexedDB name): every store() it makes opens that same data, so closing one
// and opening the next is a restart.
import type { Store } from '../../../src/store/store.js';
import { type TaskInit, type TaskRecord, taskRecord } from '../../../src/store/records.js';

export interface StoreLocation {
  /** A new, unopened store over this location's database. */
  store(): Store;
  /** Removes what the location left behind (files). */
  dispose(): Promise<void>;
}

export interface StoreHarness {
  /** The store's name, for test titles. */
  name: string;
  /** A location with no database in it yet. */
  location(): Promise<StoreLocation>;
}

export interface ContractCase {
  name: string;
  /**
   * The case takes the lease over from a store instance that is still open
   * (a process paused past its lease). A store that knows its holders are
   * alive by other means refuses that by design (IndexedDbStore with Web
   * Locks: an open tab keeps its lock), so it runs these cases without them.
   */
  takesOverLiveHolder?: true;
  run(harness: StoreHarness): Promise<void>;
}

/** Runs `body` with an opened store over a fresh location, then closes and disposes of both. */
export async function withStore<T>(harness: StoreHarness, body: (store: Store, location: StoreLocation) => Promise<T>): Promise<T> {
  const location = await harness.location();
  const store = location.store();
  try {
    await store.open();
    return await body(store, location);
  } finally {
    await store.close();
    await location.dispose();
  }
}

/** A plain pending task due at `nextExecutionMs`. */
export function task(id: string, fields: Partial<TaskInit> = {}): TaskRecord {
  return taskRecord({ id, functionName: 'work', scheduleKind: 'fixed-rate', periodMs: 1000, createdAtMs: 1_000, ...fields });
}

/** A record with every field set to something other than its default. */
export function fullTask(id: string): TaskRecord {
  return {
    id,
    name: 'Nightly report ✓',
    description: 'Sums the day — with "quotes" and \\ backslashes',
    ownerModule: 'reports',
    functionName: 'sendReport',
    params: { recipients: ['a@example.com', 'b@example.com'], depth: { nested: [1, -2.5, true, null, 'x'] }, empty: {} },
    scheduleKind: 'cron',
    delayMs: 250,
    periodMs: 86_400_000,
    atMs: -1_000.5,
    cronExpression: '0 9 * * 1-5',
    timeZone: 'Europe/London',
    dstGap: 'skip',
    dstOverlap: 'both',
    priority: 'low',
    misfire: { policy: 'catch-up', graceMs: 30_000, catchUpWindowMs: 3_600_000, catchUpMax: 5 },
    retry: { attempts: 3, backoff: 'exponential', delayMs: 1000 },
    createdAtMs: 1_700_000_000_000,
    updatedAtMs: 1_700_000_000_123.25,
    lastExecutionMs: 1_699_999_000_000,
    nextExecutionMs: 1_700_086_400_000,
    executionCount: 41,
    maxExecutions: 100,
    status: 'running',
    lastError: 'TypeError: x is undefined',
    metadata: { tags: ['nightly'], owner: { team: 'data' } },
    timeoutMs: 90_000,
    constraints: {
      timeZone: 'Europe/Paris', workingHours: [{ days: [1, 2, 3, 4, 5], fromMinute: 540, toMinute: 1020 }],
      blackouts: [{ name: 'freeze', fromMs: 1_700_000_000_000, toMs: 1_700_086_400_000 }, { name: 'backup', cron: '0 2 * * *', durationMs: 3_600_000 }],
      maxPerDay: 3, admit: 'notOnHolidays', inadmissible: 'defer',
    },
    // A cron task has no calendar period (that is a fixed-rate task's); its start and end are set.
    calendarPeriod: null,
    startAtMs: 1_699_000_000_000,
    endAtMs: 1_800_000_000_000,
    scheduleVersion: 3,
    highWaterMarkMs: 1_699_999_000_000,
  };
}

/** A claim of `taskId`'s slot at nominalMs (version 1 unless given). */
export function slot(taskId: string, nominalMs: number, scheduleVersion = 1) {
  return { taskId, scheduleVersion, nominalMs, startedAtMs: nominalMs + 5 };
}

/** Every task the store holds, through loadTasks(). */
export async function allTasks(store: Store, batchSize?: number): Promise<TaskRecord[]> {
  const tasks: TaskRecord[] = [];
  for await (const batch of store.loadTasks(batchSize === undefined ? undefined : { batchSize })) tasks.push(...batch);
  return tasks;
}

/** Every execution of a task, newest first, through history(). */
export async function allHistory(store: Store, taskId: string) {
  return (await store.history(taskId, { limit: 10_000 })).executions;
}
