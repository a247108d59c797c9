// A line chart for a suite's time series (bench/lib/series.mjs has the shape):
// one polyline per line, timeslice's solid and every other implementation's
// dashed, guides (targets) as dotted reference lines, a legend below.
import { PRODUCT_IMPL } from '../rows.mjs';
import { escapeXml, formatTick, px, rangeTicks, svgDocument, text } from './svg.mjs';

const WIDTH = 760;
const PLOT_X = 70;
const PLOT_Y = 56;
const PLOT_WIDTH = 560;
const PLOT_HEIGHT = 280;
const PALETTE = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#c2255c', '#5c940d'];

const isProduct = (line) => line.impl === undefined || line.impl === PRODUCT_IMPL;

/** Colour per label (the same tenant has the same colour under every implementation). */
function colours(lines) {
  const labels = [...new Set(lines.map((l) => l.label))];
  return new Map(labels.map((label, i) => [label, PALETTE[i % PALETTE.length]]));
}

export function lineChart(series) {
  const points = series.lines.flatMap((l) => l.points);
  const ys = [...points.map((p) => p[1]), ...(series.guides ?? []).map((g) => g.y)];
  const xs = points.map((p) => p[0]);
  const xAxis = rangeTicks(Math.min(0, ...xs), Math.max(...xs));
  const yAxis = rangeTicks(Math.min(0, ...ys), Math.max(...ys));
  const [x0, x1, y0, y1] = [xAxis[0], xAxis.at(-1), yAxis[0], yAxis.at(-1)];
  const sx = (x) => PLOT_X + ((x - x0) / (x1 - x0 || 1)) * PLOT_WIDTH;
  const sy = (y) => PLOT_Y + PLOT_HEIGHT - ((y - y0) / (y1 - y0 || 1)) * PLOT_HEIGHT;
  const body = [text(8, 20, series.title, { 'font-size': '15', 'font-weight': 'bold' })];
  body.push(text(8, 38, `${series.y.label} (${series.y.unit}) against ${series.x.label} (${series.x.unit})`, { fill: '#495057' }));
  for (const y of yAxis) {
    body.push(`<line x1="${PLOT_X}" y1="${px(sy(y))}" x2="${PLOT_X + PLOT_WIDTH}" y2="${px(sy(y))}" stroke="#e9ecef"/>`);
    body.push(text(PLOT_X - 6, sy(y) + 4, formatTick(y, series.y.unit), { 'text-anchor': 'end', fill: '#495057' }));
  }
  for (const x of xAxis) body.push(text(sx(x), PLOT_Y + PLOT_HEIGHT + 16, formatTick(x, series.x.unit), { 'text-anchor': 'middle', fill: '#495057' }));
  body.push(text(PLOT_X + PLOT_WIDTH / 2, PLOT_Y + PLOT_HEIGHT + 34, `${series.x.label} (${series.x.unit})`, { 'text-anchor': 'middle', fill: '#495057' }));
  for (const guide of series.guides ?? []) {
    body.push(`<line x1="${PLOT_X}" y1="${px(sy(guide.y))}" x2="${PLOT_X + PLOT_WIDTH}" y2="${px(sy(guide.y))}" stroke="#868e96" stroke-dasharray="2 3"/>`);
    body.push(text(PLOT_X + PLOT_WIDTH + 6, sy(guide.y) + 4, guide.label, { fill: '#495057', 'font-size': '11' }));
  }
  const colour = colours(series.lines);
  const legendY = PLOT_Y + PLOT_HEIGHT + 58;
  series.lines.forEach((line, i) => {
    const dash = isProduct(line) ? '' : ' stroke-dasharray="6 4"';
    const name = line.impl === undefined ? line.label : `${line.impl}: ${line.label}`;
    const d = line.points.map(([x, y], j) => `${j === 0 ? 'M' : 'L'}${px(sx(x))} ${px(sy(y))}`).join('');
    body.push(`<path d="${d}" fill="none" stroke="${colour.get(line.label)}" stroke-width="${isProduct(line) ? 2 : 1.5}"${dash}><title>${escapeXml(name)}</title></path>`);
    const lx = 8 + (i % 3) * 250;
    const ly = legendY + Math.floor(i / 3) * 18;
    body.push(`<path d="M${lx} ${ly - 4}h24" stroke="${colour.get(line.label)}" stroke-width="2"${dash}/>`);
    body.push(text(lx + 30, ly, name, { fill: '#212529' }));
  });
  const height = legendY + Math.ceil(series.lines.length / 3) * 18 + 6;
  return svgDocument({ width: WIDTH, height, title: series.title, body });
}
