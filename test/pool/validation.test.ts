// Every public argument of the pool is validated at the call that made it,
// with a typed error, a stable code and a message that names the argument,
// what is allowed and what was received. Constructors and task() throw;
// run() and close() reject.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PoolOptions, WorkerPool } from '../../src/pool/index.js';
import { FIXTURES, poolModule, startPool } from './helpers.js';

const constructorCases: Array<[label: string, options: unknown, message: RegExp]> = [
  ['not an object', 5, /options must be an options object, received 5 \(number\)/],
  ['unknown option', { thread: 2 }, /options.thread is not a known option/],
  ['zero threads', { threads: 0 }, /options.threads must be an integer from 1 to 256, received 0/],
  ['fractional threads', { threads: 1.5 }, /options.threads must be an integer .* received 1.5/],
  ['unknown policy', { policy: 'lottery' }, /options.policy must be one of deadline, priority, fair, round-robin, received 'lottery'/],
  ['NaN quantum', { quantumMs: Number.NaN }, /options.quantumMs .* received NaN/],
  ['zero quantum', { quantumMs: 0 }, /options.quantumMs must be > 0/],
  ['bad grace', { graceMs: '5 minutes' }, /options.graceMs .* received '5 minutes'/],
  ['negative maxTerminations', { maxTerminations: -1 }, /options.maxTerminations \(or Infinity\) must be an integer from 0 to 1000, received -1/],
  ['negative spare threads', { spareThreads: -1 }, /options.spareThreads must be an integer from 0 to 2, received -1/],
  ['more spares than threads', { threads: 2, spareThreads: 3 }, /options.spareThreads must be an integer from 0 to 2, received 3/],
  ['fractional spare threads', { spareThreads: 0.5 }, /options.spareThreads must be an integer .* received 0.5/],
  ['every worker reserved', { threads: 2, reserved: { workers: 2 } }, /options.reserved.workers must be an integer from 0 to 1, received 2/],
  ['reserved for background', { reserved: { workers: 1, priority: 'background' } }, /options.reserved.priority must be more urgent than 'background'/],
  ['unknown reserved priority', { reserved: { workers: 1, priority: 'urgent' } }, /options.reserved.priority must be one of/],
  ['relative resource module', { resource: { module: './db.js' } }, /options.resource.module must be an absolute path or a file: URL/],
  ['resource not a module', { resource: { module: 42 } }, /options.resource.module must be an absolute path or a file: URL of a module, received 42/],
  ['http resource module', { resource: { module: new URL('https://example.com/x.js') } }, /options.resource.module must be a file: URL/],
  ['empty resource export', { resource: { module: FIXTURES, export: '' } }, /options.resource.export must be a non-empty string/],
  ['unknown resource limit', { resourceLimits: { heapMb: 5 } }, /options.resourceLimits.heapMb is not a known option/],
  ['negative resource limit', { resourceLimits: { maxOldGenerationSizeMb: -5 } }, /options.resourceLimits.maxOldGenerationSizeMb must be a number > 0/],
  ['bad deadline class', { deadlinesMs: { urgent: 5 } }, /deadlinesMs key must be one of/],
];

