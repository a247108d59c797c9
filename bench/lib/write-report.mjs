// Writes one suite's report into bench/results/: <suite>.json, <suite>.md and
// its charts (charts/suite-charts.mjs). The charts the previous report of the
// suite had are removed first, so a case that is gone leaves no stale picture.
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { suiteCharts } from './charts/suite-charts.mjs';
import { renderMarkdown } from './report.mjs';

// Written beside the target and renamed, so an interrupted run never leaves a
// half-written result file (*.tmp is git-ignored).
async function writeAtomically(file, text) {
  const tmp = `${file}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, file);
}

async function previousReport(file) {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Writes the JSON, the markdown and the SVGs; answers the files written, relative to resultsDir. */
export async function writeReport(resultsDir, report) {
  const suite = report.meta.suite;
  const jsonFile = path.join(resultsDir, `${suite}.json`);
  const previous = await previousReport(jsonFile);
  const charts = suiteCharts(report);
  if (previous?.meta?.suite === suite) {
    const keep = new Set(charts.map((c) => c.file));
    for (const old of suiteCharts(previous)) if (!keep.has(old.file)) await rm(path.join(resultsDir, old.file), { force: true });
  }
  await writeAtomically(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  await writeAtomically(path.join(resultsDir, `${suite}.md`), renderMarkdown(report, charts));
  for (const chart of charts) await writeAtomically(path.join(resultsDir, chart.file), chart.svg);
  return [`${suite}.json`, `${suite}.md`, ...charts.map((c) => c.file)];
}
