// scripts/with-load.mjs (`npm run test:load`): the command runs while busy
// loops burn CPU, its exit status comes back, and no loop outlives the run
// however it ends. The command used here prints the loops' pids, then exits
// with the code it reads from stdin, so each test decides when it ends.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuTicks, isAlive } from './processes.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/with-load.mjs', import.meta.url));
const COMMAND = [
  process.execPath,
  '-e',
  `console.log(JSON.stringify({ loops: process.env.TIMESLICE_LOAD_PIDS, self: process.pid }));
   let input = '';
   process.stdin.on('data', (chunk) => { input += chunk; });
   process.stdin.on('end', () => process.exit(Number(input)));`,
];

interface Run {
  wrapper: ChildProcess;
  loopPids: number[];
  commandPid: number;
  stderr: () => string;
  exit: Promise<number | null>;
}

const started: number[] = [];

afterEach(() => {
  // Whatever a failed assertion left behind (the tests started these processes).
  // A process may end between the check and the kill (the command ends by itself once its stdin closes).
  for (const pid of started.splice(0)) {
    try {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
});

async function until(condition: () => boolean, what: string): Promise<void> {
  // Bounded by the test's own timeout; the step keeps a loaded machine from being polled hard.
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(condition(), what).toBe(true);
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function startRun(loops: number): Promise<Run> {
  const wrapper = spawn(process.execPath, [SCRIPT, '--loops', String(loops), '--', ...COMMAND], { stdio: 'pipe' });
  started.push(wrapper.pid!);
  let stderr = '';
  wrapper.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = exitOf(wrapper);
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    wrapper.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    exit.then(() => reject(new Error(`with-load ended before the command printed: ${stderr}`)));
  });
  const printed = JSON.parse(line) as { loops: string; self: number };
  const loopPids = printed.loops === '' ? [] : printed.loops.split(',').map(Number);
  started.push(...loopPids, printed.self);
  return { wrapper, loopPids, commandPid: printed.self, stderr: () => stderr, exit };
}

describe('with-load', () => {
  it('runs the command while the loops burn CPU, and stops them when the command succeeds', async () => {
    const run = await startRun(2);
    expect(run.loopPids).toHaveLength(2);
    expect(run.loopPids.every(isAlive)).toBe(true);
    if (existsSync('/proc/self/stat')) {
      // Past node's start-up: each loop keeps using CPU (10 ticks, 0.1 s at the usual 100 Hz).
      const before = run.loopPids.map(cpuTicks);
      await until(() => run.loopPids.every((pid, i) => cpuTicks(pid) >= before[i]! + 10), 'every loop keeps using CPU');
    }
    run.wrapper.stdin!.end('0');
    expect(await run.exit).toBe(0);
    expect(run.loopPids.filter(isAlive)).toEqual([]);
  });

  it("exits with the command's failing status and stops the loops", async () => {
    const run = await startRun(1);
    run.wrapper.stdin!.end('3');
    expect(await run.exit).toBe(3);
    expect(run.loopPids.filter(isAlive)).toEqual([]);
  });

  for (const [signal, status] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`on ${signal} stops the loops and passes the signal to the command`, async () => {
      const run = await startRun(2);
      run.wrapper.kill(signal);
      expect(await run.exit).toBe(status);
      expect(run.loopPids.filter(isAlive)).toEqual([]);
      expect(isAlive(run.commandPid)).toBe(false);
    });
  }

  it('passes SIGTERM to everything the command started (its process group), not only to the command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeslice-with-load-'));
    try {
      const script = join(dir, 'idle.mjs');
      writeFileSync(script, "console.log('pid', process.pid); setInterval(() => {}, 1000);");
      // A shell that starts node and waits for it, as `npm test` starts vitest.
      const wrapper = spawn(process.execPath, [SCRIPT, '--loops', '1', '--', 'sh', '-c', `"${process.execPath}" "${script}"; echo after`], { stdio: 'pipe' });
      started.push(wrapper.pid!);
      const exit = exitOf(wrapper);
      // 'close' waits for every holder of the wrapper's stdout, the grandchild too:
      // a signalled process takes a moment to end after its shell has.
      const closed = new Promise<void>((resolve) => wrapper.once('close', () => resolve()));
      const grandchild = await new Promise<number>((resolve) => {
        let out = '';
        wrapper.stdout!.on('data', (chunk) => {
          out += chunk;
          const match = /pid (\d+)/.exec(out);
          if (match !== null) resolve(Number(match[1]));
        });
      });
      started.push(grandchild);
      wrapper.kill('SIGTERM');
      expect(await exit).toBe(143);
      await closed;
      expect(isAlive(grandchild)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no loop behind when it is killed outright (SIGKILL)', async () => {
    const run = await startRun(2);
    run.wrapper.kill('SIGKILL');
    await run.exit;
    // The loops notice that their parent changed and exit by themselves.
    await until(() => run.loopPids.every((pid) => !isAlive(pid)), 'every loop exited');
    // No kill of the command here: it ends by itself, at any moment from now on (node destroys our end
    // of the wrapper's stdin, which the command inherited, when the wrapper exits, so the command reads
    // EOF and exits 0), and a kill after it ended threw ESRCH under load. afterEach kills it if it lives.
  });

  it('refuses bad arguments with its usage, starting nothing', async () => {
    for (const args of [['--loops', 'two', '--', 'true'], ['--'], ['--frobnicate', '--', 'true']]) {
      const wrapper = spawn(process.execPath, [SCRIPT, ...args], { stdio: 'pipe' });
      let stderr = '';
      wrapper.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      expect(await exitOf(wrapper)).toBe(2);
      expect(stderr).toMatch(/usage: node scripts\/with-load\.mjs/);
    }
  });
});
