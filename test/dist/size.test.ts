// What a browser application pays for timeslice before it runs anything: the
// built entries bundled by esbuild (platform browser, minified) the way an
// application is, then gzipped file by file (zlib, as served). Sizes are
// deterministic for one esbuild version: no retries, no tolerance beyond the
// budget's. Needs `npm run build` first (useCurrentDist: dist/ built from these sources).
//
// Bundled with code splitting, as Vite, webpack, Rollup and `esbuild
// --splitting` do: what load() brings on demand (src/parts/load.ts: the
// embedded core, croner, the durable layer, slot constraints, calendar
// intervals, tracing, describe()) lands in chunks of its own, fetched only
// when loaded. Two figures per entry, each with a budget:
// - the first load: the entry chunk and the chunks it imports statically;
// - the total before the first task runs: the first load plus what a bare
//   `await load()` always fetches (the WebAssembly core, embedded in a chunk
//   of its own; `timeslice/web` fetches it by itself). Moving code into a
//   chunk that load() always fetches would lower the first figure, not this
//   one. (Served as the raw `timeslice.wasm` with load({ wasm: url }), the
//   core is smaller, and the code that fetches it is a chunk of its own:
//   printed beside it.)
// Without splitting, esbuild inlines every import() into the one file: then
// the total is everything a page can ever load, printed for reference.
//
// Issue 12 asks for 20 KB (gzip) of first load for `timeslice` and for
// `timeslice/web`. Measured: 58.6 / 60.1 KB with everything up front; 25.2 /
// 25.4 KB once the core, croner and the durable layer became parts; 33.2 /
// 33.2 KB after calendar intervals, schedule windows, slot constraints,
// durable concurrency and tracing joined the facade; 25.6 / 26.5 KB once
// those became parts too (with describe()); 23.2 / 24.1 KB once the built
// package let the application's bundler drop what it does not use (the core
// layout's namespace object, which a shared chunk exported, and error classes
// nobody imports) and inline the layout's constants; 22.9 / 23.8 KB once the
// code that fetches a raw .wasm (load({ wasm: url })) became a chunk of its
// own; timeslice/web 19.0 KB (in two files) once its schedulers stood on the
// engine without the Scheduler facade, and so without load() and the parts'
// shared chunks (src/web/web-backend.ts): the 20 KB target met there;
// timeslice 22.7 KB in 7 files once the parts the durable layer brings were
// objects instead of module namespaces (the build's helper for those was a
// chunk of the first load). That was 21.2 KB gzipped as one file, and 1.5 KB
// more as esbuild split it into the chunks the lazy parts shared with it.
// Then timeslice 19.7 KB in 2 files (the application's and the entry's),
// timeslice/web 17.6 KB in 1, the 20 KB target met for both, by two changes:
// - the engine holds a CoreInstance (bindings/core-instance.ts); the public
//   Core's validated per-call operations and its batch writer, which no
//   scheduler calls, are no longer in the first load (22.7 -> 21.6 KB, web
//   19.0 -> 17.9 KB);
// - the first load is one chunk (21.6 -> 19.7 KB): esbuild splits per file,
//   a module going to the chunk of the set of entries that reach it, and the
//   parts shared different subsets of the entry's modules. Each part now
//   imports the entry itself for no binding, so all of it is reached by all
//   of them (src/parts/load.ts), and the code that fetches a raw .wasm takes
//   its error helpers from loadCore() instead of importing them
//   (bindings/wasm-source.ts). The test below holds the first load to two
//   files.
// Nothing moved into what a bare load() fetches: the total fell with the
// first load (29.9 -> 26.8 KB). after()'s own registration path (2beda7f,
// inlined whole by V8) then took timeslice to 19.8 / 27.0 KB, past a total
// budget that had been set to the byte reached: the total's budget is now the
// first load's plus the core's 7.2 KB. Still in the first load though only a part
// uses them: the error classes `timeslice` exports that the durable layer
// throws (1.8 KB minified), as a module a lazy chunk uses is in the first
// load whole when the entry exports it, even if the application does not.
// That is why CronSchedule lives in `timeslice/cron`, CalendarSchedule in
// `timeslice/calendar`, ClockWatch in `timeslice/clock-watch`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = new URL('../../', import.meta.url).pathname;
const OUT_DIR = '/virtual-out';

