// applyPatch() applies a patch of plain columns only (a run's end: status,
// counts, times, last error, ...) to the stored record directly (codec.ts,
// patchStored) instead of decoding, merging and encoding it again. Property:
// for any valid record and any patch of those fields, it gives the record the
// general path gives, or refuses what it refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPatch, decodeTask, encodeTask } from '../../src/store/codec.js';
import type { TaskRecord } from '../../src/store/records.js';
import { record } from './round-trip-property.js';

const PLAIN = ['name', 'description', 'ownerModule', 'functionName', 'priority', 'maxExecutions', 'status', 'lastError', 'updatedAtMs',
  'lastExecutionMs', 'nextExecutionMs', 'executionCount', 'timeoutMs'] as const;

/** The general path: decode, merge, encode (the schedule is unchanged by these fields, so is its version). */
function generalPath(existing: ReturnType<typeof encodeTask>, patch: Partial<TaskRecord>): ReturnType<typeof encodeTask> {
  return { ...encodeTask({ ...decodeTask(existing), ...patch }, 'patch'), scheduleVersion: existing.scheduleVersion };
}

describe('applyPatch of plain columns', () => {
  it('gives the record decode + merge + encode gives, and refuses what it refuses', () => {
    fc.assert(
      fc.property(record, record, fc.subarray([...PLAIN], { minLength: 1 }), (base, other, keys) => {
        const existing = encodeTask(base, 'base');
        const patch = Object.fromEntries(keys.map((k) => [k, other[k]])) as Partial<TaskRecord>;
        let expected: ReturnType<typeof encodeTask> | undefined;
        try {
          expected = generalPath(existing, patch);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(() => applyPatch(existing, patch, 'patch')).toThrow();
        else expect(applyPatch(existing, patch, 'patch')).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
