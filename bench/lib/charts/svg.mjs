// The few SVG pieces every chart uses, as strings: escaped text, a document
// with a viewBox (scales in GitHub's markdown preview), axis ticks. No styles
// from outside the file, no scripts, no fonts to fetch: an <img> of the file
// renders the same everywhere.
import { formatValue } from '../format.mjs';

/** Text safe inside an element or an attribute. */
export function escapeXml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

/** Shortest decimal for a coordinate: smaller files, stable output. */
export const px = (value) => String(Math.round(value * 10) / 10);

/** One text element; `attrs` is an object of extra attributes. */
export function text(x, y, content, attrs = {}) {
  const extra = Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${escapeXml(value)}"`)
    .join('');
  return `<text x="${px(x)}" y="${px(y)}"${extra}>${escapeXml(content)}</text>`;
}

/** The whole document: a white background, a <title> for screen readers, shared styles. */
export function svgDocument({ width, height, title, body }) {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${px(width)} ${px(height)}" width="${px(width)}" height="${px(height)}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    '<defs><pattern id="internals" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffe8cc"/><line x1="0" y1="0" x2="0" y2="6" stroke="#e8590c" stroke-width="2"/></pattern></defs>',
    `<rect width="${px(width)}" height="${px(height)}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/** A tick label: the table format without trailing zeros ("2.00M" -> "2M", "60.0" -> "60"). */
export function formatTick(value, unit = '') {
  return formatValue(value, unit).replace(/\.0+(?=[kMG]?$)|(\.\d*?[1-9])0+(?=[kMG]?$)/, '$1');
}

/** About `count` round tick values covering [0, max] (1, 2 or 5 times a power of ten apart). */
export function ticks(max, count = 5) {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough);
  const out = [];
  for (let value = 0; value <= max + step * 1e-9; value += step) out.push(Math.round(value / step) * step);
  if (out.at(-1) < max) out.push(out.at(-1) + step);
  return out;
}

/** Ticks covering [min, max] when the range may not start at 0 (line charts). */
export function rangeTicks(min, max, count = 5) {
  if (min >= 0) return ticks(max, count);
  const span = ticks(max - min, count);
  const step = span[1] - span[0];
  const start = Math.floor(min / step) * step;
  const out = [];
  for (let value = start; value <= max + step * 1e-9; value += step) out.push(Math.round(value / step) * step);
  if (out.at(-1) < max) out.push(out.at(-1) + step);
  return out;
}

/** How an implementation is drawn: timeslice through its API, its other variants, internals, peers. */
export const KIND_STYLE = {
  product: { fill: '#e8590c', label: 'timeslice' },
  variant: { fill: '#ffa94d', label: 'timeslice, other API' },
  internals: { fill: 'url(#internals)', stroke: '#e8590c', label: 'core (internals)' },
  peer: { fill: '#74c0fc', label: 'peer' },
};