/** Gzip bytes of the first load, per entry: the 20 KB (see the header). */
const BUDGET_GZIP_BYTES = { timeslice: 20_000, 'timeslice/web': 20_000 };
/**
 * Gzip bytes of the first load plus what a bare `await load()` always fetches (the core, 7.5 KB), per entry: timeslice's the
 * first load's budget plus the core; web's what it reached (25,000), then 25,100 once a long-lived Scheduler's handles kept
 * large ids in their books (e06cbe1, LargeIdBook: web 25,073 after trimming it; timeslice's first load back to 20,000),
 * then 25,400 (and timeslice's 27,500) once random-delay timers waited in far buckets (the core 7.2 -> 7.5 KB embedded:
 * insert + cancel at 1e6 5.7x setTimeout instead of 4x, 88 bytes a pending timer instead of 100; bench/README.md, timers).
 */
const BUDGET_TOTAL_GZIP_BYTES = { timeslice: 27_500, 'timeslice/web': 25_400 };
/** Files of the first load, per entry: the application's chunk and the entry's (src/parts/load.ts), or one. */
const MAX_FIRST_LOAD_FILES = { timeslice: 2, 'timeslice/web': 1 };

/** What a browser application writes to use each entry. */
const APPS: Record<keyof typeof BUDGET_GZIP_BYTES, string> = {
  timeslice: `import { Scheduler, load } from 'timeslice'; await load(); globalThis.scheduler = new Scheduler();`,
  'timeslice/web': `import { scheduler } from 'timeslice/web'; globalThis.result = scheduler.postTask(() => 1);`,
};

interface Measure {
  firstLoadGzip: number;
  /** The chunks a bare load() always fetches: the embedded core's, with what it imports beyond the first load. */
  coreGzip: number;
  /** The chunks load({ wasm: url }) fetches instead: the code that fetches and checks the raw .wasm (bindings/wasm-source.ts). */
  wasmSourceGzip: number;
  lazyGzip: number;
  firstLoadText: string;
  firstLoadInputs: string[];
  chunks: Array<{ file: string; gzip: number; first: boolean }>;
}

/** How an application's bundler builds it for a browser: minified, split into chunks (see the header). */
const SPLIT_BROWSER_BUILD = {
  bundle: true, splitting: true, minify: true, platform: 'browser', format: 'esm', outdir: OUT_DIR, write: false, metafile: true, logLevel: 'silent',
} as const;

/** The application's own chunk (every lazy chunk has an entryPoint too: the module it was split at). */
function appChunk(outputs: Metafile['outputs']): string {
  return Object.keys(outputs).find((file) => outputs[file]?.entryPoint?.endsWith('app.js')) as string;
}

async function measure(contents: string): Promise<Measure> {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
    ...SPLIT_BROWSER_BUILD,
  });
  const outputs = (result.metafile as Metafile).outputs;
  const entry = appChunk(outputs);
  const first = new Set<string>();
  const walk = (file: string) => {
    if (first.has(file)) return;
    first.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement') walk(i.path);
  };
  walk(entry);
  // The embedded core's chunk (bindings/wasm.generated.ts, as dist/wasm.generated-*.js) and its static imports.
  const core = new Set<string>();
  const walkCore = (file: string) => {
    if (core.has(file) || first.has(file)) return;
    core.add(file);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement') walkCore(i.path);
  };
  for (const file of Object.keys(outputs)) if (Object.keys(outputs[file]?.inputs ?? {}).some((input) => input.includes('wasm.generated'))) walkCore(file);
  const wasmSource = new Set(Object.keys(outputs).filter((file) => Object.keys(outputs[file]?.inputs ?? {}).some((input) => input.includes('wasm-source'))));
  const m: Measure = { firstLoadGzip: 0, coreGzip: 0, wasmSourceGzip: 0, lazyGzip: 0, firstLoadText: '', firstLoadInputs: [], chunks: [] };
  for (const file of result.outputFiles) {
    const key = Object.keys(outputs).find((k) => file.path.endsWith(k.slice(k.lastIndexOf('/')))) as string;
    const gzip = gzipSync(file.contents).length;
    const isFirst = first.has(key);
    m.chunks.push({ file: key.slice(key.lastIndexOf('/') + 1), gzip, first: isFirst });
    if (isFirst) {
      m.firstLoadGzip += gzip;
      m.firstLoadText += file.text;
      m.firstLoadInputs.push(...Object.keys(outputs[key]?.inputs ?? {}));
    } else {
      m.lazyGzip += gzip;
      if (core.has(key)) m.coreGzip += gzip;
      if (wasmSource.has(key)) m.wasmSourceGzip += gzip;
    }
  }
  return m;
}

