// The headline: the few rows of a suite that docs/performance.md quotes, chosen by the
// suite's `headline(results)` (bench/README.md, "Writing a suite"), and the
// ratios computed from them: timeslice against each peer, by wall time and by
// CPU time, oriented so that above 1 always means timeslice is ahead (faster,
// cheaper or smaller).
import { isRateUnit } from './format.mjs';
import { isInternals, PRODUCT_IMPL } from './rows.mjs';
import { summarize } from './stats.mjs';

const sameSize = (row, n) => (row.n ?? null) === (n ?? null);

/** The row of (case, n, impl, metric), or undefined. */
export function findRow(results, { case: caseName, n, impl, metric }) {
  return results.find((r) => r.case === caseName && sameSize(r, n) && r.impl === impl && r.metric === metric);
}

/** Whether more of this row's metric is better: rates by default, `better` overrides. */
export function higherIsBetter(row, better) {
  if (better !== undefined) return better === 'higher';
  return isRateUnit(row.unit);
}

/**
 * The subject's lead over a peer, oriented (> 1: subject ahead). Paired when
 * both rows kept their samples from one interleaved run: the ratio of rep i to
 * rep i, whose median and min-max are reported. Otherwise (older results) the
 * ratio of medians, and the widest range the two spreads allow.
 */
export function leadOver(subject, peer, better) {
  const up = higherIsBetter(subject, better);
  const lead = (ours, theirs) => (up ? ours / theirs : theirs / ours);
  if (subject.samples && peer.samples && subject.samples.length === peer.samples.length) {
    const { median, min, max } = summarize(subject.samples.map((ours, i) => lead(ours, peer.samples[i])));
    return { median, min, max, paired: true };
  }
  const corners = [lead(subject.min, peer.max), lead(subject.max, peer.min), lead(subject.min, peer.min), lead(subject.max, peer.max)];
  return { median: lead(subject.median, peer.median), min: Math.min(...corners), max: Math.max(...corners), paired: false };
}

/** The peers a headline entry compares with: named ones, or every other implementation that is not timeslice's own. */
export function peersOf(results, entry) {
  const subject = entry.subject ?? PRODUCT_IMPL;
  if (entry.peers !== undefined) return entry.peers;
  const impls = results.filter((r) => r.case === entry.case && sameSize(r, entry.n) && r.metric === entry.metric && !isInternals(r)).map((r) => r.impl);
  return [...new Set(impls)].filter((impl) => impl !== subject && !impl.startsWith(`${PRODUCT_IMPL}-`));
}

/**
 * The CPU twin of a wall metric, as cpuRows() names it: an entry's own
 * cpuMetric, else `<x>PerCpuSec` for `<x>PerSec` and `cpuNsPer<X>` for
 * `nsPer<X>` when the results have that row for the subject; else undefined.
 */
export function cpuMetricOf(results, entry) {
  if (entry.cpuMetric !== undefined) return entry.cpuMetric;
  const twin = entry.metric.endsWith('PerSec')
    ? `${entry.metric.slice(0, -'PerSec'.length)}PerCpuSec`
    : entry.metric.startsWith('nsPer')
      ? `cpuNsPer${entry.metric.slice('nsPer'.length)}`
      : undefined;
  return twin !== undefined && findRow(results, { ...entry, impl: entry.subject ?? PRODUCT_IMPL, metric: twin }) ? twin : undefined;
}

/** Checks a suite's headline entries against its results; throws naming the first bad one. */
export function validateHeadline(entries, results, suiteName) {
  if (!Array.isArray(entries)) throw new TypeError(`suite ${suiteName}: headline() must return an array`);
  for (const entry of entries) {
    const where = `suite ${suiteName}: headline entry ${JSON.stringify(entry)}`;
    if (typeof entry.what !== 'string' || entry.what.trim() === '') throw new TypeError(`${where} needs 'what': one line saying what it measures`);
    if (typeof entry.metric !== 'string') throw new TypeError(`${where} needs 'metric'`);
    if (entry.better !== undefined && entry.better !== 'higher' && entry.better !== 'lower') throw new TypeError(`${where}: better is 'higher' or 'lower'`);
    const subject = entry.subject ?? PRODUCT_IMPL;
    for (const metric of [entry.metric, entry.cpuMetric].filter((m) => m !== undefined)) {
      for (const impl of [subject, ...peersOf(results, entry)]) {
        if (!findRow(results, { ...entry, impl, metric })) throw new TypeError(`${where}: no row for impl ${impl}, metric ${metric}`);
      }
    }
  }
}

/**
 * One line per (entry, peer): the oriented wall and CPU leads, or, for an entry
 * without peers, the subject's own figures. `internals` is set when the subject
 * row times internals.
 */
export function headlineLines(results, entries) {
  const lines = [];
  for (const entry of entries) {
    const subjectName = entry.subject ?? PRODUCT_IMPL;
    const at = (impl, metric) => (metric === undefined ? undefined : findRow(results, { ...entry, impl, metric }));
    const cpuMetric = cpuMetricOf(results, entry);
    const subject = { wall: at(subjectName, entry.metric), cpu: at(subjectName, cpuMetric) };
    const base = { entry, subjectName, internals: isInternals(subject.wall), subject };
    const peers = peersOf(results, entry);
    if (peers.length === 0) lines.push({ ...base, peer: undefined });
    for (const peer of peers) {
      const wall = leadOver(subject.wall, at(peer, entry.metric), entry.better);
      const peerCpu = at(peer, cpuMetric);
      const cpu = subject.cpu && peerCpu ? leadOver(subject.cpu, peerCpu, entry.better) : undefined;
      lines.push({ ...base, peer, wall, cpu });
    }
  }
  return lines;
}

/** The sizes a case was run at, ascending ([undefined] for a case without sizes, [] when absent): for headline(), which sees quick runs too. */
export function sizesOf(results, caseName) {
  const rows = results.filter((r) => r.case === caseName);
  if (rows.length === 0) return [];
  return [...new Set(rows.map((r) => r.n))].sort((a, b) => (a ?? 0) - (b ?? 0));
}
