// Cron DST policies in a real browser: Chromium's own Intl and ICU data, and
// the built package. Worked examples, then the minute-by-minute oracle of the
// Node tests (test/helpers/cron-oracle.ts) around every change of 2026.
import { type CronDstOptions, CronSchedule } from 'timeslice/cron';
import { ALL_POLICIES, cronMatcher, firstDifference, implementationRuns, LocalClock, localMinutes, oracleRuns } from '../helpers/cron-oracle.js';
import { assertEqual, test } from './harness.js';

const HOUR_MS = 3_600_000;

function runs(expression: string, timezone: string, dst: CronDstOptions, afterIso: string, count: number): string[] {
  const schedule = new CronSchedule(expression, { timezone, dst });
  const out: string[] = [];
  let wallMs: number | null = Date.parse(afterIso);
  for (let i = 0; i < count && wallMs !== null; i++) {
    wallMs = schedule.nextRunAfter(wallMs);
    if (wallMs !== null) out.push(new Date(wallMs).toISOString());
  }
  return out;
}

test('a time New York skips runs at 03:00 EDT by default, or not at all with gap skip', () => {
  assertEqual(runs('30 2 * * *', 'America/New_York', {}, '2026-03-08T00:00:00Z', 2), ['2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'], 'default');
  assertEqual(runs('30 2 * * *', 'America/New_York', { gap: 'skip' }, '2026-03-08T00:00:00Z', 1), ['2026-03-09T06:30:00.000Z'], 'skip');
});

test('a time Lord Howe repeats runs once by default, or half an hour apart with overlap both', () => {
  assertEqual(runs('45 1 * * *', 'Australia/Lord_Howe', {}, '2026-04-04T12:00:00Z', 2), ['2026-04-04T14:45:00.000Z', '2026-04-05T15:15:00.000Z'], 'once');
  assertEqual(
    runs('45 1 * * *', 'Australia/Lord_Howe', { overlap: 'both' }, '2026-04-04T12:00:00Z', 3),
    ['2026-04-04T14:45:00.000Z', '2026-04-04T15:15:00.000Z', '2026-04-05T15:15:00.000Z'],
    'both',
  );
});

test('CronSchedule agrees with the oracle around every change of 2026 in five zones', () => {
  const differences: string[] = [];
  for (const zone of ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham']) {
    const clock = new LocalClock(zone);
    const changes = clock.transitionHours(Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    assertEqual(changes.length, 2, `changes found in ${zone}`);
    for (const centreMs of changes) {
      const fromMs = centreMs - 30 * HOUR_MS;
      const toMs = centreMs + 30 * HOUR_MS;
      const walkFromMs = fromMs - 24 * HOUR_MS;
      const locals = localMinutes(clock, walkFromMs, toMs);
      for (const expression of ['30 2 * * *', '15 1 * * *', '0 0 * * *', '0 3 * * *', '*/15 * * * *', '30 1-3 * * *']) {
        for (const dst of ALL_POLICIES) {
          const schedule = new CronSchedule(expression, { timezone: zone, dst });
          const actual = implementationRuns((wallMs) => schedule.nextRunAfter(wallMs), fromMs, toMs);
          const difference = firstDifference(oracleRuns(cronMatcher(expression), locals, walkFromMs, fromMs, dst), actual);
          if (difference !== undefined) differences.push(`'${expression}' in ${zone} with ${JSON.stringify(dst)}: ${difference}`);
        }
      }
    }
  }
  assertEqual(differences, [], 'differences from the oracle');
});
