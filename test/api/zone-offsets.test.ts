// ZoneOffsets: a zone's UTC offsets from Intl, and the instants of a local
// wall time. Expected values are worked out by hand from each zone's rules.
import { afterEach, describe, expect, it } from 'vitest';
import { utcFromFields, ZoneOffsets } from '../../src/time/zone-offsets.js';

const ms = (iso: string) => Date.parse(iso);
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** A local wall time in the representation of src/time/zone-offsets.ts: its fields as if UTC. */
const local = (fields: string) => Date.parse(`${fields}Z`);

describe('ZoneOffsets.offsetAt', () => {
  it.each([
    ['America/New_York', '2026-01-15T12:00:00Z', -5 * HOUR_MS],
    ['America/New_York', '2026-07-15T12:00:00Z', -4 * HOUR_MS],
    ['Pacific/Chatham', '2026-01-15T12:00:00Z', 13 * HOUR_MS + 45 * MINUTE_MS],
    ['Pacific/Chatham', '2026-07-15T12:00:00Z', 12 * HOUR_MS + 45 * MINUTE_MS],
    ['Asia/Kolkata', '2026-07-15T12:00:00Z', 5 * HOUR_MS + 30 * MINUTE_MS],
    ['Australia/Lord_Howe', '2026-01-15T12:00:00Z', 11 * HOUR_MS],
    ['Australia/Lord_Howe', '2026-07-15T12:00:00Z', 10 * HOUR_MS + 30 * MINUTE_MS],
    ['UTC', '2026-07-15T12:00:00.999Z', 0],
  ])('in %s at %s is %i ms', (zone, at, offsetMs) => {
    expect(new ZoneOffsets(zone).offsetAt(ms(at))).toBe(offsetMs);
  });

  // New York kept local mean time, -4:56:02, until 1883.
  const NEW_YORK_LMT_MS = -(4 * HOUR_MS + 56 * MINUTE_MS + 2_000);

  it('keeps the seconds of a local mean time offset', () => {
    expect(new ZoneOffsets('America/New_York').offsetAt(ms('1850-06-01T00:00:00Z'))).toBe(NEW_YORK_LMT_MS);
  });

  it('reads instants before 1800, when no zone had changed yet, at 1800', () => {
    const zone = new ZoneOffsets('America/New_York');
    expect(zone.offsetAt(utcFromFields(1200, 6, 1, 0, 0, 0))).toBe(NEW_YORK_LMT_MS);
    expect(zone.offsetAt(-8.64e15)).toBe(NEW_YORK_LMT_MS);
  });

  it('answers at the last instant a Date can hold', () => {
    expect(new ZoneOffsets('America/New_York').offsetAt(8.64e15)).toBe(-4 * HOUR_MS);
  });
});

describe('ZoneOffsets.transitionIn', () => {
  it('finds the instant New York goes forward, to the second', () => {
    expect(new ZoneOffsets('America/New_York').transitionIn(ms('2026-03-07T00:00:00.123Z'), ms('2026-03-09T00:00:00Z'))).toEqual({
      atMs: ms('2026-03-08T07:00:00Z'),
      offsetBeforeMs: -5 * HOUR_MS,
      offsetAfterMs: -4 * HOUR_MS,
    });
  });

  it('finds the half-hour change back on Lord Howe', () => {
    expect(new ZoneOffsets('Australia/Lord_Howe').transitionIn(ms('2026-04-04T00:00:00Z'), ms('2026-04-05T00:00:00Z'))).toEqual({
      atMs: ms('2026-04-04T15:00:00Z'),
      offsetBeforeMs: 11 * HOUR_MS,
      offsetAfterMs: 10 * HOUR_MS + 30 * MINUTE_MS,
    });
  });

  it('counts a change exactly at the end of the range, and none at its start', () => {
    const zone = new ZoneOffsets('America/New_York');
    expect(zone.transitionIn(ms('2026-03-08T06:00:00Z'), ms('2026-03-08T07:00:00Z'))?.atMs).toBe(ms('2026-03-08T07:00:00Z'));
    expect(zone.transitionIn(ms('2026-03-08T07:00:00Z'), ms('2026-03-08T09:00:00Z'))).toBeUndefined();
  });

  it('is undefined when the offsets at both ends are the same', () => {
    expect(new ZoneOffsets('Asia/Kolkata').transitionIn(ms('2026-01-01T00:00:00Z'), ms('2026-12-31T00:00:00Z'))).toBeUndefined();
  });
});

