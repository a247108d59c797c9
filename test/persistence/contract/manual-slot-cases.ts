// Contract cases for manual slots (runNow): schedule version 0, claimed
// outside the schedule. The high-water mark neither refuses nor follows them
// (C4 is the schedule's), a manual slot is still recorded once (C2), an ended
// task refuses them, their end updates the task whatever its schedule
// version, they are found by recovery, and they cannot be skipped.
import { MANUAL_SCHEDULE_VERSION } from '../../../src/store/records.js';
import { equal, ok, rejects } from './check.js';
import { type ContractCase, slot, task, withStore } from './harness.js';

const manual = (taskId: string, nominalMs: number) => slot(taskId, nominalMs, MANUAL_SCHEDULE_VERSION);

export const manualSlotCases: ContractCase[] = [
  {
    name: 'a manual slot is claimed at or below the high-water mark and beside a schedule slot of the same time, and leaves the mark as it was',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a')]);
      await store.claim([slot('a', 5000)]);
      const [below, same, above] = await store.claim([manual('a', 4000), manual('a', 5000), manual('a', 9000)]);
      ok(below?.status === 'claimed' && same?.status === 'claimed' && above?.status === 'claimed', 'manual slots claimed');
      equal(same.execution.id, 'a/0/5000', 'the manual slot id');
      equal(same.execution.scheduleVersion, MANUAL_SCHEDULE_VERSION, 'its schedule version');
      equal(await store.highWaterMarks(), new Map([['a', 5000]]), 'the mark is the schedule slot');
      const [next] = await store.claim([slot('a', 6000)]);
      equal(next?.status, 'claimed', 'the schedule slot after the mark, below the manual slot at 9000');
    }),
  },
  {
    name: 'a manual slot is recorded once, and an ended or unknown task refuses it',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a'), task('done', { status: 'cancelled' })]);
      const [first, again] = await store.claim([manual('a', 100), manual('a', 100)]);
      ok(first?.status === 'claimed', 'claimed');
      equal(again, { status: 'duplicate', existing: first.execution }, 'the same batch');
      // Ended, with the task pending again: the duplicate claim must not mark it running.
      await store.complete({ executionId: first.execution.id, fencingToken: first.execution.fencingToken, outcome: 'succeeded', endedAtMs: 150, taskUpdate: { status: 'pending' } });
      const [later] = await store.claim([manual('a', 100)]);
      equal(later?.status, 'duplicate', 'a later batch');
      equal((await store.getTask('a'))?.status, 'pending', 'the task after the refused claim');
      equal(await store.claim([manual('done', 100), manual('ghost', 100)]), [
        { status: 'task-ended', taskStatus: 'cancelled' }, { status: 'unknown-task' },
      ], 'refusals');
    }),
  },
  {
    name: "a manual slot's end updates its task at any schedule version, not an ended one, and recovery finds it while open",
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a'), task('b')]);
      await store.updateTask('a', { periodMs: 10 });
      const [a, b] = await store.claim([manual('a', 100), manual('b', 100)]);
      ok(a?.status === 'claimed' && b?.status === 'claimed', 'claimed');
      equal((await store.unfinishedExecutions()).map((e) => e.id).sort(), ['a/0/100', 'b/0/100'], 'open manual runs');
      await store.complete({
        executionId: a.execution.id, fencingToken: a.execution.fencingToken, outcome: 'succeeded', endedAtMs: 200,
        taskUpdate: { executionCount: 1, lastExecutionMs: 100, status: 'pending' },
      });
      ok((await store.getTask('a'))?.executionCount === 1, 'the count of a task at schedule version 2');
      await store.updateTask('b', { status: 'cancelled' });
      await store.complete({
        executionId: b.execution.id, fencingToken: b.execution.fencingToken, outcome: 'succeeded', endedAtMs: 200,
        taskUpdate: { executionCount: 1, status: 'pending' },
      });
      equal((await store.getTask('b'))?.status, 'cancelled', 'an ended task stays ended');
    }),
  },
  {
    name: 'recordSkipped() refuses a manual slot as an invalid argument, writing nothing',
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a')]);
      await rejects(store.recordSkipped([{ taskId: 'a', scheduleVersion: MANUAL_SCHEDULE_VERSION, nominalMs: 1, reason: 'no', recordedAtMs: 1 }]), 'ERR_INVALID_ARGUMENT');
    }),
  },
];
