// Samples taken in processes of their own, for differences of a few percent.
//
// Why: in one process, what ran before a sample moves it (V8 sizes its young
// generation from what survived earlier runs, and code is optimised for the
// shapes it saw first: interleave-async.mjs has figures). Two variants that
// alternate in one process each inherit the other's heap and feedback, and
// the dispatch suite's listener row, measured that way, spread 0.57-1.38x
// around a difference of a few percent. Here each sample is a fresh `node`
// (same flags, same warm-up, nothing else loaded), the variants alternate
// A B B A ... so that a drift of the machine lands on both alike, and the
// figure is the ratio of each pair (sample i of A against sample i of B,
// run back to back), with its spread.
import { execFileSync } from 'node:child_process';
import { percentile } from './stats.mjs';

/**
 * Runs `node <nodeArgs> script <args>` and parses the last line it prints as
 * JSON: one sample. The child's stderr passes through; a failing child throws.
 */
export function sampleInFreshProcess(script, args, { nodeArgs = ['--expose-gc'] } = {}) {
  const stdout = execFileSync(process.execPath, [...nodeArgs, script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]);
}

/**
 * `rounds` rounds over `arms` (names), each arm once per round, the order
 * rotated by one every round (A B, B A, A B, ... for two arms), so that
 * each arm runs after every other equally often. `sample(arm, round)` gives
 * one sample; the answer maps each arm to its samples in round order, so
 * sample i of two arms ran close together.
 */
export function alternate(arms, rounds, sample) {
  const out = new Map(arms.map((arm) => [arm, []]));
  for (let round = 0; round < rounds; round++) {
    const first = round % arms.length;
    const order = [...arms.slice(first), ...arms.slice(0, first)];
    for (const arm of order) out.get(arm).push(sample(arm, round));
  }
  return out;
}

/** Median, quartiles and extremes of some values. */
export function spread(values) {
  if (values.length === 0) throw new Error('spread: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, p25: percentile(sorted, 0.25), p75: percentile(sorted, 0.75), min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/**
 * A distribution-free 95% interval for the median of some values: the order
 * statistics k and n + 1 - k, k = floor((n - 1.96 sqrt(n)) / 2) (the sign
 * test's interval). Undefined below 6 values, where it would be the extremes.
 */
export function medianInterval(values) {
  const n = values.length;
  const k = Math.floor((n - 1.96 * Math.sqrt(n)) / 2);
  if (k < 1) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return { low: sorted[k - 1], high: sorted[n - k] };
}

/** a[i] / b[i] for each pair. */
export function pairedRatios(a, b) {
  if (a.length !== b.length) throw new Error(`pairedRatios: ${a.length} samples against ${b.length}`);
  return a.map((x, i) => x / b[i]);
}

/** "1.02 (p25-p75 0.99-1.04, min-max 0.95-1.10, n 21)", and the median's 95% interval when given. */
export function formatSpread(s, digits = 3, interval = undefined) {
  const f = (x) => x.toFixed(digits);
  const ci = interval === undefined ? '' : `, median 95% ${f(interval.low)}-${f(interval.high)}`;
  return `${f(s.median)} (p25-p75 ${f(s.p25)}-${f(s.p75)}, min-max ${f(s.min)}-${f(s.max)}, n ${s.n}${ci})`;
}
