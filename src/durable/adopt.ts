// How a task the store holds becomes live in this scheduler: a registration
// the store created, a registration of a task the store had (what it becomes
// follows the store's PutStatus), and a task recovery found, which may meet a
// live one a registration made first. Each keeps one live task per id.
import { StoreError } from '../store/errors.js';
import type { TaskRecord } from '../store/records.js';
import type { PutStatus } from '../store/store.js';
import type { LiveTask } from './live-task.js';
import type { LiveTasks } from './live-tasks.js';
import type { StoreSession } from './store-session.js';

/** A new task: live at once (a live one of that id, if any, belonged to a record the store no longer has). */
export function adoptCreated(tasks: LiveTasks, record: TaskRecord): TaskRecord {
  const existing = tasks.get(record.id);
  if (existing !== undefined) tasks.remove(existing);
  tasks.add(tasks.make(record));
  return record;
}

/** The scheduler's state as adoptStored reads it, after each wait. */
export interface AdoptHost {
  /** The description of the store, for the error if the task vanished. */
  description: string;
  /** Whether `session` (the one the registration was written in) is still the scheduler's. */
  isCurrent: () => boolean;
  /** The scheduler's live tasks now. */
  tasks: () => LiveTasks;
}

/**
 * A registration of a task the store had: what it becomes depends on what
 * the store did (PutStatus). `unchanged`: the live task goes on as it was,
 * its queued slots and retries included (re-registering at every start
 * loses nothing). `updated`: the live task takes the new definition, and
 * its queued slots and retries run with it. `rescheduled`: the old
 * schedule's queued slots are dropped, its unfinished attempts end as
 * cancelled (superseded), and the task starts over from the new schedule.
 * A task that is not live (not recovered yet, or ended) is read and made
 * live if it is pending. Nothing is made live once `session` is no longer
 * the scheduler's.
 */
export async function adoptStored(session: StoreSession, id: string, status: PutStatus, host: AdoptHost): Promise<TaskRecord> {
  const store = await session.owned();
  const stored = await store.getTask(id);
  if (stored === undefined) throw new StoreError(`${host.description}: task '${id}' vanished after its registration was committed`);
  if (!host.isCurrent()) return stored;
  const live = host.tasks().get(id);
  if (live !== undefined && status === 'unchanged') return stored;
  if (live !== undefined && status === 'updated') {
    host.tasks().redefine(live, stored);
    return stored;
  }
  if (live !== undefined) await host.tasks().supersede(live, store, `the task was rescheduled (schedule version ${stored.scheduleVersion})`);
  const tasks = host.tasks();
  if ((stored.status === 'pending' || stored.status === 'running') && tasks.get(id) === undefined) tasks.add(tasks.make(stored));
  return stored;
}

/** A task recovery found: made live, unless schedule() made the same id live before or during recovery. */
export function adoptRecovered(tasks: LiveTasks, task: LiveTask): void {
  const live = tasks.get(task.record.id);
  if (live === undefined) {
    tasks.add(task);
    return;
  }
  // That one is newer, but the dead process's unfinished attempts recovery found (retries queued on `task`) still go to it.
  live.queue.unshift(...task.queue);
  if (task.queue.length > 0 && !live.running) {
    tasks.dropCoreTask(live);
    tasks.continueTask(live);
  }
}
