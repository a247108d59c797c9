// A durable scheduler over a store that fails: a file damaged deep inside
// (found by recovery's reads, not at open) fails `ready`, and from then on
// every durable call rejects with that same error and writes nothing; rows
// edited by hand into values no task can have (malformed JSON, a negative
// period, a time that is text, a nonsense cron) are reported by `ready`,
// naming each task, left as they are, and the other tasks run.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { SqliteStore } from '../../src/store/sqlite-store.js';
import { VirtualClock } from '../../src/testing/index.js';
import { tempDir } from '../persistence/temp-dir.js';

let dispose: (() => Promise<void>) | undefined;
afterEach(async () => {
  await dispose?.();
  dispose = undefined;
});

async function fileWithTasks(count: number): Promise<string> {
  const dir = await tempDir();
  dispose = dir.dispose;
  const path = dir.file('jobs.db');
  const clock = new VirtualClock();
  const seed = new Scheduler({ clock, store: path, clockWatch: false, retention: false });
  seed.define('job', () => {});
  await seed.scheduleMany(Array.from({ length: count }, (_, i) => ({ id: `task-${i}`, fn: 'job', every: '1m', params: { pad: 'x'.repeat(300), i } })));
  await seed.stop();
  return path;
}

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function scheduler(path: string, clock = new VirtualClock()): Scheduler {
  const s = new Scheduler({ clock, store: path, clockWatch: false, retention: false });
  s.define('job', () => {});
  return s;
}

describe('a store found damaged by recovery', () => {
  it('fails ready, then refuses every durable call with the same StoreCorruptError, writing nothing to the file', async () => {
    const path = await fileWithTasks(2000);
    const bytes = readFileSync(path);
    bytes.fill(0xa5, 4096 * 6, 4096 * 20);
    writeFileSync(path, bytes);
    const before = sha(path);
    const s = scheduler(path);
    s.start();
    const error = await s.ready!.then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_STORE_CORRUPT', path });
    await expect(s.schedule({ id: 'new', fn: 'job', after: 1 })).rejects.toBe(error);
    await expect(s.scheduleMany([{ id: 'new', fn: 'job', after: 1 }])).rejects.toBe(error);
    await expect(s.unschedule('task-1')).rejects.toBe(error);
    await expect(s.getTask('task-1')).rejects.toBe(error);
    await expect(s.history('task-1')).rejects.toBe(error);
    await s.stop();
    expect(sha(path)).toBe(before);
  });
});

describe('rows edited by hand into impossible values', () => {
  it('are reported by ready, each naming its task, left as they are, and the other tasks run', async () => {
    const path = await fileWithTasks(6);
    const raw = new Database(path);
    raw.prepare("UPDATE tasks SET params = '{oops' WHERE id = 'task-1'").run();
    raw.prepare("UPDATE tasks SET period_ms = -5 WHERE id = 'task-2'").run();
    raw.prepare("UPDATE tasks SET next_execution_ms = 'abc' WHERE id = 'task-3'").run();
    raw.prepare("UPDATE tasks SET schedule_kind = 'cron', cron_expression = 'every tuesday' WHERE id = 'task-4'").run();
    raw.close();
    const before = new Database(path, { readonly: true }).prepare('SELECT * FROM tasks ORDER BY id').all();

    const clock = new VirtualClock();
    const s = new Scheduler({ clock, store: path, clockWatch: false, retention: false });
    const ran = new Set<string>();
    s.define('job', (_p, ctx) => void ran.add(ctx.taskId));
    const invalidEvents: string[] = [];
    s.events.addEventListener('taskinvalid', (e) => invalidEvents.push(e.detail.taskId));
    s.start();
    const report = await s.ready!;
    expect(report.tasks).toBe(2);
    expect(report.invalidTasks.map((e) => [e.code, e.taskId])).toEqual([
      ['ERR_INVALID_TASK_RECORD', 'task-1'], ['ERR_INVALID_TASK_RECORD', 'task-2'], ['ERR_INVALID_TASK_RECORD', 'task-3'], ['ERR_INVALID_TASK_RECORD', 'task-4'],
    ]);
    expect(invalidEvents).toEqual(['task-1', 'task-2', 'task-3', 'task-4']);
    const messages = report.invalidTasks.map((e) => e.message);
    expect(messages[0]).toMatch(/task 'task-1': the stored record is invalid \(.*JSON/);
    expect(messages[1]).toMatch(/task 'task-2': .*periodMs must be a number of ms > 0 and at most 1e15, received -5/);
    expect(messages[2]).toMatch(/task 'task-3': .*nextExecutionMs must be a finite number of ms, received 'abc'/);
    expect(messages[3]).toMatch(/task 'task-4': .*every tuesday/);
    await expect(s.getTask('task-2')).rejects.toMatchObject({ code: 'ERR_INVALID_TASK_RECORD', taskId: 'task-2' });
    await clock.advance(61_000);
    expect([...ran].sort()).toEqual(['task-0', 'task-5']);
    // The invalid rows are as they were; scheduling such a task again replaces its record.
    const after = new Database(path, { readonly: true }).prepare("SELECT * FROM tasks WHERE id IN ('task-1', 'task-2', 'task-3', 'task-4') ORDER BY id").all();
    expect(after).toEqual(before.filter((row) => ['task-1', 'task-2', 'task-3', 'task-4'].includes((row as { id: string }).id)));
    await s.schedule({ id: 'task-2', fn: 'job', every: '1m' });
    await clock.advance(60_000);
    expect(ran.has('task-2')).toBe(true);
    await s.stop();
  });

  it('a store read on its own reports such a row as invalid, or hands it to onInvalid and goes on', async () => {
    const path = await fileWithTasks(3);
    const raw = new Database(path);
    raw.prepare("UPDATE tasks SET metadata = '[1,' WHERE id = 'task-0'").run();
    raw.close();
    const store = new SqliteStore(path);
    await store.open();
    const all = async (options?: Parameters<SqliteStore['loadTasks']>[0]) => {
      const ids: string[] = [];
      for await (const batch of store.loadTasks(options)) ids.push(...batch.map((t) => t.id));
      return ids;
    };
    await expect(all()).rejects.toMatchObject({ code: 'ERR_INVALID_TASK_RECORD', taskId: 'task-0' });
    const invalid: string[] = [];
    expect(await all({ batchSize: 2, onInvalid: (e) => invalid.push(e.taskId) })).toEqual(['task-1', 'task-2']);
    expect(invalid).toEqual(['task-0']);
    await store.close();
  });
});
