// The in-browser test API: `test(name, fn)` and three assertions. A test file
// registers its tests when its module is evaluated; they then run one after
// another (an async fn is awaited), each bounded by TEST_TIMEOUT_MS, and the
// results land in `window.__results`. `window.__done` turns true once every
// test has settled: test/browser/run.mjs waits for it, then reads the results.
//
// Kept tiny on purpose: no hooks, no nesting, no matchers. Anything a test
// needs to set up, it does in its own body.

/** How one test went, as the runner reads it. */
export interface TestResult {
  name: string;
  ok: boolean;
  /** The error message (and stack, when the browser gives one) of a failed test. */
  error?: string;
  durationMs: number;
}

declare global {
  interface Window {
    __results?: TestResult[];
    __done?: boolean;
  }
}

/** One test taking longer fails, so a hung test cannot stall the whole file. */
const TEST_TIMEOUT_MS = 10_000;

type TestFn = () => void | Promise<void>;

const queue: Array<{ name: string; fn: TestFn }> = [];
let scheduled = false;

/** Registers a test; every test of a page runs after the module has been evaluated. */
export function test(name: string, fn: TestFn): void {
  queue.push({ name, fn });
  if (!scheduled) {
    scheduled = true;
    setTimeout(runAll, 0);
  }
}

async function runAll(): Promise<void> {
  const results: TestResult[] = (window.__results = []);
  for (const { name, fn } of queue) {
    const startMs = performance.now();
    try {
      await withTimeout(fn(), TEST_TIMEOUT_MS);
      results.push({ name, ok: true, durationMs: performance.now() - startMs });
    } catch (error) {
      results.push({ name, ok: false, error: describeError(error), durationMs: performance.now() - startMs });
    }
  }
  window.__done = true;
}

function withTimeout(value: void | Promise<void>, timeoutMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([Promise.resolve(value), timeout]).finally(() => clearTimeout(timer));
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack?.includes(error.message) ? error.stack : `${error.name}: ${error.message}`;
  return String(error);
}

export class AssertionError extends Error {
  override readonly name = 'AssertionError';
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Deep equality: Object.is on primitives, element-wise on arrays, key-wise on plain objects. */
export function assertEqual<T>(actual: T, expected: T, message: string): void {
  if (!deepEqual(actual, expected)) {
    throw new AssertionError(`${message}\n  expected: ${show(expected)}\n  received: ${show(actual)}`);
  }
}

/** Runs fn, which must throw an error whose `code` is `code`; returns the error. */
export function assertThrows(fn: () => unknown, code: string, message: string): Error {
  try {
    fn();
  } catch (error) {
    const received = (error as { code?: unknown } | null)?.code;
    assert(received === code, `${message}: expected an error with code ${code}, received ${show(received)} (${String(error)})`);
    return error as Error;
  }
  throw new AssertionError(`${message}: expected an error with code ${code}, nothing was thrown`);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length &&
    keysA.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
