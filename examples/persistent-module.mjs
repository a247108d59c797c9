// Seed 004 (a persistent scheduler module): modules register their scheduled
// events with a description, an owner module and metadata; the events survive
// a restart in a SQLite file; every execution is kept in a history; an
// operator runs one now (seed 004's execute_event_now) without disturbing its
// schedule.
//
//   npm install better-sqlite3 && npm run build && node examples/persistent-module.mjs
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Scheduler } from 'timeslice';

const path = join(tmpdir(), `persistent-module-${process.pid}.db`);

/** One process's life: define the functions, start, register the module's events at each start. */
async function startProcess() {
  const scheduler = new Scheduler({ store: path });
  const cleanup = scheduler.define('cleanupSessions', async ({ olderThanDays }, ctx) => {
    return { removed: olderThanDays * 10, manual: ctx.manual };
  });
  scheduler.start();
  await scheduler.ready;
  // Registering the same definition again at every start changes nothing (its grid and count are kept).
  await scheduler.schedule({
    id: 'sessions.cleanup',
    fn: cleanup,
    params: { olderThanDays: 7 },
    every: '150ms',
    description: 'Remove expired sessions',
    ownerModule: 'sessions',
    metadata: { team: 'identity' },
  });
  return scheduler;
}

const completed = (scheduler, count) =>
  new Promise((resolve) => {
    let seen = 0;
    const onComplete = () => {
      if (++seen === count) {
        scheduler.events.removeEventListener('slotcomplete', onComplete);
        resolve();
      }
    };
    scheduler.events.addEventListener('slotcomplete', onComplete);
  });

let scheduler = await startProcess();
await completed(scheduler, 2);
await scheduler.stop();

// A restart: the event and its history are still there.
scheduler = await startProcess();
const task = await scheduler.getTask('sessions.cleanup');
console.log(`after a restart: '${task.description}' of module ${task.ownerModule}, ${task.executionCount} executions, status ${task.status}`);

// An operator runs it now: its own execution, beside the schedule.
const done = completed(scheduler, 1);
const manual = await scheduler.runNow('sessions.cleanup');
await done;
const after = await scheduler.getTask('sessions.cleanup');
const { executions } = await scheduler.history('sessions.cleanup', { limit: 10 });
// Fixed rate: scheduled slots stay on the grid of the first one, a manual run or not.
const scheduledSlot = executions.find((e) => e.scheduleVersion !== 0).nominalMs;
const onGrid = (after.nextExecutionMs - scheduledSlot) % 150 === 0;
console.log(`run now: execution ${manual.id} claimed; the next scheduled run ${onGrid ? 'stays on its 150 ms grid' : 'LEFT ITS GRID'}`);

const ended = executions.filter((e) => e.outcome !== 'running');
console.log(`history: ${ended.length} ended executions, ${ended.filter((e) => e.scheduleVersion === 0).length} manual`);
// The manual run, and the latest scheduled one.
for (const e of [ended.find((x) => x.scheduleVersion === 0), ended.find((x) => x.scheduleVersion !== 0)]) console.log(`  ${e.scheduleVersion === 0 ? 'manual   ' : 'scheduled'} attempt ${e.attempt} ${e.outcome} -> ${JSON.stringify(e.result)}`);
await scheduler.stop();
for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
