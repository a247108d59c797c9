import { copyFileSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    core: 'src/core.ts',
    testing: 'src/testing/index.ts',
    web: 'src/web/index.ts',
    // The stores are entries of their own, so `timeslice` loads no database driver.
    store: 'src/store/index.ts',
    'store/memory': 'src/store/memory-store.ts',
    'store/sqlite': 'src/store/sqlite-store.ts',
    'store/indexeddb': 'src/store/indexeddb-store.ts',
    // The worker pool (Node only) and the entry its threads run: `timeslice` loads no piscina.
    pool: 'src/pool/index.ts',
    'pool-worker': 'src/pool/worker.ts',
  },
  // Drivers stay imports of the built files, resolved from the user's node_modules.
  external: ['better-sqlite3', 'idb', 'piscina', /^node:/],
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
  platform: 'neutral',
  splitting: true,
  treeshake: true,
  async onSuccess() {
    // The embedded copy is what the code uses; the file ships for tools that want it.
    mkdirSync('dist', { recursive: true });
    copyFileSync('build/timeslice.wasm', 'dist/timeslice.wasm');
  },
});
