// Contract cases for task records: round trips, batch atomicity, upserts,
// updates, loading, deleting, reopening, refusing bad input.
import { equal, mustReturnPromise, ok, rejects } from './check.js';
import { allHistory, allTasks, type ContractCase, fullTask, slot, task, withStore } from './harness.js';

export const taskCases: ContractCase[] = [
  {
    name: 'open() reports the schema version and is idempotent',
    run: (h) => withStore(h, async (store) => {
      const again = await store.open();
      ok(Number.isInteger(again.schemaVersion) && again.schemaVersion >= 1, `schemaVersion ${again.schemaVersion}`);
      equal(await store.open(), again, 'a second open');
    }),
  },
  {
    name: 'every task field round-trips exactly, through getTask and loadTasks',
    run: (h) => withStore(h, async (store) => {
      const record = fullTask('report/daily');
      const plain = task('plain');
      await store.putTasks([record, plain]);
      equal(await store.getTask('report/daily'), record, 'getTask');
      equal(await store.getTask('plain'), plain, 'getTask of a record of defaults');
      const loaded = await allTasks(store);
      equal(loaded.find((t) => t.id === 'report/daily'), record, 'loadTasks');
      equal(await store.getTask('missing'), undefined, 'an unknown id');
    }),
  },
  {
    name: 'strings holding U+0000 and U+FFFF round-trip in ids, names, free text, JSON, error messages and skip reasons',
    run: (h) => withStore(h, async (store) => {
      // U+0000 is what PostgreSQL's text cannot hold; U+FFFF is what a store that escapes it would use.
      const odd = 'a\u0000b\uffffc\uffff0\u0000';
      const record = task(`id${odd}`, { name: `name${odd}`, ownerModule: `module${odd}`, description: odd, params: { [odd]: odd }, lastError: odd });
      await store.putTasks([record, task('plain')]);
      equal(await store.getTask(record.id), record, 'getTask');
      equal((await allTasks(store)).find((t) => t.id === record.id), record, 'loadTasks');
      const [claimed] = await store.claim([slot(record.id, 100)]);
      ok(claimed?.status === 'claimed' && claimed.execution.id === `${record.id}/1/100`, `claimed: ${JSON.stringify(claimed)}`);
      const done = await store.complete({
        executionId: claimed.execution.id, fencingToken: claimed.execution.fencingToken, outcome: 'failed', endedAtMs: 150,
        error: { message: odd }, taskUpdate: { lastError: `boom${odd}`, lastExecutionMs: 100 },
      });
      equal(done.status === 'completed' ? [done.execution.error, done.task?.lastError] : done, [{ message: odd }, `boom${odd}`], 'complete');
      await store.recordSkipped([{ taskId: record.id, scheduleVersion: 1, nominalMs: 200, reason: `skipped${odd}`, recordedAtMs: 201 }]);
      equal((await allHistory(store, record.id)).map((e) => [e.id, e.skipReason]), [[`${record.id}/1/200`, `skipped${odd}`], [`${record.id}/1/100`, null]], 'history');
      if (store.queryTasks !== undefined) {
        const query = { statuses: ['pending', 'running'] as const, ownerModule: record.ownerModule, name: record.name, nextBeforeMs: null, afterId: null, limit: 10 };
        equal((await store.queryTasks({ ...query, statuses: [...query.statuses] })).map((t) => [t.id, t.lastExecution?.outcome]), [[record.id, 'failed']], 'queryTasks');
      }
    }),
  },
  {
    name: 'putTasks is one transaction: one unstorable record rejects the batch and nothing of it is written',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('kept', { name: 'before' })]);
      const bad = task('bad', { params: { a: { b: () => 1 } } as never });
      const error = await rejects(store.putTasks([task('first'), bad, task('kept', { name: 'after' })]), 'ERR_UNSTORABLE_PAYLOAD', 'tasks[1].params.a.b');
      equal((error as unknown as { path: string }).path, 'tasks[1].params.a.b', 'error.path');
      equal((await allTasks(store)).map((t) => [t.id, t.name]), [['kept', 'before']], 'the store after the failed batch');
    }),
  },
  {
    name: 'putTasks replaces a record: createdAtMs stays, scheduleVersion moves only when the schedule changes, the high-water mark never goes back',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t', { createdAtMs: 5 })]);
      await store.claim([slot('t', 10_000)]);
      await store.putTasks([task('t', { createdAtMs: 9, name: 'renamed', params: { n: 2 } })]);
      let t = (await store.getTask('t'))!;
      equal([t.createdAtMs, t.name, t.params, t.scheduleVersion, t.highWaterMarkMs], [5, 'renamed', { n: 2 }, 1, 10_000], 'same schedule');
      await store.putTasks([task('t', { periodMs: 5000 })]);
      t = (await store.getTask('t'))!;
      equal([t.periodMs, t.scheduleVersion, t.highWaterMarkMs], [5000, 2, 10_000], 'schedule changed');
      await store.putTasks([task('t', { periodMs: 5000, highWaterMarkMs: 20_000 })]);
      equal((await store.getTask('t'))!.highWaterMarkMs, 20_000, 'a later mark is taken');
      await store.putTasks([task('t', { periodMs: 5000, highWaterMarkMs: 15_000 })]);
      equal((await store.getTask('t'))!.highWaterMarkMs, 20_000, 'an earlier mark is not');
      await store.putTasks([task('twice', { name: 'one' }), task('twice', { name: 'two', periodMs: 5 })]);
      const twice = await store.getTask('twice');
      equal([twice?.name, twice?.scheduleVersion], ['two', 2], 'one id twice in a batch: as if written one after the other');
    }),
  },
  {
    name: 'putTasks reports what each registration did, and a registration of the same definition keeps the task as it was',
    run: (h) => withStore(h, async (store) => {
      equal(await store.putTasks([task('t', { params: { v: 1 } }), task('o', { scheduleKind: 'once', periodMs: null, delayMs: 100, atMs: 1_100 })]), ['created', 'created'], 'created');
      await store.updateTask('t', { executionCount: 7, nextExecutionMs: 9_000, status: 'running', lastError: 'boom' });
      // The same definition, with the runtime fields a fresh registration carries: nothing changes.
      equal(await store.putTasks([task('t', { params: { v: 1 }, createdAtMs: 2_000, updatedAtMs: 2_000, nextExecutionMs: 3_000 })]), ['unchanged'], 'unchanged');
      let t = (await store.getTask('t'))!;
      equal([t.executionCount, t.nextExecutionMs, t.status, t.lastError, t.createdAtMs, t.scheduleVersion], [7, 9_000, 'running', 'boom', 1_000, 1], 'kept');
      // An `after` registered again later computes another instant: the same schedule still.
      equal(await store.putTasks([task('o', { scheduleKind: 'once', periodMs: null, delayMs: 100, atMs: 5_100 })]), ['unchanged'], 'after again');
      equal((await store.getTask('o'))!.atMs, 1_100, 'the first instant stays');
      // A changed definition under the same timing: the definition is replaced, the rest kept.
      equal(await store.putTasks([task('t', { params: { v: 2 }, priority: 'high', updatedAtMs: 3_000 })]), ['updated'], 'updated');
      t = (await store.getTask('t'))!;
      equal([t.params, t.priority, t.executionCount, t.nextExecutionMs, t.updatedAtMs, t.scheduleVersion], [{ v: 2 }, 'high', 7, 9_000, 3_000, 1], 'redefined');
      // Changed timing: a new schedule version, counted from zero, pending, next slot from the record.
      equal(await store.putTasks([task('t', { params: { v: 2 }, priority: 'high', periodMs: 5_000, nextExecutionMs: 6_000 })]), ['rescheduled'], 'rescheduled');
      t = (await store.getTask('t'))!;
      equal([t.periodMs, t.scheduleVersion, t.executionCount, t.status, t.nextExecutionMs, t.lastError], [5_000, 2, 0, 'pending', 6_000, null], 'rescheduled');
      // An ended task given a changed definition is pending again; the same definition leaves it ended.
      await store.updateTask('o', { status: 'completed' });
      equal(await store.putTasks([task('o', { scheduleKind: 'once', periodMs: null, delayMs: 100, atMs: 1_100 })]), ['unchanged'], 'ended, same');
      equal((await store.getTask('o'))!.status, 'completed', 'still completed');
      equal(await store.putTasks([task('o', { scheduleKind: 'once', periodMs: null, delayMs: 100, atMs: 1_100, params: 'new' })]), ['updated'], 'ended, changed');
      equal((await store.getTask('o'))!.status, 'pending', 'pending again');
    }),
  },
  {
    name: 'updateTask changes mutable fields, bumps scheduleVersion on a schedule change, and resolves undefined for an unknown id',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const updated = await store.updateTask('t', { status: 'cancelled', lastError: 'stopped', nextExecutionMs: null, updatedAtMs: 2_000 });
      equal([updated?.status, updated?.lastError, updated?.nextExecutionMs, updated?.updatedAtMs, updated?.scheduleVersion], ['cancelled', 'stopped', null, 2_000, 1], 'returned');
      equal(await store.getTask('t'), updated, 'stored');
      const rescheduled = await store.updateTask('t', { scheduleKind: 'cron', cronExpression: '*/5 * * * *', timeZone: 'America/New_York' });
      equal(rescheduled?.scheduleVersion, 2, 'schedule change');
      equal((await store.updateTask('t', { params: [1] }))?.scheduleVersion, 2, 'no schedule change');
      equal(await store.updateTask('nope', { status: 'cancelled' }), undefined, 'unknown id');
    }),
  },
  {
    name: "a cron task's DST policy round-trips, and changing it is a schedule change",
    run: (h) => withStore(h, async (store) => {
      const cron = { scheduleKind: 'cron', cronExpression: '30 2 * * *', timeZone: 'America/New_York' } as const;
      await store.putTasks([task('gap', { ...cron, dstGap: 'skip', dstOverlap: 'once' }), task('default', cron)]);
      const gap = (await store.getTask('gap'))!;
      equal([gap.dstGap, gap.dstOverlap, gap.scheduleVersion], ['skip', 'once', 1], 'a policy set');
      const plain = (await store.getTask('default'))!;
      equal([plain.dstGap, plain.dstOverlap], [null, null], 'the default');
      equal((await store.updateTask('gap', { dstOverlap: 'both' }))?.scheduleVersion, 2, 'an update of the policy');
      await store.putTasks([task('default', { ...cron, dstGap: 'run-at-first-valid' })]);
      equal((await store.getTask('default'))?.scheduleVersion, 2, 'an upsert with a policy');
      await rejects(store.updateTask('gap', { dstGap: 'later' } as never), 'ERR_INVALID_ARGUMENT', 'patch.dstGap');
    }),
  },
  {
    name: 'updateTask refuses the fields the store keeps and invalid values, writing nothing',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const before = await store.getTask('t');
      await rejects(store.updateTask('t', { scheduleVersion: 9 } as never), 'ERR_INVALID_ARGUMENT', 'patch.scheduleVersion');
      await rejects(store.updateTask('t', { highWaterMarkMs: 0 } as never), 'ERR_INVALID_ARGUMENT', 'patch.highWaterMarkMs');
      await rejects(store.updateTask('t', { status: 'done' } as never), 'ERR_INVALID_ARGUMENT', "'pending'");
      await rejects(store.updateTask('t', { scheduleKind: 'cron' }), 'ERR_INVALID_ARGUMENT', 'cronExpression');
      await rejects(store.updateTask('t', { metadata: { when: new Date(0) } as never }), 'ERR_UNSTORABLE_PAYLOAD', 'patch.metadata.when');
      await rejects(store.updateTask('t', { colour: 'red' } as never), 'ERR_INVALID_ARGUMENT', 'patch.colour is not a task record field');
      equal(await store.getTask('t'), before, 'unchanged');
    }),
  },
  {
    name: 'deleteTask removes the task and its history',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a'), task('b')]);
      await store.claim([slot('a', 1), slot('b', 1)]);
      equal(await store.deleteTask('a'), true, 'existing');
      equal(await store.deleteTask('a'), false, 'already deleted');
      equal(await store.getTask('a'), undefined, 'task');
      equal(await store.getExecution('a/1/1'), undefined, 'its execution');
      equal((await allHistory(store, 'b')).length, 1, "another task's history");
    }),
  },
  {
    name: 'loadTasks yields 10,000 tasks in batches, each exactly once',
    run: (h) => withStore(h, async (store) => {
      const count = 10_000;
      const records = Array.from({ length: count }, (_, i) => task(`task-${i}`, { params: { i }, nextExecutionMs: i }));
      await store.putTasks(records);
      const sizes: number[] = [];
      const seen = new Map<string, number>();
      for await (const batch of store.loadTasks({ batchSize: 3000 })) {
        sizes.push(batch.length);
        for (const t of batch) seen.set(t.id, (seen.get(t.id) ?? 0) + 1);
      }
      equal(sizes, [3000, 3000, 3000, 1000], 'batch sizes');
      equal(seen.size, count, 'distinct tasks');
      ok([...seen.values()].every((n) => n === 1), 'every task once');
      equal((await store.getTask('task-9999'))?.params, { i: 9999 }, 'a record survives the batch');
    }),
  },
  {
    name: 'a store reopened after close keeps tasks, executions, marks and the fencing sequence',
    run: async (h) => {
      const location = await h.location();
      try {
        const first = location.store();
        await first.open();
        await first.putTasks([fullTask('full'), task('t')]);
        const [claimed, running] = await first.claim([slot('t', 100), slot('t', 200)]);
        ok(claimed?.status === 'claimed' && running?.status === 'claimed', 'claimed');
        await first.complete({ executionId: claimed.execution.id, fencingToken: claimed.execution.fencingToken, outcome: 'succeeded', endedAtMs: 150, result: { ok: 1 } });
        await first.saveState(running.execution.id, running.execution.fencingToken, { cursor: 'k' });
        await first.recordSkipped([{ taskId: 't', scheduleVersion: 1, nominalMs: 300, reason: 'misfire:skip', recordedAtMs: 301 }]);
        const tasks = await allTasks(first);
        const history = await allHistory(first, 't');
        await first.close();
        await rejects(mustReturnPromise(() => first.getTask('t'), 'getTask after close'), 'ERR_STORE_CLOSED');

        const second = location.store();
        await second.open();
        equal(await allTasks(second), tasks, 'tasks');
        equal(await allHistory(second, 't'), history, 'history');
        equal(await second.highWaterMarks(), new Map([['t', 300], ['full', 1_699_999_000_000]]), 'marks');
        const [next] = await second.claim([slot('t', 400)]);
        ok(next?.status === 'claimed' && next.execution.fencingToken > running.execution.fencingToken, `fencing tokens keep growing: ${JSON.stringify(next)}`);
        await second.close();
      } finally {
        await location.dispose();
      }
    },
  },
  {
    name: 'calls before open() or after close() reject with ERR_STORE_CLOSED',
    run: async (h) => {
      const location = await h.location();
      try {
        const store = location.store();
        await rejects(mustReturnPromise(() => store.putTasks([task('t')]), 'putTasks before open'), 'ERR_STORE_CLOSED');
        await store.open();
        await store.close();
        await store.close();
        await rejects(mustReturnPromise(() => store.claim([]), 'claim after close'), 'ERR_STORE_CLOSED');
        await rejects(mustReturnPromise(() => store.open(), 'open after close'), 'ERR_STORE_CLOSED');
      } finally {
        await location.dispose();
      }
    },
  },
  {
    name: 'payloads JSON cannot hold exactly are refused with the path inside the value, before any write',
    run: (h) => withStore(h, async (store) => {
      const cycle: Record<string, unknown> = { a: {} };
      (cycle.a as Record<string, unknown>).self = cycle;
      const cases: Array<[unknown, string]> = [
        [{ a: { b: () => 1 } }, 'tasks[0].params.a.b'],
        [cycle, 'tasks[0].params.a.self'],
        [{ n: 10n }, 'tasks[0].params.n'],
        [{ s: Symbol('x') }, 'tasks[0].params.s'],
        [undefined, 'tasks[0].params'],
        [{ list: [1, undefined] }, 'tasks[0].params.list[1]'],
        [{ x: Number.NaN }, 'tasks[0].params.x'],
        [{ 'odd key': Number.POSITIVE_INFINITY }, 'tasks[0].params["odd key"]'],
        [{ d: new Date(0) }, 'tasks[0].params.d'],
        [{ m: new Map() }, 'tasks[0].params.m'],
      ];
      for (const [params, path] of cases) {
        const error = await rejects(mustReturnPromise(() => store.putTasks([task('t', { params: params as never })]), 'putTasks'), 'ERR_UNSTORABLE_PAYLOAD', path);
        equal((error as unknown as { path: string }).path, path, `path for ${path}`);
      }
      equal(await allTasks(store), [], 'nothing written');
    }),
  },
  {
    name: 'bad arguments reject with ERR_INVALID_ARGUMENT naming the option, what is allowed and what was received',
    run: (h) => withStore(h, async (store) => {
      const call = (fn: () => Promise<unknown>) => mustReturnPromise(fn, 'a store method');
      await rejects(call(() => store.putTasks('t' as never)), 'ERR_INVALID_ARGUMENT', "tasks must be an array, received 't' (string)");
      await rejects(call(() => store.putTasks([{ ...task('t'), id: '' }])), 'ERR_INVALID_ARGUMENT', 'tasks[0].id must be a string of 1 to 1024');
      await rejects(call(() => store.putTasks([{ ...task('t'), priority: 'urgent' as never }])), 'ERR_INVALID_ARGUMENT', 'tasks[0].priority must be one of');
      await rejects(call(() => store.putTasks([{ ...task('t'), executionCount: -1 }])), 'ERR_INVALID_ARGUMENT', 'tasks[0].executionCount must be an integer >= 0');
      const { status: _dropped, ...partial } = task('t');
      await rejects(call(() => store.putTasks([partial as never])), 'ERR_INVALID_ARGUMENT', 'tasks[0].status is missing');
      await rejects(call(() => store.claim([{ ...slot('t', 1), nominalMs: 1.5 }])), 'ERR_INVALID_ARGUMENT', 'slots[0].nominalMs must be an integer');
      await rejects(call(() => store.recordSkipped([{ taskId: 't', scheduleVersion: 1, nominalMs: 1, reason: '', recordedAtMs: 1 }])), 'ERR_INVALID_ARGUMENT', 'skips[0].reason');
      await rejects(call(() => store.complete({ executionId: 'x', fencingToken: 1, outcome: 'running' as never, endedAtMs: 1 })), 'ERR_INVALID_ARGUMENT', 'request.outcome');
      await rejects(call(() => store.complete({ executionId: 'x', fencingToken: 0, outcome: 'failed', endedAtMs: 1 })), 'ERR_INVALID_ARGUMENT', 'request.fencingToken must be an integer >= 1');
      await rejects(call(() => store.history('t', { limit: 0 })), 'ERR_INVALID_ARGUMENT', 'options.limit must be an integer from 1 to 10000, received 0');
      await rejects(call(() => store.pruneHistory(Number.NaN)), 'ERR_INVALID_ARGUMENT', 'olderThanMs');
      await rejects(call(async () => {
        for await (const _ of store.loadTasks({ batchSize: 0 })) break;
      }), 'ERR_INVALID_ARGUMENT', 'options.batchSize');
    }),
  },
];
