// Differential test against Chromium's native implementation: the same
// scenarios run on the page's own `scheduler`/TaskController/TaskSignal and
// on timeslice/web (the built package, bundled for the browser), and must log
// the same. It needs a Chromium (CHROMIUM_PATH, or /usr/bin/chromium): without
// one the suite is skipped with a loud notice, or fails under
// TIMESLICE_REQUIRE_BROWSER=1 (test/browser/chromium.mjs decides, as for the
// browser runner). Scenarios wait on their own promises, never on time.
//
// Not compared, being known deviations (see src/web/web-scheduler.ts):
// - a continuation runs after a task of its priority queued before its own
//   task and moved into that priority later (the spec runs it first);
// - yield() after a task awaited something else continues as user-visible
//   (Chromium inherits the task's priority and signal across the await);
//   that includes a yield() two reactions or more after a continuation or an
//   abort rejection, as in `await scheduler.yield().catch(...)`.
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS, decideBrowserRun } from '../browser/chromium.mjs';
import { useCurrentDist } from '../helpers/current-dist.js';

const decision = decideBrowserRun({ env: process.env });
if (decision.action === 'skip') console.warn(decision.message);

type Scenario = (api: {
  scheduler: import('../../src/web/index.js').WebScheduler;
  TaskController: typeof import('../../src/web/index.js').TaskController;
  TaskSignal: typeof import('../../src/web/index.js').TaskSignal;
}) => Promise<unknown>;

// Run as page source: they may use only their argument and page globals.
const SCENARIOS: Record<string, Scenario> = {
  'priorities, FIFO within one': async ({ scheduler }) => {
    const log: string[] = [];
    const all = [];
    for (const priority of ['background', 'user-visible', 'user-blocking'] as const) {
      for (const n of [1, 2]) all.push(scheduler.postTask(() => log.push(`${priority} ${n}`), { priority }));
    }
    all.push(scheduler.postTask(() => log.push('default')));
    await Promise.all(all);
    return log;
  },
  'setPriority moves a queued task, keeping its enqueue order; explicit priority stays': async ({ scheduler, TaskController }) => {
    const log: string[] = [];
    // Where the delayed task lands among the others depends on how long they
    // take (a loaded machine can take longer than its delay): it logs apart,
    // and shows the priority it runs at by yielding: a user-blocking
    // continuation goes ahead of the user-visible task posted just before it.
    const delayedLog: string[] = [];
    const controller = new TaskController({ priority: 'background' });
    const all = [
      scheduler.postTask(() => log.push('followed'), { signal: controller.signal }),
      scheduler.postTask(() => log.push('explicit bg'), { signal: controller.signal, priority: 'background' }),
      scheduler.postTask(() => log.push('ub'), { priority: 'user-blocking' }),
      scheduler.postTask(() => log.push('uv')),
      scheduler.postTask(
        async () => {
          delayedLog.push('delayed follower');
          const probe = scheduler.postTask(() => delayedLog.push('user-visible task posted before the yield'));
          await scheduler.yield();
          delayedLog.push('delayed follower continues');
          await probe;
        },
        { signal: controller.signal, delay: 50 },
      ),
    ];
    controller.signal.onprioritychange = (event) => log.push(`event ${event.previousPriority} -> ${controller.signal.priority}`);
    controller.setPriority('user-blocking');
    controller.setPriority('user-blocking');
    await Promise.all(all);
    return [...log, '-- the delayed task:', ...delayedLog];
  },
  'yield continues ahead of later same-priority tasks, behind user-blocking': async ({ scheduler }) => {
    const log: string[] = [];
    const all: Promise<unknown>[] = [];
    all.push(
      scheduler.postTask(async () => {
        for (let i = 0; i < 2; i++) {
          log.push(`step ${i}`);
          all.push(scheduler.postTask(() => log.push(`uv ${i}`)));
          all.push(scheduler.postTask(() => log.push(`ub ${i}`), { priority: 'user-blocking' }));
          all.push(scheduler.postTask(() => log.push(`bg ${i}`), { priority: 'background' }));
          await scheduler.yield();
        }
      }),
    );
    await all[0];
    await Promise.all(all);
    return log;
  },
  'sync callbacks yielding without awaiting; two tasks continuing by priority': async ({ scheduler }) => {
    const log: string[] = [];
    const all: Promise<unknown>[] = [];
    all.push(
      scheduler
        .postTask(() => {
          log.push('t1');
          all.push(scheduler.postTask(() => log.push('later uv')));
          all.push(
            scheduler.postTask(() => {
              log.push('t2');
              all.push(scheduler.yield().then(() => log.push('t2 continues')));
            }, { priority: 'user-blocking' }),
          );
          all.push(scheduler.yield().then(() => log.push('t1 y1')));
          all.push(scheduler.yield().then(() => log.push('t1 y2')));
          return 'r1';
        })
        .then((value) => log.push(`result ${value}`)),
    );
    await all[0];
    for (let i = 0; i < all.length; i++) await all[i];
    return log;
  },
  'yield outside any task continues as user-visible': async ({ scheduler }) => {
    const log: string[] = [];
    const all = [
      scheduler.postTask(() => log.push('uv')),
      scheduler.postTask(() => log.push('ub'), { priority: 'user-blocking' }),
      scheduler.postTask(() => log.push('bg'), { priority: 'background' }),
    ];
    await scheduler.yield();
    log.push('continued');
    await Promise.all(all);
    return log;
  },
  'abort: queued, delayed, during the callback, after it returned, during a yield': async ({ scheduler, TaskController }) => {
    const log: string[] = [];
    const settle = (name: string, promise: Promise<unknown>) =>
      promise.then((value) => log.push(`${name} resolved ${String(value)}`), (reason) => log.push(`${name} rejected ${String(reason)}`));
    const queued = new TaskController();
    const delayed = new AbortController();
    const during = new AbortController();
    const after = new AbortController();
    const yielding = new TaskController();
    const all = [
      settle('queued', scheduler.postTask(() => log.push('queued ran'), { signal: queued.signal })),
      settle('delayed', scheduler.postTask(() => log.push('delayed ran'), { signal: delayed.signal, delay: 5 })),
      settle('during', scheduler.postTask(() => {
        during.abort('D');
        return 'value';
      }, { signal: during.signal })),
      settle('after', scheduler.postTask(async () => {
        await scheduler.postTask(() => after.abort('A'), { priority: 'user-blocking' });
        return 'value';
      }, { signal: after.signal })),
      settle('yielding', scheduler.postTask(async () => {
        scheduler.postTask(() => yielding.abort('Y'), { priority: 'user-blocking' });
        for (const name of ['yield', 'second yield']) {
          try {
            await scheduler.yield();
          } catch (reason) {
            log.push(`${name} rejected ${String(reason)}`);
          }
        }
        return 'done';
      }, { signal: yielding.signal })),
    ];
    queued.abort('Q');
    scheduler.postTask(() => delayed.abort('L'), { priority: 'user-blocking' });
    await Promise.all(all);
    return log;
  },
  'a parked continuation moves with its signal': async ({ scheduler, TaskController }) => {
    const log: string[] = [];
    const controller = new TaskController({ priority: 'background' });
    const all: Promise<unknown>[] = [];
    all.push(
      scheduler.postTask(async () => {
        log.push('a1');
        all.push(scheduler.postTask(() => log.push('uv 1')));
        all.push(scheduler.postTask(() => {
          log.push('uv 2 raises a');
          controller.setPriority('user-visible');
        }));
        all.push(scheduler.postTask(() => log.push('uv 3')));
        await scheduler.yield();
        log.push('a2');
      }, { signal: controller.signal }),
    );
    await all[0];
    await Promise.all(all);
    return log;
  },
  'onprioritychange keeps objects and reads non-objects as null; onabort as the host does': async ({ TaskController }) => {
    const log: string[] = [];
    const controller = new TaskController();
    const { signal } = controller;
    const notCallable = {};
    signal.onprioritychange = notCallable as never;
    log.push(`object kept: ${signal.onprioritychange === notCallable}`);
    signal.addEventListener('prioritychange', () => log.push('listener ran'));
    controller.setPriority('background');
    for (const value of [5, 'text', true]) {
      signal.onprioritychange = value as never;
      log.push(`${typeof value} -> ${String(signal.onprioritychange)}`);
    }
    signal.onabort = notCallable as never;
    log.push(`onabort object kept: ${signal.onabort === notCallable}`);
    signal.onabort = 5 as never;
    log.push(`onabort number -> ${String(signal.onabort)}`);
    return log;
  },
  'TaskSignal.any follows its source; nested setPriority is NotAllowedError': async ({ TaskController, TaskSignal }) => {
    const log: string[] = [];
    const source = new TaskController({ priority: 'background' });
    const combined = TaskSignal.any([new AbortController().signal], { priority: source.signal });
    const fixed = TaskSignal.any([source.signal]);
    combined.onprioritychange = (event) => log.push(`combined ${event.previousPriority} -> ${combined.priority}`);
    source.signal.onprioritychange = (event) => {
      log.push(`source ${event.previousPriority}`);
      try {
        source.setPriority('user-visible');
      } catch (error) {
        log.push((error as Error).name);
      }
    };
    source.setPriority('user-blocking');
    source.abort('X');
    log.push(`${combined.priority} ${fixed.priority} ${fixed.aborted} ${String(fixed.reason)} ${combined.aborted}`);
    return log;
  },
};

