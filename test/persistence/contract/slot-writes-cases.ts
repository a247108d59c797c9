// Contract cases for completeAndClaim(): the slot writes of a moment (attempts
// that ended, slots that start) in one transaction, each answered as
// complete() and claim() would answer it, all or nothing.
import type { ExecutionRecord } from '../../../src/store/records.js';
import { isStoredEnd } from '../../../src/store/slot-rules.js';
import type { ClaimResult, SlotWritesResult, Store } from '../../../src/store/store.js';
import { equal, ok, rejects } from './check.js';
import { type ContractCase, slot, task, withStore } from './harness.js';

function claimed(result: ClaimResult | undefined): ExecutionRecord {
  ok(result?.status === 'claimed', `expected a claim, received ${JSON.stringify(result)}`);
  return result.execution;
}

function completeAndClaim(store: Store): NonNullable<Store['completeAndClaim']> {
  ok(typeof store.completeAndClaim === 'function', `${store.kind} store has completeAndClaim()`);
  return store.completeAndClaim.bind(store);
}

export const slotWritesCases: ContractCase[] = [
  {
    name: 'completeAndClaim() ends attempts (their task updates applied in order) and claims slots, each result in its place',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a'), task('b'), task('c')]);
      const [a, b] = (await store.claim([slot('a', 1000), slot('b', 1000)])).map(claimed);
      const result: SlotWritesResult = await completeAndClaim(store)(
        [
          { executionId: a!.id, fencingToken: a!.fencingToken, outcome: 'succeeded', endedAtMs: 1100, result: { n: 1 }, taskUpdate: { executionCount: 1, lastExecutionMs: 1000, nextExecutionMs: 2000, status: 'pending', updatedAtMs: 1100 } },
          { executionId: b!.id, fencingToken: b!.fencingToken + 99, outcome: 'succeeded', endedAtMs: 1100, taskUpdate: { executionCount: 7 } },
          { executionId: b!.id, fencingToken: b!.fencingToken, outcome: 'failed', endedAtMs: 1200, error: { message: 'x' }, taskUpdate: { lastError: 'x', priority: 'high' } },
        ],
        [slot('a', 2000), slot('c', 500), slot('a', 1000), slot('ghost', 1)],
      );
      ok(result.completed[0]?.status === 'completed', JSON.stringify(result.completed[0]));
      equal([result.completed[0].execution.outcome, result.completed[0].execution.endedAtMs, result.completed[0].execution.result], ['succeeded', 1100, { n: 1 }], 'first end');
      equal(result.completed[1], { status: 'stale-token', current: b! }, 'a stale token is refused');
      ok(result.completed[2]?.status === 'completed', JSON.stringify(result.completed[2]));
      equal(result.completed[2].execution.error, { message: 'x' }, 'third end');
      const [a2, c1] = [claimed(result.claimed[0]), claimed(result.claimed[1])];
      ok(a2.fencingToken > b!.fencingToken && c1.fencingToken > a2.fencingToken, 'fresh tokens, in order');
      equal(result.claimed[2]?.status, 'duplicate', 'a slot with a record');
      equal(result.claimed[3], { status: 'unknown-task' }, 'an unknown task');
      const storedA = await store.getTask('a');
      equal([storedA?.executionCount, storedA?.lastExecutionMs, storedA?.nextExecutionMs, storedA?.highWaterMarkMs, storedA?.status], [1, 1000, 2000, 2000, 'running'], 'task a: updated, then claimed again');
      const storedB = await store.getTask('b');
      equal([storedB?.executionCount, storedB?.lastError, storedB?.priority], [0, 'x', 'high'], 'task b: only the current attempt\'s update');
      equal((await store.getExecution(b!.id))?.outcome, 'failed', 'b ended once');
    }),
  },
  {
    name: 'completeAndClaim() sent again after it was stored: the ends are refused as already-ended with the ends as stored (isStoredEnd), the claims as duplicates; nothing applied twice',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const first = claimed((await store.claim([slot('t', 1000)]))[0]);
      const end = {
        executionId: first.id, fencingToken: first.fencingToken, outcome: 'succeeded' as const, endedAtMs: 1100, result: { n: 1, list: [2, 'é'] },
        taskUpdate: { executionCount: 1, lastExecutionMs: 1000, nextExecutionMs: 2000, status: 'pending' as const, updatedAtMs: 1100 },
      };
      const stored = await completeAndClaim(store)([end], [slot('t', 2000)]);
      ok(stored.completed[0]?.status === 'completed', JSON.stringify(stored.completed[0]));
      const second = claimed(stored.claimed[0]);
      const again = await completeAndClaim(store)([end], [slot('t', 2000)]);
      equal(again.completed, [{ status: 'already-ended', current: stored.completed[0].execution }], 'the end, as stored');
      ok(again.completed[0]?.status === 'already-ended' && isStoredEnd(again.completed[0].current, end), 'recognised as this end');
      equal(again.claimed, [{ status: 'duplicate', existing: second }], 'the claim, as stored');
      const t = await store.getTask('t');
      equal([t?.executionCount, t?.nextExecutionMs, t?.highWaterMarkMs], [1, 2000, 2000], 'the task as the first call left it');
    }),
  },
  {
    name: 'completeAndClaim() with a bad request writes nothing: an invalid claim, or a completion whose task update is refused',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const [first, second] = (await store.claim([slot('t', 1), slot('t', 2)])).map(claimed);
      const end = (e: ExecutionRecord, taskUpdate = {}) => ({ executionId: e.id, fencingToken: e.fencingToken, outcome: 'succeeded' as const, endedAtMs: 5, taskUpdate });
      await rejects(completeAndClaim(store)([end(first!)], [{ ...slot('t', 3), scheduleVersion: -1 }]), 'ERR_INVALID_ARGUMENT', 'slots[0].scheduleVersion');
      await rejects(completeAndClaim(store)([end(first!, { executionCount: 1 }), end(second!, { scheduleKind: 'cron' })], [slot('t', 3)]), 'ERR_INVALID_ARGUMENT', 'cronExpression');
      equal([(await store.getExecution(first!.id))?.outcome, (await store.getExecution(second!.id))?.outcome], ['running', 'running'], 'both still running');
      equal([(await store.getTask('t'))?.executionCount, (await store.getTask('t'))?.highWaterMarkMs], [0, 2], 'the task untouched');
      equal(await store.getExecution('t/1/3'), undefined, 'no claim');
    }),
  },
  {
    name: 'completeAndClaim() applies a completion\'s task update only while the task is at the attempt\'s schedule version',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const execution = claimed((await store.claim([slot('t', 1000)]))[0]);
      await store.updateTask('t', { periodMs: 50 });
      const { completed } = await completeAndClaim(store)(
        [{ executionId: execution.id, fencingToken: execution.fencingToken, outcome: 'succeeded', endedAtMs: 1100, taskUpdate: { executionCount: 9, nextExecutionMs: 9000 } }],
        [],
      );
      equal(completed[0]?.status, 'completed', 'the attempt ends');
      const stored = await store.getTask('t');
      equal([stored?.scheduleVersion, stored?.executionCount, stored?.nextExecutionMs], [2, 0, null], 'the new schedule keeps its count and next slot');
    }),
  },
];
