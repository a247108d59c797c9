// SlotWrites (src/durable/slot-writes.ts): a batch holding an attempt's end
// commits at the end of the host turn in which a claim joins it; any other
// batch two host turns after its first write. Driven turn by turn on a host
// of its own (a queue of macrotasks), against a store that records each
// completeAndClaim() call.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/time/clock.js';
import type { FencedStore } from '../../src/durable/fenced-store.js';
import { SlotWrites } from '../../src/durable/slot-writes.js';
import type { ClaimRequest, CompleteRequest } from '../../src/store/store.js';

function setup() {
  const macrotasks: Array<() => void> = [];
  const clock = { yieldToHost: (fn: () => void) => void macrotasks.push(fn) } as unknown as Clock;
  const commits: string[][] = [];
  const store = {
    async completeAndClaim(ends: CompleteRequest[], claims: ClaimRequest[]) {
      commits.push([...ends.map((e) => `end ${e.executionId}`), ...claims.map((c) => `claim ${c.taskId}`)]);
      return {
        completed: ends.map(() => ({ status: 'unknown-execution' as const })),
        claimed: claims.map(() => ({ status: 'unknown-task' as const })),
      };
    },
  } as unknown as FencedStore;
  /** Runs the next host macrotask, then every microtask it left. */
  async function turn(): Promise<void> {
    macrotasks.shift()?.();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { writes: new SlotWrites(store, clock), clock, commits, turn, pending: () => macrotasks.length };
}

const end = (id: string): CompleteRequest => ({ executionId: id, fencingToken: 1, outcome: 'succeeded', endedAtMs: 0 });
const claim = (taskId: string): ClaimRequest => ({ taskId, scheduleVersion: 1, nominalMs: 0, startedAtMs: 0 });

describe('SlotWrites', () => {
  it('commits an end with the claim that joins it at the end of the claim\'s turn', async () => {
    const { writes, clock, commits, turn, pending } = setup();
    void writes.end(end('a/1/0'));
    // As the body's end does: the run loop's next turn is queued after the end, and claims the next run.
    clock.yieldToHost(() => void writes.claim(claim('b')));
    await turn();
    expect(commits).toEqual([]);
    await turn();
    expect(commits).toEqual([['end a/1/0', 'claim b']]);
    // The end's second turn is still queued: the commit did not wait for it.
    expect(pending()).toBe(1);
    await turn();
    expect(commits).toHaveLength(1);
  });

  it('commits claims that no end waits for, and ends no claim joins, two host turns after the first', async () => {
    const { writes, commits, turn } = setup();
    void writes.claim(claim('a'));
    void writes.claim(claim('b'));
    await turn();
    expect(commits).toEqual([]);
    await turn();
    expect(commits).toEqual([['claim a', 'claim b']]);
    void writes.end(end('a/1/0'));
    await turn();
    expect(commits).toHaveLength(1);
    await turn();
    expect(commits).toEqual([['claim a', 'claim b'], ['end a/1/0']]);
  });
});
