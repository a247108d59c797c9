// Recovery after a crash: a run cut short is recorded as interrupted and
// retried with its saved state while attempts last; a completed slot never
// runs again; the record of a task whose function is not defined is kept.
import { describe, expect, it } from 'vitest';
import { FunctionNotDefinedError } from '../../src/index.js';
import { harness, outcomes, WALL_START_MS } from './helpers.js';

describe('recovery on start', () => {
  it('records an execution left running as interrupted and retries it with the last saved state', async () => {
    const h = harness();
    const first = h.scheduler();
    const seen: Array<[number, unknown]> = [];
    let release: () => void = () => {};
    first.define('job', async (_params, ctx) => {
      seen.push([ctx.attempt, ctx.state]);
      await ctx.saveState({ step: 2 });
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await first.schedule({ id: 'long', fn: 'job', after: 100 });
    first.start();
    await h.clock.advance(100);
    expect(seen).toEqual([[1, null]]);
    await h.crash(first);

    const second = h.scheduler();
    const interrupted: unknown[] = [];
    second.events.addEventListener('executioninterrupted', (e) => interrupted.push(e.detail));
    second.define('job', (_params, ctx) => {
      seen.push([ctx.attempt, ctx.state]);
    });
    second.start();
    const report = await second.ready;
    expect(report).toMatchObject({ tasks: 1, interrupted: 1, retried: 1, failed: 0, undefinedFunctions: [] });
    await h.clock.advance(0);
    expect(seen).toEqual([[1, null], [2, { step: 2 }]]);
    expect(interrupted).toMatchObject([{ taskId: 'long', nominalMs: WALL_START_MS + 100, attempt: 1, retrying: true }]);
    const [execution] = (await second.history('long')).executions;
    expect(execution).toMatchObject({ outcome: 'succeeded', attempt: 2 });
    expect(await second.getTask('long')).toMatchObject({ status: 'completed', executionCount: 1 });
    release();
    await second.stop();
  });

  it('ends an interrupted execution as failed, with the reason, when no attempt is left', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('job', () => new Promise(() => {}));
    await first.schedule({ id: 'once', fn: 'job', after: 10, retry: 1 });
    first.start();
    await h.clock.advance(10);
    await h.crash(first);

    const second = h.scheduler();
    let runs = 0;
    second.define('job', () => {
      runs++;
    });
    second.start();
    expect(await second.ready).toMatchObject({ interrupted: 1, retried: 0, failed: 1 });
    await h.clock.advance(1000);
    expect(runs).toBe(0);
    expect(outcomes(h.database, 'once')).toEqual([[10, 'failed']]);
    expect(await second.getTask('once')).toMatchObject({ status: 'failed', lastError: expect.stringContaining('interrupted') });
    await second.stop();
  });

  it('never runs a completed slot again, and runs each recurring slot once across restarts', async () => {
    const h = harness();
    const runs: number[] = [];
    const define = (s: ReturnType<typeof h.scheduler>) =>
      s.define('tick', (_params, ctx) => {
        runs.push(ctx.nominalMs - WALL_START_MS);
      });
    const first = h.scheduler();
    define(first);
    await first.schedule({ id: 'rate', fn: 'tick', every: 1000 });
    first.start();
    await h.clock.advance(3500);
    await first.stop();

    const second = h.scheduler();
    define(second);
    second.start();
    await second.ready;
    await h.clock.advance(2000);
    await second.stop();
    expect(runs).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(outcomes(h.database, 'rate').map(([ms]) => ms)).toEqual([1000, 2000, 3000, 4000, 5000]);
  });

  it('keeps the record of a task whose function is not defined, reports it, and runs it once defined', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('report', () => {});
    await first.schedule({ id: 'r', fn: 'report', params: { n: 1 }, after: 1000 });
    await first.stop();

    const second = h.scheduler();
    const events: unknown[] = [];
    second.events.addEventListener('taskundefined', (e) => events.push(e.detail));
    second.start();
    const report = await second.ready;
    expect(report?.undefinedFunctions).toHaveLength(1);
    const [error] = report?.undefinedFunctions ?? [];
    expect(FunctionNotDefinedError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_FUNCTION_NOT_DEFINED', functionName: 'report', taskId: 'r' });
    expect(events).toMatchObject([{ taskId: 'r', functionName: 'report' }]);
    await h.clock.advance(5000);
    expect(await second.getTask('r')).toMatchObject({ status: 'pending', functionName: 'report', params: { n: 1 }, executionCount: 0 });

    const ran: unknown[] = [];
    second.define('report', (params) => {
      ran.push(params);
    });
    await h.clock.advance(0);
    expect(ran).toEqual([{ n: 1 }]);
    await second.stop();
  });

  it('refuses to schedule a task naming an undefined function, writing nothing', async () => {
    const h = harness();
    const s = h.scheduler();
    await expect(s.schedule({ id: 'x', fn: 'nope', after: 1 })).rejects.toMatchObject({ code: 'ERR_FUNCTION_NOT_DEFINED' });
    expect(h.database.tasks.size).toBe(0);
    await s.stop();
  });
});

describe('recovery meeting a registration', () => {
  it('a task scheduled again before start() still gets the retry of the attempt a dead process left running', async () => {
    const h = harness();
    const first = h.scheduler();
    first.define('job', () => new Promise(() => {}));
    await first.schedule({ id: 'j', fn: 'job', every: '10s' });
    first.start();
    await h.clock.advance(10_000);
    await h.crash(first);

    const second = h.scheduler();
    const seen: Array<[number, number]> = [];
    second.define('job', (_params, ctx) => {
      seen.push([ctx.nominalMs - WALL_START_MS, ctx.attempt]);
    });
    // The same registration again (as an app does at every boot): same schedule, so the same version.
    await second.schedule({ id: 'j', fn: 'job', every: '10s' });
    second.start();
    expect(await second.ready).toMatchObject({ interrupted: 1, retried: 1 });
    await h.clock.advance(0);
    expect(seen).toContainEqual([10_000, 2]);
    await second.stop();
  });
});
