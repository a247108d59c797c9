// What CronSchedule schedules around every offset change of 2026 in the DST
// zones of the oracle test, for several expressions and all four policies,
// with the oracle's verdict. test/api/cron-host-zone.test.ts runs it in child
// processes under different TZ values: the answers must not depend on them.
import { CronSchedule } from '../../src/time/cron.js';
import { ALL_POLICIES, cronMatcher, firstDifference, implementationRuns, LocalClock, localMinutes, oracleRuns } from './cron-oracle.js';

const HOUR_MS = 3_600_000;
const ZONES = ['America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham', 'Asia/Kolkata'];
const EXPRESSIONS = ['30 2 * * *', '15 1 * * *', '0 0 * * *', '0 3 * * *', '*/15 * * * *', '0 * * * *', '30 1-3 * * *'];

export interface DstDigest {
  /** The host zone the process ran in, as the runtime sees it. */
  hostZone: string;
  /** Every run, as ISO strings, in a fixed order of zone, window, expression and policy. */
  runs: string[];
  /** Where CronSchedule and the oracle disagree. */
  differences: string[];
}

export function dstDigest(): DstDigest {
  const runs: string[] = [];
  const differences: string[] = [];
  for (const zone of ZONES) {
    const clock = new LocalClock(zone);
    const changes = clock.transitionHours(Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    // A zone without changes gets one window, in March.
    for (const centreMs of changes.length > 0 ? changes : [Date.UTC(2026, 2, 8)]) {
      const fromMs = centreMs - 36 * HOUR_MS;
      const toMs = centreMs + 36 * HOUR_MS;
      const walkFromMs = fromMs - 24 * HOUR_MS;
      const locals = localMinutes(clock, walkFromMs, toMs);
      for (const expression of EXPRESSIONS) {
        for (const dst of ALL_POLICIES) {
          const schedule = new CronSchedule(expression, { timezone: zone, dst });
          const actual = implementationRuns((wallMs) => schedule.nextRunAfter(wallMs), fromMs, toMs);
          const difference = firstDifference(oracleRuns(cronMatcher(expression), locals, walkFromMs, fromMs, dst), actual);
          if (difference !== undefined) differences.push(`'${expression}' in ${zone} with ${JSON.stringify(dst)}: ${difference}`);
          runs.push(`${zone} ${expression} ${dst.gap}/${dst.overlap}: ${actual.map((at) => new Date(at).toISOString()).join(' ')}`);
        }
      }
    }
  }
  return { hostZone: new Intl.DateTimeFormat().resolvedOptions().timeZone, runs, differences };
}
