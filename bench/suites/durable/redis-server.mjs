// A private redis-server for BullMQ, started by the suite and stopped after:
// append-only file on, fsynced on every write (`appendfsync always`), so a
// job BullMQ reports done is on disk as a SQLite commit with
// synchronous=FULL is. The system's Redis (if any) is left alone: its
// persistence settings are not this benchmark's to change.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A TCP port nobody listens on right now (the kernel's pick). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Whether a PING on `port` is answered with PONG. */
function pong(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk;
      if (answer.includes('\r\n')) socket.end();
    });
    socket.on('close', () => resolve(answer.startsWith('+PONG')));
    socket.on('error', () => {});
  });
}

/**
 * Starts `redis-server` with AOF and `appendfsync always` in a fresh
 * directory; resolves to {port, dir, stop()} once it answers PING. Rejects
 * (and cleans up) when redis-server is not installed or does not come up.
 */
export async function startRedisServer({ fsync = 'always' } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'timeslice-bench-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', fsync, '--save', ''];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const failed = new Promise((resolve) => child.once('error', (error) => resolve({ error })));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; attempt < 100; attempt++) {
    const early = await Promise.race([failed, exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 50))]);
    if (early !== undefined) {
      await stop();
      throw new Error(`redis-server did not start (${early.error?.message ?? `exit ${early.code ?? early.signal}`}) ${stderr}`.trim());
    }
    if (await pong(port)) return { port, dir, fsync, stop };
  }
  await stop();
  throw new Error(`redis-server on port ${port} did not answer PING within 5 s ${stderr}`.trim());
}
