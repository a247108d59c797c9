// Tracing with OpenTelemetry: one span per execution attempt, when the
// scheduler is given a tracer (options.tracer).
//
// What must be cheap: nothing, when no tracer is given. The types below are
// the few members of @opentelemetry/api's Tracer, TracerProvider and Span
// that timeslice calls, written out so that nothing is imported: a program
// without the package loads nothing for tracing (the peer is optional), and
// a scheduler without a tracer registers its tasks as they are, so the run
// loop (engine/run-loop.ts) does no per-task work for tracing at all. With a
// tracer, an in-memory task's function is wrapped once at registration
// (wrapTask); a durable attempt opens its span around the body
// (durable/slot-attempt.ts).
//
// Each attempt is a root span (a trace of its own): the run loop is entered
// from host timers whose async context is whatever scheduled them, often
// another task's span, which must not become the parent. The span is the
// active one while the task runs (startActiveSpan), so spans the task makes
// are its children. A retry's span links to its slot's first attempt.
import { describeValue, InvalidArgumentError } from '../bindings/errors.js';
import type { Engine } from './engine/engine.js';
import type { TaskFn } from './engine/task-slots.js';
import { TaskTimeoutError } from './errors.js';
import { RunState, type TaskContext } from './tasks/task-context.js';
import type { Scheduler } from './scheduler.js';

/** A span's identity, as @opentelemetry/api's SpanContext. */
export interface TraceSpanContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
}

/** The members of an @opentelemetry/api Span that timeslice uses. */
export interface TraceSpan {
  spanContext(): TraceSpanContext;
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  recordException(exception: Error | string): void;
  end(): void;
}

/** The span options timeslice passes (a subset of @opentelemetry/api's SpanOptions). */
export interface TraceSpanOptions {
  attributes?: Record<string, string | number | boolean>;
  links?: Array<{ context: TraceSpanContext }>;
  root?: boolean;
}

/** An @opentelemetry/api Tracer (`trace.getTracer('my-app')`): what timeslice calls of it. */
export interface TracerLike {
  startActiveSpan<F extends (span: TraceSpan) => unknown>(name: string, options: TraceSpanOptions, fn: F): ReturnType<F>;
}

/** An @opentelemetry/api TracerProvider (`trace.getTracerProvider()`, or an SDK's provider). */
export interface TracerProviderLike {
  getTracer(name: string, version?: string): TracerLike;
}

/** The instrumentation scope of the tracer timeslice asks a TracerProvider for. */
export const TRACER_NAME = 'timeslice';

/** Span attribute names (the values are documented in the README's Tracing section). */
export const ATTR = Object.freeze({
  taskId: 'timeslice.task.id',
  taskName: 'timeslice.task.name',
  slotMs: 'timeslice.slot.nominal_ms',
  executionId: 'timeslice.execution.id',
  attempt: 'timeslice.attempt',
  outcome: 'timeslice.outcome',
  latenessMs: 'timeslice.lateness_ms',
  waitMs: 'timeslice.wait_ms',
  durable: 'timeslice.durable',
  manual: 'timeslice.manual',
});

/** How an attempt ended, as its span's `timeslice.outcome` says. */
export type SpanOutcome = 'succeeded' | 'failed' | 'interrupted' | 'cancelled';

/** SpanStatusCode of @opentelemetry/api (a const enum there: its values are the API). */
const STATUS_OK = 1;
const STATUS_ERROR = 2;
/** TraceFlags.SAMPLED: the span is recorded, so its ids lead somewhere. */
export const SAMPLED = 1;

/**
 * options.tracer as the scheduler keeps it: a Tracer, or the `timeslice`
 * tracer of a TracerProvider; undefined without one. Throws
 * InvalidArgumentError for anything else.
 */
export function resolveTracer(value: unknown): TracerLike | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value === 'object' && value !== null) {
    const candidate = value as Partial<TracerLike & TracerProviderLike>;
    if (typeof candidate.startActiveSpan === 'function') return candidate as TracerLike;
    if (typeof candidate.getTracer === 'function') {
      const tracer = candidate.getTracer(TRACER_NAME) as Partial<TracerLike> | undefined;
      if (typeof tracer?.startActiveSpan === 'function') return tracer as TracerLike;
      throw new InvalidArgumentError(`options.tracer: getTracer('${TRACER_NAME}') returned ${describeValue(tracer)}, not a Tracer with startActiveSpan()`);
    }
  }
  throw new InvalidArgumentError(
    `options.tracer must be an OpenTelemetry Tracer (trace.getTracer(name)) or TracerProvider (trace.getTracerProvider()), or false, received ${describeValue(value)}`,
  );
}

