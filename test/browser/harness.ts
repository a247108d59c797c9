// The in-browser test API: `test(name, fn)` and three assertions. A test file
// registers its tests when its module is evaluated; they then run one after
// another (an async fn is awaited), each bounded by TEST_TIMEOUT_MS, and the
// results land in `window.__results`. `window.__done` turns true once every
// test has settled: test/browser/run.mjs waits for it, then reads the results.
//
// Kept tiny on purpose: no hooks, no nesting, no matchers. Anything a test
// needs to set up, it does in its own body.
//
// Tabs: a test that needs other pages of the same origin (Web Locks, two
// IndexedDB connections in two tabs) calls openTab(); the runner opens the
// same file's page again in a new tab of the same browser context (same
// origin, same storage, its own document and event loop). In that tab, test()
// registers nothing and serveTab() exposes the functions the test then calls
// by name with JSON arguments; closing (or crashing) the tab is the runner's,
// so it is what the browser does when a user closes one.

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
    /** In a tab: the functions serveTab() exposed, and whether it has. */
    __tabFunctions?: Record<string, TabFunction>;
    __tabReady?: boolean;
    /** The runner's bindings (test/browser/run.mjs). */
    __openTab?: () => Promise<number>;
    __callTab?: (id: number, name: string, args: unknown[]) => Promise<unknown>;
    __closeTab?: (id: number, how: 'close' | 'crash') => Promise<void>;
  }
}

/** Whether this page is a tab opened by openTab() (the runner adds `?tab=<id>`). */
const IN_TAB = new URLSearchParams(location.search).has('tab');

/** One test taking longer fails, so a hung test cannot stall the whole file. */
const TEST_TIMEOUT_MS = 10_000;

type TestFn = () => void | Promise<void>;

const queue: Array<{ name: string; fn: TestFn }> = [];
let scheduled = false;

/** Registers a test; every test of a page runs after the module has been evaluated. Ignored in a tab. */
export function test(name: string, fn: TestFn): void {
  if (IN_TAB) return;
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

// biome-ignore lint/suspicious/noExplicitAny: tab functions take whatever JSON their caller sends.
type TabFunction = (...args: any[]) => unknown;

/** Another tab of this origin, running this same file's page: see the header. */
export interface Tab {
  /** Runs the function the tab exposed as `name` with these (JSON) arguments; resolves to its (JSON) result, rejects with its error's message. */
  call<T = unknown>(name: string, ...args: unknown[]): Promise<T>;
  /** Closes the tab as a user would (no beforeunload prompt); resolves once it is gone. */
  close(): Promise<void>;
  /** Crashes the tab's renderer process (DevTools' Page.crash); resolves once it is gone. */
  crash(): Promise<void>;
}

/** Opens this file's page in a new tab of the same browser context and waits until it has called serveTab(). */
export async function openTab(): Promise<Tab> {
  const open = window.__openTab;
  const call = window.__callTab;
  const close = window.__closeTab;
  if (open === undefined || call === undefined || close === undefined) throw new Error('openTab(): no tab bindings (run this page through test/browser/run.mjs)');
  const id = await open();
  return {
    call: (name, ...args) => call(id, name, args) as Promise<never>,
    close: () => close(id, 'close'),
    crash: () => close(id, 'crash'),
  };
}

/** In a tab opened by openTab(): exposes `functions` to the test that opened it. Does nothing in the test's own page. */
export function serveTab(functions: Record<string, TabFunction>): void {
  if (!IN_TAB) return;
  window.__tabFunctions = functions;
  window.__tabReady = true;
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
