// Runs the browser tests: every test/browser/*.browser.ts, bundled by esbuild
// against the BUILT package (run `npm run build` first) the way an application
// bundles it, served from 127.0.0.1 and run in Debian's Chromium through
// playwright-core (never a downloaded browser).
//
//   node test/browser/run.mjs               every file
//   node test/browser/run.mjs scheduler     files whose name contains "scheduler"
//
// Each file gets its own page in its own browser context (fresh storage), and
// FILE_TIMEOUT_MS to finish. It fails on a failed test, on an uncaught error
// or console.error in the page, on a file that ran no test, and when no test
// ran at all. The last line printed is always "N passed, M failed" (unless
// skipped). Which Chromium, and what happens without one, is decided in
// ./chromium.mjs: CHROMIUM_PATH or /usr/bin/chromium; none found is a loud
// skip (exit 0), or a failure under TIMESLICE_REQUIRE_BROWSER=1 (CI sets it);
// TIMESLICE_SKIP_BROWSER=1 skips on purpose.
//
// A test that needs a second tab of the same origin calls harness.ts's
// openTab(): the bindings below open the file's page again (`?tab=<id>`) in
// the same browser context, run the functions it exposes with serveTab(), and
// close or crash it (DevTools' Page.crash) when the test says so. A tab's
// uncaught errors and console.error count against the file, as its page's do.
//
// Adding a file (timeslice/web, say): create test/browser/web.browser.ts that
// imports `test` and the assertions from './harness.js' and the package by its
// public specifier (`import { ... } from 'timeslice/web'`), and registers its
// tests with test() at the top level of the module. It is picked up by name.
// Assets a bundle cannot inline (a worker entry, the .wasm file) are served
// from dist/ by file name, and the page is cross-origin isolated (COOP/COEP),
// so SharedArrayBuffer and Atomics.wait in workers are available.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { requireCurrentDist } from '../../scripts/build-inputs.mjs';
import { CHROMIUM_ARGS, decideBrowserRun } from './chromium.mjs';
const FILE_TIMEOUT_MS = 60_000;
const LAUNCH_TIMEOUT_MS = 30_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref());

const root = fileURLToPath(new URL('../../', import.meta.url));
const testDir = fileURLToPath(new URL('./', import.meta.url));
const distDir = join(root, 'dist');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
};

/** The page of one test file. The fallback marks a file that registered no test as done with no results. */
function pageHtml(name) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${name}.browser.ts</title><link rel="icon" href="data:,">
<script type="module" src="/${name}.browser.js"></script>
<script>
  addEventListener('load', () => setTimeout(() => {
    if (window.__results === undefined) { window.__results = []; window.__done = true; }
  }, 0));
