// `npm run bench:readme`: rewrites the generated "How fast" section of
// docs/performance.md from bench/results/*.json
// (bench/lib/how-fast.mjs). `--check` writes nothing and exits 1 when it
// differs from what the results give.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { howFastSection, replaceSection } from '../bench/lib/how-fast.mjs';

const rootDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const resultsDir = path.join(rootDir, 'bench', 'results');

/** The documents that carry the section, with their links to bench/results/. */
export const TARGETS = [
  { file: 'docs/performance.md', links: { results: '../bench/results/', charts: true } },
];

export function loadReports(dir = resultsDir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
}

/** [{file, current, expected}] for every target. */
export function howFastFiles(root = rootDir) {
  const reports = loadReports(path.join(root, 'bench', 'results'));
  return TARGETS.map(({ file, links }) => {
    const current = readFileSync(path.join(root, file), 'utf8');
    return { file, current, expected: replaceSection(current, howFastSection(reports, links), file) };
  });
}

/** Rewrites every target whose section is stale; answers the files rewritten. */
export function writeHowFast(root = rootDir) {
  const stale = howFastFiles(root).filter((f) => f.current !== f.expected);
  for (const { file, expected } of stale) writeFileSync(path.join(root, file), expected);
  return stale.map((f) => f.file);
}

function main(argv) {
  if (argv.includes('--check')) {
    const stale = howFastFiles().filter((f) => f.current !== f.expected);
    for (const { file } of stale) process.stderr.write(`${file}: the How fast section differs from bench/results (run npm run bench:readme)\n`);
    return stale.length > 0 ? 1 : 0;
  }
  const written = writeHowFast();
  process.stderr.write(written.length === 0 ? 'up to date\n' : `rewrote ${written.join(', ')}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