/** Minified bytes per source file of the same app bundled from src/ (the browser variants of the internal imports), for the breakdown. */
async function sourceBreakdown(contents: string): Promise<Array<[string, number]>> {
  const result = await build({
    stdin: { contents: contents.replace(/'timeslice(\/web)?'/, (_, web) => (web ? "'./src/web/index.ts'" : "'./src/index.ts'")), resolveDir: root, sourcefile: 'app.js', loader: 'js' },
    ...SPLIT_BROWSER_BUILD,
    tsconfigRaw: {},
    alias: { '#wasm-sync': './bindings/wasm-sync.ts', '#parts-sync': './src/parts/sync.ts', '#cron-sync': './src/parts/cron-sync.ts', '#timeslice': './src/index.ts' },
  });
  const outputs = (result.metafile as Metafile).outputs;
  const entry = appChunk(outputs);
  const bytes = new Map<string, number>();
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [input, { bytesInOutput }] of Object.entries(outputs[file]?.inputs ?? {})) bytes.set(input, (bytes.get(input) ?? 0) + bytesInOutput);
    for (const i of outputs[file]?.imports ?? []) if (i.kind === 'import-statement') walk(i.path);
  };
  walk(entry);
  return [...bytes].sort((a, b) => b[1] - a[1]);
}

async function singleFileGzip(contents: string): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return gzipSync(result.outputFiles[0]!.contents).length;
}

describe('browser bundle size', () => {
  for (const [entry, app] of Object.entries(APPS) as Array<[keyof typeof APPS, string]>) {
    it(`${entry}: the first load is within ${BUDGET_GZIP_BYTES[entry]} bytes gzip, with the core ${BUDGET_TOTAL_GZIP_BYTES[entry]}, and the parts load() brings stay out of it`, async () => {
      const m = await measure(app);
      const breakdown = await sourceBreakdown(app);
      const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;
      const rawCoreGzip = gzipSync(readFileSync(`${root}dist/timeslice.wasm`)).length;
      const total = m.firstLoadGzip + m.coreGzip;
      console.log(
        [
          `${entry}: first load ${kb(m.firstLoadGzip)} gzip (budget ${kb(BUDGET_GZIP_BYTES[entry])}, target 20 KB) in ${m.chunks.filter((c) => c.first).length} files; its code gzipped as one file ${kb(gzipSync(m.firstLoadText).length)}`,
          `  before the first task runs ${kb(total)} (budget ${kb(BUDGET_TOTAL_GZIP_BYTES[entry])}): the first load + the embedded core ${kb(m.coreGzip)}; ${kb(m.firstLoadGzip + rawCoreGzip + m.wasmSourceGzip)} with the raw timeslice.wasm (${kb(rawCoreGzip)}) from load({ wasm: url }) and the code that fetches it (${kb(m.wasmSourceGzip)})`,
          `  on demand ${kb(m.lazyGzip)} in all, one file without splitting ${kb(await singleFileGzip(app))}`,
          ...m.chunks.map((c) => `  ${c.first ? 'first ' : 'later '} ${String(c.gzip).padStart(6)}  ${c.file}`),
          '  first load by source file (minified bytes, before gzip):',
          ...breakdown.slice(0, 20).map(([file, bytes]) => `    ${String(bytes).padStart(6)}  ${file}`),
        ].join('\n'),
      );
      expect(m.firstLoadInputs.filter((input) => input.includes('node_modules/croner')), 'croner in the first load').toEqual([]);
      expect(m.firstLoadInputs.filter((input) => input.includes('wasm.generated')), 'the embedded core in the first load').toEqual([]);
      expect(m.firstLoadText.includes('vanished after its registration was committed'), 'the durable layer in the first load').toBe(false);
      // The parts a basic application does not use, by a text only each carries.
      expect(m.firstLoadText.includes('daily cap reached'), 'slot constraints in the first load').toBe(false);
      expect(m.firstLoadText.includes('anchorMs must be ms since the epoch'), 'calendar intervals in the first load').toBe(false);
      expect(m.firstLoadText.includes('timeslice.lateness_ms'), 'tracing in the first load').toBe(false);
      expect(m.firstLoadText.includes('timeslice scheduler at '), 'describe() in the first load').toBe(false);
      expect(m.coreGzip, 'the core chunk found').toBeGreaterThan(0);
      expect(m.wasmSourceGzip, 'the chunk that fetches a raw .wasm found').toBeGreaterThan(0);
      expect(m.chunks.filter((c) => c.first).length, 'files of the first load').toBeLessThanOrEqual(MAX_FIRST_LOAD_FILES[entry]);
      expect(m.firstLoadGzip).toBeLessThanOrEqual(BUDGET_GZIP_BYTES[entry]);
      expect(total).toBeLessThanOrEqual(BUDGET_TOTAL_GZIP_BYTES[entry]);
    });
  }
});
