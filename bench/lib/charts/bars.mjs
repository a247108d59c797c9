// Grouped horizontal bars: one bar per median, a whisker from min to max,
// the value printed after the whisker. Groups stack downwards (sizes of a
// case, or implementations of a percentile chart). Bars start at zero, so
// their lengths compare honestly.
import { formatValue } from '../format.mjs';
import { escapeXml, formatTick, KIND_STYLE, px, svgDocument, text, ticks } from './svg.mjs';

const WIDTH = 760;
const LABEL_X = 8; // bar labels, left-aligned
const PLOT_X = 220; // where bars start
const PLOT_WIDTH = 420; // the tick range; values are printed to its right
const BAR_HEIGHT = 16;
const BAR_GAP = 4;
const GROUP_GAP = 10;
const GROUP_HEADER = 18;

function legend(kinds, y) {
  let x = PLOT_X;
  const out = [];
  for (const kind of kinds) {
    const style = KIND_STYLE[kind];
    out.push(`<rect x="${px(x)}" y="${px(y - 10)}" width="12" height="12" fill="${style.fill}"${style.stroke ? ` stroke="${style.stroke}"` : ''}/>`);
    out.push(text(x + 16, y, style.label, { fill: '#495057' }));
    x += 24 + style.label.length * 6.5;
  }
  return out;
}

/**
 * `groups`: [{label?, bars: [{label, median, min, max, kind}]}] where kind is a
 * KIND_STYLE key. `unit` prints after the values; `note` is the line under the title.
 */
export function barChart({ title, note, unit, groups }) {
  const top = 52;
  const body = [text(LABEL_X, 20, title, { 'font-size': '15', 'font-weight': 'bold' }), text(LABEL_X, 38, note, { fill: '#495057' })];
  const maxValue = Math.max(...groups.flatMap((g) => g.bars.map((b) => Math.max(b.max, b.median))));
  const axis = ticks(maxValue);
  const scale = PLOT_WIDTH / axis.at(-1);
  let y = top;
  const bars = [];
  for (const group of groups) {
    if (group.label) {
      bars.push(text(LABEL_X, y + 13, group.label, { 'font-weight': 'bold' }));
      y += GROUP_HEADER;
    }
    for (const bar of group.bars) {
      const style = KIND_STYLE[bar.kind];
      const mid = y + BAR_HEIGHT / 2;
      const stroke = style.stroke ? ` stroke="${style.stroke}"` : '';
      bars.push(text(LABEL_X + 10, mid + 4, bar.label, bar.kind === 'product' ? { 'font-weight': 'bold' } : {}));
      bars.push(`<rect x="${px(PLOT_X)}" y="${px(y)}" width="${px(Math.max(bar.median * scale, 0.5))}" height="${BAR_HEIGHT}" fill="${style.fill}"${stroke}><title>${escapeXml(`${bar.label}: ${formatValue(bar.median, unit)} ${unit}`)}</title></rect>`);
      const x0 = PLOT_X + bar.min * scale;
      const x1 = PLOT_X + bar.max * scale;
      if (x1 - x0 >= 1) {
        bars.push(`<path d="M${px(x0)} ${px(mid)}H${px(x1)}M${px(x0)} ${px(mid - 4)}V${px(mid + 4)}M${px(x1)} ${px(mid - 4)}V${px(mid + 4)}" stroke="#212529" fill="none"/>`);
      }
      bars.push(text(Math.max(x1, PLOT_X + bar.median * scale) + 6, mid + 4, formatValue(bar.median, unit), { fill: '#212529' }));
      y += BAR_HEIGHT + BAR_GAP;
    }
    y += GROUP_GAP;
  }
  const bottom = y;
  const grid = axis.map((value) => {
    const x = PLOT_X + value * scale;
    return `<line x1="${px(x)}" y1="${px(top - 4)}" x2="${px(x)}" y2="${px(bottom)}" stroke="#e9ecef"/>${text(x, bottom + 14, formatTick(value, unit), { 'text-anchor': 'middle', fill: '#495057' })}`;
  });
  body.push(...grid, ...bars);
  body.push(text(PLOT_X + PLOT_WIDTH / 2, bottom + 30, unit, { 'text-anchor': 'middle', fill: '#495057' }));
  const kinds = Object.keys(KIND_STYLE).filter((kind) => groups.some((g) => g.bars.some((b) => b.kind === kind)));
  body.push(...legend(kinds, bottom + 50));
  return svgDocument({ width: WIDTH, height: bottom + 62, title, body });
}
