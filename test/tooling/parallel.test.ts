// scripts/parallel.mjs (the parallel steps of `npm run build` and `npm test`):
// the commands really run at the same time, every one runs to its end, the
// first failure's status comes back, and a signal reaches what they started.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive } from './processes.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/parallel.mjs', import.meta.url));

const started: number[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function parallel(args: string[], onStdout?: (text: string, child: ChildProcess) => void): Promise<Result> {
  const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
    onStdout?.(stdout, child);
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

describe('parallel', () => {
  it('runs the commands at the same time, each line prefixed with its label', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeslice-parallel-'));
    dirs.push(dir);
    const flag = join(dir, 'flag');
    // The first waits for a file only the second creates: run one after the other, they never end.
    const result = await parallel([`waiter=while [ ! -e '${flag}' ]; do sleep 0.01; done; echo saw the flag`, `maker=touch '${flag}'; echo made it`]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('waiter | saw the flag\n');
    expect(result.stdout).toContain('maker  | made it\n');
    expect(result.stderr).toMatch(/waiter \| done in [\d.]+ s/);
  });

  it("runs every command to its end and exits with the first failing command's status", async () => {
    const result = await parallel(['first=exit 3', 'second=sleep 0.2; echo second finished; exit 4', 'third=echo fine']);
    expect(result.status).toBe(3);
    expect(result.stdout).toContain('second | second finished\n');
    expect(result.stdout).toContain('third  | fine\n');
    expect(result.stderr).toMatch(/first {2}\| FAILED \(3\)/);
    expect(result.stderr).toMatch(/second \| FAILED \(4\)/);
  });

  it('passes SIGTERM to the processes its commands started, not only to their shells', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'timeslice-parallel-'));
    dirs.push(dir);
    const script = join(dir, 'idle.mjs');
    writeFileSync(script, "console.log('pid', process.pid); setInterval(() => {}, 1000);");
    let grandchild = 0;
    // A shell that starts node and waits for it: killing only the shell would leave node running.
    const result = await parallel([`nested=sh -c '"${process.execPath}" "${script}"; echo after'`], (stdout, child) => {
      const match = /pid (\d+)/.exec(stdout);
      if (match !== null && grandchild === 0) {
        grandchild = Number(match[1]);
        started.push(grandchild);
        child.kill('SIGTERM');
      }
    });
    expect(grandchild).toBeGreaterThan(0);
    expect(result.status).not.toBe(0);
    expect(isAlive(grandchild)).toBe(false);
  });

  it('refuses arguments that are not label=command, with its usage', async () => {
    for (const args of [[], ['no label here'], ['label=']]) {
      const result = await parallel(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('usage: node scripts/parallel.mjs');
    }
  });
});
