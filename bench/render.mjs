// Redraws bench/results/ from the committed JSON without measuring anything:
// `npm run bench:render -- [suite ...] [--headline]`. Rewrites each suite's
// .md and SVG charts; with --headline it first asks the suite's headline()
// (bench/suites/<name>.mjs, which imports dist/: build first) to choose the
// README's rows again from the stored results, and stores them in the JSON.
// Then regenerates the "How fast" section of docs/performance.md.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeHowFast } from '../scripts/how-fast.mjs';
import { validateHeadline } from './lib/headline.mjs';
import { writeReport } from './lib/write-report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const resultsDir = path.join(benchDir, 'results');

async function main(argv) {
  const rechoose = argv.includes('--headline');
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--headline');
  const stored = (await readdir(resultsDir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
  const asked = argv.filter((a) => !a.startsWith('-'));
  const missing = asked.filter((name) => !stored.includes(name));
  if (unknown.length > 0 || missing.length > 0) {
    process.stderr.write(`usage: node bench/render.mjs [suite ...] [--headline]; stored results: ${stored.join(', ')}\n`);
    return 2;
  }
  for (const name of asked.length > 0 ? asked : stored) {
    const report = JSON.parse(await readFile(path.join(resultsDir, `${name}.json`), 'utf8'));
    if (rechoose) {
      const { default: suite } = await import(pathToFileURL(path.join(benchDir, 'suites', `${name}.mjs`)).href);
      report.headline = suite.headline ? suite.headline(report.results) : [];
      validateHeadline(report.headline, report.results, name);
    }
    const files = await writeReport(resultsDir, report);
    process.stderr.write(`[${name}] wrote ${files.map((f) => `bench/results/${f}`).join(', ')}\n`);
  }
  const rewritten = writeHowFast(path.dirname(benchDir));
  if (rewritten.length > 0) process.stderr.write(`regenerated the How fast section of ${rewritten.join(' and ')}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
