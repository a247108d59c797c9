// Tracing durable tasks (options.tracer): each attempt is a span with the
// execution's attributes; the execution record keeps the span of the slot's
// first attempt, and a retry links to it, also after a restart, when the
// link comes from the record. Over MemoryStore, SqliteStore and IndexedDbStore
// (fake-indexeddb), on the VirtualClock; the spans go to an InMemorySpanExporter.
import 'fake-indexeddb/auto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Scheduler, type SchedulerOptions } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { ATTR } from '../../src/tracing.js';
import { installContextManager, memoryTracing } from '../helpers/tracing.js';
import { advanceWithIo, WALL_START_MS } from './helpers.js';
import { restartStores } from './restart-stores.js';

const SPAN_ERROR = 2;
const LEASE = { ttlMs: 1000 };
let uninstall: () => void;
beforeAll(() => {
  uninstall = installContextManager();
});
afterAll(() => uninstall());

const stores = restartStores(['MemoryStore', 'SqliteStore', 'IndexedDbStore', 'PostgresStore']);

describe.each(stores)('durable tracing over %s', (_name, makeStores) => {
  it("makes a span per attempt, keeps the first attempt's trace in the record, and links the retries to it, across a restart", async () => {
    const openStore = await makeStores();
    const { provider, spans } = memoryTracing();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const options = (): SchedulerOptions => ({ clock, store: openStore(), clockWatch: false, retention: false, lease: LEASE, tracer: provider, onError: false });
    const first = new Scheduler(options());
    first.define('job', () => {
      throw new Error('down');
    });
    await first.schedule({ id: 'j', fn: 'job', after: 100, retry: { attempts: 3, backoff: 'fixed', delayMs: 5000, jitter: 0 } });
    first.start();
    await advanceWithIo(clock, 1000);
    // Attempt 1 failed; its slot stays open (interrupted, with its error) for the retry when the process stops during its backoff.
    expect(spans()).toHaveLength(1);
    const [attempt1] = spans();
    const slotMs = WALL_START_MS + 100;
    expect(attempt1?.name).toBe('job');
    expect(attempt1?.parentSpanContext).toBeUndefined();
    expect(attempt1?.attributes).toEqual({
      [ATTR.taskId]: 'j', [ATTR.taskName]: 'job', [ATTR.slotMs]: slotMs, [ATTR.executionId]: `j/1/${slotMs}`, [ATTR.attempt]: 1,
      [ATTR.durable]: true, [ATTR.manual]: false, [ATTR.latenessMs]: 0, [ATTR.waitMs]: 0, [ATTR.outcome]: 'failed',
    });
    expect(attempt1?.status).toEqual({ code: SPAN_ERROR, message: 'down' });
    const firstSpan = { traceId: attempt1!.spanContext().traceId, spanId: attempt1!.spanContext().spanId };
    expect((await first.history('j')).executions[0]).toMatchObject({ attempt: 1, outcome: 'interrupted', error: { name: 'Error', message: 'down' }, ...firstSpan });
    await first.stop();

    await advanceWithIo(clock, 1000);
    const second = new Scheduler(options());
    second.define('job', () => 'ok');
    second.start();
    expect(await second.ready).toMatchObject({ interrupted: 0, retried: 1 });
    await advanceWithIo(clock, 10_000);
    const [, attempt2] = spans();
    expect(spans()).toHaveLength(2);
    expect(attempt2?.attributes).toMatchObject({ [ATTR.executionId]: `j/1/${slotMs}`, [ATTR.attempt]: 2, [ATTR.outcome]: 'succeeded' });
    // Started after its backoff from the failure, 5 s after its slot.
    expect(attempt2?.attributes[ATTR.latenessMs]).toBeGreaterThan(0);
    expect(attempt2?.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId }))).toEqual([firstSpan]);
    expect(attempt2?.spanContext().traceId).not.toBe(firstSpan.traceId);
    // The record keeps the first attempt's span: the one the retries link to.
    const [execution] = (await second.history('j')).executions;
    expect(execution).toMatchObject({ attempt: 2, outcome: 'succeeded', ...firstSpan });
    await second.stop();
  }, 20_000);
});

describe('durable tracing', () => {
  it('marks a manual run (runNow), makes the span active while the body runs, and fails the span of an attempt past its timeout', async () => {
    const openStore = (await stores[0]![1]())!;
    const { provider, spans } = memoryTracing();
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const s = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false, tracer: provider, onError: false });
    const inner = provider.getTracer('app');
    s.define('ping', () => {
      inner.startSpan('inside').end();
    });
    s.define('hang', () => new Promise<never>(() => {}));
    await s.schedule({ id: 'p', fn: 'ping', every: '1h' });
    await s.schedule({ id: 'h', fn: 'hang', after: 0, timeoutMs: 500, retry: 1 });
    s.start();
    await advanceWithIo(clock, 100);
    const manual = s.runNow('p');
    await advanceWithIo(clock, 1000);
    await manual;
    const ping = spans().find((span) => span.name === 'ping');
    expect(ping?.attributes).toMatchObject({ [ATTR.manual]: true, [ATTR.executionId]: expect.stringMatching(/^p\/0\//), [ATTR.outcome]: 'succeeded' });
    expect(spans().find((span) => span.name === 'inside')?.parentSpanContext?.spanId).toBe(ping?.spanContext().spanId);
    const hang = spans().find((span) => span.name === 'hang');
    expect(hang?.attributes[ATTR.outcome]).toBe('failed');
    expect(hang?.status.message).toMatch(/timed out after 500 ms/);
    expect((await s.history('h')).executions[0]).toMatchObject({ outcome: 'failed', traceId: hang?.spanContext().traceId });
    await s.stop();
  });

  it('without a tracer, records no trace', async () => {
    const openStore = (await stores[0]![1]())!;
    const clock = new VirtualClock({ wallStartMs: WALL_START_MS });
    const s = new Scheduler({ clock, store: openStore(), clockWatch: false, retention: false });
    s.define('job', () => {});
    await s.schedule({ id: 'j', fn: 'job', after: 0 });
    s.start();
    await advanceWithIo(clock, 500);
    expect((await s.history('j')).executions[0]).toMatchObject({ outcome: 'succeeded', traceId: null, spanId: null });
    await s.stop();
  });
});
