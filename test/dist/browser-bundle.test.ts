// A browser bundle of the built package needs no set-up: no wasm file to
// serve, no loader plug-in, no Node built-in. Bundled by esbuild for the
// browser platform, then run in a bare V8 context that has only what every
// browser has (atob, WebAssembly, console).
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('browser bundle', () => {
  it('bundles timeslice/core for the browser and schedules inside a bare context', async () => {
    const result = await build({
      stdin: {
        contents: `
          import { Core } from 'timeslice/core';
          const core = new Core();
          const later = core.register(0, 3);
          const urgent = core.register(0, 0);
          globalThis.report = [core.pop(0) === urgent, core.pop(0) === later];
        `,
        resolveDir: new URL('../../', import.meta.url).pathname,
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    expect(code).not.toMatch(/require\(["']node:|from ["']node:/);
    const context: Record<string, unknown> = { atob, WebAssembly, console };
    runInNewContext(code, context);
    expect(context.report).toEqual([true, true]);
  });
});
