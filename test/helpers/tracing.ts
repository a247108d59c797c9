// An OpenTelemetry SDK that keeps finished spans in memory, for the tracing
// tests, and a synchronous context manager: the API's default one keeps no
// context at all, and the async-hooks one is another package. Synchronous is
// enough here: the tests look at the active span in a task's synchronous part.
import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

class StackContextManager implements ContextManager {
  #active: Context = ROOT_CONTEXT;
  active(): Context {
    return this.#active;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    const previous = this.#active;
    this.#active = ctx;
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.#active = previous;
    }
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#active = ROOT_CONTEXT;
    return this;
  }
}

/** Installs the context manager (once per test file; the API refuses a second one until disable()). */
export function installContextManager(): () => void {
  context.setGlobalContextManager(new StackContextManager());
  return () => context.disable();
}

/** A TracerProvider exporting to memory; `spans()` lists the finished spans in the order they ended. */
export function memoryTracing() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { exporter, provider, spans: (): ReadableSpan[] => exporter.getFinishedSpans() };
}
