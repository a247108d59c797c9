// timeslice through its public durable API, as the README shows it: a
// Scheduler over a SqliteStore (WAL; synchronous FULL by default, or
// NORMAL), a function defined by name, `scheduleMany()` with one options
// object per job, and `slotcomplete` (an attempt's end committed) to see each
// completion.
import '../../../scripts/current-dist.mjs';
import Database from 'better-sqlite3';
import { Scheduler } from '../../../dist/index.js';
import { SqliteStore } from '../../../dist/store/sqlite.js';
import { expectEach } from './jobs.mjs';

/** The store and scheduler of one repetition; clock watch and retention off (neither runs in these few seconds). */
function makeScheduler(file, sync, concurrency) {
  const store = new SqliteStore({ path: file, synchronous: sync });
  return new Scheduler({ store, concurrency, clockWatch: false, retention: false });
}

/** A separate read-only connection's count of rows matching `sql`: what the file holds, not what the scheduler says. */
function countRows(file, sql) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).pluck().get();
  } finally {
    db.close();
  }
}

export const timeslice = {
  name: 'timeslice',
  durability: (sync) => `SQLite WAL, synchronous=${sync.toUpperCase()}`,

  /** scheduleMany(n jobs due now) into a store opened and owned beforehand, the scheduler not started (nothing runs). */
  async enqueue({ n, sync, file, stopwatch }) {
    const scheduler = makeScheduler(file, sync, 1);
    scheduler.define('noop', () => {});
    // Untimed: open the file and take the store's lease, as the peers create their tables beforehand.
    await scheduler.schedule({ id: 'warm-up', fn: 'noop', after: '1h' });
    await scheduler.unschedule('warm-up');
    stopwatch.start();
    const list = [];
    for (let i = 0; i < n; i++) list.push({ id: `job-${i}`, fn: 'noop', params: { i }, after: 0 });
    await scheduler.scheduleMany(list);
    stopwatch.stop();
    await scheduler.stop();
    const stored = countRows(file, "SELECT count(*) FROM tasks WHERE status = 'pending'");
    if (stored !== n) throw new Error(`timeslice enqueue: ${stored} pending tasks stored, expected ${n}`);
    return {};
  },

  /** A started scheduler (recovered, idle); timed: scheduleMany(n due now) until the n-th completion is committed. */
  async endToEnd({ n, sync, file, concurrency, stopwatch }) {
    const runs = new Uint8Array(n);
    const scheduler = makeScheduler(file, sync, concurrency);
    scheduler.define('noop', async (params) => {
      runs[params.i]++;
    });
    scheduler.start();
    await scheduler.ready;
    let completed = 0;
    let allDone;
    const done = new Promise((resolve) => {
      allDone = resolve;
    });
    scheduler.events.addEventListener('slotcomplete', (event) => {
      if (event.detail.outcome === 'succeeded' && ++completed === n) allDone();
    });
    stopwatch.start();
    const list = [];
    for (let i = 0; i < n; i++) list.push({ id: `job-${i}`, fn: 'noop', params: { i }, after: 0 });
    await scheduler.scheduleMany(list);
    await done;
    stopwatch.stop();
    await scheduler.stop();
    expectEach('timeslice', runs, 1);
    const succeeded = countRows(file, "SELECT count(DISTINCT task_id) FROM executions WHERE outcome = 'succeeded'");
    const completedTasks = countRows(file, "SELECT count(*) FROM tasks WHERE status = 'completed'");
    if (succeeded !== n || completedTasks !== n) {
      throw new Error(`timeslice end to end: the file holds ${succeeded} succeeded executions and ${completedTasks} completed tasks, expected ${n}`);
    }
    return {};
  },
};
