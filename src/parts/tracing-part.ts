// Tracing (OpenTelemetry spans per attempt) as a loadable part: what the
// scheduler option `tracer` needs. In Node it loads with the package
// (./sync.node.ts); in a browser build, load({ tracing: true }) imports it
// (./load.ts). It never imports @opentelemetry/api: the tracer is given.
export { resolveTracer, traceRegistrations } from '../tracing.js';
// No binding: the entry as one chunk with the code this part shares with it, in a bundle (./load.ts).
import '#timeslice';
