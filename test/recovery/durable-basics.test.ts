// Durable tasks on one scheduler: defined functions run with their params at
// their slots, each run recorded once, on a virtual clock.
import { describe, expect, it } from 'vitest';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

describe('durable tasks', () => {
  it('runs a one-off task at its time with its params, and records the execution', async () => {
    const h = harness();
    const s = h.scheduler();
    const log: string[] = [];
    s.define('greet', (params: { who: string }, ctx) => {
      log.push(`${params.who}@${ctx.nominalMs - WALL_START_MS}`);
      return 'done';
    });
    await s.schedule({ id: 'hello', fn: 'greet', params: { who: 'ada' }, after: 1000 });
    s.start();
    await s.ready;
    // In the core, a durable task waits as a wake-up for its next slot.
    expect(s.describe().tasks).toMatchObject([{ name: 'durableSlot', state: 'waiting', reason: { kind: 'not-due', inMs: 1000 } }]);
    await h.clock.advance(999);
    expect(log).toEqual([]);
    await h.clock.advance(1);
    expect(log).toEqual(['ada@1000']);
    expect(outcomes(h.database, 'hello')).toEqual([[1000, 'succeeded']]);
    const task = await s.getTask('hello');
    expect(task).toMatchObject({ status: 'completed', executionCount: 1, nextExecutionMs: null, lastExecutionMs: WALL_START_MS + 1000 });
    const { executions } = await s.history('hello');
    expect(executions).toMatchObject([{ outcome: 'succeeded', result: 'done', attempt: 1 }]);
    await s.stop();
  });

  it('runs a fixed-rate task on its grid and a cron task at its instants', async () => {
    const h = harness();
    const s = h.scheduler();
    const runs: Array<[string, number]> = [];
    s.define('tick', (params: string, ctx) => {
      runs.push([params, ctx.nominalMs - WALL_START_MS]);
    });
    await s.schedule({ id: 'rate', fn: 'tick', params: 'rate', every: '10s', maxExecutions: 3 });
    await s.schedule({ id: 'cron', fn: 'tick', params: 'cron', cron: '*/15 * * * * *', maxExecutions: 2 });
    s.start();
    await h.clock.advance(60_000);
    expect(runs.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))).toEqual([
      ['rate', 10_000], ['cron', 15_000], ['rate', 20_000], ['cron', 30_000], ['rate', 30_000],
    ]);
    expect(await s.getTask('rate')).toMatchObject({ status: 'completed', executionCount: 3 });
    await s.stop();
  });
});
