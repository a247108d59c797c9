// Contract cases for slots: claims (C2), fencing (C3), the high-water mark
// (C4), skips, retries, saved state, recovery queries, history and pruning.
import type { ExecutionRecord } from '../../../src/store/records.js';
import { isStoredClaim, isStoredEnd, isStoredRetry } from '../../../src/store/slot-rules.js';
import type { ClaimResult, CompleteRequest, HistoryCursor, PruneTasksResult, Store } from '../../../src/store/store.js';
import { equal, ok, rejects } from './check.js';
import { allHistory, allTasks, type ContractCase, slot, task, withStore } from './harness.js';

function claimed(result: ClaimResult | undefined): ExecutionRecord {
  ok(result?.status === 'claimed', `expected a claim, received ${JSON.stringify(result)}`);
  return result.execution;
}

/** Claims `taskId`'s slot at nominalMs on a fresh task and returns the running execution. */
async function running(store: Store, taskId: string, nominalMs: number): Promise<ExecutionRecord> {
  if ((await store.getTask(taskId)) === undefined) await store.putTasks([task(taskId)]);
  return claimed((await store.claim([slot(taskId, nominalMs)]))[0]);
}

export const slotCases: ContractCase[] = [
  {
    name: 'claim() inserts running executions with fresh fencing tokens and advances the high-water mark',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a'), task('b')]);
      const results = await store.claim([slot('a', 1000), slot('b', 500), slot('a', 2000)]);
      const executions = results.map(claimed);
      equal(executions[0], {
        id: 'a/1/1000', taskId: 'a', scheduleVersion: 1, nominalMs: 1000, attempt: 1, fencingToken: executions[0]!.fencingToken,
        startedAtMs: 1005, endedAtMs: null, outcome: 'running', result: null, error: null, skipReason: null, state: null,
        traceId: null, spanId: null,
      }, 'the execution record');
      const tokens = executions.map((e) => e.fencingToken);
      ok(tokens[0]! >= 1 && tokens[0]! < tokens[1]! && tokens[1]! < tokens[2]!, `tokens increase: ${tokens}`);
      equal(await store.getExecution('a/1/1000'), executions[0], 'getExecution');
      equal(await store.highWaterMarks(), new Map([['a', 2000], ['b', 500]]), 'marks');
    }),
  },
  {
    name: 'a slot is recorded once: duplicates in a batch or across batches are reported with the existing record, never a second row',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a')]);
      const [first, again] = await store.claim([slot('a', 1000), slot('a', 1000)]);
      const execution = claimed(first);
      equal(again, { status: 'duplicate', existing: execution }, 'same batch');
      await store.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 1100 });
      const [later] = await store.claim([{ ...slot('a', 1000), startedAtMs: 9999 }]);
      ok(later?.status === 'duplicate' && later.existing.outcome === 'succeeded', `completed slot: ${JSON.stringify(later)}`);
      const [skip] = await store.recordSkipped([{ taskId: 'a', scheduleVersion: 1, nominalMs: 1000, reason: 'late', recordedAtMs: 1 }]);
      equal(skip?.status, 'duplicate', 'skipping a claimed slot');
      equal((await allHistory(store, 'a')).length, 1, 'rows for the slot');
    }),
  },
  {
    name: 'claim() reports unknown tasks, old schedule versions, ended tasks and slots below the mark, and claims the rest of the batch',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('live'), task('done', { status: 'completed' }), task('moved')]);
      await store.updateTask('moved', { periodMs: 10 });
      await store.claim([slot('live', 5000)]);
      const results = await store.claim([slot('ghost', 1), slot('moved', 1), slot('done', 1), slot('live', 4000), slot('live', 5000), slot('live', 6000)]);
      equal(results.slice(0, 4), [
        { status: 'unknown-task' },
        { status: 'schedule-changed', scheduleVersion: 2 },
        { status: 'task-ended', taskStatus: 'completed' },
        { status: 'below-high-water-mark', highWaterMarkMs: 5000 },
      ], 'refusals');
      equal(results[4]?.status, 'duplicate', 'the slot at the mark has its record');
      equal(claimed(results[5]).nominalMs, 6000, 'the next slot');
      equal((await allHistory(store, 'live')).map((e) => e.nominalMs), [6000, 5000], 'rows');
      equal(await allHistory(store, 'moved'), [], 'nothing for refused slots');
    }),
  },
  {
    name: 'the high-water mark never decreases, whatever order slots come in',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      await store.claim([slot('t', 300), slot('t', 100), slot('t', 200)]);
      equal((await store.getTask('t'))?.highWaterMarkMs, 300, 'after one batch');
      const [below] = await store.claim([slot('t', 250)]);
      equal(below, { status: 'below-high-water-mark', highWaterMarkMs: 300 }, 'a later batch below the mark');
      await store.recordSkipped([{ taskId: 't', scheduleVersion: 1, nominalMs: 350, reason: 'r', recordedAtMs: 0 }]);
      equal((await store.getTask('t'))?.highWaterMarkMs, 350, 'a skip advances it');
      await store.updateTask('t', { cronExpression: '* * * * *', scheduleKind: 'cron' });
      await store.putTasks([task('t', { highWaterMarkMs: 1 })]);
      equal((await store.getTask('t'))?.highWaterMarkMs, 350, 'a schedule change and an upsert leave it');
    }),
  },
  {
    name: 'complete() ends the attempt and updates the task in one transaction; a stale token or a repeat is refused and changes nothing',
    run: (h) => withStore(h, async (store) => {
      const execution = await running(store, 't', 1000);
      const done = await store.complete({
        executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'failed', endedAtMs: 1200,
        error: { name: 'Error', message: 'boom' }, taskUpdate: { executionCount: 1, lastError: 'boom', lastExecutionMs: 1000, nextExecutionMs: 2000 },
      });
      ok(done.status === 'completed', JSON.stringify(done));
      equal([done.execution.outcome, done.execution.endedAtMs, done.execution.error], ['failed', 1200, { name: 'Error', message: 'boom' }], 'execution');
      equal([done.task?.executionCount, done.task?.lastError, done.task?.nextExecutionMs], [1, 'boom', 2000], 'task');
      equal(await store.getTask('t'), done.task, 'task stored');

      const repeat = await store.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 1300, taskUpdate: { executionCount: 2 } });
      equal(repeat, { status: 'already-ended', current: done.execution }, 'a repeated completion');
      const stale = await store.complete({ executionId: execution.id, fencingToken: execution.fencingToken + 1000, outcome: 'succeeded', endedAtMs: 1300 });
      equal(stale, { status: 'stale-token', current: done.execution }, 'a foreign token');
      equal(await store.complete({ executionId: 'nope/1/1', fencingToken: 1, outcome: 'succeeded', endedAtMs: 1 }), { status: 'unknown-execution' }, 'unknown');
      equal((await store.getTask('t'))?.executionCount, 1, 'the refused updates were not applied');
    }),
  },
  {
    name: 'complete() sent again with the end it stored is refused as already-ended with that end as stored, which isStoredEnd() recognises; any other end is not recognised',
    run: (h) => withStore(h, async (store) => {
      const execution = await running(store, 't', 1000);
      // Keys out of order, nesting, non-ASCII, a -0: what the repeat is recognised by must read back exactly.
      const request: CompleteRequest = {
        executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'failed', endedAtMs: 1200,
        result: null, error: { name: 'TypeError', message: 'boom é', code: 'E_X', detail: { z: [1, -0, { b: true, a: null }], a: 'x' } },
        taskUpdate: { executionCount: 1, lastError: 'boom é' }, trace: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' },
      };
      const done = await store.complete(request);
      ok(done.status === 'completed', JSON.stringify(done));
      ok(!isStoredEnd(execution, request), 'a running record does not hold the end');
      // A later write to the task, which the repeat must not undo.
      await store.updateTask('t', { executionCount: 5 });
      const repeat = await store.complete(request);
      equal(repeat, { status: 'already-ended', current: done.execution }, 'the same end again: refused, with the end as stored');
      ok(repeat.status === 'already-ended' && isStoredEnd(repeat.current, request), 'isStoredEnd: the stored end is this one');
      equal((await store.getTask('t'))?.executionCount, 5, 'the repeat\'s task update was not applied');
      const others: Array<[string, Partial<CompleteRequest>]> = [
        ['outcome', { outcome: 'interrupted' }], ['end time', { endedAtMs: 1201 }], ['result', { result: 0 }],
        ['error', { error: { ...(request.error as object), code: 'E_Y' } }], ['token', { fencingToken: execution.fencingToken + 1 }],
      ];
      for (const [what, other] of others) {
        const refused = await store.complete({ ...request, ...other });
        ok(refused.status === 'already-ended' || refused.status === 'stale-token', JSON.stringify(refused));
        ok(!isStoredEnd(refused.current, { ...request, ...other }), `another ${what} is not the stored end`);
      }
    }),
  },
  {
    name: 'retry() starts a new attempt with a new token; the old attempt can no longer complete or save state (fencing)',
    run: (h) => withStore(h, async (store) => {
      const first = await running(store, 't', 1000);
      await store.saveState(first.id, first.fencingToken, { page: 3 });
      await store.complete({ executionId: first.id, fencingToken: first.fencingToken, outcome: 'interrupted', endedAtMs: 1100 });
      const retried = await store.retry({ executionId: first.id, fencingToken: first.fencingToken, startedAtMs: 2000 });
      ok(retried.status === 'retried', JSON.stringify(retried));
      const second = retried.execution;
      equal([second.id, second.attempt, second.outcome, second.startedAtMs, second.endedAtMs, second.state], [first.id, 2, 'running', 2000, null, { page: 3 }], 'second attempt');
      ok(second.fencingToken > first.fencingToken, 'a newer token');

      const late = await store.complete({ executionId: first.id, fencingToken: first.fencingToken, outcome: 'succeeded', endedAtMs: 2100 });
      equal(late, { status: 'stale-token', current: second }, 'the first attempt completing late');
      equal(await store.saveState(first.id, first.fencingToken, { page: 9 }), { status: 'stale-token', current: second }, 'the first attempt saving state');
      equal((await store.retry({ executionId: first.id, fencingToken: first.fencingToken, startedAtMs: 1 })).status, 'stale-token', 'retry with an old token');
      equal((await store.retry({ executionId: first.id, fencingToken: second.fencingToken, startedAtMs: 1 })).status, 'not-retryable', 'retry of a running attempt');

      const ok2 = await store.complete({ executionId: first.id, fencingToken: second.fencingToken, outcome: 'succeeded', endedAtMs: 2200, result: 42 });
      equal(ok2.status, 'completed', 'the current attempt completes');
      equal((await store.retry({ executionId: first.id, fencingToken: second.fencingToken, startedAtMs: 1 })).status, 'not-retryable', 'a succeeded slot never runs again');
      equal(await store.retry({ executionId: 'x/1/1', fencingToken: 1, startedAtMs: 1 }), { status: 'unknown-execution' }, 'unknown');
    }),
  },
  {
    name: 'claim() sent again after it was stored is refused as a duplicate with the record it made, which isStoredClaim() recognises; another start time or an ended attempt is not recognised',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const request = { ...slot('t', 1000), startedAtMs: 1005 };
      const execution = claimed((await store.claim([request]))[0]);
      const [again] = await store.claim([request]);
      equal(again, { status: 'duplicate', existing: execution }, 'sent again: the record it made');
      ok(again?.status === 'duplicate' && isStoredClaim(again.existing, request), 'isStoredClaim: this claim\'s record');
      ok(!isStoredClaim(execution, { ...request, startedAtMs: 1006 }), 'another start time is not');
      ok(!isStoredClaim(execution, { ...request, nominalMs: 2000 }), 'another slot is not');
      await store.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 1100 });
      const [ended] = await store.claim([request]);
      ok(ended?.status === 'duplicate' && !isStoredClaim(ended.existing, request), 'an ended attempt is not (its end is known)');
    }),
  },
  {
    name: 'retry() sent again after it was stored is refused as stale-token with the attempt it started, which isStoredRetry() recognises; a later attempt or another start time is not recognised',
    run: (h) => withStore(h, async (store) => {
      const first = await running(store, 't', 1000);
      await store.complete({ executionId: first.id, fencingToken: first.fencingToken, outcome: 'failed', endedAtMs: 1100 });
      const request = { executionId: first.id, fencingToken: first.fencingToken, startedAtMs: 1100 };
      const retried = await store.retry(request);
      ok(retried.status === 'retried', JSON.stringify(retried));
      ok(!isStoredRetry(first, request, first.attempt), 'the ended attempt is not the one it started');
      const again = await store.retry(request);
      equal(again, { status: 'stale-token', current: retried.execution }, 'sent again: refused, with the attempt it started');
      ok(again.status === 'stale-token' && isStoredRetry(again.current, request, first.attempt), 'isStoredRetry: this retry\'s attempt');
      ok(!isStoredRetry(again.current, { ...request, startedAtMs: 1101 }, first.attempt), 'another start time is not');
      await store.complete({ executionId: first.id, fencingToken: retried.execution.fencingToken, outcome: 'failed', endedAtMs: 1200 });
      const third = await store.retry({ executionId: first.id, fencingToken: retried.execution.fencingToken, startedAtMs: 1100 });
      ok(third.status === 'retried', JSON.stringify(third));
      const late = await store.retry(request);
      ok(late.status === 'stale-token' && !isStoredRetry(late.current, request, first.attempt), 'a later attempt is not, even from the same time');
      equal((await store.getExecution(first.id))?.attempt, 3, 'no attempt started by a repeat');
    }),
  },
  {
    name: 'saveState() stores JSON state for the running attempt only',
    run: (h) => withStore(h, async (store) => {
      const execution = await running(store, 't', 10);
      const saved = await store.saveState(execution.id, execution.fencingToken, { offset: 120, items: ['a', 'b'] });
      ok(saved.status === 'saved', JSON.stringify(saved));
      equal((await store.getExecution(execution.id))?.state, { offset: 120, items: ['a', 'b'] }, 'stored');
      await rejects(store.saveState(execution.id, execution.fencingToken, { f: () => 0 } as never), 'ERR_UNSTORABLE_PAYLOAD', 'state.f');
      await store.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 20 });
      equal((await store.saveState(execution.id, execution.fencingToken, 1)).status, 'already-ended', 'after it ended');
    }),
  },
  {
    name: 'recordSkipped() records skipped slots with their reason and advances the mark',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const [skip, duplicate, unknown] = await store.recordSkipped([
        { taskId: 't', scheduleVersion: 1, nominalMs: 60_000, reason: 'missed beyond the catch-up window', recordedAtMs: 90_000 },
        { taskId: 't', scheduleVersion: 1, nominalMs: 60_000, reason: 'again', recordedAtMs: 90_000 },
        { taskId: 'x', scheduleVersion: 1, nominalMs: 1, reason: 'r', recordedAtMs: 1 },
      ]);
      ok(skip?.status === 'recorded', JSON.stringify(skip));
      equal([skip.execution.outcome, skip.execution.skipReason, skip.execution.attempt, skip.execution.startedAtMs, skip.execution.endedAtMs],
        ['skipped', 'missed beyond the catch-up window', 0, null, 90_000], 'record');
      equal([duplicate?.status, unknown?.status], ['duplicate', 'unknown-task'], 'refusals');
      equal((await store.getTask('t'))?.highWaterMarkMs, 60_000, 'mark');
      equal((await store.claim([slot('t', 60_000)]))[0]?.status, 'duplicate', 'a skipped slot is never claimed');
    }),
  },
  {
    name: 'recovery queries: unfinished executions, the last completed slot per task, the marks',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a'), task('b'), task('c')]);
      const [a1, a2, b1, b2] = (await store.claim([slot('a', 100), slot('a', 200), slot('b', 100), slot('b', 200)])).map(claimed);
      await store.complete({ executionId: a1!.id, fencingToken: a1!.fencingToken, outcome: 'succeeded', endedAtMs: 150 });
      await store.complete({ executionId: b1!.id, fencingToken: b1!.fencingToken, outcome: 'interrupted', endedAtMs: 150 });
      await store.recordSkipped([{ taskId: 'b', scheduleVersion: 1, nominalMs: 300, reason: 'r', recordedAtMs: 301 }]);
      const unfinished = (await store.unfinishedExecutions()).sort((x, y) => x.id.localeCompare(y.id));
      equal(unfinished.map((e) => [e.id, e.outcome]), [[a2!.id, 'running'], [b1!.id, 'interrupted'], [b2!.id, 'running']], 'unfinished');
      equal(await store.lastCompletedSlots(), new Map([
        ['a', { scheduleVersion: 1, nominalMs: 100, outcome: 'succeeded' }],
        ['b', { scheduleVersion: 1, nominalMs: 300, outcome: 'skipped' }],
      ]), 'last completed');
      equal(await store.highWaterMarks(), new Map([['a', 200], ['b', 300]]), 'marks (none for c)');
    }),
  },
  {
    name: 'history() pages newest first by nominal time then version, each record exactly once',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t'), task('other')]);
      await store.claim([slot('t', 10), slot('t', 30), slot('t', 20), slot('other', 25)]);
      await store.updateTask('t', { periodMs: 7 });
      await store.claim([slot('t', 40, 2)]);
      await store.updateTask('t', { periodMs: 9 });
      await store.recordSkipped([{ taskId: 't', scheduleVersion: 3, nominalMs: 50, reason: 'r', recordedAtMs: 1 }]);
      const all = await allHistory(store, 't');
      equal(all.map((e) => [e.nominalMs, e.scheduleVersion]), [[50, 3], [40, 2], [30, 1], [20, 1], [10, 1]], 'order');
      const pages: number[][] = [];
      let before: HistoryCursor | undefined;
      for (;;) {
        const page = await store.history('t', before === undefined ? { limit: 2 } : { limit: 2, before });
        pages.push(page.executions.map((e) => e.nominalMs));
        if (page.next === null) break;
        before = page.next;
      }
      equal(pages, [[50, 40], [30, 20], [10]], 'pages');
      equal((await store.history('t', { limit: 5, before: { nominalMs: 40, scheduleVersion: 3 } })).executions[0]?.nominalMs, 40, 'a cursor between versions');
      equal(await store.history('nobody'), { executions: [], next: null }, 'unknown task');
    }),
  },
  {
    name: 'pruneHistory() deletes executions that ended before the cutoff and never open ones; the mark still guards pruned slots',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const [old, recent, open, interrupted] = (await store.claim([slot('t', 1), slot('t', 2), slot('t', 3), slot('t', 4)])).map(claimed);
      await store.complete({ executionId: old!.id, fencingToken: old!.fencingToken, outcome: 'succeeded', endedAtMs: 1000 });
      await store.complete({ executionId: recent!.id, fencingToken: recent!.fencingToken, outcome: 'failed', endedAtMs: 5000 });
      await store.complete({ executionId: interrupted!.id, fencingToken: interrupted!.fencingToken, outcome: 'interrupted', endedAtMs: 10 });
      await store.recordSkipped([{ taskId: 't', scheduleVersion: 1, nominalMs: 5, reason: 'r', recordedAtMs: 2000 }]);
      equal(await store.pruneHistory(3000), 2, 'deleted (the old success and the skip)');
      equal((await allHistory(store, 't')).map((e) => e.nominalMs), [4, 3, 2], 'kept');
      equal(open?.outcome, 'running', 'open');
      equal(await store.pruneHistory(3000), 0, 'idempotent');
      const again = await store.claim([slot('t', 1), slot('t', 5)]);
      equal(again, [1, 2].map(() => ({ status: 'below-high-water-mark', highWaterMarkMs: 5 })), 'pruned slots (one at the mark) are not claimed again');
    }),
  },
  {
    name: 'pruneEndedTasks() deletes ended tasks that ended before the cutoff with no record left; pending, running, younger and recorded ones stay',
    run: (h) => withStore(h, async (store) => {
      ok(store.pruneEndedTasks !== undefined, 'the store prunes ended tasks');
      const ids = ['done', 'never-ran', 'failed', 'young', 'late-record', 'open', 'pending', 'running'];
      await store.putTasks(ids.map((id) => task(id, { scheduleKind: 'once', periodMs: null, atMs: 100 })));
      const ended = async (id: string, status: 'completed' | 'failed' | 'cancelled', atMs: number) => {
        await store.updateTask(id, { status, nextExecutionMs: null, updatedAtMs: atMs });
      };
      // Ran, ended and its record ended before the cutoff (3000): goes with its record.
      const [done, failed, young, late, open] = (await store.claim(['done', 'failed', 'young', 'late-record', 'open'].map((id) => slot(id, 100)))).map(claimed);
      await store.complete({ executionId: done!.id, fencingToken: done!.fencingToken, outcome: 'succeeded', endedAtMs: 1000, taskUpdate: { status: 'completed', updatedAtMs: 1000 } });
      await store.complete({ executionId: failed!.id, fencingToken: failed!.fencingToken, outcome: 'failed', endedAtMs: 1500, taskUpdate: { status: 'failed', updatedAtMs: 1500 } });
      await ended('never-ran', 'cancelled', 500);
      // Ended after the cutoff: stays with its record.
      await store.complete({ executionId: young!.id, fencingToken: young!.fencingToken, outcome: 'succeeded', endedAtMs: 5000, taskUpdate: { status: 'completed', updatedAtMs: 5000 } });
      // Cancelled before the cutoff while running, its run ended after it: the record keeps the task.
      await ended('late-record', 'cancelled', 1000);
      await store.complete({ executionId: late!.id, fencingToken: late!.fencingToken, outcome: 'succeeded', endedAtMs: 4000 });
      // Cancelled before the cutoff, its run still open: stays.
      await ended('open', 'cancelled', 1000);
      ok(open !== undefined, 'open claimed');
      await store.claim([slot('running', 100)]);
      await store.updateTask('pending', { updatedAtMs: 0 });

      equal(await store.pruneHistory(3000), 2, 'the old records (done, failed)');
      let deleted = 0;
      let after: string | null = null;
      let batches = 0;
      do {
        const batch: PruneTasksResult = await store.pruneEndedTasks(3000, after, 2);
        ok(batch.deleted <= 2, `a batch looks at 2 tasks, deleted ${batch.deleted}`);
        deleted += batch.deleted;
        after = batch.next;
        batches++;
      } while (after !== null && batches < 100);
      equal(deleted, 3, 'done, never-ran and failed');
      ok(batches >= 2, `in batches (${batches})`);
      equal((await allTasks(store)).map((t) => t.id).sort(), ['late-record', 'open', 'pending', 'running', 'young'], 'kept');
      for (const id of ['done', 'never-ran', 'failed']) equal(await store.getTask(id), undefined, `${id} is gone`);
      equal(await store.getExecution(done!.id), undefined, 'with its records');
      equal((await store.getTask('open'))?.status, 'cancelled', 'open kept');
      equal((await store.getExecution(open!.id))?.outcome, 'running', 'its run still open');
      equal((await store.pruneEndedTasks(3000, null, 100)).deleted, 0, 'idempotent');
      // A pruned id is free: a registration of it is a new task, no mark, version 1.
      equal(await store.putTasks([task('done')]), ['created'], 'a new task');
      const again = await store.getTask('done');
      equal([again?.status, again?.scheduleVersion, again?.highWaterMarkMs], ['pending', 1, null], 'from scratch');
      equal((await store.claim([slot('done', 100)]))[0]?.status, 'claimed', 'its slots are claimable again');
    }),
  },
  {
    name: 'pruneEndedTasks() with every task ended and old: each batch deletes at most its limit, the cursors cover them all once',
    run: (h) => withStore(h, async (store) => {
      const ids = Array.from({ length: 7 }, (_, k) => `t${k}`);
      await store.putTasks(ids.map((id) => task(id)));
      for (const [k, id] of ids.entries()) await store.updateTask(id, { status: (['completed', 'failed', 'cancelled'] as const)[k % 3]!, updatedAtMs: 10 });
      const batches: number[] = [];
      let after: string | null = null;
      do {
        const batch: PruneTasksResult = await store.pruneEndedTasks!(20, after, 3);
        batches.push(batch.deleted);
        after = batch.next;
      } while (after !== null && batches.length < 100);
      ok(batches.every((n) => n <= 3), `at most 3 a batch: ${batches}`);
      equal(batches.reduce((a, b) => a + b, 0), 7, 'all seven');
      equal(await allTasks(store), [], 'none left');
      await rejects(store.pruneEndedTasks!(Number.NaN, null, 3), 'ERR_INVALID_ARGUMENT', 'olderThanMs');
      await rejects(store.pruneEndedTasks!(20, null, 0), 'ERR_INVALID_ARGUMENT', 'limit');
    }),
  },
  {
    name: 'a refused call inside a batch writes nothing: an invalid slot, or an invalid task update on completion',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      await rejects(store.claim([slot('t', 1), { ...slot('t', 2), scheduleVersion: -1 }]), 'ERR_INVALID_ARGUMENT', 'slots[1].scheduleVersion');
      equal(await allHistory(store, 't'), [], 'no claim');
      equal((await store.getTask('t'))?.highWaterMarkMs, null, 'no mark');
      const execution = await running(store, 't', 5);
      await rejects(store.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 6, taskUpdate: { scheduleKind: 'cron' } }), 'ERR_INVALID_ARGUMENT', 'cronExpression');
      equal((await store.getExecution(execution.id))?.outcome, 'running', 'the execution is still running');
      await rejects(store.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 6, result: 10n as never }), 'ERR_UNSTORABLE_PAYLOAD', 'request.result');
      equal((await store.getExecution(execution.id))?.outcome, 'running', 'still running');
    }),
  },
  {
    name: 'a claim or a retry marks its task running; the completion\'s taskUpdate sets its status; a refused claim changes nothing',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a')]);
      const execution = claimed((await store.claim([slot('a', 1000)]))[0]);
      equal((await store.getTask('a'))?.status, 'running', 'claimed: running');
      await store.complete({ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'failed', endedAtMs: 1010, taskUpdate: { status: 'pending' } });
      equal((await store.getTask('a'))?.status, 'pending', 'failed, retry to come: pending');
      const retried = await store.retry({ executionId: execution.id, fencingToken: execution.fencingToken, startedAtMs: 1020 });
      ok(retried.status === 'retried', 'retried');
      equal((await store.getTask('a'))?.status, 'running', 'retried: running');
      await store.complete({ executionId: execution.id, fencingToken: retried.execution.fencingToken, outcome: 'succeeded', endedAtMs: 1030, taskUpdate: { status: 'completed' } });
      equal((await store.getTask('a'))?.status, 'completed', 'completed');
      await store.claim([slot('a', 2000)]);
      equal((await store.getTask('a'))?.status, 'completed', 'a refused claim (task ended) leaves it completed');
    }),
  },
  {
    name: 'a completion of an attempt of a replaced schedule ends the attempt but leaves the new schedule\'s task fields alone',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a')]);
      const old = claimed((await store.claim([slot('a', 1000)]))[0]);
      equal(await store.putTasks([task('a', { periodMs: 5000, nextExecutionMs: 6000 })]), ['rescheduled'], 'a new schedule');
      const ended = await store.complete({
        executionId: old.id, fencingToken: old.fencingToken, outcome: 'succeeded', endedAtMs: 1010,
        taskUpdate: { executionCount: 1, nextExecutionMs: 2000, lastExecutionMs: 1000 },
      });
      ok(ended.status === 'completed' && ended.execution.outcome === 'succeeded', `the attempt ended: ${JSON.stringify(ended)}`);
      const t = (await store.getTask('a'))!;
      equal([t.scheduleVersion, t.executionCount, t.nextExecutionMs], [2, 0, 6000], 'the new schedule untouched');
    }),
  },
];
