// A browser bundle of the built package: what esbuild makes of it for the
// browser platform (the package's "imports" resolved without the "node"
// condition), run here. Such a bundle carries neither the embedded core, nor
// croner, nor the durable layer, nor slot constraints, calendar intervals,
// tracing or describe() up front: load() brings them (src/parts/load.ts), and
// each sync API used before its part is loaded throws NotLoadedError.
// Needs `npm run build` first (useCurrentDist: dist/ built from these sources).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

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

  // Each part a basic application does not use stays out of the first load (test/dist/size.test.ts): its feature
  // throws NotLoadedError naming the load() call that brings it, and works once that call resolved.
  const PART_CASES: Array<{ part: string; what: string; use: string }> = [
    { part: 'constraints', what: 'slot constraints', use: `scheduler.every('1s', () => { runs++; }, { constraints: { maxPerDay: 1 }, maxRuns: 2 })` },
    { part: 'calendar', what: 'a calendar interval in a time zone', use: `scheduler.every({ days: 1 }, () => { runs++; }, { timezone: 'Europe/Paris', maxRuns: 2 })` },
    { part: 'calendar', what: 'an interval with startAt', use: `scheduler.every('1h', () => { runs++; }, { startAt: clock.wallNow() + 1000, maxRuns: 2 })` },
    { part: 'tracing', what: 'a tracer', use: `new Scheduler({ clock, tracer }).start().run(() => { runs++; })` },
    { part: 'describe', what: 'describe()', use: `(scheduler.run(() => { runs++; }), runs += scheduler.describe().tasks.length)` },
  ];
  for (const { part, what, use } of PART_CASES) {
    it(`timeslice: ${what} needs load({ ${part}: true }), names it when refused, and works after it`, async () => {
      const app = await bundleAndImport(`
        import { Scheduler, load } from 'timeslice';
        import { VirtualClock } from 'timeslice/testing';
        const spans = [];
        const span = { spanContext: () => ({ traceId: 't', spanId: 's', traceFlags: 1 }), setAttribute() {}, setStatus() {}, recordException() {}, end() { spans.push('end'); } };
        const tracer = { startActiveSpan: (name, options, fn) => fn(span) };
        export async function run() {
          await load();
          const clock = new VirtualClock();
          const scheduler = new Scheduler({ clock });
          let runs = 0;
          const use = () => ${use};
          let refused;
          try { use(); refused = 'no error'; } catch (e) { refused = e.code + ': ' + e.message; }
          await load({ ${part}: true });
          use();
          scheduler.start();
          await clock.advance(2 * 86_400_000);
          return { refused, ran: runs > 0, spans: spans.length };
        }
      `);
      const result = (await app.run()) as { refused: string; ran: boolean; spans: number };
      expect(result.refused).toMatch(/^ERR_NOT_LOADED: /);
      expect(result.refused).toContain(`await load({ ${part}: true })`);
      expect(result.ran).toBe(true);
      expect(result.spans > 0).toBe(part === 'tracing');
    });
  }

  it('timeslice: load({ cron: true }) brings the calendar part too (cron windows), load({ durable: true }) constraints, calendar and tracing', async () => {
    const app = await bundleAndImport(`
      import { Scheduler, load } from 'timeslice';
      import { VirtualClock } from 'timeslice/testing';
      const tracer = { startActiveSpan: (name, options, fn) => fn({ spanContext: () => ({ traceId: 't', spanId: 's', traceFlags: 1 }), setAttribute() {}, setStatus() {}, recordException() {}, end() {} }) };
      export async function run() {
        await load({ cron: true });
        const clock = new VirtualClock();
        const scheduler = new Scheduler({ clock });
        scheduler.cron('0 * * * *', () => {}, { startAt: clock.wallNow() + 7_200_000, endAt: clock.wallNow() + 86_400_000 });
        scheduler.every({ weeks: 1 }, () => {});
        let constraints;
        try { scheduler.every('1s', () => {}, { constraints: { maxPerDay: 1 } }); constraints = 'no error'; } catch (e) { constraints = e.code; }
        await load({ durable: true });
        scheduler.every('1s', () => {}, { constraints: { maxPerDay: 1 } });
        new Scheduler({ clock, tracer });
        await scheduler.stop();
        return { constraints };
      }
    `);
    expect(await app.run()).toEqual({ constraints: 'ERR_NOT_LOADED' });
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
