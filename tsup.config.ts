import { copyFileSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    core: 'src/core.ts',
    // CronSchedule (croner): its own entry, so `timeslice` carries no croner in a browser bundle.
    cron: 'src/cron-entry.ts',
    // CalendarSchedule and ClockWatch: entries of their own for the same reason (the durable layer uses them).
    calendar: 'src/calendar-entry.ts',
    'clock-watch': 'src/clock-watch-entry.ts',
    testing: 'src/testing/index.ts',
    web: 'src/web/index.ts',
    // The stores are entries of their own, so `timeslice` loads no database driver.
    store: 'src/store/index.ts',
    'store/memory': 'src/store/memory.ts',
    'store/sqlite': 'src/store/sqlite-store.ts',
    'store/postgres': 'src/store/postgres-store.ts',
    'store/indexeddb': 'src/store/indexeddb-store.ts',
    // The worker pool (Node only) and the entry its threads run: `timeslice` loads no piscina.
    pool: 'src/pool/index.ts',
    'pool-worker': 'src/pool/worker.ts',
    // The targets of the package's internal imports (package.json "imports"): what a build has
    // at hand synchronously. Node gets the eager variants (the embedded core, croner, the durable
    // layer); a browser bundle the empty ones, and loads the parts on demand (src/parts/load.ts).
    'wasm-sync': 'bindings/wasm-sync.ts',
    'wasm-sync.node': 'bindings/wasm-sync.node.ts',
    'parts-sync': 'src/parts/sync.ts',
    'parts-sync.node': 'src/parts/sync.node.ts',
    'cron-sync': 'src/parts/cron-sync.ts',
    'cron-sync.node': 'src/parts/cron-sync.node.ts',
  },
  // Drivers stay imports of the built files, resolved from the user's node_modules; the internal
  // imports stay imports too, resolved by the user's runtime or bundler under its conditions.
  external: ['better-sqlite3', 'idb', 'pg', 'piscina', /^node:/, '#wasm-sync', '#parts-sync', '#cron-sync', '#timeslice'],
  // import.meta.url in the CommonJS build (the pool finds its worker entry beside itself).
  shims: true,
  format: ['esm', 'cjs'],
  // @internal members (the engine's fields of a TaskContext) stay out of the published types.
  dts: { compilerOptions: { stripInternal: true } },
  clean: true,
  // No source maps: the build is readable as it is (not minified), and maps that embed
  // the TypeScript sources were most of the package's size.
  sourcemap: false,
  target: 'es2022',
  // Syntax minification only (no renaming, whitespace kept): esbuild inlines the core's layout
  // constants across modules and folds what they decide, which an application's bundler can no
  // longer do once they are top-level vars of a shared chunk (a browser's first load: 1.3 KB gzip).
  esbuildOptions(options) {
    options.minifySyntax = true;
  },
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  async onSuccess() {
    // The embedded copy is what the code uses; the file ships for tools that want it.
    mkdirSync('dist', { recursive: true });
    copyFileSync('build/timeslice.wasm', 'dist/timeslice.wasm');
  },
});
