// Tests what ships: `timeslice/web` from the built dist/ (ESM and CJS),
// resolved through the package's "exports" the way a user's import is.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = new URL('../../', import.meta.url);

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

describe('the built timeslice/web', () => {
  it('installs nothing, starts nothing and compiles no wasm on import', () => {
    const out = node(['--input-type=module', '-e', `
      let compiled = 0;
      const Original = WebAssembly.Module;
      WebAssembly.Module = function (...args) { compiled++; return new Original(...args); };
      const web = await import('timeslice/web');
      await new Promise((resolve) => setImmediate(resolve));
      const globals = ['scheduler', 'TaskController', 'TaskSignal', 'TaskPriorityChangeEvent'].filter((name) => name in globalThis);
      console.log(JSON.stringify({ resources: process.getActiveResourcesInfo(), compiled, globals, exported: Object.keys(web).sort() }));
    `]);
    expect(JSON.parse(out)).toEqual({
      resources: [],
      compiled: 0,
      globals: [],
      exported: ['TASK_PRIORITIES', 'TaskController', 'TaskPriorityChangeEvent', 'TaskSignal', 'WebScheduler', 'createWebScheduler', 'install', 'scheduler'],
    });
  });

  it('schedules from ESM by priority, follows a TaskController and continues a yield, then lets the process exit', () => {
    const out = node(['--input-type=module', '-e', `
      import { scheduler, TaskController } from 'timeslice/web';
      const log = [];
      const controller = new TaskController({ priority: 'background' });
      await Promise.all([
        scheduler.postTask(() => log.push('bg'), { priority: 'background' }),
        scheduler.postTask(() => log.push('followed'), { signal: controller.signal }),
        scheduler.postTask(async () => { log.push('uv 1'); await scheduler.yield(); log.push('uv 1 continued'); }),
        scheduler.postTask(() => log.push('uv 2')),
        scheduler.postTask(() => log.push('ub'), { priority: 'user-blocking' }),
        scheduler.postTask(() => log.push('delayed'), { delay: 250 }), // long enough to stay behind 'bg' on a loaded machine
        (controller.setPriority('user-blocking'), undefined),
      ]);
      console.log(log.join(','));
    `]);
    // 'followed' was queued before 'ub': moved to user-blocking, it keeps that enqueue order.
    expect(out.trim()).toBe('followed,ub,uv 1,uv 1 continued,uv 2,bg,delayed');
  });

  it('installs the globals from CommonJS where Node has none', () => {
    const out = node(['-e', `
      const web = require('timeslice/web');
      const installed = Object.keys(web.install());
      globalThis.scheduler.postTask(() => 'ran', { delay: 1 }).then((value) => {
        console.log(JSON.stringify({ installed, value, same: globalThis.TaskSignal === web.TaskSignal }));
      });
    `]);
    expect(JSON.parse(out)).toEqual({ installed: ['scheduler', 'TaskController', 'TaskSignal', 'TaskPriorityChangeEvent'], value: 'ran', same: true });
  });

  it('declares ESM, CJS and types for ./web', () => {
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
    const target = pkg.exports['./web'];
    for (const file of [target.import.default, target.import.types, target.require.default, target.require.types]) {
      expect(() => readFileSync(new URL(file, root))).not.toThrow();
    }
  });
});
