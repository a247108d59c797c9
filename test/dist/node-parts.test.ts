// In Node the built package has every part at hand with the import (the
// "node" condition of `#parts-sync`): slot constraints, calendar intervals
// and windows, tracing and describe() work with no load(), from ESM and CJS,
// as they did before they became parts a browser build loads on demand
// (test/dist/browser-bundle.test.ts). Needs `npm run build` first (useCurrentDist: dist/ built from these sources).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = fileURLToPath(new URL('../../', import.meta.url));

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Uses each part without load(); prints what ran. */
const SCRIPT = `
  const clock = new VirtualClock();
  const spans = [];
  const tracer = { startActiveSpan: (name, options, fn) => fn({ spanContext: () => ({ traceId: 't', spanId: 's', traceFlags: 1 }), setAttribute() {}, setStatus() {}, recordException() {}, end() { spans.push(name); } }) };
  const scheduler = new Scheduler({ clock, tracer });
  const runs = { constraints: 0, calendar: 0, window: 0 };
  scheduler.every('1h', () => { runs.constraints++; }, { constraints: { maxPerDay: 1 }, maxRuns: 1, name: 'constrained' });
  scheduler.every({ days: 1 }, () => { runs.calendar++; }, { timezone: 'Europe/Paris', maxRuns: 1 });
  scheduler.every('1h', () => { runs.window++; }, { startAt: clock.wallNow() + 1000, maxRuns: 1 });
  const described = scheduler.describe().tasks.length;
  scheduler.start();
  await clock.advance(2 * 86_400_000);
  await scheduler.stop();
  console.log(JSON.stringify({ runs, described, traced: spans.includes('constrained') }));
`;
const EXPECTED = { runs: { constraints: 1, calendar: 1, window: 1 }, described: 3, traced: true };

describe('the built package in Node: every part with the import', () => {
  it('from ESM: constraints, calendar intervals, startAt, a tracer and describe() with no load()', () => {
    const out = node(['--input-type=module', '-e', `import { Scheduler } from 'timeslice'; import { VirtualClock } from 'timeslice/testing'; ${SCRIPT}`]);
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });

  it('from CommonJS: the same, with no load()', () => {
    const out = node(['-e', `const { Scheduler } = require('timeslice'); const { VirtualClock } = require('timeslice/testing'); (async () => { ${SCRIPT} })();`]);
    expect(JSON.parse(out)).toEqual(EXPECTED);
  });
});
