// SqliteStore writes a new task's columns straight from its record
// (put-tasks.ts pushTaskValues), without the encoded record between them:
// the values must be exactly those of the encoded record in column order,
// for any valid record, and again for records sharing one frozen retry
// policy (its JSON text is kept from one record to the next).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCheckedTask } from '../../src/store/codec.js';
import { pushTaskValues } from '../../src/store/sqlite/put-tasks.js';
import { taskValues } from '../../src/store/sqlite/statements.js';
import { record } from './round-trip-property.js';

function pushed(r: Parameters<typeof pushTaskValues>[1]): unknown[] {
  const values: unknown[] = ['before'];
  pushTaskValues(values, r);
  return values.slice(1);
}

describe('SqliteStore task values', () => {
  it('appends exactly the encoded record in column order, for any valid record', () => {
    fc.assert(fc.property(record, (r) => {
      // Object.is: -0 must be 0 in both.
      const expected = taskValues(encodeCheckedTask(r));
      const actual = pushed(r);
      expect(actual.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) expect(Object.is(actual[i], expected[i]), `column ${i}: ${String(actual[i])} vs ${String(expected[i])}`).toBe(true);
    }), { numRuns: 300 });
  });

  it('encodes a shared frozen retry policy as it is, and an unfrozen one changed between records as it is now', () => {
    fc.assert(fc.property(record, record, (a, b) => {
      const frozen = Object.freeze({ attempts: 3, backoff: 'exponential', delayMs: 1000 });
      expect(pushed({ ...a, retry: frozen })).toEqual(taskValues(encodeCheckedTask({ ...a, retry: frozen })));
      expect(pushed({ ...b, retry: frozen })).toEqual(taskValues(encodeCheckedTask({ ...b, retry: frozen })));
      const mutable: { attempts: number } = { attempts: 1 };
      expect(pushed({ ...a, retry: mutable })[17]).toBe('{"attempts":1}');
      mutable.attempts = 2;
      expect(pushed({ ...b, retry: mutable })[17]).toBe('{"attempts":2}');
    }), { numRuns: 50 });
  });
});
