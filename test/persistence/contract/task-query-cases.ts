// Contract cases for queryTasks(): filters, id order, keyset pages that
// neither skip nor repeat a task while others are added and removed between
// them, the last execution derived from the slot's record, and refused
// queries. Ids are ASCII here, where every store's string order agrees.
import { TASK_STATUSES } from '../../../src/store/records.js';
import type { Store } from '../../../src/store/store.js';
import type { QueriedTask, TaskQuery } from '../../../src/store/task-query.js';
import { equal, ok, rejects } from './check.js';
import { type ContractCase, slot, task, withStore } from './harness.js';

function query(fields: Partial<TaskQuery> = {}): TaskQuery {
  return { statuses: [...TASK_STATUSES], ownerModule: null, name: null, nextBeforeMs: null, afterId: null, limit: 100, ...fields };
}

async function ids(store: Store, fields: Partial<TaskQuery> = {}): Promise<string[]> {
  return (await store.queryTasks!(query(fields))).map((t) => t.id);
}

/** A small deterministic generator (the cases must repeat exactly in every store). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

export const taskQueryCases: ContractCase[] = [
  {
    name: 'queryTasks() filters by status, owner module, name and next slot, in id order, up to the limit and after the cursor id',
    run: (h) => withStore(h, async (store) => {
      ok(typeof store.queryTasks === 'function', `${store.kind} answers queryTasks()`);
      await store.putTasks([
        task('e', { ownerModule: 'billing', name: 'invoice', nextExecutionMs: 5000 }),
        task('a', { ownerModule: 'billing', name: 'invoice', nextExecutionMs: 1000 }),
        task('c', { ownerModule: 'reports', name: 'digest', nextExecutionMs: 3000 }),
        task('b', { ownerModule: null, name: 'digest', nextExecutionMs: null }),
        task('d', { ownerModule: 'billing', name: 'dunning', status: 'cancelled', nextExecutionMs: 2000 }),
        task('f', { ownerModule: 'reports', name: 'digest', status: 'failed', nextExecutionMs: null }),
      ]);
      equal(await ids(store), ['a', 'b', 'c', 'd', 'e', 'f'], 'every task, by id');
      equal(await ids(store, { statuses: ['pending'] }), ['a', 'b', 'c', 'e'], 'one status');
      equal(await ids(store, { statuses: ['failed', 'cancelled'] }), ['d', 'f'], 'two statuses, merged by id');
      equal(await ids(store, { ownerModule: 'billing' }), ['a', 'd', 'e'], 'an owner module');
      equal(await ids(store, { ownerModule: 'billing', statuses: ['pending'] }), ['a', 'e'], 'an owner module and a status');
      equal(await ids(store, { name: 'digest' }), ['b', 'c', 'f'], 'a name');
      equal(await ids(store, { name: 'digest', ownerModule: 'reports', statuses: ['failed'] }), ['f'], 'a name, a module and a status');
      equal(await ids(store, { nextBeforeMs: 3000 }), ['a', 'd'], 'next slot strictly before 3000; no next slot never matches');
      equal(await ids(store, { nextBeforeMs: 3001, statuses: ['pending'] }), ['a', 'c'], 'next slot and status');
      equal(await ids(store, { limit: 2 }), ['a', 'b'], 'the limit');
      equal(await ids(store, { afterId: 'b', limit: 2 }), ['c', 'd'], 'after an id');
      equal(await ids(store, { afterId: 'bb', statuses: ['pending', 'failed'] }), ['c', 'e', 'f'], 'after an id that is no task, several statuses');
      equal(await ids(store, { ownerModule: 'nobody' }), [], 'nothing matches');
      const [a] = await store.queryTasks!(query({ limit: 1 }));
      equal({ ...a, lastExecution: undefined }, { ...(await store.getTask('a')), lastExecution: undefined }, 'a queried task is the stored record');
    }),
  },
  {
    name: 'queryTasks() pages neither skip nor repeat a task that exists throughout while tasks are added and removed between pages',
    run: (h) => withStore(h, async (store) => {
      const next = random(12);
      const name = (n: number) => `t${String(n).padStart(4, '0')}`;
      const initial = Array.from({ length: 60 }, (_, i) => name(i * 10));
      await store.putTasks(initial.map((id, i) => task(id, { status: i % 3 === 0 ? 'cancelled' : 'pending', ownerModule: i % 2 === 0 ? 'm' : 'n' })));
      for (const fields of [{}, { statuses: ['pending' as const] }, { ownerModule: 'm' }, { statuses: ['pending' as const, 'cancelled' as const] }]) {
        const removed = new Set<string>();
        const seen: string[] = [];
        let afterId: string | null = null;
        for (let pages = 0; pages < 100; pages++) {
          const page: QueriedTask[] = await store.queryTasks!(query({ ...fields, afterId, limit: 7 }));
          seen.push(...page.map((t) => t.id));
          if (page.length < 7) break;
          afterId = page[page.length - 1]!.id;
          // Between pages: add tasks anywhere in the order, and remove some not yet seen.
          for (let k = 0; k < 3; k++) {
            const added = `${name(Math.floor(next() * 600))}x${pages}${k}`;
            await store.putTasks([task(added, { ownerModule: 'm' })]);
          }
          const victim = initial[Math.floor(next() * initial.length)]!;
          if (!seen.includes(victim) && !removed.has(victim)) {
            removed.add(victim);
            await store.deleteTask(victim);
          }
        }
        equal(new Set(seen).size, seen.length, `no task twice (${JSON.stringify(fields)})`);
        const expected = (await store.queryTasks!(query({ ...fields, limit: 1000 }))).map((t) => t.id).filter((id) => initial.includes(id));
        equal(seen.filter((id) => initial.includes(id)), expected, `every original task still there and matching, once, in order (${JSON.stringify(fields)})`);
        ok(seen.every((id, i) => i === 0 || seen[i - 1]! < id), 'pages in id order');
        await store.putTasks(initial.filter((id) => removed.has(id)).map((id) => task(id, { status: 'cancelled' })));
      }
    }),
  },
  {
    name: "queryTasks() gives a task's last execution (its slot, outcome and end) from the slot's record; null outcome once pruned, null before any",
    run: (h) => withStore(h, async (store) => {
      await store.putTasks([task('a'), task('b'), task('c')]);
      const [a1, a2, b1] = await store.claim([slot('a', 1000), slot('a', 2000), slot('b', 1000)]);
      ok(a1?.status === 'claimed' && a2?.status === 'claimed' && b1?.status === 'claimed', 'claimed');
      const end = (e: typeof a1.execution, outcome: 'succeeded' | 'failed', endedAtMs: number) => store.complete({
        executionId: e.id, fencingToken: e.fencingToken, outcome, endedAtMs,
        taskUpdate: { lastExecutionMs: e.nominalMs, executionCount: 1, status: 'pending', updatedAtMs: endedAtMs },
      });
      await end(a1.execution, 'succeeded', 1100);
      await end(a2.execution, 'failed', 2100);
      await end(b1.execution, 'succeeded', 1200);
      const byId = new Map((await store.queryTasks!(query())).map((t) => [t.id, t]));
      equal(byId.get('a')?.lastExecution, { nominalMs: 2000, outcome: 'failed', endedAtMs: 2100 }, 'the last slot that ran, failed');
      equal(byId.get('b')?.lastExecution, { nominalMs: 1000, outcome: 'succeeded', endedAtMs: 1200 }, 'succeeded');
      equal(byId.get('c')?.lastExecution, null, 'never ran');
      await store.pruneHistory(1500);
      const [b] = await store.queryTasks!(query({ afterId: 'a', limit: 1 }));
      equal(b?.lastExecution, { nominalMs: 1000, outcome: null, endedAtMs: null }, 'its record pruned: the time stays');
    }),
  },
  {
    name: 'queryTasks() refuses a malformed query with InvalidArgumentError',
    run: (h) => withStore(h, async (store) => {
      await rejects(store.queryTasks!(query({ statuses: [] })), 'ERR_INVALID_ARGUMENT', 'statuses');
      await rejects(store.queryTasks!(query({ statuses: ['done' as never] })), 'ERR_INVALID_ARGUMENT', 'statuses');
      await rejects(store.queryTasks!(query({ statuses: ['pending', 'pending'] })), 'ERR_INVALID_ARGUMENT', 'repeats');
      await rejects(store.queryTasks!(query({ limit: 0 })), 'ERR_INVALID_ARGUMENT', 'limit');
      await rejects(store.queryTasks!(query({ afterId: '' })), 'ERR_INVALID_ARGUMENT', 'afterId');
      await rejects(store.queryTasks!(query({ nextBeforeMs: Number.NaN })), 'ERR_INVALID_ARGUMENT', 'nextBeforeMs');
      await rejects(store.queryTasks!(query({ ownerModule: '' })), 'ERR_INVALID_ARGUMENT', 'ownerModule');
    }),
  },
];
