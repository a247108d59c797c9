// A durable Scheduler as shipped: `new Scheduler({ store: path })` loads the
// SQLite store (and better-sqlite3) only when first used, from ESM and CJS.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { pageSnippet } from '../helpers/readme-snippet.js';
import { useCurrentDist } from '../helpers/current-dist.js';

useCurrentDist();

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'timeslice-dist-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

const SCRIPT = (path: string) => `
  const scheduler = new Scheduler({ store: ${JSON.stringify(path)}, clockWatch: false, retention: false });
  const loadedBefore = driverLoaded();
  scheduler.define('job', (params) => params.n * 2);
  // The run's end is committed when slotcomplete fires (no wall-time guess: a loaded machine takes its time).
  const completed = new Promise((resolve) => scheduler.events.addEventListener('slotcomplete', resolve, { once: true }));
  await scheduler.schedule({ id: 'j', fn: 'job', params: { n: 21 }, after: 0 });
  scheduler.start();
  await scheduler.ready;
  await completed;
  const { executions } = await scheduler.history('j');
  await scheduler.stop();
  console.log(JSON.stringify([loadedBefore, driverLoaded(), executions[0].outcome, executions[0].result]));
`;

describe('a durable Scheduler from the built package', () => {
  it('from CommonJS: no driver loaded until the store is used, then the task runs and is recorded', () => {
    const out = node(['-e', `
      const { Scheduler } = require('timeslice');
      const driverLoaded = () => Object.keys(require.cache).some((f) => f.includes('better-sqlite3'));
      (async () => { ${SCRIPT(join(dir, 'cjs.db'))} })();
    `]);
    expect(JSON.parse(out)).toEqual([false, true, 'succeeded', 42]);
  });

  it("runs the README's durable example as written", () => {
    const example = pageSnippet('docs/durable.md', 'Defining and scheduling');
    expect(node(['--input-type=module', '-e', example]).trim().split('\n')).toEqual(['report for me, attempt 1', 'succeeded pending']);
  });

  it('from ESM: the task runs and is recorded', () => {
    const out = node(['--input-type=module', '-e', `
      import { Scheduler } from 'timeslice';
      const driverLoaded = () => null;
      ${SCRIPT(join(dir, 'esm.db'))}
    `]);
    expect(JSON.parse(out)).toEqual([null, null, 'succeeded', 42]);
  });
});
