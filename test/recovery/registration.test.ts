// Durable registration: validated at the call (table-driven bad inputs), one
// transaction for the calls of one tick, resolved only once stored, and
// scheduleMany all or nothing.
import { describe, expect, it, vi } from 'vitest';
import { DurableFunction, NoStoreError, Scheduler } from '../../src/index.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { harness } from './helpers.js';

const BAD_SCHEDULES: Array<[string, unknown, RegExp, string]> = [
  ['no timing', { fn: 'job' }, /exactly one of at, after, every, recurring or cron, received none/, 'ERR_INVALID_ARGUMENT'],
  ['two timings', { fn: 'job', after: 1, every: 2 }, /exactly one of .* received after and every/, 'ERR_INVALID_ARGUMENT'],
  ['fn a function', { fn: () => {}, after: 1 }, /options.fn must be what define\(\) returned or the name of a defined function/, 'ERR_INVALID_ARGUMENT'],
  ['fn an object with a name', { fn: { name: 'job' }, after: 1 }, /options.fn must be what define\(\) returned or the name of a defined function/, 'ERR_INVALID_ARGUMENT'],
  ['unknown option', { fn: 'job', after: 1, delay: 2 }, /options.delay is not an option/, 'ERR_INVALID_ARGUMENT'],
  ['bad at', { fn: 'job', at: new Date(Number.NaN) }, /options.at must be a valid Date/, 'ERR_INVALID_ARGUMENT'],
  ['zero period', { fn: 'job', every: 0 }, /options.every must be at least 1 ms/, 'ERR_INVALID_ARGUMENT'],
  ['bad duration', { fn: 'job', after: '5 minutes' }, /options.after/, 'ERR_INVALID_ARGUMENT'],
  ['bad cron', { fn: 'job', cron: 'nope' }, /nope/, 'ERR_INVALID_CRON'],
  ['timezone without cron', { fn: 'job', after: 1, timezone: 'UTC' }, /timezone applies only to cron/, 'ERR_INVALID_ARGUMENT'],
  ['dst without cron', { fn: 'job', after: 10, dst: { gap: 'skip' } }, /options\.dst applies only to cron and every$/, 'ERR_INVALID_ARGUMENT'],
  ['dst with a duration', { fn: 'job', every: 10, dst: { gap: 'skip' } }, /options\.dst apply only to cron and to a calendar interval such as every: \{ days: 1 \}/, 'ERR_INVALID_ARGUMENT'],
  ['timezone with a duration', { fn: 'job', every: '1d', timezone: 'Europe/Paris' }, /'1d' \(string\) is a fixed length of elapsed time/, 'ERR_INVALID_ARGUMENT'],
  ['at with every', { fn: 'job', at: Date.UTC(2030, 0, 1), every: '7d' }, /options\.at runs a task once; to start a repeating task at an instant, give it startAt/, 'ERR_INVALID_ARGUMENT'],
  ['at with recurring', { fn: 'job', at: Date.UTC(2030, 0, 1), recurring: '1h' }, /options\.at runs a task once; to start a repeating task at an instant, give it startAt \(with every, recurring or cron\)/, 'ERR_INVALID_ARGUMENT'],
  ['startAt with a one-off', { fn: 'job', after: 1, startAt: Date.UTC(2030, 0, 1) }, /options\.startAt applies only to every, recurring and cron/, 'ERR_INVALID_ARGUMENT'],
  ['endAt with a one-off', { fn: 'job', at: Date.UTC(2030, 0, 1), endAt: Date.UTC(2030, 0, 2) }, /options\.endAt applies only to every, recurring and cron/, 'ERR_INVALID_ARGUMENT'],
  ['recurring with an infinite endAt', { fn: 'job', recurring: '1h', endAt: Number.POSITIVE_INFINITY }, /options\.endAt must be a valid Date/, 'ERR_INVALID_ARGUMENT'],
  ['recurring with an invalid Date startAt', { fn: 'job', recurring: '1h', startAt: new Date(Number.NaN) }, /options\.startAt must be a valid Date/, 'ERR_INVALID_ARGUMENT'],
  ['recurring with endAt before startAt', { fn: 'job', recurring: '1h', startAt: Date.UTC(2030, 0, 2), endAt: Date.UTC(2030, 0, 1) }, /options\.endAt must not be before startAt/, 'ERR_INVALID_SCHEDULE_WINDOW'],
  ['recurring with endAt in the past', { fn: 'job', recurring: '1h', endAt: 0 }, /no slot is left before endAt \(1970-01-01T00:00:00.000Z\)/, 'ERR_INVALID_SCHEDULE_WINDOW'],
  ['bad startAt', { fn: 'job', every: '1h', startAt: Number.NaN }, /options\.startAt must be a valid Date/, 'ERR_INVALID_ARGUMENT'],
  ['endAt not a date', { fn: 'job', cron: '@daily', endAt: '2030-01-01' }, /options\.endAt must be a valid Date/, 'ERR_INVALID_ARGUMENT'],
  ['endAt before startAt', { fn: 'job', every: '1h', startAt: Date.UTC(2030, 0, 2), endAt: Date.UTC(2030, 0, 1) }, /options\.endAt must not be before startAt/, 'ERR_INVALID_SCHEDULE_WINDOW'],
  ['endAt in the past', { fn: 'job', every: '1h', endAt: 0 }, /no slot is left before endAt \(1970-01-01T00:00:00.000Z\); a task the store has with this same schedule may be registered again, a new one may not/, 'ERR_INVALID_SCHEDULE_WINDOW'],
  ['no slot in the window', { fn: 'job', cron: '0 0 1 1 *', startAt: Date.UTC(2030, 0, 2), endAt: Date.UTC(2030, 5, 1) }, /has no slot between startAt/, 'ERR_INVALID_SCHEDULE_WINDOW'],
  ['calendar interval of two units', { fn: 'job', every: { months: 1, days: 1 } }, /options\.every must be a duration like '5m' or a calendar interval with exactly one of days, weeks or months/, 'ERR_INVALID_ARGUMENT'],
  ['calendar interval of 0', { fn: 'job', every: { weeks: 0 } }, /options\.every\.weeks must be an integer from 1 to 100000/, 'ERR_INVALID_ARGUMENT'],
  ['calendar interval in an unknown zone', { fn: 'job', every: { days: 1 }, timezone: 'Mars/Olympus' }, /IANA/, 'ERR_UNKNOWN_TIME_ZONE'],
  ['dst not an object', { fn: 'job', cron: '@hourly', dst: 'skip' }, /^options\.dst must be an object, received 'skip' \(string\)$/, 'ERR_INVALID_ARGUMENT'],
  ['bad dst gap', { fn: 'job', cron: '@hourly', dst: { gap: 'run' } }, /^options\.dst\.gap must be 'skip' or 'run-at-first-valid', received 'run' \(string\)$/, 'ERR_INVALID_ARGUMENT'],
  ['bad dst overlap', { fn: 'job', cron: '@hourly', dst: { overlap: 'twice' } }, /^options\.dst\.overlap must be 'once' or 'both', received 'twice' \(string\)$/, 'ERR_INVALID_ARGUMENT'],
  ['empty id', { id: '', fn: 'job', after: 1 }, /options.id must be a string of 1 to 1024 characters/, 'ERR_INVALID_ARGUMENT'],
  ['function in params', { fn: 'job', after: 1, params: { f: () => {} } }, /options.params.f cannot be stored/, 'ERR_UNSTORABLE_PAYLOAD'],
  ['BigInt in params', { fn: 'job', after: 1, params: { n: 1n } }, /options.params.n cannot be stored/, 'ERR_UNSTORABLE_PAYLOAD'],
  ['cycle in metadata', { fn: 'job', after: 1, metadata: (() => { const o: Record<string, unknown> = {}; o.self = o; return o; })() }, /options.metadata.self cannot be stored/, 'ERR_UNSTORABLE_PAYLOAD'],
  ['bad policy', { fn: 'job', after: 1, missed: { policy: 'later' } }, /options.missed.policy must be 'skip', 'run-once' or 'catch-up'/, 'ERR_INVALID_ARGUMENT'],
  ['catch-up cap without catch-up', { fn: 'job', after: 1, missed: { catchUpMax: 2 } }, /apply only to policy 'catch-up'/, 'ERR_INVALID_ARGUMENT'],
  ['zero cap', { fn: 'job', after: 1, missed: { policy: 'catch-up', catchUpMax: 0 } }, /catchUpMax must be an integer >= 1/, 'ERR_INVALID_ARGUMENT'],
  ['bad retry', { fn: 'job', after: 1, retry: 0 }, /options.retry: retry.attempts must be an integer >= 1/, 'ERR_INVALID_ARGUMENT'],
  ['bad maxExecutions', { fn: 'job', every: 10, maxExecutions: 1.5 }, /maxExecutions must be an integer >= 1/, 'ERR_INVALID_ARGUMENT'],
  ['bad priority', { fn: 'job', after: 1, priority: 'urgent' }, /priority/, 'ERR_INVALID_ARGUMENT'],
  ['undefined function', { fn: 'other', after: 1 }, /no function is defined as 'other'/, 'ERR_FUNCTION_NOT_DEFINED'],
];

