// An attempt's outcome as the store keeps it: what the body returned and
// what it threw, as JSON (the execution record's result and error fields).
import { checkJson } from '../store/json.js';
import type { Json } from '../store/records.js';

/** An error as JSON for the store: name, message, and code when it has one. */
export function errorJson(error: unknown): Json {
  if (error instanceof Error) {
    const json: { [key: string]: Json } = { name: error.name, message: error.message };
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') json.code = code;
    return json;
  }
  try {
    checkJson(error, 'error');
    return { name: 'NonError', value: error as Json };
  } catch {
    return { name: 'NonError', message: String(error) };
  }
}

/** An error's message, for the task record's lastError. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What a body returned, if JSON can hold it exactly; null otherwise. */
export function resultJson(value: unknown): Json {
  if (value === undefined) return null;
  try {
    checkJson(value, 'result');
    return value as Json;
  } catch {
    return null;
  }
}