/** Ends a span with how its attempt ended: the outcome, and an error status and exception for a failure. */
export function endSpan(span: TraceSpan, outcome: SpanOutcome, error?: unknown): void {
  span.setAttribute(ATTR.outcome, outcome);
  if (outcome === 'failed') {
    const message = error instanceof Error ? error.message : String(error);
    span.recordException(error instanceof Error ? error : message);
    span.setStatus({ code: STATUS_ERROR, message });
  } else if (outcome === 'succeeded') {
    span.setStatus({ code: STATUS_OK });
  }
  span.end();
}

/** How an aborted run ended: a timeout is a failure (as the engine settles it), anything else a cancellation. */
function abortOutcome(reason: unknown): SpanOutcome {
  return TaskTimeoutError.is(reason) ? 'failed' : 'cancelled';
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * An in-memory task's function, traced: each call is a span named after the
 * task, its attributes read from the core when the run starts. Made once per
 * registration; the closure keeps what a run needs of the runs before it
 * (the task's total wait so far, the first attempt's span for links).
 */
export function wrapTask(engine: Engine, tracer: TracerLike, fn: TaskFn): TaskFn {
  let waitedMs = 0;
  let firstAttempt: TraceSpanContext | undefined;
  return (ctx: TaskContext) => {
    const handle = ctx.handle;
    const attempt = ctx.attempt;
    const snap = engine.core.snapshot(handle);
    // The core adds each run's wait to its total as it pops it: this run's is the difference.
    const waitMs = snap.waitMs - waitedMs;
    waitedMs = snap.waitMs;
    const name = engine.nameOf(handle);
    const options: TraceSpanOptions = {
      root: true,
      attributes: {
        [ATTR.taskId]: handle, [ATTR.taskName]: name, [ATTR.slotMs]: snap.dueMs, [ATTR.attempt]: attempt,
        [ATTR.latenessMs]: Math.max(0, snap.lastStartMs - snap.dueMs), [ATTR.waitMs]: waitMs,
      },
    };
    if (attempt > 1 && firstAttempt !== undefined) options.links = [{ context: firstAttempt }];
    return tracer.startActiveSpan(name, options, (span) => {
      if (attempt === 1) firstAttempt = span.spanContext();
      let result: unknown;
      try {
        result = fn(ctx);
      } catch (error) {
        endSpan(span, 'failed', error);
        throw error;
      }
      if (!isThenable(result)) {
        endSpan(span, runOutcome(ctx));
        return result;
      }
      // The engine settles an aborted run (timeout, cancel, stop) without waiting for its promise: so does its span.
      let ended = false;
      const end = (outcome: SpanOutcome, error?: unknown) => {
        if (ended) return;
        ended = true;
        signal.removeEventListener('abort', onAbort);
        endSpan(span, outcome, error);
      };
      const signal = ctx.signal;
      const onAbort = () => end(abortOutcome(signal.reason), signal.reason);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort);
      result.then(
        () => end(runOutcome(ctx)),
        (error: unknown) => end('failed', error),
      );
      return result;
    });
  };
}

/** A run that returned: interrupted if it saved its state for its next turn (settlement.ts requeues it), else succeeded. */
function runOutcome(ctx: TaskContext): SpanOutcome {
  const run = ctx.run;
  return run instanceof RunState && run.savedState && run.interrupted !== 0 && !run.isLastRun ? 'interrupted' : 'succeeded';
}

/**
 * Traced, each registering method of `scheduler` wraps its function first:
 * own properties, so that the shared methods (`proto`) carry no tracing code.
 * A tracer branch in run() and #register() made them too large for V8 to
 * inline into a caller's loop, and every options object was then allocated
 * (1e5 run()s: 39 -> 80 ms of CPU, bisected to 994b79e). Wrapped before the
 * constraints, so a refused run makes no span.
 */
export function traceRegistrations(scheduler: Scheduler, proto: Scheduler, tracer: TracerLike, engine: () => Engine): void {
  const wrap = <F>(fn: F): F => (typeof fn === 'function' ? (wrapTask(engine(), tracer, fn as TaskFn) as F) : fn);
  scheduler.run = (fn, options) => proto.run.call(scheduler, wrap(fn), options) as never;
  scheduler.after = (delayMs, fn, options) => proto.after.call(scheduler, delayMs, wrap(fn), options) as never;
  scheduler.at = (date, fn, options) => proto.at.call(scheduler, date, wrap(fn), options) as never;
  scheduler.every = (periodMs, fn, options) => proto.every.call(scheduler, periodMs, wrap(fn), options) as never;
  scheduler.recurring = (delayMs, fn, options) => proto.recurring.call(scheduler, delayMs, wrap(fn), options) as never;
  scheduler.cron = (expression, fn, options) => proto.cron.call(scheduler, expression, wrap(fn), options) as never;
}
