// A property of every store: any valid task record (random doubles in every
// time field, random JSON params and metadata, random strings) reads back
// exactly, through getTask() and through loadTasks(). The one coercion, -0
// to 0 (JSON's, and SQLite's for numbers; codec.ts applies it in every store),
// is applied to the expected value.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Json, TaskRecord } from '../../src/store/records.js';
import { equal } from './contract/check.js';
import { allTasks, type StoreHarness } from './contract/harness.js';

const ms = fc.double({ noNaN: true, noDefaultInfinity: true });
/** Durations: from 0 to MAX_DURATION_MS, as the store accepts them. */
const durationMs = fc.double({ min: 0, max: 1e15, noNaN: true });
const json = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;
const text = fc.string({ unit: 'grapheme', maxLength: 20 });

/** Any valid task record (shared with sqlite-task-values.test.ts). */
export const record: fc.Arbitrary<TaskRecord> = fc.record({
  id: fc.string({ minLength: 1, maxLength: 40 }),
  name: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  description: fc.option(text),
  ownerModule: fc.option(text),
  functionName: fc.string({ minLength: 1, maxLength: 20 }),
  params: json,
  scheduleKind: fc.constant('fixed-rate' as const),
  delayMs: fc.option(durationMs),
  periodMs: fc.double({ min: Number.MIN_VALUE, max: 1e15, noNaN: true }),
  atMs: fc.option(ms),
  cronExpression: fc.option(fc.string({ minLength: 1, maxLength: 10 })),
  timeZone: fc.option(fc.constantFrom('UTC', 'Europe/London', 'Australia/Lord_Howe')),
  dstGap: fc.option(fc.constantFrom('skip' as const, 'run-at-first-valid' as const)),
  dstOverlap: fc.option(fc.constantFrom('once' as const, 'both' as const)),
  priority: fc.constantFrom('critical', 'high', 'normal', 'low', 'background'),
  misfire: fc.record({
    policy: fc.constantFrom('skip', 'run-once', 'catch-up'),
    graceMs: durationMs,
    catchUpWindowMs: fc.option(durationMs),
    catchUpMax: fc.option(fc.integer({ min: 1 })),
  }),
  retry: json,
  createdAtMs: ms,
  updatedAtMs: ms,
  lastExecutionMs: fc.option(ms),
  nextExecutionMs: fc.option(ms),
  executionCount: fc.nat(),
  maxExecutions: fc.option(fc.integer({ min: 1 })),
  status: fc.constantFrom('pending', 'running', 'completed', 'failed', 'cancelled'),
  lastError: fc.option(text),
  metadata: json,
  timeoutMs: fc.option(fc.double({ min: Number.MIN_VALUE, max: 1e15, noNaN: true })),
  constraints: fc.option(fc.record({
    timeZone: fc.constantFrom('UTC', 'America/New_York'),
    workingHours: fc.option(fc.array(fc.record({ days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { minLength: 1 }), fromMinute: fc.integer({ min: 0, max: 600 }), toMinute: fc.integer({ min: 601, max: 1440 }) }), { minLength: 1, maxLength: 2 })),
    blackouts: fc.array(fc.record({ name: text.filter((t) => t.length > 0), fromMs: fc.integer({ min: 0, max: 1e12 }), toMs: fc.integer({ min: 1e12 + 1, max: 2e12 }) }), { maxLength: 2 }),
    maxPerDay: fc.option(fc.integer({ min: 1, max: 100 })),
    admit: fc.option(text.filter((t) => t.length > 0)),
    inadmissible: fc.constantFrom('skip' as const, 'defer' as const),
  })),
  calendarPeriod: fc.option(fc.constantFrom('P1D', 'P2W', 'P1M', 'P100000M')),
  startAtMs: fc.option(fc.maxSafeInteger()),
  endAtMs: fc.option(fc.maxSafeInteger()),
  scheduleVersion: fc.integer({ min: 1, max: 1000 }),
  highWaterMarkMs: fc.option(fc.maxSafeInteger()),
}).map((r) => ({
  ...r,
  // A calendar period replaces the period and needs its anchor; an end is never before the start.
  ...(r.calendarPeriod === null ? {} : { periodMs: null, atMs: r.atMs ?? 0 }),
  ...(r.startAtMs !== null && r.endAtMs !== null && r.endAtMs < r.startAtMs ? { startAtMs: r.endAtMs, endAtMs: r.startAtMs } : {}),
}));

/** What a record reads back as: -0 becomes 0, in payloads and in number fields. */
function expected(r: TaskRecord): TaskRecord {
  const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const zero = (value: unknown) => (Object.is(value, -0) ? 0 : value);
  const numbers = Object.fromEntries(Object.entries(r).map(([key, value]) => [key, zero(value)]));
  const misfire = Object.fromEntries(Object.entries(r.misfire).map(([key, value]) => [key, zero(value)]));
  return { ...r, ...numbers, misfire, params: roundTrip(r.params), retry: roundTrip(r.retry), metadata: roundTrip(r.metadata) } as unknown as TaskRecord;
}

export function describeRoundTripProperty(harness: StoreHarness, numRuns = 30): void {
  describe(`${harness.name} round-trips records exactly`, () => {
    it('any valid record, through getTask and loadTasks', async () => {
      await fc.assert(
        fc.asyncProperty(fc.uniqueArray(record, { minLength: 1, maxLength: 8, selector: (r) => r.id }), async (records) => {
          const location = await harness.location();
          const store = location.store();
          try {
            await store.open();
            await store.putTasks(records);
            for (const r of records) equal(await store.getTask(r.id), expected(r), `getTask(${JSON.stringify(r.id)})`);
            const loaded = new Map((await allTasks(store, 3)).map((t) => [t.id, t]));
            for (const r of records) equal(loaded.get(r.id), expected(r), `loadTasks: ${JSON.stringify(r.id)}`);
          } finally {
            await store.close();
            await location.dispose();
          }
        }),
        { numRuns },
      );
    });
  });
}
