// A property of every store: random sequences of claims, skips, completions,
// retries and state saves (with current, older and newer fencing tokens) give
// the same answers, and leave the same slots, attempts, tokens and marks, as a
// model written from the contract's rules alone (not from any store's code).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { EndingOutcome, Store } from '../../src/store/store.js';
import { equal } from './contract/check.js';
import { type StoreHarness, task } from './contract/harness.js';

interface ModelExecution {
  id: string;
  taskId: string;
  nominalMs: number;
  attempt: number;
  token: number;
  outcome: string;
}

const TASKS = ['a', 'b'];
const OPEN = new Set(['running', 'interrupted']);

class SlotModel {
  readonly executions = new Map<string, ModelExecution>();
  readonly marks = new Map<string, number>();
  #token = 0;

  record(slots: ReadonlyArray<{ taskId: string; nominalMs: number }>, claim: boolean): string[] {
    const marksBefore = new Map(this.marks);
    return slots.map(({ taskId, nominalMs }) => {
      const id = `${taskId}/1/${nominalMs}`;
      if (!TASKS.includes(taskId)) return 'unknown-task';
      if (this.executions.has(id)) return 'duplicate';
      const before = marksBefore.get(taskId);
      if (before !== undefined && nominalMs <= before) return 'below-high-water-mark';
      const token = claim ? ++this.#token : 0;
      this.executions.set(id, { id, taskId, nominalMs, attempt: claim ? 1 : 0, token, outcome: claim ? 'running' : 'skipped' });
      this.marks.set(taskId, Math.max(this.marks.get(taskId) ?? nominalMs, nominalMs));
      return claim ? 'claimed' : 'recorded';
    });
  }

  fenced(id: string, token: number, kind: 'complete' | 'save' | 'retry', outcome?: string): string {
    const e = this.executions.get(id);
    if (e === undefined) return 'unknown-execution';
    if (e.token !== token) return 'stale-token';
    if (kind === 'retry') {
      if (e.outcome !== 'failed' && e.outcome !== 'interrupted') return 'not-retryable';
      Object.assign(e, { attempt: e.attempt + 1, token: ++this.#token, outcome: 'running' });
      return 'retried';
    }
    if (e.outcome !== 'running') return 'already-ended';
    if (kind === 'complete') e.outcome = outcome!;
    return kind === 'complete' ? 'completed' : 'saved';
  }
}

const slotArb = fc.record({ taskId: fc.constantFrom('a', 'b', 'ghost'), nominalMs: fc.integer({ min: 0, max: 12 }) });
const tokenDelta = fc.constantFrom(0, 0, 0, -1, 1);
const command = fc.oneof(
  fc.record({ kind: fc.constant('claim' as const), slots: fc.array(slotArb, { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('skip' as const), slots: fc.array(slotArb, { minLength: 1, maxLength: 2 }) }),
  fc.record({
    kind: fc.constant('complete' as const), pick: fc.nat(), tokenDelta,
    outcome: fc.constantFrom<EndingOutcome>('succeeded', 'failed', 'interrupted', 'cancelled'),
  }),
  fc.record({ kind: fc.constant('retry' as const), pick: fc.nat(), tokenDelta }),
  fc.record({ kind: fc.constant('save' as const), pick: fc.nat(), tokenDelta }),
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

async function step(store: Store, model: SlotModel, c: Command, at: number): Promise<void> {
  if (c.kind === 'claim' || c.kind === 'skip') {
    const requests = c.slots.map((s) => ({ ...s, scheduleVersion: 1, startedAtMs: at, reason: 'model', recordedAtMs: at }));
    const results = c.kind === 'claim' ? await store.claim(requests) : await store.recordSkipped(requests);
    equal(results.map((r) => r.status), model.record(c.slots, c.kind === 'claim'), `${c.kind} ${JSON.stringify(c.slots)}`);
    return;
  }
  const ids = [...model.executions.keys()];
  const id = ids.length === 0 ? 'a/1/99' : ids[c.pick % ids.length]!;
  const token = Math.max(1, (model.executions.get(id)?.token ?? 1) + c.tokenDelta);
  let status: string;
  if (c.kind === 'complete') status = (await store.complete({ executionId: id, fencingToken: token, outcome: c.outcome, endedAtMs: at })).status;
  else if (c.kind === 'retry') status = (await store.retry({ executionId: id, fencingToken: token, startedAtMs: at })).status;
  else status = (await store.saveState(id, token, { at })).status;
  equal(status, model.fenced(id, token, c.kind, c.kind === 'complete' ? c.outcome : undefined), `${c.kind} ${id} with token ${token}`);
}

async function compareFinalState(store: Store, model: SlotModel): Promise<void> {
  const stored = [];
  for (const taskId of TASKS) {
    for (const e of (await store.history(taskId, { limit: 10_000 })).executions) {
      stored.push({ id: e.id, taskId, nominalMs: e.nominalMs, attempt: e.attempt, token: e.fencingToken, outcome: e.outcome });
    }
  }
  const byId = (x: { id: string }, y: { id: string }) => x.id.localeCompare(y.id);
  equal(stored.sort(byId), [...model.executions.values()].sort(byId), 'every execution: attempt, token, outcome');
  equal(await store.highWaterMarks(), model.marks, 'high-water marks');
  const unfinished = (await store.unfinishedExecutions()).map((e) => e.id).sort();
  equal(unfinished, [...model.executions.values()].filter((e) => OPEN.has(e.outcome)).map((e) => e.id).sort(), 'unfinished');
}

export function describeSlotModel(harness: StoreHarness, numRuns = 40): void {
  describe(`${harness.name} agrees with the slot model`, () => {
    it('random claims, skips, completions, retries and saves with current and stale tokens', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
          const location = await harness.location();
          const store = location.store();
          try {
            await store.open();
            await store.putTasks(TASKS.map((id) => task(id)));
            const model = new SlotModel();
            for (const [i, c] of commands.entries()) await step(store, model, c, i);
            await compareFinalState(store, model);
          } finally {
            await store.close();
            await location.dispose();
          }
        }),
        { numRuns },
      );
    });
  });
}
