// Assertions for the store contract. The contract runs under vitest in Node
// and under test/browser's tiny harness in Chromium, so it cannot use either
// runner's `expect`: these throw plain Errors that both report.

export class ContractFailure extends Error {
  override readonly name = 'ContractFailure';
}

function show(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v) => (v instanceof Map ? { Map: [...v] } : v)) ?? String(value);
  } catch {
    return String(value);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Map || b instanceof Map) {
    return a instanceof Map && b instanceof Map && a.size === b.size && [...a].every(([k, v]) => b.has(k) && deepEqual(v, b.get(k)));
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length &&
    keysA.every((key) => Object.hasOwn(b, key) && deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

export function ok(condition: unknown, message: string): asserts condition {
  if (!condition) throw new ContractFailure(message);
}

export function equal<T>(actual: T, expected: T, message: string): void {
  if (!deepEqual(actual, expected)) throw new ContractFailure(`${message}\n  expected: ${show(expected)}\n  received: ${show(actual)}`);
}

/** Awaits `promise`, which must reject with an error whose code is `code` (and whose message includes `includes`). */
export async function rejects(promise: Promise<unknown>, code: string, includes?: string): Promise<Error & { code: string }> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new ContractFailure(`expected a rejection with ${code}, the promise resolved`);
  const received = (error as { code?: unknown }).code;
  ok(received === code, `expected a rejection with ${code}, received ${show(received)}: ${String(error)}`);
  if (includes !== undefined) ok(String((error as Error).message).includes(includes), `expected the message to mention ${show(includes)}: ${(error as Error).message}`);
  return error as Error & { code: string };
}

/** Calls `fn`; it must return a promise (never throw synchronously: async methods reject). */
export function mustReturnPromise(fn: () => Promise<unknown>, what: string): Promise<unknown> {
  let result: Promise<unknown>;
  try {
    result = fn();
  } catch (error) {
    throw new ContractFailure(`${what} threw synchronously (async methods must reject): ${String(error)}`);
  }
  return result;
}