</script>
</head><body></body></html>`;
}

async function bundle(file) {
  const result = await build({
    entryPoints: [join(testDir, file)],
    absWorkingDir: root,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

function serve(bundles) {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const headers = {
      'Cache-Control': 'no-store',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    };
    let body;
    const [, name, ext] = /^\/([\w-]+)\.browser\.(html|js)$/.exec(path) ?? [];
    if (ext === 'html' && bundles.has(name)) body = pageHtml(name);
    else if (ext === 'js' && bundles.has(name)) body = bundles.get(name);
    else if (/^\/[\w.-]+$/.test(path) && existsSync(join(distDir, path))) body = readFileSync(join(distDir, path));
    if (body === undefined) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Records a page's uncaught errors, console.error calls and an unexpected crash in `problems`. */
function watch(page, label, problems, crashExpected = () => false) {
  page.on('pageerror', (error) => problems.push(`${label}uncaught: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${label}console.error: ${message.text()}`);
  });
  page.on('crash', () => {
    if (!crashExpected()) problems.push(`${label}the page crashed`);
  });
}

/** The bindings behind harness.ts's openTab(): tabs of `pageUrl` in `context`, by id. */
async function exposeTabs(context, pageUrl, problems) {
  const tabs = new Map();
  let lastId = 0;
  const tabOf = (id) => {
    const tab = tabs.get(id);
    if (tab === undefined) throw new Error(`no open tab ${id}`);
    return tab;
  };
  await context.exposeBinding('__openTab', async () => {
    const id = ++lastId;
    const tab = await context.newPage();
    const entry = { page: tab, crashing: false };
    tabs.set(id, entry);
    watch(tab, `tab ${id}: `, problems, () => entry.crashing);
    await tab.goto(`${pageUrl}?tab=${id}`, { timeout: FILE_TIMEOUT_MS });
    await tab.waitForFunction(() => window.__tabReady === true, null, { timeout: FILE_TIMEOUT_MS, polling: 20 });
    return id;
  });
  await context.exposeBinding('__callTab', (_source, id, name, args) =>
    tabOf(id).page.evaluate(([fnName, fnArgs]) => {
      const fn = window.__tabFunctions?.[fnName];
      if (typeof fn !== 'function') throw new Error(`the tab serves no function ${fnName} (see serveTab())`);
      return fn(...fnArgs);
    }, [name, args]),
  );
  await context.exposeBinding('__closeTab', async (_source, id, how) => {
    const entry = tabOf(id);
    tabs.delete(id);
    if (how === 'crash') {
      entry.crashing = true;
      const crashed = entry.page.waitForEvent('crash', { timeout: FILE_TIMEOUT_MS });
      const cdp = await context.newCDPSession(entry.page);
      // The renderer dies before it can answer.
      cdp.send('Page.crash').catch(() => {});
      await crashed;
    }
    await entry.page.close({ runBeforeUnload: false });
  });
}

/** Runs one file's page; returns its test results plus one failed entry per page-level problem. */
async function runFile(browser, baseUrl, name) {
  const context = await browser.newContext();
  const problems = [];
  try {
    await exposeTabs(context, `${baseUrl}/${name}.browser.html`, problems);
    const page = await context.newPage();
    watch(page, '', problems);
    const deadline = Date.now() + FILE_TIMEOUT_MS;
    let timedOut = false;
    try {
      await page.goto(`${baseUrl}/${name}.browser.html`, { timeout: FILE_TIMEOUT_MS });
      await page.waitForFunction(() => window.__done === true, null, { timeout: Math.max(1, deadline - Date.now()), polling: 50 });
    } catch (error) {
      timedOut = true;
      problems.push(`did not finish within ${FILE_TIMEOUT_MS / 1000} s: ${error.message.split('\n')[0]}`);
    }
    // A page stuck in a synchronous loop never answers: give up on its results after a while.
    const results = await Promise.race([page.evaluate(() => window.__results ?? []), sleep(5000).then(() => [])]).catch(() => []);
    if (results.length === 0 && !timedOut) problems.push('no test ran (register tests with test() at the top level)');
    if (problems.length > 0) results.push({ name: 'the page ran cleanly (a test ran, no uncaught error, no console.error)', ok: false, error: problems.join('\n') });
    return results;
  } finally {
    await context.close().catch(() => {});
  }
}

function report(name, results) {
  console.log(`\n${name}.browser.ts`);
  for (const result of results) {
    const timeMs = result.durationMs === undefined ? '' : ` (${Math.round(result.durationMs)} ms)`;
    console.log(`  ${result.ok ? '✓' : '✗'} ${result.name}${timeMs}`);
    if (!result.ok) console.log(`      ${String(result.error).replaceAll('\n', '\n      ')}`);
  }
}

async function main() {
  const decision = decideBrowserRun({ env: process.env });
  if (decision.action !== 'run') {
    console.error(decision.message);
    return decision.action === 'skip' ? 0 : 1;
  }
  const CHROMIUM_PATH = decision.path;
  try {
    requireCurrentDist(root);
  } catch (error) {
    console.error(`browser tests: ${error.message}`);
    return 1;
  }
  const filters = process.argv.slice(2);
  const names = readdirSync(testDir)
    .filter((file) => file.endsWith('.browser.ts'))
    .map((file) => file.slice(0, -'.browser.ts'.length))
    .filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)))
    .sort();

  const startMs = performance.now();
  let passed = 0;
  let failed = 0;
  const bundles = new Map();
  for (const name of names) {
    try {
      bundles.set(name, await bundle(`${name}.browser.ts`));
    } catch (error) {
      report(name, [{ name: 'the file bundles for the browser', ok: false, error: error.message }]);
      failed++;
    }
  }

  const { chromium } = await import('playwright-core');
  let server;
  let browser;
  // A last resort: whatever hangs, the process ends in bounded time.
  const watchdog = setTimeout(() => {
    console.error('browser tests: overall time limit reached');
    browser?.close().catch(() => {});
    process.exit(1);
  }, LAUNCH_TIMEOUT_MS + FILE_TIMEOUT_MS * (bundles.size + 1));
  watchdog.unref();
  try {
    server = await serve(bundles);
    const { port } = server.address();
    // playwright makes a fresh temporary user-data-dir for this launch and deletes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, timeout: LAUNCH_TIMEOUT_MS });
    console.log(`Chromium ${browser.version()} (${CHROMIUM_PATH}), ${bundles.size} file(s)`);
    for (const name of bundles.keys()) {
      const results = await runFile(browser, `http://127.0.0.1:${port}`, name);
      report(name, results);
      for (const result of results) result.ok ? passed++ : failed++;
    }
  } catch (error) {
    console.error(`browser tests: ${error.stack ?? error.message}`);
    failed++;
  } finally {
    await browser?.close().catch(() => {});
    server?.closeAllConnections();
    server?.close();
    clearTimeout(watchdog);
  }
  console.log(`\nbrowser tests took ${((performance.now() - startMs) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

process.exit(await main());
