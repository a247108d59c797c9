// The native reference: bench/c/heap4.c, compiled at run time into
// bench/.cache/ (never committed) when gcc is on the machine, and skipped with
// a message when it is not. The binary prints JSON; its checksum goes through
// the same Agreement as the JS implementations.
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const C_IMPL = 'c-gcc-O2';
/** The same heap with a position per id and a sequence tie-break: the work the core's heap does. */
export const C_INDEXED_IMPL = 'c-gcc-O2-indexed';
const FLAGS = ['-O2', '-ffp-contract=off'];

function gccVersion() {
  try {
    return execFileSync('gcc', ['-dumpfullversion'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function isStale(binary, source) {
  try {
    return statSync(binary).mtimeMs < statSync(source).mtimeMs;
  } catch {
    return true;
  }
}

/** A function running heap4 with the given arguments, or null when gcc is missing. */
export function compileHeap4(ctx) {
  const version = gccVersion();
  if (version === null) {
    ctx.log(`gcc not found: skipping the ${C_IMPL} reference`);
    return null;
  }
  const source = path.join(ctx.rootDir, 'bench', 'c', 'heap4.c');
  const binary = path.join(ctx.cacheDir, 'heap4');
  if (isStale(binary, source)) {
    mkdirSync(ctx.cacheDir, { recursive: true });
    execFileSync('gcc', [...FLAGS, '-o', binary, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  }
  ctx.info.cReference = `gcc ${version} ${FLAGS.join(' ')}`;
  return (args) => JSON.parse(execFileSync(binary, args.map(String), { encoding: 'utf8' }));
}
