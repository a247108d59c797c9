// Tracing (options.tracer, src/tracing.ts): every attempt of an in-memory
// task is a span, with its attributes, a link from a retry to its first
// attempt, and a status that says how it ended. On the VirtualClock; the
// spans go to an InMemorySpanExporter.
import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Scheduler } from '../../src/index.js';
import { ATTR } from '../../src/tracing.js';
import { installContextManager, memoryTracing } from '../helpers/tracing.js';
import { virtualScheduler } from './helpers.js';

const SPAN_ERROR = 2;
const SPAN_OK = 1;

let uninstall: () => void;
beforeAll(() => {
  uninstall = installContextManager();
});
afterAll(() => uninstall());

function traced() {
  const tracing = memoryTracing();
  return { ...tracing, ...virtualScheduler({ tracer: tracing.provider, onError: false }) };
}

describe('tracing in-memory tasks', () => {
  it('makes one root span per attempt, named after the task, with its id, name, slot, attempt and outcome', async () => {
    const { clock, scheduler, spans } = traced();
    scheduler.start();
    let calls = 0;
    const h = scheduler.run(() => {
      calls++;
      if (calls === 1) throw new Error('flaky');
      return 'ok';
    }, { name: 'backup', retry: { attempts: 2, backoff: 'fixed', delayMs: 10, jitter: 0 } });
    await clock.runUntilIdle();
    await expect(h.done).resolves.toBe('ok');
    const [first, second] = spans();
    expect(spans()).toHaveLength(2);
    for (const [span, attempt] of [[first, 1], [second, 2]] as const) {
      expect(span?.name).toBe('backup');
      expect(span?.parentSpanContext).toBeUndefined();
      expect(span?.instrumentationScope.name).toBe('timeslice');
      expect(span?.attributes[ATTR.taskId]).toBe(h.id);
      expect(span?.attributes[ATTR.taskName]).toBe('backup');
      expect(span?.attributes[ATTR.attempt]).toBe(attempt);
      // The retry keeps its slot: the nominal time the task was registered for.
      expect(span?.attributes[ATTR.slotMs]).toBe(0);
    }
    expect(first?.attributes[ATTR.outcome]).toBe('failed');
    expect(first?.status).toEqual({ code: SPAN_ERROR, message: 'flaky' });
    expect(first?.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([['exception', 'flaky']]);
    expect(second?.attributes[ATTR.outcome]).toBe('succeeded');
    expect(second?.status.code).toBe(SPAN_OK);
    // The retry is a trace of its own, linked to the first attempt; the first links to nothing.
    expect(first?.links).toEqual([]);
    expect(second?.links.map((l) => l.context)).toEqual([first?.spanContext()]);
    expect(second?.spanContext().traceId).not.toBe(first?.spanContext().traceId);
    // 10 ms of backoff: the retry started 10 ms after its slot.
    expect(second?.attributes[ATTR.latenessMs]).toBe(10);
  });

  it('reports lateness (start - slot) and wait (ready - start) of a run that started late', async () => {
    const { clock, scheduler, spans } = traced();
    scheduler.start();
    scheduler.after(100, () => {}, { name: 'late' });
    scheduler.pause();
    await clock.advance(150);
    scheduler.resume();
    await clock.runUntilIdle();
    const [span] = spans();
    expect(span?.attributes[ATTR.slotMs]).toBe(100);
    expect(span?.attributes[ATTR.latenessMs]).toBe(50);
    expect(span?.attributes[ATTR.waitMs]).toBe(50);
    expect(span?.attributes[ATTR.outcome]).toBe('succeeded');
  });

  it('gives each run of a periodic task its own slot, first attempt and per-run wait', async () => {
    const { clock, scheduler, spans } = traced();
    scheduler.start();
    scheduler.every(10, () => {}, { name: 'tick', maxRuns: 3 });
    await clock.runUntilIdle();
    expect(spans().map((s) => [s.attributes[ATTR.slotMs], s.attributes[ATTR.attempt], s.attributes[ATTR.waitMs], s.links.length])).toEqual([
      [10, 1, 0, 0],
      [20, 1, 0, 0],
      [30, 1, 0, 0],
    ]);
  });

  it('makes the span active while the task runs, so spans the task makes are its children', async () => {
    const { clock, scheduler, spans, provider } = traced();
    const inner = provider.getTracer('app');
    scheduler.start();
    let active: string | undefined;
    scheduler.run(async () => {
      active = trace.getActiveSpan()?.spanContext().spanId;
      inner.startSpan('query').end();
    }, { name: 'job' });
    await clock.runUntilIdle();
    const job = spans().find((s) => s.name === 'job');
    const query = spans().find((s) => s.name === 'query');
    expect(active).toBe(job?.spanContext().spanId);
    expect(query?.parentSpanContext?.spanId).toBe(job?.spanContext().spanId);
    expect(query?.spanContext().traceId).toBe(job?.spanContext().traceId);
  });

  it('is not the child of whatever span was active when the run loop was entered', async () => {
    const { clock, scheduler, spans, provider } = traced();
    scheduler.start();
    provider.getTracer('app').startActiveSpan('request', (request) => {
      scheduler.run(() => {}, { name: 'job' });
      request.end();
    });
    await clock.runUntilIdle();
    expect(spans().find((s) => s.name === 'job')?.parentSpanContext).toBeUndefined();
  });

  it('ends the span of an async run when it rejects, times out (failed) or is cancelled, whether or not its promise settles', async () => {
    const { clock, scheduler, spans } = traced();
    scheduler.start();
    scheduler.run(async () => {
      throw new Error('rejected');
    }, { name: 'rejects' });
    scheduler.run(() => new Promise(() => {}), { name: 'hangs', timeoutMs: 50 });
    const cancelled = scheduler.run(() => new Promise(() => {}), { name: 'cancelled' });
    cancelled.done.catch(() => {});
    await clock.advance(10);
    cancelled.cancel();
    await clock.runUntilIdle();
    const byName = new Map(spans().map((s) => [s.name, s]));
    expect(byName.get('rejects')?.attributes[ATTR.outcome]).toBe('failed');
    expect(byName.get('rejects')?.status).toEqual({ code: SPAN_ERROR, message: 'rejected' });
    expect(byName.get('hangs')?.attributes[ATTR.outcome]).toBe('failed');
    expect(byName.get('hangs')?.status.message).toMatch(/timed out after 50 ms/);
    expect(byName.get('cancelled')?.attributes[ATTR.outcome]).toBe('cancelled');
    expect(byName.get('cancelled')?.status.code).toBe(0);
  });

  it('traces the runs of cron, at and recurring tasks and of a handle runNow()', async () => {
    const { clock, scheduler, spans } = traced();
    scheduler.start();
    scheduler.recurring(5, () => {}, { name: 'recurring', maxRuns: 1 });
    scheduler.at(clock.wallNow() + 20, () => {}, { name: 'at' });
    scheduler.cron('* * * * * *', () => {}, { name: 'cron', maxRuns: 1 });
    const h = scheduler.after(1_000_000, () => {}, { name: 'manual' });
    h.runNow();
    await clock.runUntilIdle();
    expect(spans().map((s) => s.name).sort()).toEqual(['at', 'cron', 'manual', 'recurring']);
  });
});

describe('tracing constrained tasks', () => {
  it('makes no span for a run its slot constraints refuse: the constraints wrap the traced function', async () => {
    const { clock, scheduler, spans } = traced();
    scheduler.start();
    let judged = 0;
    scheduler.every(10, () => {}, { name: 'odd', maxRuns: 4, constraints: { admit: () => judged++ % 2 === 0 || 'even run' } });
    await clock.runUntilIdle();
    expect(judged).toBe(4);
    expect(spans().map((s) => [s.name, s.attributes[ATTR.slotMs]])).toEqual([['odd', 10], ['odd', 30]]);
  });
});

describe('options.tracer', () => {
  it('takes a Tracer as it is, or asks a TracerProvider for the tracer named timeslice', async () => {
    const { provider, spans } = memoryTracing();
    const tracer: Tracer = provider.getTracer('my-app');
    const { clock, scheduler } = virtualScheduler({ tracer });
    scheduler.start();
    scheduler.run(() => {}, { name: 'x' });
    await clock.runUntilIdle();
    expect(spans()[0]?.instrumentationScope.name).toBe('my-app');
    // The API's global provider is a TracerProvider too (a no-op one until an SDK registers).
    const global: TracerProvider = trace.getTracerProvider();
    expect(() => new Scheduler({ tracer: global })).not.toThrow();
  });

  it('refuses anything else with InvalidArgumentError; false and undefined mean no tracing', () => {
    for (const bad of [{}, 'otel', true, 1, { getTracer: () => ({}) }]) {
      expect(() => new Scheduler({ tracer: bad as never })).toThrow(InvalidArgumentError);
    }
    expect(() => new Scheduler({ tracer: {} as never })).toThrow(/options.tracer must be an OpenTelemetry Tracer/);
    expect(() => new Scheduler({ tracer: false })).not.toThrow();
  });

  it('without a tracer, makes no span even with an SDK registered globally', async () => {
    const { provider, spans } = memoryTracing();
    trace.setGlobalTracerProvider(provider);
    try {
      const { clock, scheduler } = virtualScheduler();
      scheduler.start();
      scheduler.run(() => {}, { name: 'untraced' });
      await clock.runUntilIdle();
      expect(spans()).toEqual([]);
    } finally {
      trace.disable();
    }
  });
});