describe('ZoneOffsets.instantsOf', () => {
  const newYork = new ZoneOffsets('America/New_York');

  it('gives one instant for an ordinary local time', () => {
    expect(newYork.instantsOf(local('2026-03-08T01:59:59'))).toEqual({ kind: 'single', firstMs: ms('2026-03-08T06:59:59Z') });
    expect(newYork.instantsOf(local('2026-03-08T03:00:00'))).toEqual({ kind: 'single', firstMs: ms('2026-03-08T07:00:00Z') });
  });

  it('gives the end of the gap for a local time the clock skips', () => {
    for (const fields of ['2026-03-08T02:00:00', '2026-03-08T02:30:00', '2026-03-08T02:59:59']) {
      expect(newYork.instantsOf(local(fields))).toEqual({
        kind: 'skipped',
        gapEndMs: ms('2026-03-08T07:00:00Z'),
        gapEndLocalMs: local('2026-03-08T03:00:00'),
      });
    }
  });

  it('gives both instants, earlier first, for a local time the clock repeats', () => {
    expect(newYork.instantsOf(local('2026-11-01T01:00:00'))).toEqual({
      kind: 'repeated',
      firstMs: ms('2026-11-01T05:00:00Z'),
      secondMs: ms('2026-11-01T06:00:00Z'),
    });
    expect(newYork.instantsOf(local('2026-11-01T02:00:00'))).toEqual({ kind: 'single', firstMs: ms('2026-11-01T07:00:00Z') });
  });

  it('handles a change at midnight (Santiago skips 2026-09-06 00:00-00:59)', () => {
    const santiago = new ZoneOffsets('America/Santiago');
    expect(santiago.instantsOf(local('2026-09-06T00:00:00'))).toEqual({
      kind: 'skipped',
      gapEndMs: ms('2026-09-06T04:00:00Z'),
      gapEndLocalMs: local('2026-09-06T01:00:00'),
    });
  });
});

describe('ZoneOffsets without the fast path', () => {
  const formatDescriptor = Object.getOwnPropertyDescriptor(Intl.DateTimeFormat.prototype, 'format')!;
  afterEach(() => {
    Object.defineProperty(Intl.DateTimeFormat.prototype, 'format', formatDescriptor);
  });

  it('reads formatToParts when format() prints a shape it does not expect', () => {
    const zone = new ZoneOffsets('Pacific/Chatham');
    // Either side of the change back, after the change forward, and 1850 (local mean time, +12:13:48).
    const instants = [ms('2026-04-04T13:59:59Z'), ms('2026-04-04T14:00:00Z'), ms('2026-09-26T14:00:00Z'), ms('1850-01-01T00:00:00Z')];
    const fast = instants.map((at) => zone.offsetAt(at));
    Object.defineProperty(Intl.DateTimeFormat.prototype, 'format', { configurable: true, get: () => () => '4 April 2026 at 14:00' });
    expect(instants.map((at) => zone.offsetAt(at))).toEqual(fast);
    expect(fast).toEqual([
      13 * HOUR_MS + 45 * MINUTE_MS, 12 * HOUR_MS + 45 * MINUTE_MS, 13 * HOUR_MS + 45 * MINUTE_MS, 12 * HOUR_MS + 13 * MINUTE_MS + 48_000,
    ]);
  });
});

describe('utcFromFields', () => {
  it('takes years 0-99 as they are, not as 1900-1999', () => {
    expect(new Date(utcFromFields(42, 3, 8, 2, 30, 15)).toISOString()).toBe('0042-03-08T02:30:15.000Z');
    expect(utcFromFields(2026, 3, 8, 2, 30, 15)).toBe(ms('2026-03-08T02:30:15Z'));
  });
});
