// A browser bundle of the built package: what esbuild makes of it for the
// browser platform (the package's "imports" resolved without the "node"
// condition), run here. Such a bundle carries neither the embedded core, nor
// croner, nor the durable layer up front: load() brings them (src/parts/load.ts),
// and each sync API used before its part is loaded throws NotLoadedError.
// Needs `npx tsup` first.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
});

/** Bundles `contents` for the browser (split into chunks, as an application bundler does) and imports it: a fresh module graph each time. */
async function bundleAndImport(contents: string): Promise<{ run(): Promise<Record<string, unknown>> }> {
  const dir = mkdtempSync(join(tmpdir(), 'timeslice-browser-'));
  outDirs.push(dir);
  await build({
    stdin: { contents, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
    bundle: true,
    splitting: true,
    platform: 'browser',
    format: 'esm',
    outdir: dir,
    entryNames: 'app',
    outExtension: { '.js': '.mjs' },
    logLevel: 'silent',
  });
  const code = readFileSync(join(dir, 'app.mjs'), 'utf8');
  expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
  return import(pathToFileURL(join(dir, 'app.mjs')).href);
}

/** The error's code, or 'no error'. */
const CODE_OF = `(fn) => { try { fn(); return 'no error'; } catch (e) { return e.code; } }`;

describe('browser bundle', () => {
  it('timeslice/core: new Core() needs loadCore() first; after it, the core schedules', async () => {
    const app = await bundleAndImport(`
      import { Core, loadCore } from 'timeslice/core';
      const codeOf = ${CODE_OF};
      export async function run() {
        const before = codeOf(() => new Core());
        await loadCore();
        const core = new Core();
        const later = core.register(0, 3);
        const urgent = core.register(0, 0);
        return { before, order: [core.pop(0) === urgent, core.pop(0) === later] };
      }
    `);
    expect(await app.run()).toEqual({ before: 'ERR_NOT_LOADED', order: [true, true] });
  });

  it('loadCore() takes the shipped timeslice.wasm (bytes, a Response) and refuses what is not the core, typed', async () => {
    const app = await bundleAndImport(`
      import { Core, loadCore } from 'timeslice/core';
      export async function run(bytes) {
        const refused = [];
        for (const bad of [42, new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), new Uint8Array([1, 2, 3]), new Response('nope', { status: 404 })]) {
          await loadCore(bad).then(() => refused.push('loaded'), (e) => refused.push(e.code));
        }
        await loadCore(new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
        await loadCore(); // the first load wins: at once
        const core = new Core();
        return { refused, popped: core.pop(0) === 0 };
      }
    `);
    const bytes = readFileSync(join(root, 'dist/timeslice.wasm'));
    expect(await (app.run as (b: Uint8Array) => Promise<unknown>)(bytes)).toEqual({
      refused: ['ERR_INVALID_ARGUMENT', 'ERR_INVALID_ARGUMENT', 'ERR_NOT_LOADED', 'ERR_NOT_LOADED'],
      popped: true,
    });
  });

  it('timeslice: new Scheduler() after load(); cron after load({ cron: true }); a store after load({ durable: true })', async () => {
    const app = await bundleAndImport(`
      import { Scheduler, load } from 'timeslice';
      import { VirtualClock } from 'timeslice/testing';
      import { MemoryStore } from 'timeslice/store/memory';
      const codeOf = ${CODE_OF};
      export async function run() {
        const out = { before: codeOf(() => new Scheduler()) };
        await load();
        const clock = new VirtualClock();
        const scheduler = new Scheduler({ clock });
        out.cronBefore = codeOf(() => scheduler.cron('* * * * *', () => {}));
        out.storeBefore = codeOf(() => new Scheduler({ clock, store: new MemoryStore() }));
        // Durable-only options are still refused without a store, with the durable layer not loaded.
        out.retentionWithoutStore = codeOf(() => new Scheduler({ clock, retention: false }));
        out.badLoad = await load({ cron: 'yes' }).then(() => 'loaded', (e) => e.code);
        await load({ cron: true });
        out.badCron = codeOf(() => scheduler.cron('not cron', () => {}));
        const runs = [];
        scheduler.cron('* * * * *', () => { runs.push(clock.wallNow()); }, { maxRuns: 2 });
        scheduler.start();
        await clock.advance(120_000);
        out.cronRuns = runs.length;
        await load({ durable: true });
        const durable = new Scheduler({ clock, store: new MemoryStore() });
        let ran = 0;
        durable.define('tick', () => { ran++; });
        durable.start();
        await durable.ready;
        await durable.schedule({ id: 'once', fn: 'tick', after: 1000 });
        await clock.advance(2000);
        out.durableRan = ran;
        await Promise.all([scheduler.stop(), durable.stop()]);
        return out;
      }
    `);
    expect(await app.run()).toEqual({
      before: 'ERR_NOT_LOADED',
      cronBefore: 'ERR_NOT_LOADED',
      storeBefore: 'ERR_NOT_LOADED',
      retentionWithoutStore: 'ERR_INVALID_ARGUMENT',
      badLoad: 'ERR_INVALID_ARGUMENT',
      badCron: 'ERR_INVALID_CRON',
      cronRuns: 2,
      durableRan: 1,
    });
  });

  it('timeslice/web loads the core by itself: tasks posted before it is ready run after, in order; an abort meanwhile rejects', async () => {
    const app = await bundleAndImport(`
      import { createWebScheduler, TaskController } from 'timeslice/web';
      export async function run() {
        const scheduler = createWebScheduler();
        const order = [];
        const controller = new TaskController();
        const aborted = scheduler.postTask(() => order.push('aborted'), { signal: controller.signal }).then(() => 'ran', (e) => e.name);
        controller.abort();
        const posted = [
          scheduler.postTask(() => order.push('background'), { priority: 'background' }),
          scheduler.postTask(() => order.push('visible')),
          scheduler.postTask(() => order.push('blocking'), { priority: 'user-blocking' }),
          scheduler.yield().then(() => order.push('yield')),
        ];
        await Promise.all(posted);
        return { order, aborted: await aborted };
      }
    `);
    const result = (await app.run()) as { order: string[]; aborted: string };
    expect(result.aborted).toBe('AbortError');
    // Each was posted once the core was ready, in the order posted, then ran by priority (a continuation ahead of its priority's tasks).
    expect(result.order).toEqual(['blocking', 'yield', 'visible', 'background']);
  });

  it('a bundle for Node keeps the sync core: new Core() at once, as before', async () => {
    const result = await build({
      stdin: { contents: `import { Core } from 'timeslice/core'; globalThis.report = new Core().pop(0);`, resolveDir: root, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const context: Record<string, unknown> = { atob, WebAssembly, console };
    runInNewContext(result.outputFiles[0]!.text, context);
    expect(context.report).toBe(0);
  });
});
