// What a built file pulls in: every bare module specifier reachable from it
// through its relative imports and requires (and requirePeer() calls, the
// optional peers loaded on first use). Comments are skipped: a TSDoc example
// such as `import('./hash.js')` is not an import.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const SPECIFIER = /(?:from\s*|import\s*\(?\s*|require\(\s*|requirePeer\w*\(\s*)["']([^"']+)["']/g;

export function reachableBareImports(file: string, seen = new Set<string>()): Set<string> {
  const bare = new Set<string>();
  if (seen.has(file)) return bare;
  seen.add(file);
  const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  for (const [, specifier] of code.matchAll(SPECIFIER)) {
    if (specifier!.startsWith('.')) for (const found of reachableBareImports(join(dirname(file), specifier!), seen)) bare.add(found);
    else bare.add(specifier!);
  }
  return bare;
}