describe('durable params read through getters and Proxies', () => {
  it('refuses params whose getter or Proxy trap throws with UnstorablePayloadError naming where, the error as cause, storing nothing', async () => {
    const h = harness();
    const s = h.scheduler();
    s.define('job', () => {});
    const boom = new Error('no access');
    const getter = { ok: 1, nested: { get secret() { throw boom; } } };
    const proxy = new Proxy({}, { ownKeys() { throw boom; } });
    for (const [params, path] of [[getter, 'schedule: options.params.nested.secret'], [{ list: [proxy] }, 'schedule: options.params.list[0]']] as const) {
      const error = await s.schedule({ fn: 'job', after: 1, params: params as never }).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code: 'ERR_UNSTORABLE_PAYLOAD', path, cause: boom });
      expect((error as Error).message).toMatch(/reading it threw \(no access\)/);
    }
    expect(h.database.tasks.size).toBe(0);
    await s.stop();
  });
});

describe('durable registration', () => {
  for (const [name, options, message, code] of BAD_SCHEDULES) {
    it(`refuses ${name} with ${code}, storing nothing`, async () => {
      const h = harness();
      const s = h.scheduler();
      s.define('job', () => {});
      const error = await s.schedule(options as never).then(() => undefined, (e: unknown) => e);
      expect(error).toMatchObject({ code });
      expect((error as Error).message).toMatch(message);
      expect(h.database.tasks.size).toBe(0);
      await s.stop();
    });
  }

  it("define() returns a reference that schedule() takes as fn, stored under the function's name", async () => {
    const h = harness();
    const s = h.scheduler();
    const seen: unknown[] = [];
    const report = s.define('report', (params: { to: string }) => void seen.push(params.to));
    expect(report).toBeInstanceOf(DurableFunction);
    expect([report.name, Object.isFrozen(report)]).toEqual(['report', true]);
    s.start();
    await s.ready;
    const byRef = await s.schedule({ id: 'a', fn: report, params: { to: 'ops' }, after: 1 });
    const [byList] = await s.scheduleMany([{ id: 'b', fn: report, params: { to: 'me' }, after: 2 }]);
    expect([byRef.functionName, byList!.functionName]).toEqual(['report', 'report']);
    await h.clock.advance(5);
    expect(seen.sort()).toEqual(['me', 'ops']);
    // Type-checked: params that do not fit the function's parameter are a compile error.
    // @ts-expect-error 'too' is not a param of report
    await s.schedule({ fn: report, params: { too: 'x' }, after: 1 });
    await s.stop();
  });

  it("stores the scheduler's durableRetry with tasks that set no retry of their own, and refuses a bad one", async () => {
    const h = harness();
    const s = h.scheduler({ durableRetry: { attempts: 5, backoff: 'fixed', delayMs: '2s' } });
    s.define('job', () => {});
    const inherited = await s.schedule({ id: 'a', fn: 'job', after: 1 });
    const own = await s.schedule({ id: 'b', fn: 'job', after: 1, retry: 2 });
    expect(inherited.retry).toMatchObject({ attempts: 5, backoff: 'fixed', delayMs: 2000 });
    expect(own.retry).toMatchObject({ attempts: 2 });
    await s.stop();
    // Without it, the durable default: 3 attempts, exponential from 1 s.
    const plain = harness().scheduler();
    plain.define('job', () => {});
    expect((await plain.schedule({ id: 'c', fn: 'job', after: 1 })).retry).toMatchObject({ attempts: 3, backoff: 'exponential', delayMs: 1000 });
    await plain.stop();
    expect(() => harness().scheduler({ durableRetry: 0 })).toThrow(/options.durableRetry: retry.attempts must be an integer >= 1/);
    expect(() => new Scheduler({ durableRetry: 2 })).toThrow(/options.durableRetry applies only with options.store/);
  });

  it('refuses bad define() arguments and a second function under one name', () => {
    const s = harness().scheduler();
    expect(() => s.define('', () => {})).toThrow(/define: name must be a non-empty string, received ''/);
    expect(() => s.define('x', 'f' as never)).toThrow(/define: fn must be a function, received 'f' \(string\)/);
    s.define('x', () => {});
    expect(() => s.define('x', () => {})).toThrow(/'x' is already defined/);
  });

  it('refuses durable calls and options on a scheduler without a store, with NoStoreError', async () => {
    const s = new Scheduler();
    expect(() => s.define('x', () => {})).toThrow(NoStoreError);
    await expect(s.schedule({ fn: 'x', after: 1 })).rejects.toMatchObject({ code: 'ERR_NO_STORE' });
    expect(s.ready).toBeUndefined();
    expect(() => new Scheduler({ retention: false })).toThrow(/options.retention applies only with options.store/);
    expect(() => new Scheduler({ store: 42 as never })).toThrow(/options.store must be a Store .* or a SQLite file path, received 42/);
    expect(() => new Scheduler({ store: {} as never })).toThrow(/without open, close/);
    expect(() => new Scheduler({ store: 'x.db', retention: { maxAgeMs: '1d', intervalMs: 0 } })).toThrow(/intervalMs must be > 0/);
  });

  it('writes the registrations of one tick in one transaction, and resolves each once it is stored', async () => {
    const h = harness();
    const store = new MemoryStore({ database: h.database });
    const put = vi.spyOn(store, 'putTasks');
    const s = new Scheduler({ clock: h.clock, store, clockWatch: false, retention: false });
    s.define('job', () => {});
    await s.getTask('warm-up');
    const pending = [s.schedule({ id: 'a', fn: 'job', after: 1 }), s.schedule({ id: 'b', fn: 'job', after: 1 }), s.schedule({ id: 'c', fn: 'job', after: 1 })];
    expect(h.database.tasks.size).toBe(0);
    const records = await Promise.all(pending);
    expect(records.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(h.database.tasks.size).toBe(3);
    expect(put).toHaveBeenCalledTimes(1);
    expect(put.mock.calls[0]?.[0]).toHaveLength(3);
    await s.stop();
  });

  it('scheduleMany writes all or nothing: one bad registration refuses the whole call', async () => {
    const h = harness();
    const s = h.scheduler();
    s.define('job', () => {});
    await expect(s.scheduleMany([{ id: 'a', fn: 'job', after: 1 }, { id: 'b', fn: 'job', after: 1, params: { n: 1n } as never }])).rejects.toMatchObject({
      code: 'ERR_UNSTORABLE_PAYLOAD',
      message: expect.stringContaining('scheduleMany: tasks[1].params.n'),
    });
    expect(h.database.tasks.size).toBe(0);
    const records = await s.scheduleMany(Array.from({ length: 25_000 }, (_, i) => ({ id: `t${i}`, fn: 'job', every: '1h' })));
    expect(records).toHaveLength(25_000);
    expect(h.database.tasks.size).toBe(25_000);
    await s.stop();
  });

  it('replaces a task scheduled again under the same id (a new schedule version), keeping one live task', async () => {
    const h = harness();
    const s = h.scheduler();
    const runs: string[] = [];
    s.define('job', (params: string) => {
      runs.push(params);
    });
    s.start();
    await s.schedule({ id: 'x', fn: 'job', params: 'old', after: 1000 });
    await s.schedule({ id: 'x', fn: 'job', params: 'new', after: 2000 });
    await h.clock.advance(3000);
    expect(runs).toEqual(['new']);
    expect(await s.getTask('x')).toMatchObject({ scheduleVersion: 2, status: 'completed' });
    await s.stop();
  });
});
