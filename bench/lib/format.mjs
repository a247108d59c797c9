// Number formatting for tables: three significant figures is all a benchmark
// on a shared machine can claim.

const SI = [
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** Whether a unit is a rate (per wall second or per CPU second): more is better. */
export const isRateUnit = (unit) => unit.endsWith('/s') || unit.endsWith('/cpu-s');

/** 1234.5 -> "1235", 12.345 -> "12.3", 0.01234 -> "0.0123"; rates get k/M/G. */
export function formatValue(value, unit = '') {
  if (!Number.isFinite(value)) return String(value);
  if (isRateUnit(unit)) {
    for (const [scale, suffix] of SI) if (Math.abs(value) >= scale) return `${trim(value / scale)}${suffix}`;
  }
  return trim(value);
}

function trim(value) {
  const abs = Math.abs(value);
  if (abs >= 100 || abs === 0) return value.toFixed(0);
  return value.toPrecision(3);
}

/** 1000 -> "1e3", 100000 -> "1e5"; other sizes as they are. */
export function formatSize(n) {
  const exponent = Math.log10(n);
  return Number.isInteger(exponent) && exponent >= 3 ? `1e${exponent}` : String(n);
}
