// A durable attempt's span (with the scheduler's `tracer` option; see
// src/tracing.ts for what every span is). It opens when the attempt's body
// starts, after its claim committed, and ends with the body's outcome. It is
// named after the task's defined function, the name onError reports too: a
// span name should take few values, and task ids are many. The first attempt
// of a slot that records a span leaves its ids in the execution record
// (through the completion: slot-attempt.ts), so a retry links to it even
// after a restart, from the record recovery reads.
import { isManualSlot, type ExecutionRecord } from '../store/records.js';
import type { ExecutionTrace } from '../store/store.js';
import { ATTR, endSpan, SAMPLED, type TraceSpanOptions, type TracerLike } from '../tracing.js';
import type { BodyOutcome } from './attempt-timeout.js';
import type { LiveTask } from './live-task.js';

/** What a traced body ended with: its outcome, and its span's ids when the record should keep them. */
export interface TracedOutcome {
  outcome: BodyOutcome;
  /** The span, when sampled and the record has none yet (a first traced attempt). */
  trace: ExecutionTrace | undefined;
}

/**
 * Runs `body` inside the attempt's span (active while it starts, so the spans
 * it makes are its children). `startedAtMs` (wall) and `waitMs` (ready until
 * started, from the core) are the attempt's.
 */
export async function tracedBody(
  tracer: TracerLike, task: LiveTask, execution: ExecutionRecord, startedAtMs: number, waitMs: number, body: () => Promise<BodyOutcome>,
): Promise<TracedOutcome> {
  const options: TraceSpanOptions = {
    root: true,
    attributes: {
      [ATTR.taskId]: execution.taskId, [ATTR.taskName]: task.record.functionName, [ATTR.slotMs]: execution.nominalMs,
      [ATTR.executionId]: execution.id, [ATTR.attempt]: execution.attempt, [ATTR.durable]: true, [ATTR.manual]: isManualSlot(execution),
      [ATTR.latenessMs]: Math.max(0, startedAtMs - execution.nominalMs), [ATTR.waitMs]: waitMs,
    },
  };
  const { traceId, spanId } = execution;
  if (traceId !== null && spanId !== null) options.links = [{ context: { traceId, spanId, traceFlags: SAMPLED } }];
  const { span, running } = tracer.startActiveSpan(task.record.functionName, options, (span) => ({ span, running: body() }));
  const outcome = await running;
  // A timeout is a failure (TaskTimeoutError), as the record says.
  endSpan(span, outcome.ok ? 'succeeded' : 'failed', outcome.ok ? undefined : outcome.error);
  const context = span.spanContext();
  const recorded = traceId === null && (context.traceFlags & SAMPLED) !== 0;
  return { outcome, trace: recorded ? { traceId: context.traceId, spanId: context.spanId } : undefined };
}