type RunCase = [label: string, call: (pool: WorkerPool) => Promise<unknown>, code: string, message: RegExp];
const runCases: RunCase[] = [
  ['not a task', (p) => p.run(42 as never), 'ERR_INVALID_ARGUMENT', /run: task must be a PoolTask .* received 42 \(number\)/],
  ['a relative module', (p) => p.run({ module: 'tasks.mjs' }), 'ERR_INVALID_ARGUMENT', /task.module must be an absolute path or a file: URL/],
  ['unknown task option', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { prio: 1 } as never), 'ERR_INVALID_ARGUMENT', /options.prio is not a known option/],
  ['unknown priority', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { priority: 'urgent' as never }), 'ERR_INVALID_ARGUMENT', /options.priority must be one of critical/],
  ['zero weight', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { weight: 0 }), 'ERR_INVALID_ARGUMENT', /options.weight must be a finite number > 0, received 0/],
  ['nice and weight', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { weight: 2, nice: 1 }), 'ERR_INVALID_ARGUMENT', /alternatives/],
  ['out-of-range nice', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { nice: 20 }), 'ERR_INVALID_ARGUMENT', /options.nice must be an integer from -20 to 19, received 20/],
  ['zero retry attempts', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { retry: 0 }), 'ERR_INVALID_ARGUMENT', /retry.attempts must be an integer >= 1, received 0/],
  ['zero timeout', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { timeoutMs: 0 }), 'ERR_INVALID_ARGUMENT', /options.timeoutMs must be > 0, received 0/],
  ['negative timeout', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { timeoutMs: -5 }), 'ERR_INVALID_ARGUMENT', /options.timeoutMs .* received -5/],
  ['NaN timeout', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { timeoutMs: Number.NaN }), 'ERR_INVALID_ARGUMENT', /options.timeoutMs .* received NaN/],
  ['infinite timeout', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { timeoutMs: Number.POSITIVE_INFINITY }), 'ERR_INVALID_ARGUMENT', /options.timeoutMs .* received Infinity/],
  ['unparseable timeout', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { timeoutMs: 'soon' }), 'ERR_INVALID_ARGUMENT', /options.timeoutMs .* received 'soon'/],
  ['not a signal', (p) => p.run(p.task(FIXTURES, 'echo'), 1, { signal: {} as never }), 'ERR_INVALID_ARGUMENT', /options.signal must be an AbortSignal/],
  ['uncloneable args', (p) => p.run(p.task(FIXTURES, 'echo'), { fn: () => 1 }), 'ERR_UNCLONEABLE', /run: args cannot be sent to a worker/],
  ['bad close options', (p) => p.close(5 as never), 'ERR_INVALID_ARGUMENT', /close: options must be an object, received 5/],
  ['bad drain', (p) => p.close({ drain: 'yes' as never }), 'ERR_INVALID_ARGUMENT', /close: options.drain must be a boolean, received 'yes'/],
];

describe('pool argument validation', () => {
  it.each(constructorCases)('the constructor refuses %s', async (_label, options, message) => {
    const { WorkerPool, InvalidArgumentError } = await poolModule();
    let error: unknown;
    try {
      new WorkerPool(options as PoolOptions);
    } catch (err) {
      error = err;
    }
    expect(InvalidArgumentError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('task() refuses a relative module and an empty export', async () => {
    const pool = await startPool({ threads: 1 });
    try {
      expect(() => pool.task('./tasks.mjs')).toThrow(/task.module must be an absolute path/);
      expect(() => pool.task(FIXTURES, '')).toThrow(/task.export must be a non-empty string/);
    } finally {
      await pool.close();
    }
  });

  describe('run() and close()', () => {
    let pool: WorkerPool;
    beforeAll(async () => {
      pool = await startPool({ threads: 1 });
    });
    afterAll(async () => {
      await pool.close();
    });

    it('accept a timeoutMs given as a duration string', async () => {
      expect(await pool.run(pool.task(FIXTURES, 'echo'), 'ok', { timeoutMs: '2s' })).toBe('ok');
    });

    it.each(runCases)('reject %s (and never throw)', async (_label, call, code, message) => {
      let promise: Promise<unknown> | undefined;
      expect(() => {
        promise = call(pool);
      }).not.toThrow();
      const error = await promise!.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as { code: string }).code).toBe(code);
      expect((error as Error).message).toMatch(message);
    });

    it('a closed pool refuses new work with PoolClosedError', async () => {
      const other = await startPool({ threads: 1 });
      await other.close();
      const error = await other.run(other.task(FIXTURES, 'echo'), 1).catch((e: { code: string }) => e);
      expect((error as { code: string }).code).toBe('ERR_POOL_CLOSED');
    });
  });
});
