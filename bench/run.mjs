// The benchmark runner: `npm run bench -- [suite ...] [--quick]`.
//
// Suites are the files bench/suites/<name>.mjs (subfolders hold their parts and
// are not suites). Each default-exports {name, description, run(ctx), derive?,
// headline?} as bench/README.md describes. For every suite run, the runner writes
// bench/results/<name>.json ({meta, results, derived, headline, series}), <name>.md
// and its SVG charts (lib/charts/), and
// prints the markdown to stdout; progress goes to stderr. --quick runs each
// suite's small plan and writes nothing, for checking that a suite works;
// --quick --write writes it all the same (meta.quick says so, and the How fast
// section labels it "not a measurement"), for a suite whose full plan takes hours.
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { requireCurrentDist } from '../scripts/build-inputs.mjs';
import { writeHowFast } from '../scripts/how-fast.mjs';
import { loadAverage, machineInfo } from './lib/machine.mjs';
import { suiteCharts } from './lib/charts/suite-charts.mjs';
import { nowMs } from './lib/measure.mjs';
import { formatDerived, renderMarkdown } from './lib/report.mjs';
import { validateHeadline } from './lib/headline.mjs';
import { validateRows } from './lib/rows.mjs';
import { validateSeries } from './lib/series.mjs';
import { writeReport } from './lib/write-report.mjs';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const rootDir = path.dirname(benchDir);
const suitesDir = path.join(benchDir, 'suites');
const resultsDir = path.join(benchDir, 'results');
const cacheDir = path.join(benchDir, '.cache');

async function availableSuites() {
  const entries = await readdir(suitesDir, { withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.mjs'))
    .map((e) => e.name.slice(0, -'.mjs'.length))
    .sort();
}

async function loadSuite(name) {
  const { default: suite } = await import(pathToFileURL(path.join(suitesDir, `${name}.mjs`)).href);
  if (!suite || suite.name !== name || typeof suite.description !== 'string' || typeof suite.run !== 'function') {
    throw new TypeError(`bench/suites/${name}.mjs must default-export {name: '${name}', description, run(ctx)}`);
  }
  for (const optional of ['derive', 'headline']) {
    if (suite[optional] !== undefined && typeof suite[optional] !== 'function') {
      throw new TypeError(`bench/suites/${name}.mjs: ${optional} must be a function when present`);
    }
  }
  return suite;
}

async function runSuite(suite, quick, write) {
  const log = (message) => process.stderr.write(`[${suite.name}] ${message}\n`);
  const info = {};
  const ctx = { name: suite.name, quick, rootDir, cacheDir, log, info };
  // Machine facts (date, load average) as they were when the suite started.
  const machine = machineInfo(rootDir);
  const startedMs = nowMs();
  // run() resolves to the rows, or to {rows, series} when it also has time series.
  const output = await suite.run(ctx);
  const { rows, series = [] } = Array.isArray(output) ? { rows: output } : (output ?? {});
  validateRows(rows, suite.name);
  validateSeries(series, suite.name);
  const results = rows.map((row) => ({ suite: suite.name, ...row }));
  const derived = suite.derive ? suite.derive(results) : [];
  const headline = suite.headline ? suite.headline(results) : [];
  validateHeadline(headline, results, suite.name);
  const durationMs = Math.round(nowMs() - startedMs);
  machine.loadAverage.end = loadAverage();
  const meta = { suite: suite.name, description: suite.description, ...machine, quick, durationMs, info };
  const report = { meta, results, derived, headline, series };
  const markdown = renderMarkdown(report);
  process.stdout.write(`${markdown}\n`);
  for (const d of derived) log(`${d.name}: ${formatDerived(d)}`);
  log(`done in ${(durationMs / 1000).toFixed(1)} s`);
  if (quick && !write) {
    suiteCharts(report); // drawn and dropped: a chart that cannot be drawn fails here, not in the full run
    return;
  }
  await mkdir(resultsDir, { recursive: true });
  const files = await writeReport(resultsDir, report);
  log(`wrote ${files.map((f) => `bench/results/${f}`).join(', ')}`);
  // docs/performance.md's "How fast" section follows the results (test/bench/how-fast.test.ts checks).
  const rewritten = writeHowFast(rootDir);
  if (rewritten.length > 0) log(`regenerated the How fast section of ${rewritten.join(' and ')}`);
}

async function main(argv) {
  if (typeof globalThis.gc !== 'function') {
    process.stderr.write('benchmarks need global.gc: run `npm run bench -- ...` or node --expose-gc bench/run.mjs\n');
    return 2;
  }
  const quick = argv.includes('--quick');
  const write = argv.includes('--write');
  const unknownFlags = argv.filter((a) => a.startsWith('-') && a !== '--quick' && a !== '--write');
  const available = await availableSuites();
  const asked = argv.filter((a) => !a.startsWith('-'));
  const missing = asked.filter((name) => !available.includes(name));
  if (unknownFlags.length > 0 || missing.length > 0) {
    const what = [...unknownFlags.map((f) => `unknown option ${f}`), ...missing.map((m) => `no suite named ${m}`)];
    process.stderr.write(`${what.join('; ')}. Usage: npm run bench -- [suite ...] [--quick [--write]]; suites: ${available.join(', ')}\n`);
    return 2;
  }
  if (write && !quick) {
    process.stderr.write('--write only goes with --quick (a full run always writes)\n');
    return 2;
  }
  // Every suite measures the built package: a dist/ of other sources would be old code.
  requireCurrentDist(rootDir);
  for (const name of asked.length > 0 ? asked : available) await runSuite(await loadSuite(name), quick, write);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
