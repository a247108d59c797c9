// Contract cases for an execution's trace (tracing: the span of the slot's
// first traced attempt): written by complete() and completeAndClaim(), kept
// by retries and by later completions that bring another span, read back by
// getExecution(), history() and recovery, and refused when malformed.
import type { ExecutionRecord } from '../../../src/store/records.js';
import { equal, ok, rejects } from './check.js';
import { type ContractCase, slot, task, withStore } from './harness.js';

const FIRST = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' };
const SECOND = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };

const traceOf = (e: ExecutionRecord | undefined) => (e === undefined ? undefined : { traceId: e.traceId, spanId: e.spanId });

export const traceCases: ContractCase[] = [
  {
    name: "complete() stores the attempt's trace; a retry keeps it, and a later attempt's completion does not replace it",
    run: (h) => withStore(h, async (store, location) => {
      await store.putTasks([task('t')]);
      const [claimed] = await store.claim([slot('t', 1000)]);
      ok(claimed?.status === 'claimed', 'claimed');
      equal(traceOf(claimed.execution), { traceId: null, spanId: null }, 'no trace before the end');
      const first = claimed.execution;
      const failed = await store.complete({ executionId: first.id, fencingToken: first.fencingToken, outcome: 'failed', endedAtMs: 1100, trace: FIRST });
      ok(failed.status === 'completed', 'completed');
      equal(traceOf(failed.execution), FIRST, 'the completion answers with it');
      const retried = await store.retry({ executionId: first.id, fencingToken: first.fencingToken, startedAtMs: 1200 });
      ok(retried.status === 'retried', 'retried');
      equal(traceOf(retried.execution), FIRST, 'the retry keeps it');
      const ended = await store.complete({
        executionId: first.id, fencingToken: retried.execution.fencingToken, outcome: 'succeeded', endedAtMs: 1300, trace: SECOND,
      });
      ok(ended.status === 'completed', 'completed again');
      equal(traceOf(ended.execution), FIRST, "the second attempt's span does not replace the first's");
      equal(traceOf(await store.getExecution(first.id)), FIRST, 'getExecution');
      equal(traceOf((await store.history('t')).executions[0]), FIRST, 'history');
      await store.close();
      const reopened = location.store();
      await reopened.open();
      try {
        equal(traceOf(await reopened.getExecution(first.id)), FIRST, 'after a restart');
      } finally {
        await reopened.close();
      }
      // withStore closes its own store again: a closed store's close() is a no-op.
    }),
  },
  {
    name: 'a completion without a trace leaves none, and completeAndClaim() stores one like complete()',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const [a, b] = await store.claim([slot('t', 1000), slot('t', 2000)]);
      ok(a?.status === 'claimed' && b?.status === 'claimed', 'claimed');
      await store.complete({ executionId: a.execution.id, fencingToken: a.execution.fencingToken, outcome: 'succeeded', endedAtMs: 1100 });
      equal(traceOf(await store.getExecution(a.execution.id)), { traceId: null, spanId: null }, 'no trace given, none stored');
      if (store.completeAndClaim === undefined) return;
      const { completed } = await store.completeAndClaim(
        [{ executionId: b.execution.id, fencingToken: b.execution.fencingToken, outcome: 'succeeded', endedAtMs: 2100, trace: SECOND }], [],
      );
      ok(completed[0]?.status === 'completed', 'completed');
      equal(traceOf(completed[0].execution), SECOND, 'completeAndClaim');
      equal(traceOf(await store.getExecution(b.execution.id)), SECOND, 'stored');
    }),
  },
  {
    name: 'a malformed trace is refused with InvalidArgumentError naming the field, and nothing is written',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('t')]);
      const [claimed] = await store.claim([slot('t', 1000)]);
      ok(claimed?.status === 'claimed', 'claimed');
      const { id, fencingToken } = claimed.execution;
      const end = (trace: unknown) => store.complete({ executionId: id, fencingToken, outcome: 'succeeded', endedAtMs: 1100, trace: trace as never });
      await rejects(end({ ...FIRST, traceId: 'X'.repeat(32) }), 'ERR_INVALID_ARGUMENT', 'request.trace.traceId');
      await rejects(end({ ...FIRST, traceId: '0'.repeat(32) }), 'ERR_INVALID_ARGUMENT', 'request.trace.traceId');
      await rejects(end({ ...FIRST, spanId: 'abc' }), 'ERR_INVALID_ARGUMENT', 'request.trace.spanId');
      await rejects(end('trace'), 'ERR_INVALID_ARGUMENT', 'request.trace');
      equal((await store.getExecution(id))?.outcome, 'running', 'still running');
    }),
  },
];
