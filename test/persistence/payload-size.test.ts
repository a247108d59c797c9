// The size limit of JSON payloads (durable params, metadata, saved states):
// exact in UTF-8 bytes of the JSON text, and quick to refuse a value far over
// it (the walk stops once its lower bound passes the limit).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonSize, utf8Length } from '../../src/store/json.js';

function sizeError(fn: () => void): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('the JSON payload size limit', () => {
  it('accepts a value at exactly its size and refuses it one byte under, for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: 'binary' }), (value) => {
        const exact = utf8Length(JSON.stringify(value));
        checkJsonSize(value, 'v', exact);
        expect(sizeError(() => checkJsonSize(value, 'v', exact - 1))).toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE', path: 'v', maxBytes: exact - 1 });
      }),
      { numRuns: 1000 },
    );
  });

  it('counts UTF-8 bytes: two for é, three for €, four for an emoji', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
    expect(utf8Length(JSON.stringify({ k: '€' }))).toBe(11);
    // The same as the platform's encoder, for any string JSON.stringify can produce.
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => {
      const json = JSON.stringify(text);
      expect(utf8Length(json)).toBe(new TextEncoder().encode(json).length);
    }));
  });

  it('refuses a 50 MB value after walking only about the limit of it, and still reports cycles and non-JSON values first', () => {
    const big = { rows: Array.from({ length: 500_000 }, (_, i) => ({ id: i, name: `row number ${i} of the import` })) };
    const started = process.cpuUsage();
    const error = sizeError(() => checkJsonSize(big, 'options.params', 1 << 20));
    const cpuMs = (process.cpuUsage(started).user + process.cpuUsage(started).system) / 1000;
    expect(error).toMatchObject({ code: 'ERR_PAYLOAD_TOO_LARGE', path: 'options.params' });
    expect((error as Error).message).toMatch(/options\.params is larger than 1048576 bytes as JSON/);
    // Encoding it all would take a JSON.stringify of ~25 MB; the walk stops after ~1 MB of it. (A ratio, not a time.)
    const stringifyStart = process.cpuUsage();
    JSON.stringify(big);
    const stringifyMs = (process.cpuUsage(stringifyStart).user + process.cpuUsage(stringifyStart).system) / 1000;
    expect(cpuMs).toBeLessThan(stringifyMs);
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(sizeError(() => checkJsonSize(cyclic, 'p', 1 << 20))).toMatchObject({ code: 'ERR_UNSTORABLE_PAYLOAD' });
    expect(sizeError(() => checkJsonSize({ f: () => {} }, 'p', 1 << 20))).toMatchObject({ code: 'ERR_UNSTORABLE_PAYLOAD', path: 'p.f' });
  });
});