if (decision.action === 'fail') {
  const { message } = decision;
  describe('timeslice/web against Chromium: a browser is required', () => {
    it('finds a Chromium', () => {
      throw new Error(message);
    });
  });
}

describe.runIf(decision.action === 'run')('timeslice/web against Chromium', () => {
  // Bundles `timeslice/web`, the package's own export: dist/.
  useCurrentDist();
  let browser: import('playwright-core').Browser;
  let page: import('playwright-core').Page;

  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: "export * from 'timeslice/web';", resolveDir: new URL('../../', import.meta.url).pathname },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'timesliceWeb',
      write: false,
      logLevel: 'silent',
    });
    if (decision.action !== 'run') throw new Error('unreachable: the suite runs only with a browser');
    browser = await chromium.launch({ executablePath: decision.path, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  });

  afterAll(async () => {
    await browser?.close();
  });

  async function run(source: string, implementation: 'native' | 'timeslice'): Promise<unknown> {
    return page.evaluate(
      ([text, which]) => {
        const g = globalThis as unknown as Record<string, unknown>;
        const web = g.timesliceWeb as typeof import('../../src/web/index.js');
        const api =
          which === 'native'
            ? { scheduler: g.scheduler, TaskController: g.TaskController, TaskSignal: g.TaskSignal }
            : { scheduler: web.createWebScheduler(), TaskController: web.TaskController, TaskSignal: web.TaskSignal };
        // Indirect: the scenario sees page globals only, not this function's scope.
        // biome-ignore lint/security/noGlobalEval: the scenario is this test's own source
        const indirectEval = globalThis.eval;
        return (indirectEval(`(${text})`) as (value: typeof api) => Promise<unknown>)(api);
      },
      [source, implementation] as const,
    );
  }

  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(`logs what Chromium logs: ${name}`, async () => {
      const native = await run(scenario.toString(), 'native');
      const ours = await run(scenario.toString(), 'timeslice');
      expect(ours).toEqual(native);
    });
  }
});
