// Time series a suite may return beside its rows (e.g. the pool's CPU shares
// over time): drawn as a line chart, kept in the JSON. Shape (bench/README.md):
//
//   { name: 'fairness-shares',            // file-name safe: results/<suite>-<name>.svg
//     case: 'fairness',                   // optional: the case it belongs to
//     title: 'CPU share per tenant over time',
//     x: { label: 'time', unit: 's' },
//     y: { label: 'share', unit: '%' },
//     lines: [ { label: 'weight 1', impl: 'timeslice', points: [[0.5, 14.1], [1, 14.3], ...] }, ... ],
//     guides: [ { label: 'target 14.3%', y: 14.29 } ] }  // optional horizontal reference lines

const SAFE_NAME = /^[a-z0-9][a-z0-9-]*$/;
const isPoint = (p) => Array.isArray(p) && p.length === 2 && p.every(Number.isFinite);
const isAxis = (a) => a !== null && typeof a === 'object' && typeof a.label === 'string' && typeof a.unit === 'string';

/** Checks a suite's series; throws naming the first bad one. */
export function validateSeries(series, suiteName) {
  if (!Array.isArray(series)) throw new TypeError(`suite ${suiteName}: series must be an array`);
  const names = new Set();
  for (const s of series) {
    const ok =
      typeof s.name === 'string' &&
      SAFE_NAME.test(s.name) &&
      !names.has(s.name) &&
      typeof s.title === 'string' &&
      (s.case === undefined || typeof s.case === 'string') &&
      isAxis(s.x) &&
      isAxis(s.y) &&
      Array.isArray(s.lines) &&
      s.lines.length > 0 &&
      s.lines.every((l) => typeof l.label === 'string' && (l.impl === undefined || typeof l.impl === 'string') && Array.isArray(l.points) && l.points.length > 0 && l.points.every(isPoint)) &&
      (s.guides === undefined || (Array.isArray(s.guides) && s.guides.every((g) => typeof g.label === 'string' && Number.isFinite(g.y))));
    if (!ok) throw new TypeError(`suite ${suiteName}: malformed series ${JSON.stringify(s).slice(0, 300)} (names are unique, lower-case, file-name safe)`);
    names.add(s.name);
  }
}
